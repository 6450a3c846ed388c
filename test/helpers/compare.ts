// The device and the reference interpreter side by side on one configuration: both initialised
// from the seed, an epoch on each, and the persistent tensors read back for comparison.
import * as assert from 'uvu/assert';
import { buildTrainGraph, optimSpec } from '../../compiler/autodiff/autodiff.js';
import type { RunConfig } from '../../compiler/plan/config.js';
import { lower } from '../../compiler/lower/index.js';
import type { PlanTensor } from '../../compiler/plan/plan.js';
import { adamCorrections, lrAt } from '../../compiler/semantics/schedule.js';
import { epochPermutation } from '../../compiler/semantics/shuffle.js';
import { loadDataset, type Dataset } from '../../runtime/data/dataset.js';
import { referenceBatch } from '../../runtime/reference/batch.js';
import { RefState, initState, runGraph } from '../../runtime/reference/interpreter.js';
import { prepare } from '../../runtime/train.js';
import { gpu } from './gpu.js';

export async function sideBySide(cfg: RunConfig, label = 'compare', lowerOpts: Parameters<typeof lower>[3] = {}) {
  const ctx = await gpu();
  const plan = lower(cfg, label, ctx.limits, lowerOpts);
  const ds = loadDataset(cfg.data);
  const ex = await prepare(ctx, plan, ds);
  const graph = buildTrainGraph(cfg);
  const state = new RefState();
  initState(graph, state, cfg.seed);
  const params = plan.tensors.filter((t) => t.kind === 'param');
  /** The device's persistent tensors by name. */
  const read = async () => {
    const bufs = await ex.read(params.map((t) => t.range));
    return new Map(params.map((t, i) => [t.name, new Float32Array(bufs[i])]));
  };
  return { ctx, plan, ds, ex, graph, state, params, read };
}

/** One epoch of the reference, with the inputs a device step sees (batch, lr, step, seed, Adam's corrections). */
export function referenceEpoch(cfg: RunConfig, graph: ReturnType<typeof buildTrainGraph>, state: RefState, ds: Dataset, epoch = 0): void {
  const steps = Math.ceil(ds.train.n / cfg.train.batch);
  const perm = epochPermutation(cfg.seed, epoch, ds.train.n);
  const optim = optimSpec(cfg, 0);
  for (let s = 0; s < steps; s++) {
    const step = epoch * steps + s;
    runGraph(graph, state, {
      batch: referenceBatch(cfg, ds.train, ds.shape, perm, s * cfg.train.batch, cfg.train.batch),
      lr: lrAt(cfg.optimizer, epoch, cfg.train.epochs),
      step,
      epoch,
      seed: cfg.seed,
      ...adamCorrections(optim.kind === 'adam' ? optim : undefined, step + 1),
    });
  }
}

const INIT_ROLES = new Set(['weight', 'score', 'bn_gamma', 'bn_beta', 'bn_running_mean', 'bn_running_var']);

/** The device's initial weights, scores and batch-norm tensors equal the reference's, bit for bit. */
export function assertSameInit(params: PlanTensor[], before: Map<string, Float32Array>, state: RefState): void {
  for (const t of params) {
    if (!t.role || !INIT_ROLES.has(t.role)) continue;
    const want = state.tensors.get(t.name) as Float32Array;
    assert.equal(new Uint32Array(before.get(t.name)!.buffer), new Uint32Array(want.buffer), `${t.name}: initial bits differ from the reference`);
  }
}

export function relativeError(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d / Math.max(n, 1e-30));
}
