// The compiler's one entry. Code above the compiler (the runtime, the CLI, the runner, the
// language server, benchmarks) imports the compiler through this file and the Plan's types
// (compiler/plan/) only; .dependency-cruiser.cjs enforces it. Everything else under compiler/
// is private to it and may move.
//
// The pipeline (docs/architecture.md): frontend/ (parse → check → expand) → ir/ → autodiff/ →
// fuse/ → lower/ (memory, kernels/) → plan/. semantics/ holds the exact arithmetic that kernels
// and the host share (Philox, initial draws, top-k, supermask samples, schedules, shuffles).

// Front end: source → diagnostics and expanded runs.
export { compileProgram, hasErrors, type CompileOptions, type CompileResult, type ExpandedRun, type SourceHost } from './frontend/frontend.js';
export { formatSource, type FormatResult } from './frontend/fmt.js';
export { runId } from './expand/expand.js';
export { canonicalJson, idText, sha256Hex, sha256HexBytes } from './expand/hash.js';

// Back end: a run's configuration → its Plan, for an adapter's limits.
export { lower, maskLabel, trainSteps, LowerError, type LowerOptions } from './lower/index.js';
export { UnsupportedError, weightLayers } from './ir/build.js';

// Tiles: what an autotuner measures and how (runtime/autotune.ts).
export { defaultTile, repaysTuning, tileCandidates, tileKey, tileProbe, type AdapterClass, type TileProbe, type TileRequest } from './kernels/tiles.js';
export type { MatmulTile } from './kernels/matmul.js';
export type { ConvTile } from './kernels/conv.js';

// Semantics the host shares with the kernels: the shuffle, masks, random draws, data (the
// schedule's closed forms are Plan code: compiler/plan/schedule.ts).
export { permutation } from './semantics/shuffle.js';
export { isKept, keptCount, scoreKey, selectThreshold, type Threshold } from './semantics/topk.js';
export { sampleBits, sigmoid } from './semantics/supermask.js';
export { Stream, philox4x32, seedKey } from './semantics/philox.js';
export { drawTensor, scoreDraw, weightDraw } from './semantics/init.js';
export { dataClasses, datasetSizes, fullSizes, isStreamed, residentSizes, storedShape } from './semantics/data.js';

// The IR and kernel shapes, for the reference interpreter (runtime/reference), which executes
// the IR op by op as the oracle of every kernel.
export { numel, type Graph, type GraphWeight, type Op, type Tensor } from './ir/graph.js';
export { buildEvalGraph, buildTrainGraph, optimSpec } from './autodiff/autodiff.js';
export type { ConvShape } from './kernels/conv.js';
export type { PoolShape } from './kernels/pool.js';
export type { OptimSpec } from './kernels/optim.js';
export { augmentParams, normConstants } from './kernels/data.js';

// The language's vocabulary as the checker defines it, for editors (the language server's
// completion, hover and colour).
export { SIGNATURES, SCORE_SIGNATURES } from './check/signatures.js';
export { BUILTIN_LAYERS, LAYER_SIGNATURES } from './check/layers.js';
export { DISTRIBUTIONS, SCORE_INITS } from './check/inits.js';
export { MASK_POLICIES } from './check/masks.js';
export { OPTIMIZERS, SCHEDULES, TRAIN_KEYS } from './check/optim.js';
export { DATASETS, NORMALIZE_PRESETS } from './check/data.js';
export { FIELDS } from './check/experiment.js';
export { PARAM_TYPES } from './check/network.js';
export { builtinFunctionNames } from './check/values.js';
export { bytesPerRun, maxPackRuns, packedOffset, packedPieces, packedSpan, packKey, packPlans, PackError, type PackedPlan, type PackInfo } from './pack/pack.js';
