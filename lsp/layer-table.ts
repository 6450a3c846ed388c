// The per-layer table a hover on a model or on `keep` shows: the Plan's layer statistics
// (lower()'s, the numbers `subnet plan` prints), made for limits no real adapter has so that a
// model too large for one binding still gets its table (the limits change placement, never the
// counts). Lowering a run costs tens of milliseconds, so tables are kept per run id.
import { keptCount, lower, weightLayers, type ExpandedRun, type PlanStats, type RunConfig, type TargetLimits } from './compiler-api.js';

const UNBOUNDED: TargetLimits = {
  minStorageBufferOffsetAlignment: 256,
  maxStorageBufferBindingSize: Number.MAX_SAFE_INTEGER,
  maxBufferSize: Number.MAX_SAFE_INTEGER,
  maxComputeWorkgroupsPerDimension: 2 ** 31 - 1,
  maxStorageBuffersPerShaderStage: 64,
};

const cache = new Map<string, PlanStats | null>();

/** The layer statistics of a run, or null when it cannot be lowered (the reason is not a hover's business). */
export function runStats(run: ExpandedRun): PlanStats | null {
  if (cache.has(run.id)) return cache.get(run.id)!;
  let stats: PlanStats | null = null;
  try {
    stats = lower(run.config, run.id, UNBOUNDED).stats;
  } catch {
    stats = null;
  }
  if (cache.size >= 64) cache.delete(cache.keys().next().value!);
  cache.set(run.id, stats);
  return stats;
}

/** Total and kept weights of a configuration without lowering it (the sweep summary lists many runs). */
export function keptTotals(cfg: RunConfig): { params: number; kept: number } {
  let params = 0;
  let kept = 0;
  for (const l of weightLayers(cfg.model.layers)) {
    const n = l.kind === 'linear' ? l.inFeatures * l.outFeatures : l.outChannels * l.inChannels * l.kernel * l.kernel;
    params += n;
    kept += l.mask.kind === 'edge_popup' ? keptCount(n, l.mask.keep) : n;
  }
  return { params, kept };
}

const int = (n: number): string => n.toLocaleString('en-US');
const shape = (s: number[]): string => `[${s.join(', ')}]`;
const pct = (a: number, b: number): string => (b === 0 ? '' : `${+((100 * a) / b).toFixed(1)}%`);

/** The markdown table of a run's weight layers: shapes, params, kept, mask; then the totals. */
export function layerTable(stats: PlanStats, opts: { shapes: boolean }): string {
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
    const t = keptTotals(r.config);
    seen.set(key, `- \`${key}\`: ${int(t.kept)} of ${int(t.params)} kept (${pct(t.kept, t.params)})`);
  }
  if (seen.size <= 1) return undefined;
  const lines = [...seen.values()];
  const shown = lines.slice(0, limit);
  if (lines.length > limit) shown.push(`- … and ${lines.length - limit} more`);
  return shown.join('\n');
}
