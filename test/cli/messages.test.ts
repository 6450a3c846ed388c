// Messages that must tell the whole story, pinned exactly, through the real `subnet` command:
// report names every unreadable or invalid summary (also when no run is left), check says why a
// file cannot be read and what it counted, a program cut off mid-call gets its syntax error
// alone, and export pointed at the parent of run directories names them. (A finished run whose
// checkpoint is damaged, under run --resume, is pinned in integrity.test.ts.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFailure } from '../../runtime/session/host.js';
import { subnet } from '../helpers/cli.js';
import { writeFakeRun } from '../report/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-messages-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

const good = { experiment: 'e', policy: 'edge_popup' as const, axes: { seed: '0' }, seed: 0, final: 0.8 };

test('report: the only run has a truncated summary: the error names the file', () => {
  const dir = join(root, 'report-only');
  const id = writeFakeRun(dir, good);
  const cut = '{\n  "run_id": "x",\n  "experi';
  writeFileSync(join(dir, id, 'summary.json'), cut);
  const r = subnet(['report', dir]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `error: ${dir}: no readable runs:\n  ${join(dir, id, 'summary.json')}: truncated (${cut.length} bytes, the JSON ends early); run skipped\n`);
});

test('report: a summary with the wrong fields is invalid, not "unfinished", with a good run beside it', () => {
  const dir = join(root, 'report-invalid');
  writeFakeRun(dir, good);
  const bad = writeFakeRun(dir, { ...good, seed: 1, axes: { seed: '1' } });
  writeFileSync(join(dir, bad, 'summary.json'), '{"run_id": 5}\n');
  const r = subnet(['report', dir, '--out', join(root, 'report-out')]);
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    `warning: ${join(dir, bad, 'summary.json')}: not a valid run summary: run_id is 5, not a string; experiment is missing; axes is missing; and 7 more; run skipped\n`,
  );
  assert.not.match(r.stdout, 'unfinished');
});

test('check: a file that cannot be read says why', () => {
  const missing = join(root, 'nope.subnet');
  const r = subnet(['check', missing]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `error[E0106]: cannot read \`${missing}\`: no such file\n\n${missing}: 1 error, 0 warnings\n`);
  const d = subnet(['check', root]);
  assert.is(d.code, 1);
  assert.is(d.stderr, `error[E0106]: cannot read \`${root}\`: it is a directory, not a file\n\n${root}: 1 error, 0 warnings\n`);
  // Permissions cannot be taken away from root, who runs the tests in CI: the wording, directly.
  assert.is(readFailure(Object.assign(new Error('x'), { code: 'EACCES' })), 'permission denied');
});

test('check: what is counted is said (networks of the file, and those imported)', () => {
  const f = join(root, 'one.subnet');
  writeFileSync(
    f,
    'import "std/frankle.subnet"\n\nnetwork Mine { flatten linear(10) }\n\nexperiment e {\n  model     = FC()\n  data      = mnist(dir: "/d")\n  mask      = edge_popup(keep: 50%)\n  optimizer = sgd()\n  train     = { epochs: 1, batch: 8 }\n}\n',
  );
  const r = subnet(['check', f]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, `${f}: ok (1 experiment, 1 run; 1 network defined here, 6 imported)\n`);
});

test('check: a program cut off mid-call gets its syntax error alone', () => {
  const f = join(root, 'cut.subnet');
  writeFileSync(f, 'experiment x {\n  model = FC(\n');
  const r = subnet(['check', f]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `${f}:3:1: error[E0010]: expected \`)\`, found the end of the file\n  |\n3 | \n  | ^\n\n${f}: 1 error, 0 warnings\n`);
});

test('export and eval: the parent of run directories names them', () => {
  const dir = join(root, 'parent');
  for (const id of ['aaaaaaaaaaaa', 'bbbbbbbbbbbb']) {
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, 'config.json'), '{}\n');
  }
  mkdirSync(join(dir, 'not-a-run'));
  const r = subnet(['export', dir, '--format', 'safetensors', '-o', join(root, 'x.safetensors')]);
  assert.is(r.code, 1);
  assert.is(r.stderr, `error: ${dir}: not a run directory (no config.json); it holds 2 run directories, give one of them: ${join(dir, 'aaaaaaaaaaaa')}, ${join(dir, 'bbbbbbbbbbbb')}\n`);
  const e = subnet(['eval', join(root, 'report-only')]);
  assert.is(e.code, 1);
  assert.match(e.stderr, /^error: .*report-only: not a run directory \(no config\.json\); it holds a run directory, give it: .*report-only\/f\w{11}\n$/);
});

test.run();
