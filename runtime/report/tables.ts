// The aggregated results as a terminal table, CSV (full precision, one row per group) and
// Markdown. Columns: experiment, mask policy, every swept axis, n, final and best test accuracy
// (mean ± std over seeds), and the weights kept.
import { axisPaths, labelCollisions, type Group } from './aggregate.js';

const pct = (x: number, digits = 2) => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '–');
const pm = (mean: number, std: number, n: number) => (n > 1 ? `${pct(mean)} ± ${(100 * std).toFixed(2)}` : pct(mean));
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

export interface Table {
  header: string[];
  rows: string[][];
  /** Columns aligned right (numbers). */
  numeric: boolean[];
}

export function resultsTable(groups: readonly Group[]): Table {
  const paths = axisPaths(groups);
  const showConfig = labelCollisions(groups).length > 0;
  const header = ['experiment', 'policy', ...paths, ...(showConfig ? ['config'] : []), 'n', 'final test acc', 'best test acc', 'kept'];
  const numeric = header.map((h) => ['n', 'final test acc', 'best test acc', 'kept'].includes(h));
  const rows = groups.map((g) => [
    g.experiment,
    g.policy,
    ...paths.map((p) => g.axes[p] ?? ''),
    ...(showConfig ? [g.configId] : []),
    String(g.final.n),
    pm(g.final.mean, g.final.std, g.final.n),
    pm(g.best.mean, g.best.std, g.best.n),
    // A supermask samples its mask each step: no fixed count is kept.
    g.policy === 'supermask' ? `sampled (of ${int(g.params)})` : `${pct(g.keptFraction, 1)} (${int(g.keptParams)})`,
  ]);
  return { header, rows, numeric };
}

export function renderTerminal(t: Table): string {
  const all = [t.header, ...t.rows];
  const w = t.header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (t.numeric[c] ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  ').trimEnd();
  return [line(t.header), w.map((n) => '─'.repeat(n)).join('  '), ...t.rows.map(line)].join('\n');
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(t: Table): string {
  const head = `| ${t.header.map(mdCell).join(' | ')} |`;
  const rule = `|${t.numeric.map((n) => (n ? '---:' : '---')).join('|')}|`;
  return [head, rule, ...t.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n');
}

function csvCell(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function resultsCsv(groups: readonly Group[]): string {
  const paths = axisPaths(groups);
  const header = [
    'experiment', 'policy', ...paths, 'n', 'seeds',
    'final_test_accuracy_mean', 'final_test_accuracy_std', 'best_test_accuracy_mean', 'best_test_accuracy_std',
    'params', 'kept_params', 'kept_fraction', 'epochs', 'config_id', 'run_ids',
  ];
  const rows = groups.map((g) => [
    g.experiment, g.policy, ...paths.map((p) => g.axes[p] ?? ''), g.final.n, g.seeds.join(' '),
    g.final.mean, g.final.std, g.best.mean, g.best.std,
    g.params, g.keptParams, g.keptFraction, g.epochs, g.configId, g.runIds.join(' '),
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
