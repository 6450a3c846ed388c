// Image shards end to end: a plan whose buffers may not exceed 64 KiB splits a 384 KB training
// set into shards of whole images (one buffer and binding each), uploads each, and trains, with
// augmentation, exactly as the plan that holds the images in one buffer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import type { Plan } from '../../compiler/plan/plan.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { prepare, trainEpoch } from '../../runtime/train.js';
import { TIMING_FIELDS, type EpochRecord } from '../../runtime/results/epoch.js';
import { mlp, synthetic } from '../helpers/configs.js';
import { gpu } from '../helpers/gpu.js';

const data = { ...synthetic([3, 8, 8], 4, 2000, 200), augment: [{ kind: 'random_crop' as const, pad: 2 }, { kind: 'hflip' as const }] };
const cfg = mlp({ input: [3, 8, 8], hidden: [16], classes: 4, data, batch: 32, epochs: 2, seed: 21 });

async function train(plan: Plan) {
  const ctx = await gpu();
  const ds = loadDataset(cfg.data);
  const ex = await prepare(ctx, plan, ds);
  const records: Partial<EpochRecord>[] = [];
  for (let e = 0; e < 2; e++) {
    const r: Partial<EpochRecord> = { ...(await trainEpoch(ex, ds, e)) };
    for (const k of TIMING_FIELDS) delete r[k];
    records.push(r);
  }
  const scores = plan.tensors.filter((t) => t.role === 'score');
  const bytes = (await ex.read(scores.map((t) => t.range))).map((b) => [...new Uint32Array(b)]);
  ex.destroy();
  return { records, bytes };
}

test('six 64 KiB shards train exactly as one buffer', async () => {
  const ctx = await gpu();
  const whole = lower(cfg, 'whole', ctx.limits);
  const sharded = lower(cfg, 'sharded', { ...ctx.limits, maxBufferSize: 65536 });
  assert.is(whole.data.trainImageShards?.buffers.length ?? 1, 1);
  const shards = sharded.data.trainImageShards!;
  assert.is(shards.buffers.length, 6);
  assert.is(shards.imagesPerShard, 334);
  for (const b of shards.buffers) assert.ok(sharded.buffers[b].size <= 65536, `${sharded.buffers[b].name}: ${sharded.buffers[b].size} bytes`);
  const a = await train(whole);
  const b = await train(sharded);
  assert.equal(b.records, a.records);
  assert.equal(b.bytes, a.bytes, 'the same scores, bit for bit');
});

test.run();
