// The convolution kernels' shared vocabulary: shapes, tiles, the spec of one pass, and the
// optimiser epilogue of the dw kernels (kernels/conv.ts, conv-row.ts, conv-dw-row.ts).
import type { MatmulEpilogue } from './matmul.js';
import { scoreGradExpr, type WeightMask } from './mask.js';
import { scalarIO, updateLines } from './optim.js';
import type { TiledKernel } from './wgsl.js';

export interface ConvShape {
  B: number;
  Ci: number;
  H: number;
  W: number;
  Co: number;
  K: number;
  stride: number;
  pad: number;
  OH: number;
  OW: number;
}

export interface ConvTile {
  tm: number;
  tn: number;
  wx: number;
  wy: number;
  /**
   * The direct row kernel (kernels/conv-row.ts) for stride-1 fwd and dx: tm channels × tn
   * pixels of one output row per thread, source values reused across the K taps of a row.
   * With `broadcast`, in dw: the row dw (kernels/conv-dw-row.ts), tn = pairs per lane × K.
   * Ignored by the passes it does not compute (strided convolutions).
   */
  row?: boolean;
  /**
   * Operands that are the same for every lane loaded once per subgroup of 8 lanes and handed out
   * by subgroupBroadcast (needs `enable subgroups`, wx 8, wy 1): the weights of the row kernel,
   * the output gradient of the dw pass.
   */
  broadcast?: boolean;
}

export type ConvPass = 'fwd' | 'dx' | 'dw';

export interface ConvSpec {
  pass: ConvPass;
  shape: ConvShape;
  /** The weight operand is masked (kernels/mask.ts). */
  mask?: WeightMask;
  /**
   * fwd: store | relu. dx: store | relu_mask (Y = the ReLU output at dX's index).
   * dw without split: sgd. dw with split: the partial sums are stored; see convReduceKernel.
   */
  epilogue: MatmulEpilogue;
  tile: ConvTile;
  /** dw only: split K into this many slices (1 = no split). */
  splitK?: number;
}

export interface ConvKernel extends TiledKernel {
  M: number;
  N: number;
  K: number;
}

/** The optimiser update of one element `e` whose gradient (dW_eff) is `v`. */
export function optimLines(ep: Extract<MatmulEpilogue, { kind: 'optim' }>, e: string, v: string, weightBinding: string): string[] {
  const g = ep.score ? scoreGradExpr(ep.score, v, `${weightBinding}[${e}]`, `P[${e}]`, 'f32') : v;
  return [`var g = ${g};`, ...updateLines(ep.optim, scalarIO(e))];
}

