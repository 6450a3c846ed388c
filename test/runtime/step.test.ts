// Whole training steps on the device against the reference interpreter running the same IR:
// same initial weights (bit for bit), same scores and optimiser state after an epoch with a
// partial last batch, weights untouched under edge-popup, exact kept counts per layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import { keptCount, scoreKey } from '../../compiler/semantics/topk.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { prepare, trainEpoch } from '../../runtime/train.js';
import { mlp, synthetic } from '../helpers/configs.js';
import { gpu } from '../helpers/gpu.js';
import { assertSameInit, referenceEpoch, sideBySide } from '../helpers/compare.js';
import { maxAbsDiff } from '../helpers/kernel.js';
import type { RunConfig } from '../../compiler/plan/config.js';

async function compare(cfg: RunConfig, label: string) {
  const { plan, ds, ex, graph, state, params, read } = await sideBySide(cfg, label);
  const before = await read();
  assertSameInit(params, before, state);
  await trainEpoch(ex, ds, 0);
  referenceEpoch(cfg, graph, state, ds);
  const after = await read();
  for (const t of params) {
    const got = after.get(t.name)!;
    const want = state.tensors.get(t.name) as Float32Array;
    const { diff, at } = maxAbsDiff(got, want);
    const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
    assert.ok(diff <= 2e-4 * scale, `${t.name} after an epoch: max diff ${diff} at ${at} (got ${got[at]}, want ${want[at]})`);
  }
  const m = await ex.readF32(plan.metrics.train);
  const rm = state.tensors.get('metrics.train') as Float32Array;
  assert.is(m[2], rm[2], 'examples counted');
  assert.ok(Math.abs(m[0] - rm[0]) < 1e-3 * rm[0], `loss sum ${m[0]} vs ${rm[0]}`);
  return { plan, ex, before, after };
}

test('edge-popup: an epoch matches the reference; weights never change; kept counts exact', async () => {
  const cfg = mlp({ input: [1, 6, 6], hidden: [20, 13], classes: 5, batch: 16, data: synthetic([1, 6, 6], 5, 50, 20), seed: 11 });
  const { plan, ex, before, after } = await compare(cfg, 'step-popup');
  for (const t of plan.tensors.filter((x) => x.role === 'weight')) {
    assert.equal(new Uint32Array(after.get(t.name)!.buffer), new Uint32Array(before.get(t.name)!.buffer), `${t.name} changed`);
  }
  // The thresholds of the last step keep exactly n − floor((1−keep)·n) of the scores they saw;
  // recompute them (one more topk through an eval step) on the final scores and count.
  await (await import('../../runtime/train.js')).evaluate(ex, loadDataset(cfg.data));
  for (const t of plan.tensors.filter((x) => x.name.endsWith('.threshold'))) {
    const thr = await ex.readU32(t.range);
    const s = after.get(`${t.layer}.scores`)!;
    let kept = 0;
    for (let i = 0; i < s.length; i++) {
      const k = scoreKey(s[i]);
      if (k > thr[0] || (k === thr[0] && i >= thr[1])) kept++;
    }
    assert.is(kept, keptCount(s.length, 0.5), `${t.layer} keeps ${kept}`);
    assert.is(thr[2], kept);
  }
});

test('dense learned weights: an epoch matches the reference and the weights move', async () => {
  const cfg = mlp({ input: [1, 5, 5], hidden: [17], classes: 4, batch: 8, mask: { kind: 'dense' }, init: { kind: 'kaiming_uniform', mode: 'fan_in', scaled: false }, data: synthetic([1, 5, 5], 4, 30, 10), lr: 0.05, nesterov: true, seed: 3 });
  const { plan, before, after } = await compare(cfg, 'step-dense');
  const w = plan.tensors.find((t) => t.role === 'weight')!;
  assert.not.equal(new Uint32Array(after.get(w.name)!.buffer), new Uint32Array(before.get(w.name)!.buffer));
});

test('an arena split over several buffers (a small maxBufferSize) trains bit-identically', async () => {
  const ctx = await gpu();
  const cfg = mlp({ input: [1, 6, 6], hidden: [20, 13], classes: 5, batch: 16, data: synthetic([1, 6, 6], 5, 50, 20), seed: 11 });
  const ds = loadDataset(cfg.data);
  const final = async (maxBufferSize: number) => {
    const plan = lower(cfg, 'split', { ...ctx.limits, maxBufferSize });
    const ex = await prepare(ctx, plan, ds);
    await trainEpoch(ex, ds, 0);
    const params = plan.tensors.filter((t) => t.kind === 'param');
    const bufs = await ex.read(params.map((t) => t.range));
    ex.destroy();
    return { arenas: plan.buffers.filter((b) => b.role === 'arena' && b.name.startsWith('arena')).length, values: bufs.map((b) => Array.from(new Uint32Array(b))) };
  };
  const one = await final(ctx.limits.maxBufferSize);
  const many = await final(4096);
  assert.is(one.arenas, 1);
  assert.ok(many.arenas > 2, `${many.arenas} arena buffers`);
  assert.equal(many.values, one.values);
});

test.run();
