// Reference convolution, pooling, batch-norm and residual ops (NCHW, PyTorch semantics), one
// plain loop nest each, double accumulation, f32 storage.
import type { ConvShape, PoolShape } from '../../compiler/index.js';

export type ConvGeom = ConvShape;
export type PoolGeom = PoolShape;

export function convGeom(B: number, Ci: number, H: number, W: number, Co: number, K: number, stride: number, pad: number): ConvGeom {
  return { B, Ci, H, W, Co, K, stride, pad, OH: Math.floor((H + 2 * pad - K) / stride) + 1, OW: Math.floor((W + 2 * pad - K) / stride) + 1 };
}

/**
 * Visits every (input element, weight, output element) triple of a convolution that lies inside
 * the image: f(x index, w index, y index). The three passes differ only in which one they
 * accumulate into.
 */
function forEachTap(g: ConvGeom, f: (xi: number, wi: number, yi: number) => void): void {
  const { B, Ci, H, W, Co, K, stride, pad, OH, OW } = g;
  for (let b = 0; b < B; b++)
    for (let co = 0; co < Co; co++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const yi = ((b * Co + co) * OH + oh) * OW + ow;
          for (let ci = 0; ci < Ci; ci++)
            for (let kh = 0; kh < K; kh++) {
              const ih = oh * stride - pad + kh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < K; kw++) {
                const iw = ow * stride - pad + kw;
                if (iw < 0 || iw >= W) continue;
                f(((b * Ci + ci) * H + ih) * W + iw, ((co * Ci + ci) * K + kh) * K + kw, yi);
              }
            }
        }
}

/** y[b,co,oh,ow] = Σ x[b,ci,oh·s−p+kh, ow·s−p+kw]·w[co,ci,kh,kw] (zero padding) */
export function conv2d(x: Float32Array, w: Float32Array, y: Float32Array, g: ConvGeom): void {
  const acc = new Float64Array(y.length);
  forEachTap(g, (xi, wi, yi) => (acc[yi] += x[xi] * w[wi]));
  y.set(acc);
}

/** dx[b,ci,ih,iw] = Σ over the taps that read it of dy[b,co,oh,ow]·w[co,ci,kh,kw] */
export function conv2dDx(dy: Float32Array, w: Float32Array, dx: Float32Array, g: ConvGeom): void {
  const acc = new Float64Array(dx.length);
  forEachTap(g, (xi, wi, yi) => (acc[xi] += dy[yi] * w[wi]));
  dx.set(acc);
}

/** dw[co,ci,kh,kw] = Σ_{b,oh,ow} dy[b,co,oh,ow]·x[b,ci,oh·s−p+kh, ow·s−p+kw] */
export function conv2dDw(dy: Float32Array, x: Float32Array, dw: Float32Array, g: ConvGeom): void {
  const acc = new Float64Array(dw.length);
  forEachTap(g, (xi, wi, yi) => (acc[wi] += dy[yi] * x[xi]));
  dw.set(acc);
}

export function poolGeom(B: number, C: number, H: number, W: number, K: number, stride: number, pad: number): PoolGeom {
  return { B, C, H, W, K, stride, pad, OH: Math.floor((H + 2 * pad - K) / stride) + 1, OW: Math.floor((W + 2 * pad - K) / stride) + 1 };
}

/** Index (ih·W + iw) of the window's maximum, the first in row-major order among equals, as PyTorch; −1 if the window is all padding. */
function argmaxWindow(x: Float32Array, base: number, g: PoolGeom, oh: number, ow: number): number {
  let best = -Infinity;
  let at = -1;
  for (let kh = 0; kh < g.K; kh++) {
    const ih = oh * g.stride - g.pad + kh;
    if (ih < 0 || ih >= g.H) continue;
    for (let kw = 0; kw < g.K; kw++) {
      const iw = ow * g.stride - g.pad + kw;
      if (iw < 0 || iw >= g.W) continue;
      const v = x[base + ih * g.W + iw];
      if (v > best || at < 0) {
        best = v;
        at = ih * g.W + iw;
      }
    }
  }
  return at;
}

export function maxpool(x: Float32Array, y: Float32Array, g: PoolGeom): void {
  for (let bc = 0; bc < g.B * g.C; bc++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        const at = argmaxWindow(x, bc * g.H * g.W, g, oh, ow);
        y[(bc * g.OH + oh) * g.OW + ow] = at < 0 ? 0 : x[bc * g.H * g.W + at];
      }
}

/** dx = dy routed to each window's argmax (summed where windows overlap); `relu` masks dx by x > 0. */
export function maxpoolBwd(dy: Float32Array, x: Float32Array, dx: Float32Array, g: PoolGeom, relu = false): void {
  dx.fill(0);
  const acc = new Float64Array(dx.length);
  for (let bc = 0; bc < g.B * g.C; bc++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        const at = argmaxWindow(x, bc * g.H * g.W, g, oh, ow);
        if (at >= 0) acc[bc * g.H * g.W + at] += dy[(bc * g.OH + oh) * g.OW + ow];
      }
  for (let i = 0; i < dx.length; i++) dx[i] = relu && !(x[i] > 0) ? 0 : acc[i];
}

/** Average over the window counting padded zeros (count_include_pad, PyTorch's default). */
export function avgpool(x: Float32Array, y: Float32Array, g: PoolGeom): void {
  const inv = 1 / (g.K * g.K);
  for (let bc = 0; bc < g.B * g.C; bc++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        let s = 0;
        for (let kh = 0; kh < g.K; kh++) {
          const ih = oh * g.stride - g.pad + kh;
          if (ih < 0 || ih >= g.H) continue;
          for (let kw = 0; kw < g.K; kw++) {
            const iw = ow * g.stride - g.pad + kw;
            if (iw >= 0 && iw < g.W) s += x[bc * g.H * g.W + ih * g.W + iw];
          }
        }
        y[(bc * g.OH + oh) * g.OW + ow] = s * inv;
      }
}

export function avgpoolBwd(dy: Float32Array, dx: Float32Array, g: PoolGeom): void {
  const acc = new Float64Array(dx.length);
  const inv = 1 / (g.K * g.K);
  for (let bc = 0; bc < g.B * g.C; bc++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        const v = dy[(bc * g.OH + oh) * g.OW + ow] * inv;
        for (let kh = 0; kh < g.K; kh++) {
          const ih = oh * g.stride - g.pad + kh;
          if (ih < 0 || ih >= g.H) continue;
          for (let kw = 0; kw < g.K; kw++) {
            const iw = ow * g.stride - g.pad + kw;
            if (iw >= 0 && iw < g.W) acc[bc * g.H * g.W + ih * g.W + iw] += v;
          }
        }
      }
  dx.set(acc);
}

/** [B,C,H,W] → [B,C] mean over H·W. */
export function globalAvgpool(x: Float32Array, y: Float32Array, BC: number, HW: number): void {
  for (let i = 0; i < BC; i++) {
    let s = 0;
    for (let p = 0; p < HW; p++) s += x[i * HW + p];
    y[i] = s / HW;
  }
}

export function globalAvgpoolBwd(dy: Float32Array, dx: Float32Array, BC: number, HW: number): void {
  for (let i = 0; i < BC; i++) for (let p = 0; p < HW; p++) dx[i * HW + p] = dy[i] / HW;
}

export interface BnHyper {
  eps: number;
  momentum: number;
}

/**
 * Training-mode batch norm over (B, H, W) per channel, over the first `valid` examples: batch
 * mean and biased variance normalise; the running statistics move by `momentum` towards the
 * batch mean and the *unbiased* variance, as torch.nn.BatchNorm2d. Writes mean and 1/σ to
 * `stats` ([2, C]) for the backward pass. γ/β absent = non-affine (the paper's).
 */
export function batchnormTrain(
  x: Float32Array,
  y: Float32Array,
  stats: Float32Array,
  runMean: Float32Array,
  runVar: Float32Array,
  B: number,
  C: number,
  HW: number,
  valid: number,
  h: BnHyper,
  gamma?: Float32Array,
  beta?: Float32Array,
  relu = false,
): void {
  const n = valid * HW;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let b = 0; b < valid; b++) for (let p = 0; p < HW; p++) s += x[(b * C + c) * HW + p];
    const mean = s / n;
    let v = 0;
    for (let b = 0; b < valid; b++)
      for (let p = 0; p < HW; p++) {
        const d = x[(b * C + c) * HW + p] - mean;
        v += d * d;
      }
    const varB = v / n;
    const inv = 1 / Math.sqrt(varB + h.eps);
    stats[c] = mean;
    stats[C + c] = inv;
    runMean[c] = Math.fround((1 - h.momentum) * runMean[c] + h.momentum * mean);
    runVar[c] = Math.fround((1 - h.momentum) * runVar[c] + h.momentum * (n > 1 ? (v / (n - 1)) : varB));
    const g = gamma ? gamma[c] : 1;
    const bt = beta ? beta[c] : 0;
    for (let b = 0; b < B; b++)
      for (let p = 0; p < HW; p++) {
        const i = (b * C + c) * HW + p;
        const out = b < valid ? (x[i] - mean) * inv * g + bt : 0;
        y[i] = relu && out < 0 ? 0 : out;
      }
  }
}

export function batchnormEval(
  x: Float32Array,
  y: Float32Array,
  runMean: Float32Array,
  runVar: Float32Array,
  B: number,
  C: number,
  HW: number,
  h: BnHyper,
  gamma?: Float32Array,
  beta?: Float32Array,
  relu = false,
): void {
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(runVar[c] + h.eps);
    const g = gamma ? gamma[c] : 1;
    const bt = beta ? beta[c] : 0;
    for (let b = 0; b < B; b++)
      for (let p = 0; p < HW; p++) {
        const i = (b * C + c) * HW + p;
        const out = (x[i] - runMean[c]) * inv * g + bt;
        y[i] = relu && out < 0 ? 0 : out;
      }
  }
}

/**
 * Batch-norm backward over the first `valid` examples, with x̂ = (x − μ)/σ recomputed from the
 * saved statistics: dx = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)). Returns dγ = Σ dy·x̂ and
 * dβ = Σ dy per channel (for the affine case). `reluOut` (the BN+ReLU output) masks dy first.
 */
export function batchnormBwd(
  dy: Float32Array,
  x: Float32Array,
  stats: Float32Array,
  dx: Float32Array,
  B: number,
  C: number,
  HW: number,
  valid: number,
  gamma?: Float32Array,
  reluOut?: Float32Array,
): { dgamma: Float64Array; dbeta: Float64Array } {
  const n = valid * HW;
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  const g = (i: number) => (reluOut && !(reluOut[i] > 0) ? 0 : dy[i]);
  for (let c = 0; c < C; c++) {
    const mean = stats[c];
    const inv = stats[C + c];
    let sdy = 0;
    let sdyx = 0;
    for (let b = 0; b < valid; b++)
      for (let p = 0; p < HW; p++) {
        const i = (b * C + c) * HW + p;
        sdy += g(i);
        sdyx += g(i) * (x[i] - mean) * inv;
      }
    dgamma[c] = sdyx;
    dbeta[c] = sdy;
    const gm = gamma ? gamma[c] : 1;
    for (let b = 0; b < B; b++)
      for (let p = 0; p < HW; p++) {
        const i = (b * C + c) * HW + p;
        dx[i] = b < valid ? gm * inv * (g(i) - sdy / n - (x[i] - mean) * inv * (sdyx / n)) : 0;
      }
  }
  return { dgamma, dbeta };
}

export function add(a: Float32Array, b: Float32Array, y: Float32Array, relu = false): void {
  for (let i = 0; i < y.length; i++) {
    const v = a[i] + b[i];
    y[i] = relu && v < 0 ? 0 : v;
  }
}
