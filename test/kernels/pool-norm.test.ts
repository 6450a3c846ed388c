// Pooling, batch-norm and elementwise kernels against the reference ops, on odd shapes
// (channels not a multiple of 4, 7×7 and 1×1 maps, batch 1, a partial batch).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { avgpoolBwdKernel, avgpoolKernel, globalAvgpoolBwdKernel, globalAvgpoolKernel, maxpoolBwdKernel, maxpoolBwdTiledKernel, maxpoolKernel, poolTiles, type PoolShape } from '../../compiler/kernels/pool.js';
import { bnApplyKernel, bnBwdApplyKernel, bnBwdReduceKernel, bnStatsKernel } from '../../compiler/kernels/norm.js';
import { elementwiseKernel } from '../../compiler/kernels/elementwise.js';
import * as C from '../../runtime/reference/conv-ops.js';
import * as R from '../../runtime/reference/ops.js';
import { gpu } from '../helpers/gpu.js';
import { maxAbsDiff, randomF32, runKernel, stepUniform } from '../helpers/kernel.js';

const pool = suite('pooling');
const POOLS: PoolShape[] = [C.poolGeom(2, 3, 7, 7, 2, 2, 0), C.poolGeom(1, 5, 9, 8, 3, 2, 1), C.poolGeom(2, 6, 2, 2, 2, 2, 0), C.poolGeom(3, 1, 5, 5, 3, 1, 1)];
for (const s of POOLS) {
  const tag = `${s.B}x${s.C}x${s.H}x${s.W} k${s.K} s${s.stride} p${s.pad}`;
  pool(`maxpool forward + backward (relu-masked) ${tag}`, async () => {
    const ctx = await gpu();
    const x = randomF32(s.B * s.C * s.H * s.W, s.H + s.C);
    for (let i = 0; i < x.length; i += 5) x[i] = x[i + 1] ?? 0; // ties inside windows
    const dy = randomF32(s.B * s.C * s.OH * s.OW, 3);
    const f = maxpoolKernel(s);
    const y = new Float32Array((await runKernel(ctx, f, { X: x }, f.workgroups, { sizes: { Y: dy.byteLength } })).Y);
    const want = new Float32Array(dy.length);
    C.maxpool(x, want, s);
    assert.equal(Array.from(y.subarray(0, want.length)), Array.from(want));
    const b = maxpoolBwdKernel(s, true);
    const dx = new Float32Array((await runKernel(ctx, b, { DY: dy, X: x }, b.workgroups, { sizes: { DX: x.byteLength } })).DX);
    const wantDx = new Float32Array(x.length);
    C.maxpoolBwd(dy, x, wantDx, s, true);
    assert.ok(maxAbsDiff(dx, wantDx, x.length).diff < 1e-6);
  });
  pool(`avgpool forward + backward ${tag}`, async () => {
    const ctx = await gpu();
    const x = randomF32(s.B * s.C * s.H * s.W, 7);
    const dy = randomF32(s.B * s.C * s.OH * s.OW, 8);
    const f = avgpoolKernel(s);
    const y = new Float32Array((await runKernel(ctx, f, { X: x }, f.workgroups, { sizes: { Y: dy.byteLength } })).Y);
    const want = new Float32Array(dy.length);
    C.avgpool(x, want, s);
    assert.ok(maxAbsDiff(y, want, want.length).diff < 1e-6);
    const b = avgpoolBwdKernel(s);
    const dx = new Float32Array((await runKernel(ctx, b, { DY: dy }, b.workgroups, { sizes: { DX: x.byteLength } })).DX);
    const wantDx = new Float32Array(x.length);
    C.avgpoolBwd(dy, wantDx, s);
    assert.ok(maxAbsDiff(dx, wantDx, x.length).diff < 1e-6);
  });
}
pool('global average pool forward + backward on 7×7 and 1×1 maps', async () => {
  const ctx = await gpu();
  for (const [BC, HW] of [
    [2 * 5, 49],
    [3 * 7, 1],
  ]) {
    const x = randomF32(BC * HW, HW);
    const f = globalAvgpoolKernel(BC, HW);
    const y = new Float32Array((await runKernel(ctx, f, { X: x }, f.workgroups, { sizes: { Y: BC * 4 } })).Y);
    const want = new Float32Array(BC);
    C.globalAvgpool(x, want, BC, HW);
    assert.ok(maxAbsDiff(y, want, BC).diff < 1e-6);
    const dy = randomF32(BC, 2);
    const b = globalAvgpoolBwdKernel(BC, HW);
    const dx = new Float32Array((await runKernel(ctx, b, { DY: dy }, b.workgroups, { sizes: { DX: BC * HW * 4 } })).DX);
    const wantDx = new Float32Array(BC * HW);
    C.globalAvgpoolBwd(dy, wantDx, BC, HW);
    assert.ok(maxAbsDiff(dx, wantDx, BC * HW).diff < 1e-7);
  }
});
// The CPU adapters' maxpool backward by window, where the windows tile the input (ties inside
// windows: the first maximum in row-major order gets the gradient, as in the reference).
for (const [s, relu] of [[C.poolGeom(2, 3, 8, 6, 2, 2, 0), true], [C.poolGeom(1, 5, 9, 9, 3, 3, 0), false], [C.poolGeom(2, 6, 2, 2, 2, 2, 0), true]] as [PoolShape, boolean][]) {
  pool(`maxpool backward by window ${s.B}x${s.C}x${s.H}x${s.W} k${s.K}${relu ? ' (relu-masked)' : ''}`, async () => {
    assert.ok(poolTiles(s));
    const ctx = await gpu();
    const x = randomF32(s.B * s.C * s.H * s.W, s.H + s.C);
    for (let i = 0; i < x.length; i += 5) x[i] = x[i + 1] ?? 0; // ties inside windows
    const dy = randomF32(s.B * s.C * s.OH * s.OW, 3);
    const b = maxpoolBwdTiledKernel(s, relu);
    const dx = new Float32Array((await runKernel(ctx, b, { DY: dy, X: x }, b.workgroups, { sizes: { DX: x.byteLength } })).DX);
    const wantDx = new Float32Array(x.length);
    C.maxpoolBwd(dy, x, wantDx, s, relu);
    assert.equal(Array.from(dx.subarray(0, x.length)), Array.from(wantDx));
  });
}
pool('the windows of a 3×3/2 pool overlap: no tiled kernel', () => {
  assert.not.ok(poolTiles(C.poolGeom(1, 5, 9, 8, 3, 2, 1)));
  assert.not.ok(poolTiles(C.poolGeom(2, 3, 7, 7, 2, 2, 0))); // a leftover row and column
});
pool.run();

const bn = suite('batch norm');
for (const [B, Cc, HW, valid, affine, relu] of [
  [4, 3, 49, 3, false, true],
  [1, 6, 1, 1, false, false],
  [5, 7, 9, 5, true, true],
] as [number, number, number, number, boolean, boolean][]) {
  bn(`train forward, backward, eval: B${B} C${Cc} HW${HW} valid ${valid}${affine ? ' affine' : ''}${relu ? ' +relu' : ''}`, async () => {
    const ctx = await gpu();
    const s = { B, C: Cc, HW, eps: 1e-5, momentum: 0.1 };
    const n = B * Cc * HW;
    const x = randomF32(n, Cc + HW, -2, 3);
    const rm0 = randomF32(Cc, 1, -0.1, 0.1);
    const rv0 = randomF32(Cc, 2, 0.5, 1.5);
    const gamma = randomF32(Cc, 3, 0.5, 1.5);
    const beta = randomF32(Cc, 4, -0.5, 0.5);
    const step = stepUniform({ valid, lr: 0.1 });
    // statistics
    const k1 = bnStatsKernel(s);
    const o1 = await runKernel(ctx, k1, { X: x, RUN_MEAN: rm0, RUN_VAR: rv0, step }, k1.workgroups, { sizes: { STATS: 2 * Cc * 4 } });
    const stats = new Float32Array(2 * Cc);
    const rm = rm0.slice();
    const rv = rv0.slice();
    const y = new Float32Array(n);
    C.batchnormTrain(x, y, stats, rm, rv, B, Cc, HW, valid, s, affine ? gamma : undefined, affine ? beta : undefined, relu);
    const gotStats = new Float32Array(o1.STATS);
    assert.ok(maxAbsDiff(gotStats, stats, 2 * Cc).diff < 1e-4, `stats ${gotStats} vs ${stats}`);
    assert.ok(maxAbsDiff(new Float32Array(o1.RUN_MEAN), rm, Cc).diff < 1e-6);
    assert.ok(maxAbsDiff(new Float32Array(o1.RUN_VAR), rv, Cc).diff < 1e-5);
    // apply
    const k2 = bnApplyKernel(s, { train: true, affine, relu });
    const o2 = await runKernel(ctx, k2, { X: x, STATS: stats, GAMMA: gamma, BETA: beta, step }, k2.workgroups, { sizes: { Y: n * 4 } });
    assert.ok(maxAbsDiff(new Float32Array(o2.Y), y, n).diff < 1e-5, 'apply');
    // backward
    const dy = randomF32(n, 9);
    const dx = new Float32Array(n);
    const { dgamma, dbeta } = C.batchnormBwd(dy, x, stats, dx, B, Cc, HW, valid, affine ? gamma : undefined, relu ? y : undefined);
    const update = { kind: 'sgd' as const, momentum: 0.9, nesterov: false, weightDecay: 0 };
    const k3 = bnBwdReduceKernel(s, { affine, reluMask: relu, update: affine ? update : undefined });
    const vg = new Float32Array(Cc);
    const vb = new Float32Array(Cc);
    const o3 = await runKernel(ctx, k3, { DY: dy, X: x, STATS: stats, YR: y, GAMMA: gamma, BETA: beta, VGAMMA: vg, VBETA: vb, step }, k3.workgroups, { sizes: { RED: 3 * Cc * 4 } });
    const red = new Float32Array(o3.RED);
    if (affine) {
      const g2 = gamma.slice();
      const b2 = beta.slice();
      R.optimStep(g2, new Float32Array(dgamma), [vg.slice()], update, 0.1);
      R.optimStep(b2, new Float32Array(dbeta), [vb.slice()], update, 0.1);
      assert.ok(maxAbsDiff(new Float32Array(o3.GAMMA), g2, Cc).diff < 1e-4, 'γ update');
      assert.ok(maxAbsDiff(new Float32Array(o3.BETA), b2, Cc).diff < 1e-4, 'β update');
    }
    const k4 = bnBwdApplyKernel(s, { affine, reluMask: relu });
    const o4 = await runKernel(ctx, k4, { DY: dy, X: x, STATS: stats, YR: y, RED: red, step }, k4.workgroups, { sizes: { DX: n * 4 } });
    assert.ok(maxAbsDiff(new Float32Array(o4.DX), dx, n).diff < 1e-4, 'dx');
    // evaluation with the running statistics
    const k5 = bnApplyKernel(s, { train: false, affine, relu });
    const o5 = await runKernel(ctx, k5, { X: x, RUN_MEAN: rm, RUN_VAR: rv, GAMMA: gamma, BETA: beta, step }, k5.workgroups, { sizes: { Y: n * 4 } });
    const ye = new Float32Array(n);
    C.batchnormEval(x, ye, rm, rv, B, Cc, HW, s, affine ? gamma : undefined, affine ? beta : undefined, relu);
    assert.ok(maxAbsDiff(new Float32Array(o5.Y), ye, n).diff < 1e-5, 'eval');
  });
}
bn.run();

const ew = suite('elementwise');
ew('add, add+relu, relu, relu backward', async () => {
  const ctx = await gpu();
  const n = 1001;
  const a = randomF32(n, 1);
  const b = randomF32(n, 2);
  for (const op of ['add', 'add_relu', 'relu', 'relu_bwd'] as const) {
    const k = elementwiseKernel(op, n);
    const y = new Float32Array((await runKernel(ctx, k, { A: a, B: b }, k.workgroups, { sizes: { Y: n * 4 } })).Y);
    const want = new Float32Array(n);
    if (op === 'add' || op === 'add_relu') C.add(a, b, want, op === 'add_relu');
    else if (op === 'relu') R.relu(a, want);
    else R.reluBwd(a, b, want);
    assert.ok(maxAbsDiff(y, want, n).diff < 1e-7, op);
  }
});
ew.run();
