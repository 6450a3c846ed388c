// The IR: tensors with static shapes and a list of ops in execution order. One graph holds a
// whole training step (forward, loss, backward, mask thresholds, optimiser updates) or an
// evaluation step. The reference interpreter executes it op by op; fusion groups its ops into
// kernels. Shapes include the batch dimension.
import type { InitSpec, LayerMask, ScoreInitSpec } from '../plan/config.js';
import type { OptimSpec } from '../kernels/optim.js';

export type DType = 'f32' | 'u32';

export type TensorKind =
  | 'data' // the dataset, labels and permutation (resident on the device)
  | 'activation' // forward values of one step
  | 'grad' // backward values of one step
  | 'param' // persistent: weights, scores, BN affine, optimiser state, running statistics
  | 'state' // persistent bookkeeping: thresholds, histograms, metrics accumulators
  | 'virtual'; // never stored: a masked weight, computed inside the kernels that read it

/** What a persistent tensor is, so checkpoints and exports can find it. */
export type ParamRole =
  | 'weight'
  | 'score'
  | 'momentum' // SGD velocity of the weight or score that `of` names
  | 'adam_m'
  | 'adam_v'
  | 'bn_gamma'
  | 'bn_beta'
  | 'bn_running_mean'
  | 'bn_running_var'
  | 'fixed_mask'; // u32 mask bits of a `fixed` layer, filled from the source run

export interface Tensor {
  id: number;
  name: string;
  shape: number[];
  dtype: DType;
  kind: TensorKind;
  /** A view of another tensor's storage (flatten): same bytes, other shape. */
  aliasOf?: number;
  role?: ParamRole;
  /** Layer that owns a param. */
  layer?: string;
  /** For optimiser state: the tensor it belongs to. */
  of?: number;
  /** Initial value of a persistent tensor other than weights and scores (default 0). */
  initValue?: number;
}

export type MaskRule = 'topk' | 'bits' | 'sigmoid' | 'positive';

export interface ConvAttrs {
  kernel: number;
  stride: number;
  pad: number;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Ops. Field names ending in Id… are tensor ids.

/** Layer facts the weight ops carry (what kind of mask, how it was initialised). */
export interface WeightInfo {
  layer: string;
  /** Index of the weight layer in the model, 0-based: the `layer` word of the Philox counter. */
  index: number;
  mask: LayerMask;
  init: InitSpec;
  scoreInit: ScoreInitSpec;
  fanIn: number;
  fanOut: number;
}

export type Op =
  /** x = normalise(dataset[perm[batchStart + b]]), labels likewise; rows ≥ valid are zero. */
  | { op: 'load_batch'; split: 'train' | 'test'; x: number; labels: number }
  /** Top-k threshold of |score| for one edge-popup layer: kept = n − floor((1−keep)·n). */
  | { op: 'topk_threshold'; score: number; keep: number; thr: number; info: WeightInfo }
  /**
   * Samples a supermask: bit i = u_i < sigmoid(score_i), u from Philox with counter
   * (i / 4, layer, stream, step or epoch), output i % 4. Bits are packed 32 to a u32.
   */
  | { op: 'supermask_sample'; score: number; bits: number; info: WeightInfo; eval: boolean }
  /**
   * w_eff = w ⊙ mask; virtual, computed where it is read. The rule: `topk` (score vs the layer's
   * threshold `thr`), `bits` (a sampled or fixed bit mask), `sigmoid` (w·σ(score): a supermask's
   * expected value) or `positive` (score > 0: a supermask thresholded at ½).
   */
  | { op: 'mask_weight'; weight: number; score?: number; thr?: number; bits?: number; rule: MaskRule; out: number; info: WeightInfo }
  | { op: 'linear'; x: number; w: number; y: number }
  | { op: 'relu'; x: number; y: number }
  | { op: 'flatten'; x: number; y: number }
  /** Softmax cross-entropy over valid rows: mean loss and dlogits = (p − onehot)/valid. */
  | { op: 'softmax_xent'; logits: number; labels: number; dlogits: number; metrics: number; smoothing: number; train: boolean }
  | { op: 'linear_dx'; dy: number; w: number; dx: number }
  | { op: 'linear_dw'; dy: number; x: number; dw: number }
  /** dx = dy where y > 0, else 0 (y is the ReLU output). */
  | { op: 'relu_bwd'; dy: number; y: number; dx: number }
  /**
   * Straight-through score gradient: d score = d w_eff ⊙ w ⊙ sign(score) (edge-popup: the
   * derivative of |score|) or ⊙ σ'(score) (supermask: through the sigmoid).
   */
  | { op: 'score_grad'; dw: number; weight: number; score: number; ds: number; rule: 'sign' | 'sigmoid' }
  /** One optimiser step on `param` with gradient `grad` (compiler/kernels/optim.ts). */
  | { op: 'optim_update'; param: number; grad: number; state: number[]; optim: OptimSpec }
  /** NCHW convolution, weights [Co, Ci, K, K], zero padding. */
  | { op: 'conv2d'; x: number; w: number; y: number; attrs: ConvAttrs }
  | { op: 'conv2d_dx'; dy: number; w: number; dx: number; attrs: ConvAttrs }
  | { op: 'conv2d_dw'; dy: number; x: number; dw: number; attrs: ConvAttrs }
  | { op: 'maxpool' | 'avgpool'; x: number; y: number; attrs: ConvAttrs }
  | { op: 'maxpool_bwd'; dy: number; x: number; dx: number; attrs: ConvAttrs }
  | { op: 'avgpool_bwd'; dy: number; dx: number; attrs: ConvAttrs }
  | { op: 'global_avgpool'; x: number; y: number }
  | { op: 'global_avgpool_bwd'; dy: number; dx: number }
  /**
   * Training: batch statistics of the valid rows (saved in `stats` = [mean; 1/σ]) normalise, and
   * the running statistics move. Evaluation: the running statistics normalise.
   */
  | { op: 'batchnorm'; x: number; y: number; train: boolean; stats?: number; runMean: number; runVar: number; gamma?: number; beta?: number; eps: number; momentum: number }
  | { op: 'batchnorm_bwd'; dy: number; x: number; stats: number; gamma?: number; dx: number; dgamma?: number; dbeta?: number }
  | { op: 'add'; a: number; b: number; y: number };

export type OpKind = Op['op'];

/** A weight layer's params in a graph. */
export interface GraphWeight {
  info: WeightInfo;
  weight: number;
  score?: number;
}

export interface Graph {
  tensors: Tensor[];
  ops: Op[];
  batch: number;
  weights: GraphWeight[];
}

export class GraphBuilder {
  readonly tensors: Tensor[] = [];
  readonly ops: Op[] = [];
  readonly weights: GraphWeight[] = [];

  constructor(readonly batch: number) {}

  tensor(name: string, shape: number[], kind: TensorKind, extra: Partial<Tensor> = {}): number {
    const id = this.tensors.length;
    this.tensors.push({ id, name, shape, dtype: 'f32', kind, ...extra });
    return id;
  }

  push(op: Op): void {
    this.ops.push(op);
  }

  graph(): Graph {
    return { tensors: this.tensors, ops: this.ops, batch: this.batch, weights: this.weights };
  }
}

/** Input and output tensor ids of an op (reads, writes), for liveness and fusion. */
export function opIO(op: Op): { reads: number[]; writes: number[] } {
  switch (op.op) {
    case 'load_batch':
      return { reads: [], writes: [op.x, op.labels] };
    case 'topk_threshold':
      return { reads: [op.score], writes: [op.thr] };
    case 'supermask_sample':
      return { reads: [op.score], writes: [op.bits] };
    case 'mask_weight': {
      const reads = [op.weight, ...[op.score, op.thr, op.bits].filter((t): t is number => t !== undefined)];
      return { reads, writes: [op.out] };
    }
    case 'linear':
      return { reads: [op.x, op.w], writes: [op.y] };
    case 'relu':
    case 'flatten':
      return { reads: [op.x], writes: [op.y] };
    case 'softmax_xent':
      return { reads: [op.logits, op.labels], writes: [op.dlogits, op.metrics] };
    case 'linear_dx':
      return { reads: [op.dy, op.w], writes: [op.dx] };
    case 'linear_dw':
      return { reads: [op.dy, op.x], writes: [op.dw] };
    case 'relu_bwd':
      return { reads: [op.dy, op.y], writes: [op.dx] };
    case 'score_grad':
      return { reads: [op.dw, op.weight, op.score], writes: [op.ds] };
    case 'optim_update':
      return { reads: [op.param, op.grad, ...op.state], writes: [op.param, ...op.state] };
    case 'conv2d':
      return { reads: [op.x, op.w], writes: [op.y] };
    case 'conv2d_dx':
      return { reads: [op.dy, op.w], writes: [op.dx] };
    case 'conv2d_dw':
      return { reads: [op.dy, op.x], writes: [op.dw] };
    case 'maxpool':
    case 'avgpool':
    case 'global_avgpool':
      return { reads: [op.x], writes: [op.y] };
    case 'maxpool_bwd':
      return { reads: [op.dy, op.x], writes: [op.dx] };
    case 'avgpool_bwd':
    case 'global_avgpool_bwd':
      return { reads: [op.dy], writes: [op.dx] };
    case 'batchnorm': {
      const params = [op.runMean, op.runVar, ...(op.gamma !== undefined ? [op.gamma, op.beta!] : [])];
      return { reads: [op.x, ...params], writes: [op.y, ...(op.stats !== undefined ? [op.stats, op.runMean, op.runVar] : [])] };
    }
    case 'batchnorm_bwd':
      return {
        reads: [op.dy, op.x, op.stats, ...(op.gamma !== undefined ? [op.gamma] : [])],
        writes: [op.dx, ...(op.dgamma !== undefined ? [op.dgamma, op.dbeta!] : [])],
      };
    case 'add':
      return { reads: [op.a, op.b], writes: [op.y] };
  }
}
