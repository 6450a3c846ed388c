// Aggregation over seeds. Runs that differ only in their seed form one group; a group is reported
// as mean ± sample standard deviation (n − 1 in the denominator; 0 for a single run) with n.
// Runs are grouped by their configuration without the seed, not by their axis labels alone, so
// two invocations with different `--set` values that share labels never pool into one mean.
import type { RunConfig } from '../../compiler/plan/config.js';
import { runId } from '../../compiler/index.js';
import { compareAxisValues, SEED_AXIS } from './axes.js';
import { policyOf, type CompleteRun } from './records.js';

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

export interface Group {
  experiment: string;
  policy: string;
  /** Swept values of the group without the seed, in sweep order. */
  axes: Record<string, string>;
  /** Hash of the configuration with the seed and the axis labels left out. */
  configId: string;
  runIds: string[];
  seeds: number[];
  final: Stat;
  best: Stat;
  params: number;
  keptParams: number;
  /** Kept weights over all weights (1 for dense). */
  keptFraction: number;
  epochs: number;
}

export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const ss = xs.reduce((a, x) => a + (x - mean) * (x - mean), 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

function withoutSeed(axes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(axes)) if (k !== SEED_AXIS) out[k] = v;
  return out;
}

export function configIdWithoutSeed(config: RunConfig): string {
  return runId({ ...config, seed: 0, axes: {} });
}

/** Axis paths (seed excluded) in the order they first appear: the sweep order of the file. */
export function axisPaths(groups: readonly { axes: Record<string, string> }[]): string[] {
  const seen = new Set<string>();
  for (const g of groups) for (const k of Object.keys(g.axes)) seen.add(k);
  return [...seen];
}

export function compareGroups(a: Group, b: Group, paths: readonly string[]): number {
  if (a.experiment !== b.experiment) return a.experiment.localeCompare(b.experiment);
  for (const p of paths) {
    const va = a.axes[p];
    const vb = b.axes[p];
    if (va === vb) continue;
    if (va === undefined) return -1;
    if (vb === undefined) return 1;
    const c = compareAxisValues(va, vb);
    if (c !== 0) return c;
  }
  return a.configId.localeCompare(b.configId);
}

export function aggregate(runs: readonly CompleteRun[]): Group[] {
  const byKey = new Map<string, CompleteRun[]>();
  for (const r of runs) {
    const key = `${r.summary.experiment}\u0000${configIdWithoutSeed(r.config)}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const groups: Group[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.summary.seed - b.summary.seed);
    const first = list[0];
    const params = first.summary.params;
    const kept = stat(list.map((r) => r.summary.kept_params)).mean;
    groups.push({
      experiment: first.summary.experiment,
      policy: policyOf(first.config),
      // The summary keeps the sweep order of the axes; config.json is canonical (sorted keys).
      axes: withoutSeed(first.summary.axes ?? first.config.axes),
      configId: configIdWithoutSeed(first.config),
      runIds: list.map((r) => r.summary.run_id),
      seeds: list.map((r) => r.summary.seed),
      final: stat(list.map((r) => r.summary.final_test_accuracy)),
      best: stat(list.map((r) => r.summary.best_test_accuracy)),
      params,
      keptParams: kept,
      keptFraction: params > 0 ? kept / params : NaN,
      epochs: first.summary.epochs,
    });
  }
  const paths = axisPaths(groups);
  return groups.sort((a, b) => compareGroups(a, b, paths));
}

/** Groups whose experiment and axis labels coincide although their configurations differ. */
export function labelCollisions(groups: readonly Group[]): Group[][] {
  const byLabel = new Map<string, Group[]>();
  for (const g of groups) {
    const k = `${g.experiment}\u0000${JSON.stringify(g.axes)}`;
    byLabel.set(k, [...(byLabel.get(k) ?? []), g]);
  }
  return [...byLabel.values()].filter((l) => l.length > 1);
}
