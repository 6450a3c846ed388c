// Which figures a set of runs calls for, and their data. The x axis comes from the swept axes of
// the masked runs: one figure per numeric axis (keep, width, lr, …), or, when none is numeric, per
// named axis (network, distribution), which gives the policy comparison of Fig. 6. The remaining
// swept axes (and the experiment, when masked runs come from several) name the lines. A facet
// splits the figure by a named axis the dense baseline also varies over (Fig. 3's networks), so
// each panel carries its own baseline. Runs with mask policy `dense` are the learned baseline:
// a dashed line when they vary along x, otherwise a horizontal rule with a ±std band.
import { aggregate, axisPaths, type Group } from './aggregate.js';
import { axisKind, axisNumber, axisTitle, compareAxisValues, valueLabel, type AxisKind } from './axes.js';
import { DENSE, type CompleteRun } from './records.js';

export interface FigureRow {
  /** `masked`: a subnetwork line; `dense-line`: the baseline along x; `dense-rule`: a constant baseline. */
  kind: 'masked' | 'dense-line' | 'dense-rule';
  series: string;
  facet?: string;
  x?: number | string;
  mean: number;
  lo: number;
  hi: number;
  std: number;
  n: number;
}

export interface Figure {
  /** File stem: `accuracy-vs-keep`. */
  id: string;
  title: string;
  x: { path: string; title: string; kind: AxisKind; order: string[] };
  facet?: { path: string; title: string; order: string[] };
  legendTitle: string;
  /** Subnetwork series first (natural order), then the dense baselines. */
  series: string[];
  denseSeries: string[];
  rows: FigureRow[];
}

/** Beyond this many lines in one panel a figure is split by its smallest named axis. */
const MAX_LINES = 8;
const EXPERIMENT = 'experiment';

const distinct = (groups: readonly Group[], path: string): string[] =>
  [...new Set(groups.map((g) => (path === EXPERIMENT ? g.experiment : g.axes[path])).filter((v): v is string => v !== undefined))].sort(compareAxisValues);

function slug(path: string): string {
  const short = { 'mask.keep': 'keep', 'model.width': 'width', model: 'network', weights: 'distribution' }[path];
  return (short ?? path).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'axis';
}

function rowStats(g: Group): Pick<FigureRow, 'mean' | 'lo' | 'hi' | 'std' | 'n'> {
  return { mean: g.final.mean, std: g.final.std, lo: g.final.mean - g.final.std, hi: g.final.mean + g.final.std, n: g.final.n };
}

function xValue(kind: AxisKind, text: string): number | string {
  return kind === 'category' ? text : (axisNumber(text) as number);
}

function axisOf(g: Group, path: string): string | undefined {
  return path === EXPERIMENT ? g.experiment : g.axes[path];
}

function figureFor(x: string, candidates: string[], allMasked: Group[], dense: Group[]): Figure {
  // Only the groups that have a value on x draw on this figure: another experiment's axes must
  // not split it into facets or lines (a distributions sweep beside a keep sweep).
  const masked = allMasked.filter((g) => axisOf(g, x) !== undefined);
  const xOrder = distinct(masked, x);
  const xKind: AxisKind = x === EXPERIMENT ? 'category' : axisKind(xOrder);
  const rest = candidates.filter((p) => p !== x && distinct(masked, p).length > 0);
  const named = rest.filter((p) => axisKind(distinct(masked, p)) === 'category');
  const experiments = distinct(masked, EXPERIMENT);
  const byExperiment = x !== EXPERIMENT && experiments.length > 1;

  // A facet for a named axis the baseline varies over; else for the smallest named axis when
  // the lines would not be told apart in one panel.
  let facet = named.find((p) => distinct(dense, p).length > 1);
  const lineCount = (without?: string) =>
    new Set(masked.map((g) => rest.filter((p) => p !== without).map((p) => g.axes[p]).join('\u0000') + (byExperiment ? g.experiment : ''))).size;
  if (!facet && lineCount() > MAX_LINES) {
    facet = [...named].sort((a, b) => distinct(masked, a).length - distinct(masked, b).length).find((p) => lineCount(p) < lineCount());
  }
  const seriesAxes = rest.filter((p) => p !== facet);
  const facetOrder = facet ? distinct(masked, facet) : [];

  const labelOf = (g: Group, axes: string[], prefix: string[]) => {
    const parts = [...prefix, ...axes.filter((p) => g.axes[p] !== undefined).map((p) => valueLabel(p, g.axes[p]))];
    return parts.join(' · ');
  };
  const rows: FigureRow[] = [];
  const series = new Set<string>();
  for (const g of masked) {
    const xv = axisOf(g, x);
    if (xv === undefined) continue;
    const label = labelOf(g, seriesAxes, byExperiment ? [g.experiment] : []) || g.experiment;
    series.add(label);
    // A run without the facet's axis (another experiment) belongs in every panel.
    const facets = facet ? (g.axes[facet] !== undefined ? [g.axes[facet]] : facetOrder) : [undefined];
    for (const f of facets) rows.push({ kind: 'masked', series: label, facet: f, x: xValue(xKind, xv), ...rowStats(g) });
  }

  const denseSeries = new Set<string>();
  const denseAlongX = x !== EXPERIMENT && distinct(dense, x).length > 1;
  const denseExperiments = distinct(dense, EXPERIMENT).length;
  for (const g of dense) {
    const others = Object.keys(g.axes).filter((p) => p !== x && p !== facet && distinct(dense, p).length > 1);
    const label = labelOf(g, others, [denseExperiments > 1 ? `dense (${g.experiment})` : 'dense (learned)']);
    const facets = facet ? (g.axes[facet] !== undefined ? [g.axes[facet]] : facetOrder) : [undefined];
    const xv = axisOf(g, x);
    for (const f of facets) {
      if (facet && !facetOrder.includes(f as string)) continue;
      if (denseAlongX && xv !== undefined) rows.push({ kind: 'dense-line', series: label, facet: f, x: xValue(xKind, xv), ...rowStats(g) });
      else rows.push({ kind: 'dense-rule', series: label, facet: f, ...rowStats(g) });
    }
    denseSeries.add(label);
  }

  const xTitle = axisTitle(x);
  return {
    id: `accuracy-vs-${slug(x)}`,
    title: `Test accuracy vs ${xTitle}${facet ? `, by ${axisTitle(facet)}` : ''}`,
    x: { path: x, title: xTitle, kind: xKind, order: xOrder },
    facet: facet ? { path: facet, title: axisTitle(facet), order: facetOrder } : undefined,
    legendTitle: [...(byExperiment ? [EXPERIMENT] : []), ...seriesAxes.map(axisTitle)].join(' · ') || 'runs',
    series: [...series].sort(compareAxisValues),
    denseSeries: [...denseSeries].sort(compareAxisValues),
    rows,
  };
}

/** The figures for a set of groups (see the header). No masked runs: no figures. */
export function figuresFor(groups: readonly Group[]): Figure[] {
  const masked = groups.filter((g) => g.policy !== DENSE);
  const dense = groups.filter((g) => g.policy === DENSE);
  if (masked.length === 0) return [];
  const candidates = axisPaths(masked).filter((p) => distinct(masked, p).length > 1);
  const numeric = candidates.filter((p) => axisKind(distinct(masked, p)) !== 'category');
  let xs = numeric.length ? numeric : candidates;
  // Nothing swept, but several experiments (a policy comparison of single runs): x = experiment.
  if (xs.length === 0 && distinct(masked, EXPERIMENT).length > 1) xs = [EXPERIMENT];
  const figures = xs.map((x) => figureFor(x, candidates, masked, dense));
  const ids = new Set<string>();
  for (const f of figures) {
    let id = f.id;
    for (let i = 2; ids.has(id); i++) id = `${f.id}-${i}`;
    ids.add(id);
    f.id = id;
  }
  return figures;
}

export function figuresForRuns(runs: readonly CompleteRun[]): Figure[] {
  return figuresFor(aggregate(runs));
}
