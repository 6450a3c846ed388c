// The language server's one door into compiler/: everything the server uses from the compiler,
// through the compiler's public entry (compiler/index.ts) and the Plan's types, as the import
// rules (.dependency-cruiser.cjs) require of everything above the compiler.
export {
  compileProgram,
  formatSource,
  keptCount,
  lower,
  maskLabel,
  weightLayers,
  type CompileResult,
  type ExpandedRun,
  type SourceHost,
  // The language's vocabulary, as the checker defines it (completion, hover, colour).
  SIGNATURES,
  SCORE_SIGNATURES,
  BUILTIN_LAYERS,
  LAYER_SIGNATURES,
  DISTRIBUTIONS,
  SCORE_INITS,
  MASK_POLICIES,
  OPTIMIZERS,
  SCHEDULES,
  TRAIN_KEYS,
  DATASETS,
  NORMALIZE_PRESETS,
  FIELDS,
  PARAM_TYPES,
  builtinFunctionNames,
} from '../compiler/index.js';
export type { Diagnostic, Span } from '../diagnostics/diagnostics.js';
// The run configuration and the Plan's layer statistics (the hover's table).
export type { LayerMask, RunConfig } from '../compiler/plan/config.js';
export { DEFAULT_LIMITS, type LayerStats } from '../compiler/plan/plan.js';
