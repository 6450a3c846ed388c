// The fused matmul kernels against the reference ops, on shapes that are not multiples of the
// tile or of 4, with every mask rule in the weight loader (edge-popup top-k, supermask bits,
// expected and thresholded supermask) and every epilogue (ReLU, ReLU-backward mask, score
// gradients and SGD/Adam updates). The CPU adapters' subgroup-broadcast tiles (A loaded once per
// 8 lanes) run where the adapter has 8-lane subgroups: fewer rows than lanes, more, and a part
// group; 1 and 2 columns per lane in the dot style.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { WeightMask } from '../../compiler/kernels/mask.js';
import { matmulKernel, type MatmulTile } from '../../compiler/kernels/matmul.js';
import type { OptimSpec } from '../../compiler/kernels/optim.js';
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

// Each kernel costs a JIT compile on lavapipe, so the cases form a covering set rather than the
// full product: every shape meets both tiles, and the variants rotate so that each occurs on
// odd shapes and with both tiles.
const GRID_CASES = SHAPES.flatMap((shape, i) => TILES.map((tile, t) => ({ shape, tile, v: i + 2 * t })));
// The CPU adapters' tiles (compiler/kernels/tiles.ts: lanes along n, tm ≠ tn, scalar
// accumulators), one per kernel form, on two odd shapes: edges in both directions.
const CPU_TILES: Record<'fwd' | 'dx' | 'dw', MatmulTile[]> = {
  fwd: [
    { tm: 8, tn: 4, wx: 8, wy: 1, acc: 'scalar' },
    { tm: 16, tn: 2, wx: 8, wy: 1, acc: 'scalar', broadcast: true },
    { tm: 12, tn: 1, wx: 8, wy: 1, broadcast: true },
    { tm: 4, tn: 4, wx: 8, wy: 1, acc: 'scalar', broadcast: true },
  ],
  dx: [
    { tm: 8, tn: 4, wx: 8, wy: 1 },
    { tm: 16, tn: 4, wx: 8, wy: 1, broadcast: true },
    { tm: 12, tn: 8, wx: 8, wy: 1, broadcast: true },
  ],
  dw: [
    { tm: 16, tn: 4, wx: 8, wy: 1 },
    { tm: 8, tn: 16, wx: 8, wy: 1 },
    { tm: 16, tn: 4, wx: 8, wy: 1, broadcast: true },
    { tm: 4, tn: 8, wx: 8, wy: 1, broadcast: true },
  ],
};
const cases = (form: keyof typeof CPU_TILES) => [
  ...GRID_CASES,
  ...[SHAPES[3], SHAPES[5]].flatMap((shape, i) => CPU_TILES[form].map((tile, t) => ({ shape, tile, v: 3 * i + t + 1 }))),
];
const MASKS: (WeightMask['kind'] | 'none')[] = ['none', 'topk', 'bits', 'sigmoid', 'positive'];
const tileLabel = (t: MatmulTile) => `tile ${t.tm}x${t.tn}/${t.wx}x${t.wy}${t.broadcast ? ' broadcast' : ''}`;

/** Broadcast tiles need 8-lane subgroups; other adapters skip them (the lowering never picks them there). */
async function usable(t: MatmulTile): Promise<boolean> {
  return !t.broadcast || (await gpu()).limits.subgroupSize === 8;
}

/** A mask of `kind` over n weights: its bindings and the masked weights the reference sees. */
function maskFor(kind: WeightMask['kind'] | 'none', w: Float32Array, seed: number) {
  const n = w.length;
  const s = randomF32(n, seed);
  for (let i = 7; i < n; i += 7) s[i] = s[i - 3]; // exact ties for the top-k
  const thr = R.topkThreshold(s, 0.37);
  const thrAll = new Uint32Array(12);
  thrAll.set(thr, 8);
  const bits = new Uint32Array(Math.ceil(n / 32)).map((_, i) => (Math.imul(i + seed, 2654435761) ^ 0x5bd1e995) >>> 0);
  const weff = new Float32Array(n);
  let mask: WeightMask | undefined;
  if (kind === 'none') weff.set(w);
  else if (kind === 'topk') {
    mask = { kind, thrIndex: 2 };
    R.maskWeight(w, s, thr, weff);
  } else if (kind === 'bits') {
    mask = { kind };
    R.maskBits(w, bits, weff);
  } else {
    mask = { kind };
    R.maskBySigmoid(w, s, weff, kind);
  }
  return { mask, bindings: { S: s, THR: thrAll, MB: bits }, weff };
}

const fwd = suite('linear forward: Y = X·(W⊙mask)ᵀ');
for (const { shape: [M, N, K], tile, v } of cases('fwd')) {
  const maskKind = MASKS[v % MASKS.length];
  const relu = (v >> 1) % 2 === 1;
  fwd(`${M}x${N}x${K} ${tileLabel(tile)} mask ${maskKind}${relu ? ' +relu' : ''}`, async () => {
    if (!(await usable(tile))) return;
    const ctx = await gpu();
    const x = randomF32(M * K, 1 + M);
    const w = randomF32(N * K, 2 + N);
    const m = maskFor(maskKind, w, 3 + K);
    const k = matmulKernel({ M, N, K, a: 'mk', b: 'nk', mask: m.mask, epilogue: { kind: relu ? 'relu' : 'store' }, tile });
    const out = await runKernel(ctx, k, { A: x, B: w, ...m.bindings }, k.workgroups, { sizes: { C: M * N * 4 } });
    const y = new Float32Array(M * N);
    R.linear(x, m.weff, y, M, N, K);
    if (relu) R.relu(y, y);
    const got = new Float32Array(out.C);
    const { diff, at } = maxAbsDiff(got, y, M * N);
    assert.ok(diff < 1e-5 * Math.sqrt(K) * 4, `max diff ${diff} at ${at}: got ${got[at]} want ${y[at]}`);
  });
}
fwd.run();

const dx = suite('linear_dx: dX = dY·(W⊙mask), with the ReLU-backward mask');
for (const { shape: [B, I, O], tile, v } of cases('dx')) {
  const maskKind = MASKS[(v + 2) % MASKS.length];
  const reluMask = (v >> 1) % 2 === 1;
  dx(`B${B} I${I} O${O} ${tileLabel(tile)} mask ${maskKind}${reluMask ? ' +relu mask' : ''}`, async () => {
    if (!(await usable(tile))) return;
    const ctx = await gpu();
    const dy = randomF32(B * O, 5 + B);
    const w = randomF32(O * I, 6 + I);
    const yPrev = randomF32(B * I, 7 + O); // the forward ReLU output of the layer below (signs matter)
    const m = maskFor(maskKind, w, 8 + O);
    const k = matmulKernel({ M: B, N: I, K: O, a: 'mk', b: 'kn', mask: m.mask, epilogue: { kind: reluMask ? 'relu_mask' : 'store' }, tile });
    const out = await runKernel(ctx, k, { A: dy, B: w, ...m.bindings, Y: yPrev }, k.workgroups, { sizes: { C: B * I * 4 } });
    const want = new Float32Array(B * I);
    R.linearDx(dy, m.weff, want, B, O, I);
    if (reluMask) R.reluBwd(want, yPrev, want);
    const got = new Float32Array(out.C);
    const { diff, at } = maxAbsDiff(got, want, B * I);
    assert.ok(diff < 1e-5 * Math.sqrt(O) * 4, `max diff ${diff} at ${at}: got ${got[at]} want ${want[at]}`);
  });
}
dx.run();

const OPTIMS: OptimSpec[] = [
  { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
  { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
  { kind: 'adam', beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-3 },
  { kind: 'sgd', momentum: 0, nesterov: false, weightDecay: 0 },
];
const RULES = ['sign', false, 'sigmoid'] as const;

const dw = suite('linear_dw fused with the score gradient and the optimiser');
for (const { shape: [O, I, B], tile, v } of cases('dw')) {
  const optim = OPTIMS[v % OPTIMS.length];
  const score = RULES[v % RULES.length];
  dw(`O${O} I${I} B${B} ${tileLabel(tile)} ${score ? `scores (${score})` : 'weights'} ${JSON.stringify(optim)}`, async () => {
    if (!(await usable(tile))) return;
    const ctx = await gpu();
    const dy = randomF32(B * O, 11 + B);
    const x = randomF32(B * I, 12 + I);
    const p0 = randomF32(O * I, 13 + O);
    p0[0] = 0; // sign(0) = 0: no edge-popup score gradient there
    const s1 = randomF32(O * I, 14, -0.1, 0.1);
    const s2 = randomF32(O * I, 16, 0, 0.01);
    const w = randomF32(O * I, 15);
    const lr = 0.05;
    const t = 3;
    const c1 = 1 / (1 - (optim.kind === 'adam' ? optim.beta1 : 0) ** t);
    const c2 = 1 / (1 - (optim.kind === 'adam' ? optim.beta2 : 0) ** t);
    const k = matmulKernel({ M: O, N: I, K: B, a: 'km', b: 'kn', epilogue: { kind: 'optim', score, optim }, tile });
    const state: Record<string, Float32Array> = optim.kind === 'adam' ? { M: s1, V: s2 } : { V: s1 };
    const out = await runKernel(ctx, k, { A: dy, B: x, P: p0, W: w, ...state, step: stepUniform({ lr, c1, c2 }) }, k.workgroups);
    const g = new Float32Array(O * I);
    R.linearDw(dy, x, g, B, O, I);
    if (score) R.scoreGrad(g, w, p0, g, score);
    const p = p0.slice();
    const st = optim.kind === 'adam' ? [s1.slice(), s2.slice()] : optim.momentum ? [s1.slice()] : [];
    R.optimStep(p, g, st, optim, lr, c1, c2);
    const gotP = new Float32Array(out.P);
    const d1 = maxAbsDiff(gotP, p, O * I);
    const tol = optim.kind === 'adam' ? 1e-5 : 2e-6 * Math.sqrt(B) * 4;
    assert.ok(d1.diff < tol, `param diff ${d1.diff} at ${d1.at}: got ${gotP[d1.at]} want ${p[d1.at]}`);
    const names = optim.kind === 'adam' ? ['M', 'V'] : optim.momentum ? ['V'] : [];
    names.forEach((n, i) => {
      const d2 = maxAbsDiff(new Float32Array(out[n]), st[i], O * I);
      assert.ok(d2.diff < 2e-5 * Math.sqrt(B) * 4, `${n} diff ${d2.diff} at ${d2.at}`);
    });
  });
}
dw.run();
