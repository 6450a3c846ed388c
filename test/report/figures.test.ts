// Which figures a sweep gets (x axis from the swept axes, lines from the others, facets, the
// dense baseline as a rule or a dashed line), and what the rendered SVGs contain: axis titles,
// one error bar per point, a legend entry per line, the dashed baseline across the panel.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregate } from '../../runtime/report/aggregate.js';
import { figuresFor, type Figure } from '../../runtime/report/figures.js';
import { loadRunDirectory } from '../../runtime/report/load-dir.js';
import { renderSvg } from '../../runtime/report/render.js';
import { figureSpec } from '../../runtime/report/spec.js';
import { D, DISTRIBUTIONS, fig3, fig4, fig6, fig7, sweep, writeFakeRun } from './fixtures.js';

function figures(make: (root: string) => void): Figure[] {
  const root = mkdtempSync(join(tmpdir(), 'subnet-fig-'));
  make(root);
  return figuresFor(aggregate(loadRunDirectory(root).complete));
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

/** The checks every figure must pass, whatever its layout. */
function checkSvg(f: Figure, svg: string): void {
  const t = texts(svg);
  assert.ok(t.includes(f.x.title), `x axis title ${f.x.title}`);
  assert.ok(t.includes('final test accuracy (mean ± std)'), 'y axis title');
  assert.ok(t.includes(f.legendTitle), `legend title ${f.legendTitle}`);
  for (const s of [...f.series, ...f.denseSeries]) assert.ok(t.includes(s), `legend entry ${s}`);
  const points = f.rows.filter((r) => r.kind !== 'dense-rule').length;
  assert.is(count(svg, /aria-roledescription="errorbar"/g), points, 'one error bar per point');
}

test('Fig. 3: accuracy vs keep, one panel per network with its own dense rule', async () => {
  const [f, ...more] = figures(fig3);
  assert.is(more.length, 0, 'keep is the only numeric axis');
  assert.is(f.id, 'accuracy-vs-keep');
  assert.is(f.x.kind, 'percent');
  assert.equal(f.x.order, ['10%', '30%', '50%', '70%', '90%']);
  assert.is(f.facet?.path, 'model');
  assert.equal(f.series, ['kaiming_normal(scaled: true)', 'signed_kaiming_constant(scaled: true)']);
  assert.equal(f.denseSeries, ['dense (learned)']);
  const rules = f.rows.filter((r) => r.kind === 'dense-rule');
  assert.equal(rules.map((r) => [r.facet, r.mean, r.lo, r.hi]), [
    ['Conv2()', 46 / 64, 46 / 64 - D, 46 / 64 + D],
    ['Conv4()', 50 / 64, 50 / 64 - D, 50 / 64 + D],
  ]);
  const p = f.rows.find((r) => r.kind === 'masked' && r.facet === 'Conv4()' && r.x === 0.5 && r.series.startsWith('signed'))!;
  assert.equal([p.mean, p.std, p.n], [56 / 64, D, 3]);

  const svg = await renderSvg(figureSpec(f));
  checkSvg(f, svg);
  assert.ok(texts(svg).includes('Conv2()') && texts(svg).includes('Conv4()'), 'panel headers');
  // The baseline: a dashed rule per panel spanning the panel's width, at the dense mean.
  const dense = [...svg.matchAll(/<line aria-label="[^"]*series: dense \(learned\)[^"]*mean: ([\d.]+)%[^"]*"[^>]*x2="(-?[\d.]+)"[^>]*stroke-dasharray="6,4"/g)];
  assert.equal(dense.map((m) => m[1]), ['71.88', '78.13']);
  for (const m of dense) assert.ok(Math.abs(Number(m[2])) >= 200, 'the rule spans the panel');
  assert.ok(svg.includes("X-axis titled '% of weights kept'"));
});

test('Fig. 4: accuracy vs width with the dense networks as a dashed line along x', async () => {
  const fs = figures(fig4);
  assert.equal(fs.map((f) => f.id).sort(), ['accuracy-vs-keep', 'accuracy-vs-width']);
  const f = fs.find((x) => x.id === 'accuracy-vs-width')!;
  assert.is(f.x.kind, 'number');
  assert.equal(f.x.order, ['0.5', '1', '2']);
  assert.is(f.facet, undefined);
  assert.equal(f.series, ['keep=30%', 'keep=50%']);
  const line = f.rows.filter((r) => r.kind === 'dense-line');
  assert.equal(line.map((r) => [r.x, r.mean]), [[0.5, 40 / 64], [1, 44 / 64], [2, 48 / 64]]);
  const svg = await renderSvg(figureSpec(f));
  checkSvg(f, svg);
  assert.ok(/<path[^>]*aria-roledescription="line mark"[^>]*stroke="#222222"[^>]*stroke-dasharray="6,4"/.test(svg), 'dashed dense line');
  // Along keep the dense runs do not vary: one rule per width.
  const k = fs.find((x) => x.id === 'accuracy-vs-keep')!;
  assert.equal(k.denseSeries, ['dense (learned) · width=0.5', 'dense (learned) · width=1', 'dense (learned) · width=2']);
  checkSvg(k, await renderSvg(figureSpec(k)));
});

test('Fig. 6: the policy comparison by network, dense as a line', async () => {
  const [f, ...more] = figures(fig6);
  assert.is(more.length, 0);
  assert.is(f.id, 'accuracy-vs-network');
  assert.is(f.x.kind, 'category');
  assert.equal(f.x.order, ['Conv2()', 'Conv4()', 'Conv6()']);
  assert.equal(f.series, ['edge_popup', 'supermask']);
  assert.equal(f.denseSeries, ['dense (learned)']);
  assert.equal(f.rows.filter((r) => r.kind === 'dense-line').map((r) => r.mean), [40 / 64, 42 / 64, 44 / 64]);
  const svg = await renderSvg(figureSpec(f));
  checkSvg(f, svg);
  for (const net of f.x.order) assert.ok(texts(svg).includes(net), `x label ${net}`);
});

test('Fig. 7: twelve distribution lines are split by `scaled`; the dense rule is in both panels', async () => {
  const [f] = figures(fig7);
  assert.is(f.facet?.path, 'weights.scaled');
  assert.equal([...f.series].sort(), [...DISTRIBUTIONS].sort());
  const rules = f.rows.filter((r) => r.kind === 'dense-rule');
  assert.equal(rules.map((r) => [r.facet, r.mean]), [['false', 48 / 64], ['true', 48 / 64]]);
  checkSvg(f, await renderSvg(figureSpec(f)));
});

test('only dense runs, or one unswept experiment: no figure; two unswept experiments: by experiment', () => {
  const seeds = (root: string, experiment: string, policy: 'edge_popup' | 'supermask' | 'dense', final: number) => {
    for (const seed of [0, 1]) writeFakeRun(root, { experiment, policy, axes: { seed: String(seed) }, seed, final });
  };
  assert.equal(figures((root) => seeds(root, 'dense', 'dense', 0.5)), []);
  assert.equal(figures((root) => seeds(root, 'ep', 'edge_popup', 0.5)), []);
  const [f, ...more] = figures((root) => {
    seeds(root, 'ep', 'edge_popup', 0.5);
    seeds(root, 'sm', 'supermask', 0.25);
    seeds(root, 'dense', 'dense', 0.75);
  });
  assert.is(more.length, 0);
  assert.is(f.x.path, 'experiment');
  assert.equal(f.rows.map((r) => [r.kind, r.x ?? null, r.mean]), [['masked', 'ep', 0.5], ['masked', 'sm', 0.25], ['dense-rule', null, 0.75]]);
});

test('a keep sweep beside a distributions sweep (no keep axis) is one panel, not a facet per distribution', async () => {
  const [f] = figures((root) => {
    sweep(root, 'keep', 'edge_popup', { 'mask.keep': ['10%', '50%', '90%'] }, () => 0.5);
    sweep(root, 'dists', 'edge_popup', { weights: ['kaiming_normal()', 'xavier_normal()'] }, () => 0.5);
    sweep(root, 'dense', 'dense', { 'model.width': ['0.5', '1'] }, () => 0.6);
  });
  assert.is(f.id, 'accuracy-vs-keep');
  assert.is(f.facet, undefined);
  assert.is(f.rows.filter((r) => r.kind === 'masked').length, 3, 'each keep point once');
  checkSvg(f, await renderSvg(figureSpec(f)));
});

test.run();
