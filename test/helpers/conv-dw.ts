// The convolution weight-gradient check both conv kernel suites share: the dW kernel (split-K or
// not, with its SGD epilogue on scores or weights) against the reference ops.
import * as assert from 'uvu/assert';
import { convKernel, convReduceKernel, type ConvShape, type ConvTile } from '../../compiler/kernels/conv.js';
import * as R from '../../runtime/reference/ops.js';
import * as C from '../../runtime/reference/conv-ops.js';
import { gpu } from './gpu.js';
import { maxAbsDiff, randomF32, runKernel, stepUniform } from './kernel.js';

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
