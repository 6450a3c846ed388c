// The resolved run configuration: the seam between the language front end (grammar → check →
// expand) and the back end (ir → autodiff → fuse → memory → kernels → plan). Everything here is
// plain JSON: a RunConfig is hashed for the run id, written to the run directory, and embedded
// in standalone runners, so it must carry every value that changes what a run computes.

/** A shape per example, without the batch dimension: [features] or [channels, height, width]. */
export type Shape = number[];

/** Source position of the construct a resolved value came from (for errors raised later). */
export interface Origin {
  file: string;
  offset: number;
  length: number;
}

// ---------------------------------------------------------------------------------------------
// Weights, scores and masks

export type FanMode = 'fan_in' | 'fan_out';

/** Frozen (or, under `dense`, learned) weight distribution. σ = gain / √fan, gain = √2 (ReLU). */
export type InitSpec =
  | { kind: 'kaiming_normal'; mode: FanMode; scaled: boolean }
  | { kind: 'kaiming_uniform'; mode: FanMode; scaled: boolean }
  | { kind: 'xavier_normal'; scaled: boolean }
  | { kind: 'xavier_uniform'; scaled: boolean }
  | { kind: 'signed_kaiming_constant'; mode: FanMode; scaled: boolean }
  | { kind: 'unsigned_constant'; mode: FanMode; scaled: boolean };

/** Score initialisation. Default: kaiming_uniform with a = √5, i.e. U(±1/√fan_in). */
export type ScoreInitSpec =
  | { kind: 'kaiming_uniform'; a: number }
  | { kind: 'constant'; value: number };

export type SupermaskEval = 'sample' | 'expected' | 'threshold';

/** The mask policy of one weight layer, after experiment defaults and per-layer overrides. */
export type LayerMask =
  | { kind: 'edge_popup'; keep: number } // keep ∈ (0, 1]: fraction of weights kept
  | { kind: 'supermask'; eval: SupermaskEval }
  | { kind: 'dense' } // learned weights, no mask
  | { kind: 'frozen' } // no mask, weights frozen (a `dense` first/last layer under a mask policy)
  | { kind: 'fixed'; run: string; keep: number }; // mask bits loaded from a run's checkpoint

/** The experiment-level mask policy, as written (before per-layer resolution). */
export type MaskSpec =
  | { kind: 'edge_popup'; keep: number; first?: 'dense' | number; last?: 'dense' | number }
  | { kind: 'supermask'; eval: SupermaskEval; first?: 'dense'; last?: 'dense' }
  | { kind: 'dense' }
  | { kind: 'fixed'; run: string };

// ---------------------------------------------------------------------------------------------
// The network: a tree of layers with shapes inferred by the checker

interface LayerBase {
  /** Dotted path, unique in the model: `linear1`, `layer2.0.conv1`. Export and plan use it. */
  name: string;
  inShape: Shape;
  outShape: Shape;
  origin?: Origin;
}

export interface LinearLayer extends LayerBase {
  kind: 'linear';
  inFeatures: number;
  outFeatures: number;
  mask: LayerMask;
  init: InitSpec;
}

export interface ConvLayer extends LayerBase {
  kind: 'conv';
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  mask: LayerMask;
  init: InitSpec;
}

export interface PoolLayer extends LayerBase {
  kind: 'maxpool' | 'avgpool';
  kernel: number;
  stride: number;
  padding: number;
}

export interface SimpleLayer extends LayerBase {
  kind: 'relu' | 'flatten' | 'global_avgpool';
}

export interface BatchNormLayer extends LayerBase {
  kind: 'batchnorm';
  channels: number;
  /** false: the paper's non-affine BN (no γ/β; running statistics tracked). true: learned γ, β. */
  affine: boolean;
  momentum: number; // running-statistics momentum, PyTorch convention (0.1)
  eps: number; // 1e-5
}

/** out = body(x) + shortcut(x); an empty shortcut is the identity. */
export interface ResidualLayer extends LayerBase {
  kind: 'residual';
  body: Layer[];
  shortcut: Layer[];
}

export type Layer = LinearLayer | ConvLayer | PoolLayer | SimpleLayer | BatchNormLayer | ResidualLayer;
export type WeightLayer = LinearLayer | ConvLayer;

export interface ModelConfig {
  /** The network definition's name and the argument values it was instantiated with. */
  network: string;
  args: Record<string, number | string | boolean>;
  input: Shape;
  classes: number;
  layers: Layer[];
}

// ---------------------------------------------------------------------------------------------
// Data

export type Augment =
  | { kind: 'random_crop'; pad: number }
  | { kind: 'hflip' }
  /** torchvision's RandomResizedCrop(size, scale, ratio (3/4, 4/3)), host-side (image datasets). */
  | { kind: 'random_resized_crop'; scale: [number, number] };

export interface Normalize {
  mean: number[]; // per channel
  std: number[];
}

export type DataConfig =
  | {
      kind: 'fashion_mnist' | 'mnist';
      dir: string;
      normalize: Normalize;
      augment: Augment[];
      /** Use only the first N training / test examples (0 = all). */
      trainSubset: number;
      testSubset: number;
      /** Zero-pad images to this side length (e.g. 32 to run CIFAR-shaped nets); 0 = as stored. */
      padTo: number;
    }
  | {
      kind: 'cifar10';
      dir: string;
      normalize: Normalize;
      augment: Augment[];
      trainSubset: number;
      testSubset: number;
      padTo: 0;
    }
  | {
      kind: 'cifar100';
      dir: string;
      normalize: Normalize;
      augment: Augment[];
      trainSubset: number;
      testSubset: number;
      padTo: 0;
    }
  | {
      /**
       * Images decoded on the host (docs/data.md): a torchvision ImageFolder (`dir` with train/
       * and val/) or WebDataset tar shards. Class names, counts and `classes` are what the
       * host's scan found when the program was checked; the runtime checks them again.
       */
      kind: 'imagefolder';
      dir: string;
      shards: string;
      valShards: string;
      /** Side of the training crop and of the validation centre crop. */
      size: number;
      classes: number;
      trainSize: number;
      testSize: number;
      normalize: Normalize;
      augment: Augment[];
      /** An image that cannot be decoded: stop the run, or skip it (counted in the summary). */
      onBad: 'stop' | 'skip';
      trainSubset: number;
      testSubset: number;
      padTo: 0;
    }
  | {
      kind: 'synthetic';
      shape: Shape;
      classes: number;
      trainSize: number;
      testSize: number;
      normalize: Normalize;
      augment: Augment[];
      trainSubset: 0;
      testSubset: 0;
      padTo: 0;
    };

// ---------------------------------------------------------------------------------------------
// Optimisation

export type Schedule =
  | { kind: 'constant' }
  | { kind: 'cosine' }
  | { kind: 'step'; every: number; gamma: number } // epochs
  | { kind: 'multistep'; milestones: number[]; gamma: number }; // epochs

export type OptimizerConfig =
  | {
      kind: 'sgd';
      lr: number;
      momentum: number;
      nesterov: boolean;
      weightDecay: number;
      /** Apply weight decay to scores too (the reference does). */
      scoreDecay: boolean;
      schedule: Schedule;
      warmup: number; // epochs of linear warm-up
    }
  | {
      kind: 'adam';
      lr: number;
      beta1: number;
      beta2: number;
      eps: number;
      weightDecay: number; // L2 added to the gradient (the reference's Adam ignores it; we do not)
      scoreDecay: boolean;
      schedule: Schedule;
      warmup: number;
    };

export interface TrainConfig {
  epochs: number;
  batch: number;
  /** Batch size for evaluation passes (does not change results). */
  evalBatch: number;
  labelSmoothing: number;
}

// ---------------------------------------------------------------------------------------------
// One concrete run

export interface RunConfig {
  /** Format version of this structure; bump when its meaning changes. */
  format: 1;
  experiment: string;
  model: ModelConfig;
  data: DataConfig;
  weights: InitSpec;
  scores: ScoreInitSpec;
  mask: MaskSpec;
  optimizer: OptimizerConfig;
  train: TrainConfig;
  seed: number;
  /** The swept values of this run, as source text, keyed by path (`mask.keep` → `30%`). */
  axes: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Image datasets the host lists for the checker (SourceHost.scanImages)

/** Where an image dataset is: an ImageFolder directory or WebDataset shard patterns. */
export type ImageSource = { dir: string } | { shards: string; valShards: string };

/** What a scan found: class names in index order (sorted) and images per split. */
export interface ImageScan {
  classes: string[];
  train: number;
  test: number;
  /** Class folders (or shard classes) without a single image: an error unless `on_bad: skip`. */
  empty: string[];
}
