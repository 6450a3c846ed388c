// Packed masks (CPU adapters: compiler/kernels/mask-pack.ts) against masks tested in the loader:
// the same arithmetic on the same values, so an epoch is bit-identical either way, for edge-popup
// (top-k thresholds), the Bernoulli supermask (sampled bits) and convolutions; and the packed
// plan matches the reference interpreter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import type { RunConfig } from '../../compiler/plan/config.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { evaluate, prepare, trainEpoch } from '../../runtime/train.js';
import { convnet, mlp, synthetic, type LayerSpec } from '../helpers/configs.js';
import { gpu } from '../helpers/gpu.js';

async function epoch(cfg: RunConfig, packMasks: boolean) {
  const ctx = await gpu();
  const ds = loadDataset(cfg.data);
  const plan = lower(cfg, 'pack', ctx.limits, { packMasks });
  const ex = await prepare(ctx, plan, ds);
  await trainEpoch(ex, ds, 0);
  const test = await evaluate(ex, ds);
  const params = plan.tensors.filter((t) => t.kind === 'param');
  const values = (await ex.read(params.map((t) => t.range))).map((b) => Array.from(new Uint32Array(b)));
  const packs = plan.phases.trainStep.filter((d) => plan.kernels[d.kernel].family === 'pack').length;
  ex.destroy();
  return { values, test, packs, names: params.map((t) => t.name) };
}

async function same(cfg: RunConfig, layers: number) {
  const packed = await epoch(cfg, true);
  const inLoader = await epoch(cfg, false);
  assert.is(packed.packs, layers, 'one pack dispatch per masked layer');
  assert.is(inLoader.packs, 0);
  packed.values.forEach((v, i) => assert.equal(v, inLoader.values[i], `${packed.names[i]} differs`));
  assert.is(packed.test.accuracy, inLoader.test.accuracy);
  assert.is(packed.test.loss, inLoader.test.loss);
}

test('edge-popup MLP (odd widths): packed masks train bit-identically to masks in the loader', async () => {
  await same(mlp({ input: [1, 5, 7], hidden: [19, 13], classes: 5, batch: 16, data: synthetic([1, 5, 7], 5, 50, 20), seed: 7 }), 3);
});

test('supermask MLP: the sampled bits packed give the same epoch', async () => {
  const mask = { kind: 'supermask', eval: 'sample' } as const;
  await same(mlp({ input: [1, 4, 6], hidden: [11], classes: 3, batch: 8, mask, data: synthetic([1, 4, 6], 3, 30, 10), seed: 3 }), 2);
});

test('a conv net with pooling: packed conv weights give the same epoch', async () => {
  const specs: LayerSpec[] = [['conv', 5, 3], ['relu'], ['maxpool', 2], ['conv', 6, 3], ['relu'], ['flatten'], ['linear', 3]];
  await same(convnet(specs, { input: [2, 10, 10], classes: 3, batch: 5, data: synthetic([2, 10, 10], 3, 13, 7), seed: 2 }), 3);
});

test('CPU adapters pack large layers by default and leave small ones in the loader', async () => {
  const ctx = await gpu();
  const cfg = mlp({ input: [1, 28, 28], hidden: [300, 100], classes: 10, batch: 8, data: synthetic([1, 28, 28], 10, 16, 8) });
  const plan = lower(cfg, 'fc', { ...ctx.limits, adapterClass: 'cpu' });
  const packed = plan.phases.trainStep.filter((d) => plan.kernels[d.kernel].family === 'pack').map((d) => d.ops.join());
  assert.is(packed.length, 2, 'linear1 (235,200 weights) and linear2 (30,000); not linear3 (1,000)');
  const gpuPlan = lower(cfg, 'fc', { ...ctx.limits, adapterClass: 'gpu' });
  assert.is(gpuPlan.phases.trainStep.filter((d) => gpuPlan.kernels[d.kernel].family === 'pack').length, 0);
});

test.run();
