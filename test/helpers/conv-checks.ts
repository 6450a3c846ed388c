// The convolution checks both conv kernel suites share (the implicit GEMM, test/kernels/conv, and
// the CPU row and broadcast kernels, test/kernels/conv-row): forward, dX and dW (split-K or not,
// with its SGD epilogue on scores or weights) against the reference ops on one shape and tile.
import * as assert from 'uvu/assert';
import { convKernel, convReduceKernel, type ConvShape, type ConvTile } from '../../compiler/kernels/conv.js';
import * as R from '../../runtime/reference/ops.js';
import * as C from '../../runtime/reference/conv-ops.js';
import { gpu } from './gpu.js';
import { maxAbsDiff, randomF32, runKernel, stepUniform } from './kernel.js';

/** Weights and scores with a top-k threshold (keep 55%) and the masked weights they give. */
export function masked(n: number, seed: number) {
  const w = randomF32(n, seed);
  const s = randomF32(n, seed + 100);
  const thr = R.topkThreshold(s, 0.55);
  const weff = new Float32Array(n);
  R.maskWeight(w, s, thr, weff);
  const thrAll = new Uint32Array(8);
  thrAll.set(thr, 4);
  return { w, s, thrAll, weff };
}

/** The forward pass, masked or plain, with or without the ReLU epilogue. `check` sees the WGSL. */
export async function fwdMatchesReference(s: ConvShape, tile: ConvTile, isMasked: boolean, relu: boolean, n: number, check?: (wgsl: string) => void): Promise<void> {
  const ctx = await gpu();
  const x = randomF32(s.B * s.Ci * s.H * s.W, n + 1);
  const m = masked(s.Co * s.Ci * s.K * s.K, n + 7);
  const k = convKernel({ pass: 'fwd', shape: s, mask: isMasked ? { kind: 'topk', thrIndex: 1 } : undefined, epilogue: { kind: relu ? 'relu' : 'store' }, tile });
  check?.(k.wgsl);
  const out = await runKernel(ctx, k, { W: m.w, X: x, S: m.s, THR: m.thrAll }, k.workgroups, { sizes: { C: s.B * s.Co * s.OH * s.OW * 4 } });
  const want = new Float32Array(s.B * s.Co * s.OH * s.OW);
  C.conv2d(x, isMasked ? m.weff : m.w, want, s);
  if (relu) R.relu(want, want);
  const { diff, at } = maxAbsDiff(new Float32Array(out.C), want, want.length);
  assert.ok(diff < 2e-5 * Math.sqrt(s.Ci * s.K * s.K), `max diff ${diff} at ${at}`);
}

/** The data gradient, masked or plain, with or without the ReLU-mask epilogue. */
export async function dxMatchesReference(s: ConvShape, tile: ConvTile, isMasked: boolean, reluMask: boolean, n: number, check?: (wgsl: string) => void): Promise<void> {
  const ctx = await gpu();
  const dy = randomF32(s.B * s.Co * s.OH * s.OW, n + 3);
  const y = randomF32(s.B * s.Ci * s.H * s.W, n + 4);
  const m = masked(s.Co * s.Ci * s.K * s.K, n + 9);
  const k = convKernel({ pass: 'dx', shape: s, mask: isMasked ? { kind: 'topk', thrIndex: 1 } : undefined, epilogue: { kind: reluMask ? 'relu_mask' : 'store' }, tile });
  check?.(k.wgsl);
  const out = await runKernel(ctx, k, { W: m.w, DY: dy, S: m.s, THR: m.thrAll, Y: y }, k.workgroups, { sizes: { C: y.byteLength } });
  const want = new Float32Array(y.length);
  C.conv2dDx(dy, isMasked ? m.weff : m.w, want, s);
  if (reluMask) R.reluBwd(want, y, want);
  const { diff, at } = maxAbsDiff(new Float32Array(out.C), want, want.length);
  assert.ok(diff < 2e-5 * Math.sqrt(s.Co * s.K * s.K), `max diff ${diff} at ${at}`);
}

/** `n` seeds the inputs; `check` sees the kernel before it runs (what its WGSL must contain). */
export async function dwMatchesReference(s: ConvShape, tile: ConvTile, splits: number, score: boolean, n: number, check?: (wgsl: string) => void): Promise<void> {
  const ctx = await gpu();
  const nw = s.Co * s.Ci * s.K * s.K;
  const dy = randomF32(s.B * s.Co * s.OH * s.OW, n + 5);
  const x = randomF32(s.B * s.Ci * s.H * s.W, n + 6);
  const p0 = randomF32(nw, n + 11);
  const v0 = randomF32(nw, n + 12, -0.1, 0.1);
  const wf = randomF32(nw, n + 13);
  const optim = { kind: 'sgd' as const, momentum: 0.9, nesterov: n % 2 === 1, weightDecay: 1e-4 };
  const ep = { kind: 'optim' as const, score: score ? ('sign' as const) : (false as const), optim };
  const k = convKernel({ pass: 'dw', shape: s, epilogue: ep, tile, splitK: splits });
  check?.(k.wgsl);
  let P: Float32Array;
  let V: Float32Array;
  if (splits === 1) {
    const out = await runKernel(ctx, k, { DY: dy, X: x, P: p0, V: v0, WF: wf, step: stepUniform({ lr: 0.1 }) }, k.workgroups);
    P = new Float32Array(out.P);
    V = new Float32Array(out.V);
  } else {
    const part = await runKernel(ctx, k, { DY: dy, X: x }, k.workgroups, { sizes: { PARTIAL: splits * nw * 4 } });
    const r = convReduceKernel({ n: nw, splits, epilogue: ep });
    const out = await runKernel(ctx, r, { PARTIAL: new Float32Array(part.PARTIAL), P: p0, V: v0, WF: wf, step: stepUniform({ lr: 0.1 }) }, r.workgroups);
    P = new Float32Array(out.P);
    V = new Float32Array(out.V);
  }
  const g = new Float32Array(nw);
  C.conv2dDw(dy, x, g, s);
  if (score) R.scoreGrad(g, wf, p0, g);
  const p = p0.slice();
  const v = v0.slice();
  R.sgd(p, g, v, { lr: 0.1, momentum: 0.9, nesterov: n % 2 === 1, weightDecay: 1e-4 });
  const d = maxAbsDiff(P, p, nw);
  assert.ok(d.diff < 1e-5 * Math.sqrt(s.B * s.OH * s.OW), `param diff ${d.diff} at ${d.at}`);
  assert.ok(maxAbsDiff(V, v, nw).diff < 1e-4 * Math.sqrt(s.B * s.OH * s.OW), 'velocity');
}
