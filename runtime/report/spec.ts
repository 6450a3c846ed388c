// A Figure as a Vega-Lite specification. The spec is plain JSON with the data inline, so the
// same object is rendered to SVG here and embedded in report.html for anyone to re-plot.
// Subnetwork lines are solid with points and ±std error bars; the dense baseline is dashed and
// grey/black (a rule with a translucent ±std band when it does not vary along x).
import { axisNumber } from './axes.js';
import type { Figure, FigureRow } from './figures.js';

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac', '#1f77b4', '#2ca02c'];
const DENSE_PALETTE = ['#222222', '#666666', '#999999', '#444444', '#7f7f7f', '#b0b0b0'];
const DASH = [6, 4];
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export type VegaLiteSpec = Record<string, unknown>;

export function figureSpec(f: Figure, size = { width: 360, height: 240 }): VegaLiteSpec {
  const q = f.x.kind !== 'category';
  const x = {
    field: 'x',
    type: q ? 'quantitative' : 'ordinal',
    title: f.x.title,
    ...(q
      ? {
          scale: { zero: false, nice: false, padding: 12 },
          // Ticks at the swept values themselves, when there are few enough to read.
          axis: { format: f.x.kind === 'percent' ? '.0%' : undefined, values: f.x.order.length <= 12 ? f.x.order.map((v) => axisNumber(v)) : undefined },
        }
      : { sort: f.x.order, axis: { labelAngle: f.x.order.some((v) => v.length > 8) ? -30 : 0 } }),
  };
  const y = { field: 'mean', type: 'quantitative', title: 'final test accuracy (mean ± std)', scale: { zero: false }, axis: { format: '.0%' } };
  const domain = [...f.series, ...f.denseSeries];
  const range = [...f.series.map((_, i) => PALETTE[i % PALETTE.length]), ...f.denseSeries.map((_, i) => DENSE_PALETTE[i % DENSE_PALETTE.length])];
  const color = { field: 'series', type: 'nominal', title: f.legendTitle, scale: { domain, range }, legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1, labelLimit: 320 } };
  const tooltip = [{ field: 'series', type: 'nominal' }, { field: 'mean', type: 'quantitative', format: '.2%' }, { field: 'std', type: 'quantitative', format: '.2%' }, { field: 'n', type: 'quantitative' }];
  // Series side by side within a category, so their error bars do not overlap.
  const offset = q ? {} : { xOffset: { field: 'series', type: 'nominal', scale: { domain, paddingInner: 0.2 } } };
  // On a band scale the ticks would span the whole band; keep them short.
  const ticks = q ? true : { size: 10 };
  const bars = { x, ...offset, y: { field: 'lo', type: 'quantitative', title: y.title }, y2: { field: 'hi' }, color };
  const layers: [FigureRow['kind'], Record<string, unknown>, Record<string, unknown>][] = [
    // The ±std band and rule of a constant baseline first, so the lines draw over them.
    ['dense-rule', { type: 'rect', opacity: f.denseSeries.length > 1 ? 0.07 : 0.12 }, { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color }],
    ['dense-rule', { type: 'rule', strokeDash: DASH, strokeWidth: 1.5 }, { y, color, tooltip }],
    // Error bars before lines, so that the points are drawn over the bars.
    ['dense-line', { type: 'errorbar', ticks }, bars],
    ['masked', { type: 'errorbar', ticks }, bars],
    ['dense-line', { type: 'line', strokeDash: DASH, point: true }, { x, ...offset, y, color, tooltip }],
    ['masked', { type: 'line', point: true }, { x, ...offset, y, color, tooltip }],
  ];
  // Only kinds that have rows: an empty layer makes vega warn about empty extents.
  const kinds = new Set(f.rows.map((r) => r.kind));
  const layer = layers
    .filter(([kind]) => kinds.has(kind))
    .map(([kind, mark, encoding]) => ({ transform: [{ filter: `datum.kind === '${kind}'` }], mark, encoding }));
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: f.title, subtitle: `error bars: ±1 std over seeds${f.denseSeries.length ? '; dashed: dense (learned) baseline' : ''}` },
    data: { values: f.rows },
    config: { font: FONT, legend: { orient: 'right' }, title: { anchor: 'start' } },
  };
  if (!f.facet) return { ...base, width: size.width, height: size.height, layer };
  return {
    ...base,
    facet: { field: 'facet', type: 'ordinal', title: f.facet.title, sort: f.facet.order },
    columns: Math.min(4, f.facet.order.length),
    spec: { width: Math.round(size.width * 0.75), height: Math.round(size.height * 0.8), layer },
    resolve: { scale: { y: 'shared' } },
  };
}
