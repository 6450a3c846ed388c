// Convolutional training steps on the device against the reference interpreter: conv (k 1/3/7,
// stride 2, padding), max and average pooling, global average pooling, non-affine and affine
// batch norm, a residual block with a projection shortcut and one with the identity; an epoch
// with a partial last batch, comparing every persistent tensor afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfig } from '../../compiler/plan/config.js';
import { evaluate, trainEpoch } from '../../runtime/train.js';
import { convnet, synthetic, type LayerSpec } from '../helpers/configs.js';
import { assertSameInit, referenceEpoch, sideBySide } from '../helpers/compare.js';
import { gpu } from '../helpers/gpu.js';
import { maxAbsDiff } from '../helpers/kernel.js';

async function compareEpoch(cfg: RunConfig, tol = 5e-4, lowerOpts: Parameters<typeof sideBySide>[2] = {}) {
  const { plan, ds, ex, graph, state, params, read } = await sideBySide(cfg, 'conv-step', lowerOpts);
  assertSameInit(params, await read(), state);
  const rec = await trainEpoch(ex, ds, 0);
  referenceEpoch(cfg, graph, state, ds);
  const after = await read();
  for (const t of params) {
    const got = after.get(t.name)!;
    const want = state.tensors.get(t.name) as Float32Array;
    const { diff, at } = maxAbsDiff(got, want);
    const scale = Math.max(1e-2, ...Array.from(want, Math.abs));
    assert.ok(diff <= tol * scale, `${t.name}: max diff ${diff} at ${at} (got ${got[at]}, want ${want[at]}, scale ${scale})`);
  }
  const m = await ex.readF32(plan.metrics.train);
  const rm = state.tensors.get('metrics.train') as Float32Array;
  assert.ok(Math.abs(m[0] - rm[0]) < 1e-3 * Math.abs(rm[0]), `loss ${m[0]} vs ${rm[0]}`);
  await evaluate(ex, ds); // the eval graph (running statistics) runs too
  ex.destroy();
  return { plan, rec };
}

const RESNETISH: LayerSpec[] = [
  ['conv', 6, 3],
  ['bn'],
  ['relu'],
  ['residual', [['conv', 6, 3], ['bn'], ['relu'], ['conv', 6, 3], ['bn']], []],
  ['relu'],
  ['residual', [['conv', 5, 3, 2, 1], ['bn'], ['relu'], ['conv', 5, 3], ['bn']], [['conv', 5, 1, 2, 0], ['bn']]],
  ['relu'],
  ['gap'],
  ['linear', 4],
];

test('a residual network with batch norm (non-affine), edge-popup, matches the reference over an epoch', async () => {
  const cfg = convnet(RESNETISH, { input: [3, 7, 7], classes: 4, batch: 6, data: synthetic([3, 7, 7], 4, 20, 12), seed: 5 });
  const { plan } = await compareEpoch(cfg);
  // conv with a projection shortcut and stride 2 ran; the weights of a masked net never move
  assert.ok(plan.phases.trainStep.length > 10);
});

test('Conv4-like stack with max pooling, average pooling, 7×7 and 1×1 convs', async () => {
  const specs: LayerSpec[] = [
    ['conv', 5, 7, 2, 3],
    ['relu'],
    ['conv', 6, 3],
    ['relu'],
    ['maxpool', 2],
    ['conv', 7, 1],
    ['relu'],
    ['avgpool', 3, 2, 1],
    ['flatten'],
    ['linear', 9],
    ['relu'],
    ['linear', 3],
  ];
  const cfg = convnet(specs, { input: [2, 12, 12], classes: 3, batch: 5, data: synthetic([2, 12, 12], 3, 13, 7), seed: 2 });
  await compareEpoch(cfg);
});

test('the CPU broadcast convolutions (row fwd and dX, broadcast dw) match the reference over an epoch', async () => {
  if ((await gpu()).limits.subgroupSize !== 8) return; // they need 8-lane subgroups (lavapipe)
  const specs: LayerSpec[] = [['conv', 5, 3], ['relu'], ['conv', 9, 3], ['relu'], ['maxpool', 2], ['conv', 6, 5, 2, 2], ['relu'], ['conv', 4, 3, 1, 0], ['relu'], ['flatten'], ['linear', 3]];
  const cfg = convnet(specs, { input: [3, 11, 10], classes: 3, batch: 5, data: synthetic([3, 11, 10], 3, 13, 7), seed: 6 });
  const { plan } = await compareEpoch(cfg, 5e-4, { convTile: { tm: 4, tn: 4, wx: 8, wy: 1, row: true, broadcast: true } });
  assert.ok(plan.kernels.filter((k) => k.wgsl.includes('(row)')).length >= 3, 'row kernels ran');
  assert.ok(plan.kernels.some((k) => k.wgsl.includes('conv dw') && k.wgsl.includes('subgroupBroadcast')), 'a broadcast dw ran');
});

test('the CPU broadcast matmuls (A loaded once per 8 lanes) match the reference over an epoch', async () => {
  if ((await gpu()).limits.subgroupSize !== 8) return; // they need 8-lane subgroups (lavapipe)
  const specs: LayerSpec[] = [['conv', 3, 3], ['relu'], ['flatten'], ['linear', 21], ['relu'], ['linear', 11], ['relu'], ['linear', 3]];
  const cfg = convnet(specs, { input: [2, 7, 6], classes: 3, batch: 5, data: synthetic([2, 7, 6], 3, 13, 7), seed: 8 });
  const { plan } = await compareEpoch(cfg, 5e-4, { tile: { tm: 12, tn: 4, wx: 8, wy: 1, broadcast: true } });
  assert.ok(plan.kernels.filter((k) => k.wgsl.includes('matmul') && k.wgsl.includes('subgroupBroadcast')).length >= 3, 'broadcast matmuls ran');
});

test('dense learned weights with affine batch norm (its γ and β train)', async () => {
  const specs: LayerSpec[] = [['conv', 4, 3], ['bn', true], ['relu'], ['maxpool', 3, 2, 1], ['conv', 5, 3, 2], ['bn', true], ['relu'], ['gap'], ['linear', 3]];
  const cfg = convnet(specs, {
    input: [1, 9, 9],
    classes: 3,
    batch: 4,
    mask: { kind: 'dense' },
    init: { kind: 'kaiming_uniform', mode: 'fan_in', scaled: false },
    data: synthetic([1, 9, 9], 3, 10, 6),
    lr: 0.05,
    seed: 4,
  });
  await compareEpoch(cfg, 2e-3);
});

test.run();
