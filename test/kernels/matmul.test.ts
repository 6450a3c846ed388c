// The fused matmul kernels against the reference ops, on shapes that are not multiples of the
// tile or of 4, with and without the edge-popup mask in the loader and with every epilogue.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { matmulKernel, type MatmulTile } from '../../compiler/kernels/matmul.js';
import * as R from '../../runtime/reference/ops.js';
import { gpu } from '../helpers/gpu.js';
import { maxAbsDiff, randomF32, runKernel, stepUniform } from '../helpers/kernel.js';

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [13, 9, 16],
  [33, 65, 31],
  [7, 40, 4],
  [64, 12, 100],
];
const TILES: MatmulTile[] = [
  { tm: 4, tn: 4, wx: 8, wy: 8 },
  { tm: 8, tn: 8, wx: 4, wy: 2 },
];

// Each kernel costs a JIT compile on lavapipe (about a second), so the cases form a covering
// set rather than the full product: every shape meets both tiles, and the variants rotate so
// that every (variant, tile) pair and every variant on an odd shape occurs.
const CASES = SHAPES.flatMap((shape, i) => TILES.map((tile, t) => ({ shape, tile, v: i + 2 * t })));

/** Scores with deliberate exact ties (every 7th is a repeat), and thresholds from the reference. */
function maskFor(n: number, seed: number, keep: number) {
  const s = randomF32(n, seed);
  for (let i = 7; i < n; i += 7) s[i] = s[i - 3];
  const thr = R.topkThreshold(s, keep);
  return { s, thr };
}

const fwd = suite('linear forward: Y = X·(W⊙mask)ᵀ');
for (const { shape: [M, N, K], tile, v } of CASES) {
  const masked = v % 2 === 1;
  const relu = (v >> 1) % 2 === 1;
  fwd(`${M}x${N}x${K} tile ${tile.tm}x${tile.tn}/${tile.wx}x${tile.wy}${masked ? ' masked' : ''}${relu ? ' +relu' : ''}`, async () => {
          const ctx = await gpu();
          const x = randomF32(M * K, 1 + M);
          const w = randomF32(N * K, 2 + N);
          const { s, thr } = maskFor(N * K, 3 + K, 0.37);
          const k = matmulKernel({ M, N, K, a: 'mk', b: 'nk', mask: masked ? { thrIndex: 2 } : undefined, epilogue: { kind: relu ? 'relu' : 'store' }, tile });
          const thrAll = new Uint32Array(12);
          thrAll.set(thr, 8);
          const out = await runKernel(ctx, k, { A: x, B: w, S: s, THR: thrAll }, k.workgroups, { sizes: { C: M * N * 4 } });
          const weff = new Float32Array(N * K);
          if (masked) R.maskWeight(w, s, thr, weff);
          else weff.set(w);
          const y = new Float32Array(M * N);
          R.linear(x, weff, y, M, N, K);
          if (relu) R.relu(y, y);
          const got = new Float32Array(out.C);
          const { diff, at } = maxAbsDiff(got, y, M * N);
          assert.ok(diff < 1e-5 * Math.sqrt(K) * 4, `max diff ${diff} at ${at}: got ${got[at]} want ${y[at]}`);
        });
      }
fwd.run();

const dx = suite('linear_dx: dX = dY·(W⊙mask), with the ReLU-backward mask');
for (const { shape: [B, I, O], tile, v } of CASES) {
  const masked = v % 2 === 0;
  const reluMask = (v >> 1) % 2 === 1;
  dx(`B${B} I${I} O${O} tile ${tile.tm}x${tile.tn}${masked ? ' masked' : ''}${reluMask ? ' +relu mask' : ''}`, async () => {
          const ctx = await gpu();
          const dy = randomF32(B * O, 5 + B);
          const w = randomF32(O * I, 6 + I);
          const yPrev = randomF32(B * I, 7 + O); // the forward ReLU output of the layer below (signs matter)
          const { s, thr } = maskFor(O * I, 8 + O, 0.61);
          const k = matmulKernel({ M: B, N: I, K: O, a: 'mk', b: 'kn', mask: masked ? { thrIndex: 0 } : undefined, epilogue: { kind: reluMask ? 'relu_mask' : 'store' }, tile });
          const out = await runKernel(ctx, k, { A: dy, B: w, S: s, THR: thr, Y: yPrev }, k.workgroups, { sizes: { C: B * I * 4 } });
          const weff = new Float32Array(O * I);
          if (masked) R.maskWeight(w, s, thr, weff);
          else weff.set(w);
          const want = new Float32Array(B * I);
          R.linearDx(dy, weff, want, B, O, I);
          if (reluMask) R.reluBwd(want, yPrev, want);
          const got = new Float32Array(out.C);
          const { diff, at } = maxAbsDiff(got, want, B * I);
          assert.ok(diff < 1e-5 * Math.sqrt(O) * 4, `max diff ${diff} at ${at}: got ${got[at]} want ${want[at]}`);
        });
      }
dx.run();

const dw = suite('linear_dw fused with the score gradient and SGD');
const HYPER: [number, boolean, number][] = [
  [0.9, false, 1e-4],
  [0.9, true, 5e-4],
  [0, false, 0],
];
for (const { shape: [O, I, B], tile, v } of CASES) {
  const score = v % 2 === 0;
  const [momentum, nesterov, wd] = HYPER[v % 3];
  dw(`O${O} I${I} B${B} tile ${tile.tm}x${tile.tn} ${score ? 'scores' : 'weights'} μ=${momentum}${nesterov ? ' nesterov' : ''} wd=${wd}`, async () => {
          const ctx = await gpu();
          const dy = randomF32(B * O, 11 + B);
          const x = randomF32(B * I, 12 + I);
          const p0 = randomF32(O * I, 13 + O);
          p0[0] = 0; // sign(0) = 0: no score gradient there
          const v0 = randomF32(O * I, 14, -0.1, 0.1);
          const w = randomF32(O * I, 15);
          const lr = 0.05;
          const k = matmulKernel({ M: O, N: I, K: B, a: 'km', b: 'kn', epilogue: { kind: 'sgd', score, momentum, nesterov, weightDecay: wd }, tile });
          const out = await runKernel(ctx, k, { A: dy, B: x, P: p0, V: v0, W: w, step: stepUniform({ lr }) }, k.workgroups);
          const g = new Float32Array(O * I);
          R.linearDw(dy, x, g, B, O, I);
          if (score) R.scoreGrad(g, w, p0, g);
          const p = p0.slice();
          const v = v0.slice();
          R.sgd(p, g, v, { lr, momentum, nesterov, weightDecay: wd });
          const gotP = new Float32Array(out.P);
          const d1 = maxAbsDiff(gotP, p, O * I);
          assert.ok(d1.diff < 2e-6 * Math.sqrt(B) * 4, `param diff ${d1.diff} at ${d1.at}: got ${gotP[d1.at]} want ${p[d1.at]}`);
          if (momentum !== 0) {
            const gotV = new Float32Array(out.V);
            const d2 = maxAbsDiff(gotV, v, O * I);
            assert.ok(d2.diff < 2e-5 * Math.sqrt(B) * 4, `velocity diff ${d2.diff} at ${d2.at}`);
          }
        });
      }
dw.run();
