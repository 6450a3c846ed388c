// `subnet report DIR` through the real CLI: the table on stdout, results.csv, results.md, the
// SVG figures and a self-contained report.html (tables, inline SVGs, every run's configuration,
// TensorBoard links, failed and unfinished runs); bad input is one line and exit 1.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subnet } from '../helpers/cli.js';
import { fakeConfig, fig4, writeFakeRun } from './fixtures.js';
import { canonicalJson } from '../../compiler/expand/hash.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'subnet-report-'));

test('report DIR: table, CSV, Markdown, SVGs and report.html', () => {
  const root = tmp();
  fig4(root);
  const withEvents = writeFakeRun(root, { experiment: 'width', policy: 'edge_popup', axes: { 'model.width': '1', 'mask.keep': '30%', seed: '3' }, seed: 3, final: 38 / 64 });
  writeFileSync(join(root, withEvents, 'events.out.tfevents.1700000000.host'), 'x');
  // A failed run and an unfinished one (a configuration only).
  mkdirSync(join(root, 'badbadbadbad'));
  writeFileSync(join(root, 'badbadbadbad', 'failure.json'), JSON.stringify({ run_id: 'badbadbadbad', experiment: 'width', axes: { 'mask.keep': '90%' }, error: 'checkpoint.safetensors: bad <header>', failed_at: 'now' }));
  mkdirSync(join(root, 'unfinished12'));
  writeFileSync(join(root, 'unfinished12', 'config.json'), canonicalJson(fakeConfig({ experiment: 'width', policy: 'edge_popup', axes: { 'mask.keep': '70%' }, seed: 0, final: 0 })));

  const r = subnet(['report', root]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /experiment\s+policy\s+model\.width\s+mask\.keep\s+n\s+final test acc/);
  assert.match(r.stdout, /1 failed: badbadbadbad \(checkpoint\.safetensors: bad <header>\)/);
  assert.match(r.stdout, /1 unfinished: unfinished12/);
  for (const f of ['results.csv', 'results.md', 'report.html', 'accuracy-vs-width.svg', 'accuracy-vs-keep.svg', 'accuracy-vs-width.vl.json']) assert.ok(existsSync(join(root, f)), f);
  const csv = readFileSync(join(root, 'results.csv'), 'utf8').trim().split('\n');
  assert.is(csv.length, 1 + 6 + 3);
  assert.match(csv.find((l) => l.startsWith('width,edge_popup,1,30%,'))!, /^width,edge_popup,1,30%,4,0 1 2 3,/);
  const md = readFileSync(join(root, 'results.md'), 'utf8');
  assert.match(md, /!\[Test accuracy vs width multiplier\]\(accuracy-vs-width\.svg\)/);
  assert.match(md, /- `badbadbadbad` width mask\.keep=90%: checkpoint\.safetensors: bad <header>/);

  const html = readFileSync(join(root, 'report.html'), 'utf8');
  assert.not.match(html, /<script[^>]*\ssrc=|<link\b|<img\b|(src|href)="https?:|url\(https?:/, 'nothing loaded from elsewhere');
  assert.is((html.match(/<svg /g) ?? []).length, 2, 'two inline SVGs');
  assert.is((html.match(/<details id="run-/g) ?? []).length, 3 * 6 + 3 * 3 + 1, 'one section per run');
  assert.is((html.match(/Resolved configuration<\/summary><pre>\{\n[^<]*&quot;format&quot;: 1,\n[^<]*&quot;optimizer&quot;/g) ?? []).length, 28, 'each run\'s configuration');
  assert.match(html, new RegExp(`<a href="${withEvents}/events\\.out\\.tfevents\\.1700000000\\.host">events\\.out\\.tfevents\\.1700000000\\.host</a>`));
  assert.match(html, /checkpoint\.safetensors: bad &lt;header&gt;/, 'errors are escaped');
  assert.match(html, /Unfinished runs \(1\)/);
  // Every SVG's ids are its own (vega names clip paths clip1, clip2… in every figure).
  const ids = [...html.matchAll(/<clipPath id="([^"]+)"/g)].map((m) => m[1]);
  assert.is(new Set(ids).size, ids.length, 'clip path ids are unique in the page');
  const specs = JSON.parse(/<script type="application\/json" id="vega-lite-specs">(.*?)<\/script>/s.exec(html)![1]);
  assert.equal(Object.keys(specs).sort(), ['accuracy-vs-keep', 'accuracy-vs-width']);
});

test('report --out writes elsewhere; --json prints the groups', () => {
  const root = tmp();
  fig4(root);
  const out = join(tmp(), 'rep');
  const r = subnet(['report', root, '--out', out, '--json']);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.groups.length, 9);
  assert.ok(existsSync(join(out, 'report.html')));
  assert.not.ok(existsSync(join(root, 'report.html')));
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<a href="\.\.\/[^"]+\/f[0-9a-f]{11}">/, 'run links are relative to the report');
});

test('bad input: one line, exit 1, no stack trace', () => {
  const empty = tmp();
  const cases: [string[], RegExp][] = [
    [['report', '/nonexistent/runs'], /error: \/nonexistent\/runs: no such directory/],
    [['report', empty], /no run directories/],
    [['report'], /give a directory of runs/],
    [['report', empty, '--queue', 'redis://127.0.0.1:6379'], /either a directory or --queue/],
    [['report', '--queue', 'http://x'], /expected redis:\/\/HOST:PORT/],
    [['report', '--queue', 'redis://127.0.0.1:1'], /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/],
  ];
  for (const [args, re] of cases) {
    const r = subnet(args, {}, 30_000);
    assert.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test.run();
