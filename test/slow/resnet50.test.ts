// Slow (minutes on lavapipe): run with `SUBNET_SLOW=1 node scripts/test.mjs slow`.
// ResNet-50 at 224×224, full width: one training step on the device.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { prepare } from '../../runtime/train.js';
import { networkConfig } from '../helpers/networks.js';
import { gpu } from '../helpers/gpu.js';

test('ResNet-50 at 224×224, full width: one training step on the device', async () => {
  const ctx = await gpu();
  const cfg = networkConfig('ResNet50()', 'imagenet_synthetic(n: 2, test_n: 2)', 2, 'std/resnet.subnet', '', '30%');
  const t0 = performance.now();
  const plan = lower(cfg, 'rn50', ctx.limits);
  assert.ok(plan.stats.params > 25_000_000 && plan.stats.params < 25_600_000, `${plan.stats.params}`);
  const ds = loadDataset(cfg.data);
  const ex = await prepare(ctx, plan, ds);
  ex.writeBuffer(plan.data.permutation, new Uint32Array([1, 0]));
  ex.setStep({ step: 0, epoch: 0, batch_start: 0, valid: 2, lr: 0.1 });
  ex.run('trainStep');
  const m = await ex.readF32(plan.metrics.train);
  assert.ok(Number.isFinite(m[0]) && m[0] > 0 && m[2] === 2, `metrics ${m}`);
  assert.is(ctx.errors.length, 0, ctx.errors.join('\n'));
  console.log(`ResNet-50 (224×224, batch 2): plan + upload + init + one step ${((performance.now() - t0) / 1000).toFixed(1)} s, ${plan.stats.dispatchesPerTrainStep} dispatches, arena ${(plan.stats.arenaBytes / 2 ** 20).toFixed(0)} MiB`);
  ex.destroy();
});

test.run();
