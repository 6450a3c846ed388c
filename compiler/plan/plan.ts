// The Plan: the serialisable contract between the compiler and the runtime. Buffers, WGSL
// kernels with explicit binding layouts, and the dispatch lists of each phase. The runtime
// creates every buffer, pipeline and bind group once, then replays a phase as one compute pass
// and one submit. Nothing in here refers to WebGPU objects: it is plain JSON.
import type { RunConfig, Schedule, WeightLayer } from './config.js';

export type BindingType = 'storage' | 'read-only-storage' | 'uniform';

export interface PlanBuffer {
  name: string;
  /** Bytes, a multiple of 4. */
  size: number;
  /**
   * arena: transient activations and gradients of a step, packed by liveness;
   * param: weights, scores, optimiser state (checkpointed, except weights: they are regenerated);
   * state: thresholds, histograms, metrics; data: dataset images, labels, permutation;
   * uniform: the per-step uniform block; table: constant data the compiler computed.
   */
  role: 'arena' | 'param' | 'state' | 'data' | 'uniform' | 'table';
  /** Initial contents (u32 words) for `table` buffers; others start zeroed. */
  data?: number[];
}

export interface PlanKernel {
  name: string;
  /** Kernel family, for profiles: matmul, topk, loss, init, data, optim, … */
  family: string;
  wgsl: string;
  workgroupSize: [number, number, number];
  layout: BindingType[];
}

export interface BufferRange {
  buffer: number; // index into Plan.buffers
  offset: number; // bytes, aligned to the adapter's minStorageBufferOffsetAlignment
  size: number; // bytes
}

export interface PlanDispatch {
  kernel: number; // index into Plan.kernels
  bindings: BufferRange[]; // one per entry of the kernel's layout
  workgroups: [number, number, number];
  /** Multiply-adds ×2 done by this dispatch (for profiles). */
  flops: number;
  /** The IR ops it implements, for `subnet plan` and profiles. */
  ops: string[];
}

/** A tensor's place in device memory, for checkpoints, exports and tests. */
export interface PlanTensor {
  name: string;
  shape: number[];
  dtype: 'f32' | 'u32';
  range: BufferRange;
  kind: 'param' | 'state' | 'arena';
  role?: string;
  layer?: string;
}

/** Fields of the per-step uniform block (all 32-bit). */
export const STEP_UNIFORM_FIELDS = ['step', 'epoch', 'batch_start', 'valid', 'lr', 'seed_lo', 'seed_hi', 'pad', 'c1', 'c2', 'pad1', 'pad2'] as const;
export type StepUniformField = (typeof STEP_UNIFORM_FIELDS)[number];
/** f32 fields; the others are u32. c1, c2: Adam's bias corrections for this step. */
export const STEP_UNIFORM_FLOATS: ReadonlySet<StepUniformField> = new Set(['lr', 'c1', 'c2']);
export const STEP_UNIFORM_BYTES = 48;

export interface LayerStats {
  name: string;
  kind: string;
  inShape: number[];
  outShape: number[];
  params: number;
  kept: number;
  mask: string;
  flopsPerExample: number;
}

export interface PlanStats {
  dispatchesPerTrainStep: number;
  dispatchesPerEvalStep: number;
  /** If every IR op of a training step were its own kernel (fusion off), for comparison. */
  unfusedDispatchesPerTrainStep: number;
  arenaBytes: number;
  /** Most transient bytes live at once: the floor any packing of the arena could reach. */
  arenaPeakLiveBytes: number;
  paramBytes: number;
  /** Forward multiply-adds ×2 per example. */
  flopsPerExample: number;
  /** Forward + backward FLOPs per training example. */
  trainFlopsPerExample: number;
  layers: LayerStats[];
  params: number;
  keptParams: number;
}

export interface Plan {
  format: 1;
  runId: string;
  config: RunConfig;
  /** Adapter limits the plan was made for (offset alignment, binding size). */
  target: TargetLimits;
  buffers: PlanBuffer[];
  kernels: PlanKernel[];
  phases: {
    init: PlanDispatch[];
    trainStep: PlanDispatch[];
    evalStep: PlanDispatch[];
  };
  tensors: PlanTensor[];
  /** Buffers the runtime fills from the dataset. */
  data: {
    trainImages: number;
    trainLabels: number;
    testImages: number;
    testLabels: number;
    permutation: number;
    stepUniform: number;
    /**
     * Image buffers split into shards of whole images, when one buffer would pass
     * maxStorageBufferBindingSize (`trainImages` / `testImages` is shard 0). Absent: one buffer.
     */
    trainImageShards?: ImageShards;
    testImageShards?: ImageShards;
  };
  /** Byte ranges of the metrics accumulators ([loss sum, correct, count, 0] as f32). */
  metrics: { train: BufferRange; test: BufferRange };
  /** What the host writes each step and epoch besides the kernels: the step loop reads only this. */
  schedule: StepSchedule;
  /** The model's weight layers in execution order (checkpoints, fixed masks, exports). */
  weightLayers: WeightLayer[];
  /** The tiled kernels' requests and the tiles they were lowered with, for an autotuner. */
  tuning: PlanTuning;
  stats: PlanStats;
}

/**
 * The host's side of a training step, evaluated by the compiler from the run's configuration:
 * the runtime looks values up here and never re-derives them from the configuration.
 */
export interface StepSchedule {
  /** The learning rate, set once per epoch as the reference does (compiler/plan/schedule.ts). */
  lr: LrSchedule;
  /**
   * Adam's bias corrections for optimiser step t (1-based): c1 = 1/(1 − beta1^t),
   * c2 = 1/(1 − beta2^t), computed in double and written as f32. Absent: SGD (c1 = c2 = 1).
   */
  adam?: { beta1: number; beta2: number };
  /** Each epoch's order of training examples. */
  shuffle: ShuffleSpec;
  /** The seed the step uniform carries (the kernels' Philox key). */
  seed: number;
}

export interface LrSchedule {
  base: number;
  /** Epochs of linear warm-up. */
  warmup: number;
  /** The run's epochs (the cosine's period ends there). */
  epochs: number;
  decay: Schedule;
}

/**
 * Fisher–Yates over the n examples, i from n − 1 down to 1, swapping i with
 * j = floor(r·(i + 1) / 2^32) where r is word 0 of Philox4x32-10 with key = seed and
 * counter = (i, 0, stream, epoch): a pure function of (seed, epoch, n) on every machine.
 */
export interface ShuffleSpec {
  algorithm: 'philox-fisher-yates';
  seed: number;
  stream: number;
}

/** A tiled kernel's shape (a matmul or convolution spec without its tile): opaque to the runtime. */
export interface PlanTileRequest {
  family: 'matmul' | 'conv';
  spec: object;
}

/** A register tile: rows and columns per thread, threads per workgroup, accumulator style. */
export interface PlanTile {
  tm: number;
  tn: number;
  wx: number;
  wy: number;
  acc?: 'vec4' | 'scalar';
  /** Convolutions on CPU adapters (compiler/kernels/conv.ts): the row kernel, subgroup broadcasts. */
  row?: boolean;
  broadcast?: boolean;
}

export interface PlanTuning {
  /** Training steps the default tiles were chosen for; null: unbounded (a benchmark). */
  steps: number | null;
  /** Every tiled kernel of the plan, by tile key (compiler/kernels/tiles.ts). */
  requests: Record<string, PlanTileRequest>;
  /** The tile each key was lowered with. */
  tiles: Record<string, PlanTile>;
}

/** Shard s holds images [s·imagesPerShard, (s+1)·imagesPerShard) of a split, packed from byte 0. */
export interface ImageShards {
  buffers: number[];
  imagesPerShard: number;
}

export interface TargetLimits {
  /** CPU adapters (lavapipe) and GPUs want different kernel tiles (compiler/kernels/tiles.ts). */
  adapterClass?: 'cpu' | 'gpu';
  /**
   * Lanes per subgroup when the device was opened with the `subgroups` feature and the adapter's
   * subgroup size is fixed (lavapipe: 8). CPU adapters with 8 lanes get the broadcast row
   * convolution (compiler/kernels/conv-row.ts).
   */
  subgroupSize?: number;
  minStorageBufferOffsetAlignment: number;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
}

/** WebGPU's guaranteed minimum limits: what a plan made without an adapter assumes. */
export const DEFAULT_LIMITS: TargetLimits = {
  minStorageBufferOffsetAlignment: 256,
  maxStorageBufferBindingSize: 134217728,
  maxBufferSize: 268435456,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBuffersPerShaderStage: 8,
};
