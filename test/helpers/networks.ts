// The std/ networks as test configurations, and the two device checks the network tests share: a
// training step that runs clean, and a step whose loss and updated tensors match the reference.
import * as assert from 'uvu/assert';
import { buildTrainGraph } from '../../compiler/autodiff/autodiff.js';
import type { RunConfig } from '../../compiler/plan/config.js';
import { lower } from '../../compiler/lower/index.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { referenceBatch } from '../../runtime/reference/batch.js';
import { RefState, initState, runGraph } from '../../runtime/reference/interpreter.js';
import { prepare } from '../../runtime/train.js';
import { compileText } from '../check/virtual.js';
import { relativeError } from './compare.js';
import { gpu } from './gpu.js';

/** An edge-popup experiment on `model` (a std/ network, or one the `prelude` defines). */
export function networkConfig(model: string, data: string, batch: number, imp = 'std/frankle.subnet', prelude = '', keep = '50%'): RunConfig {
  const r = compileText(`import "${imp}"
${prelude}
experiment e {
  model = ${model}
  data = ${data}
  weights = signed_kaiming_constant()
  mask = edge_popup(keep: ${keep})
  optimizer = sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4, schedule: cosine)
  train = { epochs: 1, batch: ${batch} }
}`);
  assert.equal(r.diagnostics.map((d) => d.message), []);
  return r.experiments[0].runs[0].config as RunConfig;
}

export const CIFAR = 'synthetic(shape: [3, 32, 32], classes: 10, n: 8, test_n: 4)';

/** One training step of a batch of 4 on the device: finite loss, every example counted, no device error. */
export async function trainsAStep(model: string, imp = 'std/frankle.subnet'): Promise<void> {
  const ctx = await gpu();
  const cfg = networkConfig(model, CIFAR, 4, imp);
  const plan = lower(cfg, model, ctx.limits);
  const ex = await prepare(ctx, plan, loadDataset(cfg.data));
  ex.writeBuffer(plan.data.permutation, new Uint32Array([0, 1, 2, 3, 4, 5, 6, 7]));
  ex.setStep({ step: 0, epoch: 0, batch_start: 0, valid: 4, lr: 0.1 });
  ex.run('trainStep');
  const m = await ex.readF32(plan.metrics.train);
  assert.ok(Number.isFinite(m[0]) && m[2] === 4, `${model}: metrics ${m}`);
  assert.is(ctx.errors.length, 0, ctx.errors.join('\n'));
  ex.destroy();
}

/**
 * One step of 2 examples on the device and in the reference interpreter. The loss must agree to
 * 1e-4. Every trained tensor (scores, batch-norm statistics) within relative L2 error `maxRel`,
 * the median within `medianRel`: through many layers of batch norm on 2 examples, ReLUs of values
 * within rounding of zero flip a few gradient entries, and the error grows toward the stem (each
 * kernel alone matches to ~1e-5). A wrong kernel gives O(1) errors.
 */
export async function stepMatchesReference(cfg: RunConfig, label: string, maxRel: number, medianRel: number): Promise<void> {
  const ctx = await gpu();
  const plan = lower(cfg, label, ctx.limits);
  const ds = loadDataset(cfg.data);
  const ex = await prepare(ctx, plan, ds);
  const order = new Uint32Array([2, 0, 3, 1]);
  ex.writeBuffer(plan.data.permutation, order);
  ex.setStep({ step: 0, epoch: 0, batch_start: 0, valid: 2, lr: 0.1 });
  ex.run('trainStep');
  const graph = buildTrainGraph(cfg);
  const state = new RefState();
  initState(graph, state, cfg.seed);
  runGraph(graph, state, { batch: referenceBatch(cfg, ds.train, ds.shape, order, 0, 2), lr: 0.1 });
  const m = await ex.readF32(plan.metrics.train);
  const rm = state.tensors.get('metrics.train') as Float32Array;
  assert.ok(Math.abs(m[0] - rm[0]) < 1e-4 * rm[0], `loss ${m[0]} vs ${rm[0]}`);
  const params = plan.tensors.filter((t) => t.kind === 'param' && t.role !== 'weight');
  const got = await ex.read(params.map((t) => t.range));
  const errors = params.map((t, i) => ({ name: t.name, rel: relativeError(new Float32Array(got[i]), state.tensors.get(t.name) as Float32Array) }));
  for (const e of errors) assert.ok(e.rel <= maxRel, `${e.name}: relative error ${e.rel}`);
  const median = errors.map((e) => e.rel).sort((a, b) => a - b)[Math.floor(errors.length / 2)];
  assert.ok(median <= medianRel, `median relative error ${median}`);
  assert.ok(params.length > 20, `${params.length} params compared`);
  ex.destroy();
}
