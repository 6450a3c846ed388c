// Implicit-GEMM convolution kernels against the reference ops: kernel sizes 1, 3 and 7, strides
// 1 and 2, padding, channel counts that are not multiples of 4, 1×1 maps, batch 1; masked and
// plain weights; every epilogue; split-K with its deterministic reduction.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { convKernel, type ConvShape, type ConvTile } from '../../compiler/kernels/conv.js';
import * as R from '../../runtime/reference/ops.js';
import * as C from '../../runtime/reference/conv-ops.js';
import { gpu } from '../helpers/gpu.js';
import { dwMatchesReference } from '../helpers/conv-dw.js';
import { maxAbsDiff, randomF32, runKernel } from '../helpers/kernel.js';

function shape(B: number, Ci: number, H: number, W: number, Co: number, K: number, stride: number, pad: number): ConvShape {
  const g = C.convGeom(B, Ci, H, W, Co, K, stride, pad);
  return { ...g };
}

const SHAPES: ConvShape[] = [
  shape(2, 3, 7, 5, 5, 3, 1, 1),
  shape(1, 4, 9, 9, 6, 3, 2, 1),
  shape(3, 2, 7, 7, 3, 7, 2, 3),
  shape(2, 5, 1, 1, 7, 1, 1, 0),
  shape(2, 6, 6, 6, 4, 1, 2, 0),
  shape(1, 7, 4, 6, 9, 3, 1, 1),
];
const TILES: ConvTile[] = [
  { tm: 4, tn: 4, wx: 8, wy: 8 },
  { tm: 2, tn: 4, wx: 16, wy: 4 },
];
const label = (s: ConvShape) => `B${s.B} ${s.Ci}→${s.Co} ${s.H}x${s.W} k${s.K} s${s.stride} p${s.pad}`;

function masked(n: number, seed: number) {
  const w = randomF32(n, seed);
  const s = randomF32(n, seed + 100);
  const thr = R.topkThreshold(s, 0.55);
  const weff = new Float32Array(n);
  R.maskWeight(w, s, thr, weff);
  const thrAll = new Uint32Array(8);
  thrAll.set(thr, 4);
  return { w, s, thrAll, weff };
}

const fwd = suite('conv forward');
SHAPES.forEach((s, n) => {
  const tile = TILES[n % 2];
  const isMasked = n % 2 === 0;
  const relu = n % 3 !== 0;
  fwd(`${label(s)}${isMasked ? ' masked' : ''}${relu ? ' +relu' : ''}`, async () => {
    const ctx = await gpu();
    const x = randomF32(s.B * s.Ci * s.H * s.W, n + 1);
    const m = masked(s.Co * s.Ci * s.K * s.K, n + 7);
    const k = convKernel({ pass: 'fwd', shape: s, mask: isMasked ? { kind: 'topk', thrIndex: 1 } : undefined, epilogue: { kind: relu ? 'relu' : 'store' }, tile });
    const out = await runKernel(ctx, k, { W: m.w, X: x, S: m.s, THR: m.thrAll }, k.workgroups, { sizes: { C: s.B * s.Co * s.OH * s.OW * 4 } });
    const want = new Float32Array(s.B * s.Co * s.OH * s.OW);
    C.conv2d(x, isMasked ? m.weff : m.w, want, s);
    if (relu) R.relu(want, want);
    const { diff, at } = maxAbsDiff(new Float32Array(out.C), want, want.length);
    assert.ok(diff < 2e-5 * Math.sqrt(s.Ci * s.K * s.K), `max diff ${diff} at ${at}`);
  });
});
fwd.run();

const dx = suite('conv backward data');
SHAPES.forEach((s, n) => {
  const tile = TILES[(n + 1) % 2];
  const isMasked = n % 2 === 1;
  const reluMask = n % 3 !== 1;
  dx(`${label(s)}${isMasked ? ' masked' : ''}${reluMask ? ' +relu mask' : ''}`, async () => {
    const ctx = await gpu();
    const dy = randomF32(s.B * s.Co * s.OH * s.OW, n + 3);
    const y = randomF32(s.B * s.Ci * s.H * s.W, n + 4);
    const m = masked(s.Co * s.Ci * s.K * s.K, n + 9);
    const k = convKernel({ pass: 'dx', shape: s, mask: isMasked ? { kind: 'topk', thrIndex: 1 } : undefined, epilogue: { kind: reluMask ? 'relu_mask' : 'store' }, tile });
    const out = await runKernel(ctx, k, { W: m.w, DY: dy, S: m.s, THR: m.thrAll, Y: y }, k.workgroups, { sizes: { C: y.byteLength } });
    const want = new Float32Array(y.length);
    C.conv2dDx(dy, isMasked ? m.weff : m.w, want, s);
    if (reluMask) R.reluBwd(want, y, want);
    const { diff, at } = maxAbsDiff(new Float32Array(out.C), want, want.length);
    assert.ok(diff < 2e-5 * Math.sqrt(s.Co * s.K * s.K), `max diff ${diff} at ${at}`);
  });
});
dx.run();

const dw = suite('conv backward weights + optimiser (split-K and not)');
SHAPES.forEach((s, n) => {
  const tile = TILES[n % 2];
  const splits = n % 2 === 0 ? 1 : 3;
  const score = n % 3 !== 2;
  dw(`${label(s)} split ${splits} ${score ? 'scores' : 'weights'}`, () => dwMatchesReference(s, tile, splits, score, n));
});
dw.run();
