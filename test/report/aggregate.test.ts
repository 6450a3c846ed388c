// Aggregation over seeds from run directories: exact means and sample standard deviations,
// grouping by configuration (not by labels), and the CSV / Markdown / terminal tables.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregate, labelCollisions, stat } from '../../runtime/report/aggregate.js';
import { loadRunDirectory } from '../../runtime/report/load-dir.js';
import { renderMarkdown, renderTerminal, resultsCsv, resultsTable } from '../../runtime/report/tables.js';
import { D, fig3, writeFakeRun } from './fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'subnet-agg-'));

/** RFC 4180 rows (the fields here hold commas inside quotes, never newlines). */
function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (quoted) {
          if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
          else if (ch === '"') quoted = false;
          else cur += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') out.push(cur), (cur = '');
        else cur += ch;
      }
      out.push(cur);
      return out;
    });
}

test('stat: mean and sample std (n − 1), a single run has std 0', () => {
  assert.equal(stat([0.5, 0.625, 0.75]), { mean: 0.625, std: 0.125, n: 3 });
  assert.equal(stat([0.8]), { mean: 0.8, std: 0, n: 1 });
  assert.equal(stat([0.25, 0.75]), { mean: 0.5, std: Math.sqrt(0.125), n: 2 });
  assert.is(stat([]).n, 0);
});

test('fig. 3 runs: one group per swept point, seeds pooled, exact mean ± std', () => {
  const root = tmp();
  fig3(root);
  const set = loadRunDirectory(root);
  assert.is(set.complete.length, 2 * 2 * 5 * 3 + 2 * 3);
  const groups = aggregate(set.complete);
  assert.is(groups.length, 20 + 2);
  for (const g of groups) {
    assert.is(g.final.n, 3);
    assert.equal(g.seeds, [0, 1, 2]);
    assert.is(g.final.std, D, `std of ${JSON.stringify(g.axes)}`);
    assert.is(g.best.mean, g.final.mean + D);
    assert.not.ok('seed' in g.axes);
  }
  const pick = (experiment: string, axes: Record<string, string>) => groups.find((g) => g.experiment === experiment && JSON.stringify(g.axes) === JSON.stringify(axes))!;
  const sk50 = pick('keep', { model: 'Conv4()', weights: 'signed_kaiming_constant(scaled: true)', 'mask.keep': '50%' });
  assert.is(sk50.final.mean, (32 + 4 + 4 + 16) / 64);
  assert.is(sk50.policy, 'edge_popup');
  assert.is(sk50.keptFraction, 0.5);
  const kn10 = pick('keep', { model: 'Conv2()', weights: 'kaiming_normal(scaled: true)', 'mask.keep': '10%' });
  assert.is(kn10.final.mean, (32 + 3) / 64);
  const dense4 = pick('dense', { model: 'Conv4()' });
  assert.is(dense4.policy, 'dense');
  assert.is(dense4.final.mean, 50 / 64);
  assert.is(dense4.keptFraction, 1);
  // Sorted by experiment, then by axis values in natural order.
  assert.equal(groups.slice(0, 2).map((g) => g.experiment), ['dense', 'dense']);
  assert.equal(groups.filter((g) => g.experiment === 'keep').slice(0, 5).map((g) => g.axes['mask.keep']), ['10%', '30%', '50%', '70%', '90%']);
});

test('results.csv: one row per group, full precision, quoted where needed', () => {
  const root = tmp();
  fig3(root);
  const groups = aggregate(loadRunDirectory(root).complete);
  const rows = parseCsv(resultsCsv(groups));
  const h = rows[0];
  assert.equal(h.slice(0, 5), ['experiment', 'policy', 'model', 'weights', 'mask.keep']);
  assert.is(rows.length, 1 + 22);
  const col = (name: string) => h.indexOf(name);
  const row = rows.find((r) => r[0] === 'keep' && r[2] === 'Conv4()' && r[3] === 'signed_kaiming_constant(scaled: true)' && r[4] === '50%')!;
  assert.ok(row, 'row for Conv4 / signed constant / 50%');
  assert.is(Number(row[col('final_test_accuracy_mean')]), 56 / 64);
  assert.is(Number(row[col('final_test_accuracy_std')]), D);
  assert.is(Number(row[col('best_test_accuracy_mean')]), 56 / 64 + D);
  assert.is(row[col('n')], '3');
  assert.is(row[col('seeds')], '0 1 2');
  assert.is(Number(row[col('kept_fraction')]), 0.5);
  assert.is(row[col('run_ids')].split(' ').length, 3);
  const dense = rows.find((r) => r[0] === 'dense' && r[2] === 'Conv2()')!;
  assert.is(dense[3], '', 'dense runs have no `weights` axis');
  assert.is(Number(dense[col('final_test_accuracy_mean')]), 46 / 64);
});

test('terminal and Markdown tables show mean ± std in percent', () => {
  const root = tmp();
  fig3(root);
  const t = resultsTable(aggregate(loadRunDirectory(root).complete));
  const term = renderTerminal(t);
  assert.match(term, /keep\s+edge_popup\s+Conv4\(\)\s+signed_kaiming_constant\(scaled: true\)\s+50%\s+3\s+87\.50% ± 6\.25\s+93\.75% ± 6\.25\s+50\.0% \(500\)/);
  const md = renderMarkdown(t);
  assert.match(md, /^\| experiment \| policy \| model \| weights \| mask\.keep \| n \| final test acc \| best test acc \| kept \|$/m);
  assert.match(md, /^\|---\|---\|---\|---\|---\|---:\|---:\|---:\|---:\|$/m);
  assert.match(md, /\| dense \| dense \| Conv4\(\) \|  \|  \| 3 \| 78\.13% ± 6\.25 \|/);
});

test('a supermask group shows its mask as sampled, not a kept count', () => {
  const root = tmp();
  writeFakeRun(root, { experiment: 'sm', policy: 'supermask', axes: {}, seed: 0, final: 0.5 });
  const t = resultsTable(aggregate(loadRunDirectory(root).complete));
  assert.match(t.rows[0][t.rows[0].length - 1], /^sampled \(of [\d,]+\)$/);
});

test('runs with the same labels but different configurations are not pooled', () => {
  const root = tmp();
  const base = { experiment: 'e', policy: 'edge_popup' as const, axes: { 'mask.keep': '50%' } };
  writeFakeRun(root, { ...base, seed: 0, final: 0.5 });
  writeFakeRun(root, { ...base, seed: 1, final: 0.75 });
  // Same label, another configuration (as `--set train.epochs=…` into the same directory gives).
  const other = writeFakeRun(root, { ...base, seed: 0, final: 0.25 });
  const cfgPath = join(root, other, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
  cfg.train.epochs = 7;
  writeFileSync(cfgPath, JSON.stringify(cfg));
  const groups = aggregate(loadRunDirectory(root).complete);
  assert.is(groups.length, 2);
  assert.equal(groups.map((g) => g.final.n).sort(), [1, 2]);
  assert.is(groups.find((g) => g.final.n === 2)!.final.mean, 0.625);
  assert.is(labelCollisions(groups).length, 1);
  assert.ok(resultsTable(groups).header.includes('config'), 'a config column tells them apart');
});

test.run();
