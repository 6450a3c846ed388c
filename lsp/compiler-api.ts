// The language server's one door into compiler/. Everything the server uses from the compiler
// is re-exported here, so that moving files inside compiler/ (or putting a single public entry in
// front of it) changes this file and nothing else in lsp/.
// Front end and formatter.
export { compileProgram, type CompileResult, type SourceHost, type ExpandedRun } from '../compiler/frontend.js';
export { formatSource } from '../compiler/fmt.js';
export type { Diagnostic, Span } from '../compiler/diagnostics.js';
// The run configuration and the Plan's layer statistics (the hover's table).
export type { LayerMask, RunConfig } from '../compiler/config.js';
export { DEFAULT_LIMITS, type LayerStats } from '../compiler/plan.js';
export { lower } from '../compiler/lower/index.js';
export { weightLayers } from '../compiler/ir/build.js';
export { keptCount } from '../compiler/topk.js';
// The language's vocabulary, as the checker defines it (completion, hover, colour).
export { SIGNATURES, SCORE_SIGNATURES } from '../compiler/check/signatures.js';
export { BUILTIN_LAYERS, LAYER_SIGNATURES } from '../compiler/check/layers.js';
export { DISTRIBUTIONS, SCORE_INITS } from '../compiler/check/inits.js';
export { MASK_POLICIES } from '../compiler/check/masks.js';
export { OPTIMIZERS, SCHEDULES, TRAIN_KEYS } from '../compiler/check/optim.js';
export { DATASETS, NORMALIZE_PRESETS } from '../compiler/check/data.js';
export { FIELDS } from '../compiler/check/experiment.js';
export { PARAM_TYPES } from '../compiler/check/network.js';
export { builtinFunctionNames } from '../compiler/check/values.js';
