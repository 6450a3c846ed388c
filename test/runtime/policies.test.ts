// Mask policies and optimisers on the device against the reference interpreter: Zhou et al.'s
// supermask (sampled bits, the sigmoid straight-through gradient, all three evaluation modes),
// Adam, per-layer keep with dense first and last layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildEvalGraph} from '../../compiler/autodiff/autodiff.js';
import type { RunConfig, SupermaskEval } from '../../compiler/plan/config.js';
import { Stream } from '../../compiler/semantics/philox.js';
import { lower } from '../../compiler/lower/index.js';
import { sampleBits } from '../../compiler/semantics/supermask.js';
import { keptCount, scoreKey } from '../../compiler/semantics/topk.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { referenceBatch } from '../../runtime/reference/batch.js';
import { initState, runGraph } from '../../runtime/reference/interpreter.js';
import { evaluate, trainEpoch } from '../../runtime/train.js';
import { mlp, synthetic } from '../helpers/configs.js';
import { gpu } from '../helpers/gpu.js';
import { referenceEpoch, relativeError, sideBySide } from '../helpers/compare.js';

/** One epoch on the device and on the reference; returns both states and the relative errors. */
async function epochBoth(cfg: RunConfig) {
  const both = await sideBySide(cfg, 'policy');
  const rec = await trainEpoch(both.ex, both.ds, 0);
  referenceEpoch(cfg, both.graph, both.state, both.ds);
  const after = await both.read();
  const errors = both.params.map((t) => ({ name: t.name, rel: relativeError(after.get(t.name)!, both.state.tensors.get(t.name) as Float32Array) }));
  return { ...both, errors, rec };
}

const SM = (evalMode: SupermaskEval) =>
  mlp({
    input: [1, 6, 6],
    hidden: [24],
    classes: 4,
    batch: 10,
    mask: { kind: 'supermask', eval: evalMode },
    scoreInit: { kind: 'constant', value: 0.5 },
    data: synthetic([1, 6, 6], 4, 40, 30),
    lr: 5,
    momentum: 0.9,
    weightDecay: 0,
    seed: 21,
  });

test('supermask: the sampled bits equal the reference draw; an epoch of updates matches', async () => {
  const cfg = SM('expected');
  const { plan, ex, errors } = await epochBoth(cfg);
  for (const e of errors) assert.ok(e.rel < 1e-3, `${e.name}: relative error ${e.rel}`);
  // The bits of the last step: same Philox draws as the TypeScript sampler.
  const bitsT = plan.tensors.find((t) => t.name === 'linear1.mask_bits')!;
  const scoresT = plan.tensors.find((t) => t.name === 'linear1.scores')!;
  const [bits] = await ex.read([bitsT.range]);
  const steps = Math.ceil(40 / 10);
  // Re-draw on the device with the final scores and compare with the reference sampler.
  ex.setStep({ step: steps, seed_lo: cfg.seed, seed_hi: 0 });
  const at = plan.phases.trainStep.findIndex((d) => plan.kernels[d.kernel].family === 'mask');
  assert.ok(at >= 0, 'a supermask sampling dispatch');
  ex.runRange('trainStep', at, at + 1);
  const [bits2, scores] = await ex.read([bitsT.range, scoresT.range]);
  const want = sampleBits(new Float32Array(scores), 0, cfg.seed, Stream.supermask, steps);
  const got = new Uint32Array(bits2);
  let differ = 0;
  let ones = 0;
  for (let i = 0; i < want.length; i++) {
    let x = (got[i] ^ want[i]) >>> 0;
    while (x) {
      differ += x & 1;
      x >>>= 1;
    }
    let y = got[i];
    while (y) {
      ones += y & 1;
      y >>>= 1;
    }
  }
  assert.ok(differ <= 1, `${differ} bits differ from the reference draw`);
  assert.ok(ones > 0.3 * 36 * 24 && ones < 0.9 * 36 * 24, `${ones} bits set`);
  assert.not.equal(new Uint32Array(bits), got, 'a new step draws a new mask');
});

for (const mode of ['expected', 'threshold', 'sample'] as const) {
  test(`supermask evaluation mode ${mode} equals the reference`, async () => {
    const cfg = SM(mode);
    const { ex, ds, state } = await epochBoth(cfg);
    const dev = await evaluate(ex, ds, 0);
    const g = buildEvalGraph(cfg);
    (state.tensors.get('metrics.test') as Float32Array | undefined)?.fill(0);
    initState(g, state, cfg.seed);
    const B = cfg.train.evalBatch;
    for (let s = 0; s * B < ds.test.n; s++) runGraph(g, state, { batch: referenceBatch(cfg, ds.test, ds.shape, null, s * B, B), lr: 0, epoch: 0, seed: cfg.seed });
    const m = state.tensors.get('metrics.test') as Float32Array;
    assert.ok(Math.abs(dev.accuracy - m[1] / m[2]) <= 1 / ds.test.n + 1e-9, `accuracy ${dev.accuracy} vs ${m[1] / m[2]}`);
    assert.ok(Math.abs(dev.loss - m[0] / m[2]) < 1e-3, `loss ${dev.loss} vs ${m[0] / m[2]}`);
  });
}

test('Adam on scores (edge-popup) and on learned weights matches the reference over an epoch', async () => {
  for (const mask of [{ kind: 'edge_popup' as const, keep: 0.4 }, { kind: 'dense' as const }]) {
    const cfg = mlp({ input: [1, 5, 5], hidden: [13], classes: 3, batch: 7, mask, init: { kind: 'kaiming_uniform', mode: 'fan_in', scaled: false }, data: synthetic([1, 5, 5], 3, 30, 10), seed: 9 });
    cfg.optimizer = { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4, scoreDecay: true, schedule: { kind: 'constant' }, warmup: 0 };
    const { errors } = await epochBoth(cfg);
    for (const e of errors) assert.ok(e.rel < 1e-4, `${mask.kind} ${e.name}: relative error ${e.rel}`);
    assert.ok(errors.some((e) => e.name.endsWith('.adam_v')), 'Adam state exists');
  }
});

test('per-layer keep with dense first and last layers: exact kept counts; frozen layers untouched', async () => {
  const cfg = mlp({ input: [1, 7, 7], hidden: [30, 20], classes: 5, batch: 8, data: synthetic([1, 7, 7], 5, 24, 8), seed: 2 });
  const layers = cfg.model.layers.filter((l) => l.kind === 'linear');
  (layers[0] as { mask: unknown }).mask = { kind: 'frozen' };
  (layers[1] as { mask: unknown }).mask = { kind: 'edge_popup', keep: 0.2 };
  (layers[2] as { mask: unknown }).mask = { kind: 'frozen' };
  const ctx = await gpu();
  const plan = lower(cfg, 'perlayer', ctx.limits);
  assert.equal(plan.stats.layers.map((l) => l.kept), [49 * 30, keptCount(30 * 20, 0.2), 20 * 5]);
  assert.ok(!plan.tensors.some((t) => t.name === 'linear1.scores' || t.name === 'linear3.scores'));
  const { errors, ex } = await epochBoth(cfg);
  for (const e of errors) assert.ok(e.rel < 1e-4, `${e.name}: ${e.rel}`);
  await evaluate(ex, loadDataset(cfg.data));
  const thr = await ex.readU32(plan.tensors.find((t) => t.name === 'linear2.threshold')!.range);
  const s = await ex.readF32(plan.tensors.find((t) => t.name === 'linear2.scores')!.range);
  let kept = 0;
  for (let i = 0; i < s.length; i++) if (scoreKey(s[i]) > thr[0] || (scoreKey(s[i]) === thr[0] && i >= thr[1])) kept++;
  assert.is(kept, keptCount(600, 0.2));
});

test.run();
