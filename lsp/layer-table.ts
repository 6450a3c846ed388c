// The per-layer table a hover on a model or on `keep` shows: per weight layer its shapes, its
// weights, how many are kept and its resolved mask, read off the run configuration the compiler
// produced. These are the numbers of the Plan's layer statistics (`subnet plan`), and a test holds
// them equal to lower()'s for every example; they are not taken from lower() itself because
// lowering a ResNet-50 run (kernels, memory placement) costs a few hundred milliseconds, which a
// hover cannot wait for.
import { keptCount, maskLabel, weightLayers, type ExpandedRun, type LayerStats, type RunConfig } from './compiler-api.js';

export type TableRow = Omit<LayerStats, 'flopsPerExample'>;

export interface TableStats {
  layers: TableRow[];
  params: number;
  keptParams: number;
}

export function tableStats(cfg: RunConfig): TableStats {
  const layers: TableRow[] = [];
  let params = 0;
  let kept = 0;
  for (const l of weightLayers(cfg.model.layers)) {
    const n = l.kind === 'linear' ? l.inFeatures * l.outFeatures : l.outChannels * l.inChannels * l.kernel * l.kernel;
    const k = l.mask.kind === 'edge_popup' ? keptCount(n, l.mask.keep) : n;
    params += n;
    kept += k;
    layers.push({ name: l.name, kind: l.kind, inShape: l.inShape, outShape: l.outShape, params: n, kept: k, mask: maskLabel(l.mask) });
  }
  return { layers, params, keptParams: kept };
}

const cache = new Map<string, TableStats>();

/** The table of a run, kept per run id (a sweep's hover summarises many runs). */
export function runStats(run: ExpandedRun): TableStats {
  let s = cache.get(run.id);
  if (!s) {
    s = tableStats(run.config);
    if (cache.size >= 1024) cache.delete(cache.keys().next().value!);
    cache.set(run.id, s);
  }
  return s;
}

/** 266200 → 266,200 (by hand: the first toLocaleString call sets up ICU, ~40 ms measured, more under load). */
export const int = (n: number): string => String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const shape = (s: number[]): string => `[${s.join(', ')}]`;
const pct = (a: number, b: number): string => (b === 0 ? '' : `${+((100 * a) / b).toFixed(1)}%`);

/** The markdown table of a run's weight layers: shapes, params, kept, mask; then the totals. */
export function layerTable(stats: TableStats, opts: { shapes: boolean }): string {
  const head = opts.shapes ? '| layer | kind | in → out | params | kept | mask |\n|---|---|---|--:|--:|---|' : '| layer | params | kept | mask |\n|---|--:|--:|---|';
  const rows = stats.layers.map((l) =>
    opts.shapes
      ? `| ${l.name} | ${l.kind} | ${shape(l.inShape)} → ${shape(l.outShape)} | ${int(l.params)} | ${int(l.kept)} | ${l.mask} |`
      : `| ${l.name} | ${int(l.params)} | ${int(l.kept)} | ${l.mask} |`,
  );
  const total = opts.shapes
    ? `| **total** | | | **${int(stats.params)}** | **${int(stats.keptParams)}** | ${pct(stats.keptParams, stats.params)} kept |`
    : `| **total** | **${int(stats.params)}** | **${int(stats.keptParams)}** | ${pct(stats.keptParams, stats.params)} kept |`;
  return [head, ...rows, total].join('\n');
}

/** For an experiment of several runs: kept weights per point of its sweeps (seeds folded), at most `limit` lines. */
export function sweepSummary(runs: readonly ExpandedRun[], limit = 12): string | undefined {
  const seen = new Map<string, string>();
  for (const r of runs) {
    const axes = Object.entries(r.config.axes).filter(([k]) => k !== 'seed');
    if (axes.length === 0) continue;
    const key = axes.map(([k, v]) => `${k}=${v}`).join(', ');
    if (seen.has(key)) continue;
    const t = runStats(r);
    seen.set(key, `- \`${key}\`: ${int(t.keptParams)} of ${int(t.params)} kept (${pct(t.keptParams, t.params)})`);
  }
  if (seen.size <= 1) return undefined;
  const lines = [...seen.values()];
  const shown = lines.slice(0, limit);
  if (lines.length > limit) shown.push(`- … and ${lines.length - limit} more`);
  return shown.join('\n');
}
