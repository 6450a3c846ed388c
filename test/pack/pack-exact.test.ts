// Each packed run is exactly its solo run: metrics.jsonl (less timings), summary metrics and the
// checkpoint's tensors are byte-identical to `executeRun` of that run alone, for an FC pack over
// keep × seeds and a Conv2 pack over weight distributions (docs/scaling.md, "Packed sweeps").
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfig } from '../../compiler/plan/config.js';
import { lower } from '../../compiler/lower/index.js';
import { packPlans } from '../../compiler/pack/pack.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { PackExecutor } from '../../runtime/pack/pack-executor.js';
import { executeRun, RunDiverged } from '../../runtime/run.js';
import { compileText } from '../check/virtual.js';
import { mlp, synthetic } from '../helpers/configs.js';
import { gpu } from '../helpers/gpu.js';

const TIMINGS = new Set(['train_images_per_second', 'train_seconds', 'eval_seconds']);

function metrics(dir: string): unknown[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => Object.fromEntries(Object.entries(JSON.parse(l)).filter(([k]) => !TIMINGS.has(k))));
}

async function packedEqualsSolo(configs: RunConfig[]): Promise<void> {
  const ctx = await gpu();
  const ids = configs.map((_, i) => `run${i}`);
  const plans = configs.map((c, i) => lower(c, ids[i], ctx.limits));
  const ds = loadDataset(configs[0].data);
  const soloRoot = mkdtempSync(join(tmpdir(), 'subnet-solo-'));
  const packRoot = mkdtempSync(join(tmpdir(), 'subnet-pack-'));
  const base = { experiment: 'e', dataset: ds, source: '' };
  for (let i = 0; i < configs.length; i++) {
    await executeRun(ctx, { ...base, run: { id: ids[i], config: configs[i] }, plan: plans[i], outRoot: soloRoot });
  }
  const packed = packPlans(plans);
  const pack = await PackExecutor.create(ctx, packed, plans);
  await Promise.all(
    configs.map((c, i) =>
      executeRun(ctx, { ...base, run: { id: ids[i], config: c }, plan: plans[i], outRoot: packRoot, open: async () => pack.members[i] }).finally(() => pack.members[i].destroy()),
    ),
  );
  for (const id of ids) {
    assert.equal(metrics(join(packRoot, id)), metrics(join(soloRoot, id)), `${id}: metrics.jsonl`);
    const a = readFileSync(join(packRoot, id, 'checkpoint.safetensors'));
    const b = readFileSync(join(soloRoot, id, 'checkpoint.safetensors'));
    const header = (x: Buffer) => Number(x.readBigUInt64LE(0));
    const tensorsOf = (x: Buffer) => x.subarray(8 + header(x));
    assert.ok(Buffer.compare(tensorsOf(a), tensorsOf(b)) === 0, `${id}: checkpoint tensors differ`);
  }
  // The runs of the pack differ from each other: equality above is not equality with anything.
  assert.not.equal(metrics(join(soloRoot, ids[0])), metrics(join(soloRoot, ids[1])));
  assert.ok(pack.submitted.trainStep > 0);
}

test('FC: a pack over keep × seeds equals the solo runs', async () => {
  const data = synthetic([1, 28, 28], 10, 300, 100);
  const configs: RunConfig[] = [];
  for (const keep of [0.3, 0.5]) for (const seed of [0, 1]) configs.push(mlp({ data, seed, mask: { kind: 'edge_popup', keep }, hidden: [64, 32], epochs: 2 }));
  await packedEqualsSolo(configs);
});

test('a member that diverges fails alone; the pack goes on and the others equal their solo runs', async () => {
  const ctx = await gpu();
  const data = synthetic([1, 8, 8], 4, 256, 64);
  const dense = (lr: number, seed: number) => mlp({ data, input: [1, 8, 8], classes: 4, hidden: [16], mask: { kind: 'dense' }, init: { kind: 'kaiming_normal', mode: 'fan_in', scaled: false }, lr, seed, epochs: 3 });
  const configs = [dense(0.05, 0), dense(1e30, 1), dense(0.05, 2)];
  const plans = configs.map((c, i) => lower(c, `d${i}`, ctx.limits));
  const ds = loadDataset(data);
  const soloRoot = mkdtempSync(join(tmpdir(), 'subnet-solo-'));
  const packRoot = mkdtempSync(join(tmpdir(), 'subnet-pack-'));
  const base = { experiment: 'e', dataset: ds, source: '' };
  for (const i of [0, 2]) await executeRun(ctx, { ...base, run: { id: `d${i}`, config: configs[i] }, plan: plans[i], outRoot: soloRoot });
  const pack = await PackExecutor.create(ctx, packPlans(plans), plans);
  const results = await Promise.allSettled(
    configs.map((c, i) => executeRun(ctx, { ...base, run: { id: `d${i}`, config: c }, plan: plans[i], outRoot: packRoot, open: async () => pack.members[i] }).finally(() => pack.members[i].destroy())),
  );
  assert.is(results[0].status, 'fulfilled');
  assert.is(results[2].status, 'fulfilled');
  assert.ok(results[1].status === 'rejected' && results[1].reason instanceof RunDiverged, String((results[1] as PromiseRejectedResult).reason));
  assert.match((results[1] as PromiseRejectedResult).reason.message, /diverged: training loss (NaN|Infinity) in epoch 1/);
  for (const id of ['d0', 'd2']) assert.equal(metrics(join(packRoot, id)), metrics(join(soloRoot, id)), `${id}: metrics.jsonl`);
});

test('Conv2: a pack over weight distributions equals the solo runs', async () => {
  const r = compileText(`import "std/frankle.subnet"
experiment e {
  model = Conv2(width: 0.125)
  data = synthetic(shape: [1, 28, 28], classes: 10, n: 96, test_n: 32)
  weights = kaiming_normal()
  mask = edge_popup(keep: 50%)
  optimizer = sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4, schedule: cosine)
  train = { epochs: 2, batch: 16 }
  sweep weights in [kaiming_normal(), kaiming_uniform(), signed_kaiming_constant()]
}`);
  assert.equal(r.diagnostics.map((d) => d.message), []);
  await packedEqualsSolo(r.experiments[0].runs.map((x) => x.config as RunConfig));
});

test.run();
