// Reference implementations of the IR ops, one plain loop nest each, with double-precision
// accumulation and f32 results. The interpreter calls these; kernel tests compare against them.
import { scoreKey, selectThreshold, keptCount, type OptimSpec } from '../../compiler/index.js';

/** y[m,n] = Σ_k x[m,k]·w[n,k]   (linear: x [B,I], w [O,I]) */
export function linear(x: Float32Array, w: Float32Array, y: Float32Array, M: number, N: number, K: number): void {
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += x[m * K + k] * w[n * K + k];
      y[m * N + n] = acc;
    }
}

/** dx[b,i] = Σ_o dy[b,o]·w[o,i] */
export function linearDx(dy: Float32Array, w: Float32Array, dx: Float32Array, B: number, O: number, I: number): void {
  const acc = new Float64Array(I);
  for (let b = 0; b < B; b++) {
    acc.fill(0);
    for (let o = 0; o < O; o++) {
      const g = dy[b * O + o];
      if (g === 0) continue;
      for (let i = 0; i < I; i++) acc[i] += g * w[o * I + i];
    }
    for (let i = 0; i < I; i++) dx[b * I + i] = acc[i];
  }
}

/** dw[o,i] = Σ_b dy[b,o]·x[b,i] */
export function linearDw(dy: Float32Array, x: Float32Array, dw: Float32Array, B: number, O: number, I: number): void {
  const acc = new Float64Array(O * I);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < O; o++) {
      const g = dy[b * O + o];
      if (g === 0) continue;
      for (let i = 0; i < I; i++) acc[o * I + i] += g * x[b * I + i];
    }
  dw.set(acc);
}

export function relu(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

export function reluBwd(dy: Float32Array, y: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < dy.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

/** [T, tie, kept, n] of compiler/semantics/topk.ts. */
export function topkThreshold(s: Float32Array, keep: number): Uint32Array {
  const kept = keptCount(s.length, keep);
  const t = selectThreshold(s, kept);
  return new Uint32Array([t.key, t.tie, kept, s.length]);
}

export function maskWeight(w: Float32Array, s: Float32Array, thr: Uint32Array, out: Float32Array): void {
  for (let i = 0; i < w.length; i++) {
    const k = scoreKey(s[i]);
    out[i] = k > thr[0] || (k === thr[0] && i >= thr[1]) ? w[i] : 0;
  }
}

/**
 * Straight-through score gradient: edge-popup ds = dw ⊙ w ⊙ sign(s) (sign(0) = 0, as
 * torch.sign); supermask ds = dw ⊙ w ⊙ σ(s)(1 − σ(s)).
 */
export function scoreGrad(dw: Float32Array, w: Float32Array, s: Float32Array, ds: Float32Array, rule: 'sign' | 'sigmoid' = 'sign'): void {
  for (let i = 0; i < dw.length; i++) {
    if (rule === 'sign') ds[i] = dw[i] * w[i] * Math.sign(s[i]);
    else {
      const p = 1 / (1 + Math.exp(-s[i]));
      ds[i] = dw[i] * w[i] * p * (1 - p);
    }
  }
}

/** A bit mask applied to weights. */
export function maskBits(w: Float32Array, bits: Uint32Array, out: Float32Array): void {
  for (let i = 0; i < w.length; i++) out[i] = (bits[i >>> 5] >>> (i & 31)) & 1 ? w[i] : 0;
}

/** The supermask's evaluation rules without sampling: expected (w·σ(s)) or thresholded (s > 0). */
export function maskBySigmoid(w: Float32Array, s: Float32Array, out: Float32Array, rule: 'sigmoid' | 'positive'): void {
  for (let i = 0; i < w.length; i++) out[i] = rule === 'sigmoid' ? w[i] / (1 + Math.exp(-s[i])) : s[i] > 0 ? w[i] : 0;
}

export type { OptimSpec };

/**
 * One optimiser step (compiler/kernels/optim.ts): SGD with `state` = [velocity] (or none
 * without momentum), Adam with `state` = [m, v] and the bias corrections c1, c2 of this step.
 */
export function optimStep(p: Float32Array, g: Float32Array, state: Float32Array[], o: OptimSpec, lr: number, c1 = 1, c2 = 1): void {
  if (o.kind === 'sgd') return sgd(p, g, state[0] ?? new Float32Array(p.length), { lr, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay });
  const [m, v] = state;
  for (let i = 0; i < p.length; i++) {
    const d = Math.fround(g[i] + o.weightDecay * p[i]);
    m[i] = Math.fround(o.beta1 * m[i] + (1 - o.beta1) * d);
    v[i] = Math.fround(o.beta2 * v[i] + (1 - o.beta2) * d * d);
    p[i] = Math.fround(p[i] - (Math.fround(lr) * (m[i] * c1)) / (Math.sqrt(v[i] * c2) + o.eps));
  }
}

export interface SgdHyper {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/** PyTorch's SGD step (dampening 0): d = g + wd·p; v = μ·v + d; p -= lr·(nesterov ? d + μ·v : v). */
export function sgd(p: Float32Array, g: Float32Array, v: Float32Array, h: SgdHyper): void {
  const lr = Math.fround(h.lr);
  for (let i = 0; i < p.length; i++) {
    const d = Math.fround(g[i] + h.weightDecay * p[i]);
    let step = d;
    if (h.momentum !== 0) {
      v[i] = Math.fround(h.momentum * v[i] + d);
      step = h.nesterov ? Math.fround(d + h.momentum * v[i]) : v[i];
    }
    p[i] = Math.fround(p[i] - lr * step);
  }
}

/**
 * Softmax cross-entropy over the first `valid` rows with label smoothing ε (target
 * (1−ε)·onehot + ε/C, as the reference's LabelSmoothing). Writes dz = (softmax − target)/valid
 * (zero for rows ≥ valid) and adds [loss sum, correct, valid] to metrics.
 */
export function softmaxXent(z: Float32Array, labels: Uint32Array, dz: Float32Array | undefined, metrics: Float32Array, valid: number, eps: number): void {
  const C = z.length / labels.length;
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < labels.length; b++) {
    if (b >= valid) {
      dz?.fill(0, b * C, (b + 1) * C);
      continue;
    }
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) {
      const v = z[b * C + c];
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[b * C + c] - max);
    const lse = max + Math.log(sum);
    const y = labels[b];
    let loss = 0;
    for (let c = 0; c < C; c++) {
      const q = (c === y ? 1 - eps : 0) + eps / C;
      loss -= q * (z[b * C + c] - lse);
      if (dz) dz[b * C + c] = (Math.exp(z[b * C + c] - lse) - q) / valid;
    }
    lossSum += loss;
    if (arg === y) correct++;
  }
  metrics[0] += lossSum;
  metrics[1] += correct;
  metrics[2] += valid;
}
