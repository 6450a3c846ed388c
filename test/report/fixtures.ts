// Fake run directories with known accuracies, for the report tests: config.json (a real
// RunConfig, its model arguments carrying the swept values so that every point is its own
// configuration), summary.json and metrics.jsonl, as `subnet run` writes them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../../compiler/plan/config.js';
import { canonicalJson } from '../../compiler/expand/hash.js';
import type { Summary } from '../../runtime/results/rundir.js';
import { mlp } from '../helpers/configs.js';

export interface FakeRun {
  experiment: string;
  policy: 'edge_popup' | 'supermask' | 'dense';
  axes: Record<string, string>;
  seed: number;
  final: number;
  best?: number;
  params?: number;
  kept?: number;
}

let counter = 0;

export function fakeConfig(r: FakeRun): RunConfig {
  const c = mlp({ seed: r.seed, mask: r.policy === 'dense' ? { kind: 'dense' } : { kind: 'edge_popup', keep: 0.5 } });
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.axes)) if (k !== 'seed') args[k] = v;
  return {
    ...c,
    experiment: r.experiment,
    model: { ...c.model, args },
    mask: r.policy === 'supermask' ? { kind: 'supermask', eval: 'sample' } : c.mask,
    axes: r.axes,
  };
}

/** Writes `<root>/<id>/` for the run and returns its id. */
export function writeFakeRun(root: string, r: FakeRun): string {
  const id = `f${(counter++).toString(16).padStart(11, '0')}`;
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const config = fakeConfig(r);
  writeFileSync(join(dir, 'config.json'), canonicalJson(config) + '\n');
  const params = r.params ?? 1000;
  const summary: Summary = {
    run_id: id,
    experiment: r.experiment,
    axes: r.axes,
    seed: r.seed,
    status: 'complete',
    epochs: 2,
    final_test_accuracy: r.final,
    best_test_accuracy: r.best ?? r.final,
    best_epoch: 2,
    final_train_accuracy: r.final,
    final_train_loss: 0.5,
    final_test_loss: 0.6,
    train_images_per_second: 1000,
    seconds_per_epoch: 1,
    params,
    kept_params: r.kept ?? (r.policy === 'dense' ? params : params / 2),
    dispatches_per_train_step: 15,
    adapter: 'fake',
    out_dir: dir,
    finished_at: '2026-01-01T00:00:00.000Z',
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  const epochs = [
    { epoch: 1, lr: 0.1, train_loss: 1, train_accuracy: r.final / 2, test_loss: 1, test_accuracy: r.final / 2, train_images_per_second: 1000, train_seconds: 1, eval_seconds: 0.1 },
    { epoch: 2, lr: 0.05, train_loss: 0.5, train_accuracy: r.final, test_loss: 0.6, test_accuracy: r.final, train_images_per_second: 1000, train_seconds: 1, eval_seconds: 0.1 },
  ];
  writeFileSync(join(dir, 'metrics.jsonl'), epochs.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return id;
}

const SEEDS = [0, 1, 2];
/** Seeds spread the accuracy by ±D around the group's mean: sample std exactly D, mean exact. */
export const D = 0.0625;
const spread = (mean: number, seed: number) => mean + (seed - 1) * D;

function grid(axes: Record<string, string[]>): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [k, vs] of Object.entries(axes)) out = out.flatMap((o) => vs.map((v) => ({ ...o, [k]: v })));
  return out;
}

export function sweep(root: string, experiment: string, policy: FakeRun['policy'], axes: Record<string, string[]>, mean: (a: Record<string, string>) => number): void {
  for (const a of grid(axes)) for (const seed of SEEDS) writeFakeRun(root, { experiment, policy, axes: { ...a, seed: String(seed) }, seed, final: spread(mean(a), seed), best: spread(mean(a), seed) + D });
}

const keepNum = (a: Record<string, string>) => Number(a['mask.keep'].slice(0, -1)) / 100;

/** Fig. 3: Conv2/Conv4 × two distributions × keep, and the dense networks. Means are k/64. */
export function fig3(root: string): void {
  sweep(root, 'keep', 'edge_popup', {
    model: ['Conv2()', 'Conv4()'],
    weights: ['kaiming_normal(scaled: true)', 'signed_kaiming_constant(scaled: true)'],
    'mask.keep': ['10%', '30%', '50%', '70%', '90%'],
  }, (a) => (32 + (a.model === 'Conv4()' ? 4 : 0) + (a.weights.startsWith('signed') ? 4 : 0) + Math.round(16 * (1 - Math.abs(keepNum(a) - 0.5) * 2))) / 64);
  sweep(root, 'dense', 'dense', { model: ['Conv2()', 'Conv4()'] }, (a) => (a.model === 'Conv4()' ? 50 : 46) / 64);
}

/** Fig. 4: width × keep, and dense networks of each width. */
export function fig4(root: string): void {
  sweep(root, 'width', 'edge_popup', { 'model.width': ['0.5', '1', '2'], 'mask.keep': ['30%', '50%'] }, (a) => (30 + 8 * Math.log2(Number(a['model.width']) * 2) + (a['mask.keep'] === '50%' ? 4 : 0)) / 64);
  sweep(root, 'dense', 'dense', { 'model.width': ['0.5', '1', '2'] }, (a) => (40 + 4 * Math.log2(Number(a['model.width']) * 2)) / 64);
}

/** Fig. 6: edge-popup against the Bernoulli supermask and dense training, per network. */
export function fig6(root: string): void {
  const nets = { model: ['Conv2()', 'Conv4()', 'Conv6()'] };
  const depth = (a: Record<string, string>) => Number(a.model[4]);
  sweep(root, 'edge_popup', 'edge_popup', nets, (a) => (40 + 2 * depth(a)) / 64);
  sweep(root, 'supermask', 'supermask', nets, (a) => (34 + 2 * depth(a)) / 64);
  sweep(root, 'dense', 'dense', nets, (a) => (38 + depth(a)) / 64);
}

export const DISTRIBUTIONS = ['kaiming_normal()', 'kaiming_uniform()', 'xavier_normal()', 'xavier_uniform()', 'signed_kaiming_constant()', 'unsigned_constant()'];

/** Fig. 7: six distributions × scaled × keep, and one dense run per seed. */
export function fig7(root: string): void {
  sweep(root, 'distributions', 'edge_popup', { weights: DISTRIBUTIONS, 'weights.scaled': ['false', 'true'], 'mask.keep': ['10%', '50%', '90%'] }, (a) =>
    (20 + 3 * DISTRIBUTIONS.indexOf(a.weights) + (a['weights.scaled'] === 'true' ? 4 : 0) + (a['mask.keep'] === '50%' ? 8 : 0)) / 64,
  );
  sweep(root, 'dense', 'dense', {}, () => 48 / 64);
}
