import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { prepare, trainEpoch } from '../../runtime/train.js';
import { mlp } from '../helpers/configs.js';
import { gpu } from '../helpers/gpu.js';

test('an FC edge-popup net trains on synthetic data', async () => {
  const ctx = await gpu();
  const cfg = mlp({ input: [1, 8, 8], hidden: [32], batch: 32, epochs: 3 });
  const plan = lower(cfg, 'smoke', ctx.limits);
  const ds = loadDataset(cfg.data);
  const ex = await prepare(ctx, plan, ds);
  for (let e = 0; e < 3; e++) {
    const r = await trainEpoch(ex, ds, e);
    console.log(JSON.stringify(r));
  }
  assert.ok(true);
});

test.run();
