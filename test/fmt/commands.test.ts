// The CLI entry points `checkCommand` and `fmtCommand`, run in child processes on temporary
// files: exit codes, what goes to stdout and stderr, --json, --write and --check.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../check/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'subnet-cli-'));

function run(module: string, call: string): { code: number; stdout: string; stderr: string } {
  const url = new URL(`file://${join(ROOT, 'dist', 'runtime', 'cli', module)}`).href;
  const script = `import(${JSON.stringify(url)}).then(async (m) => { process.exitCode = await m.${call}; });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const good = 'import "std/frankle.subnet"\n\nexperiment e {\n  model     = FC()\n  data      = mnist(dir: "/d")\n  mask      = edge_popup(keep: 50%)\n  optimizer = sgd()\n  train     = { epochs: 1, batch: 8 }\n}\n';
const bad = good.replace('50%', '0.5');
writeFileSync(join(dir, 'good.subnet'), good);
writeFileSync(join(dir, 'bad.subnet'), bad);
writeFileSync(join(dir, 'messy.subnet'), good.replace('model     = FC()', 'model=FC( )'));
writeFileSync(join(dir, 'broken.subnet'), 'network A { conv(1 }\n');

test('check: ok files exit 0 and say so on stderr', () => {
  const r = run('check-command.js', `checkCommand(['good.subnet'], { color: false })`);
  assert.is(r.code, 0);
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'good.subnet: ok (1 experiment, 1 run; 0 networks defined here, 6 imported)\n');
});

test('check: errors are rendered on stderr and exit 1', () => {
  const r = run('check-command.js', `checkCommand(['good.subnet', 'bad.subnet'], { color: false })`);
  assert.is(r.code, 1);
  assert.ok(r.stderr.includes('bad.subnet:6:32: error[E0302]: `keep` must be a percentage, found the bare number `0.5`'), r.stderr);
  assert.ok(r.stderr.includes('6 |   mask      = edge_popup(keep: 0.5)'));
  assert.ok(r.stderr.includes('bad.subnet: 1 error, 0 warnings'));
});

test('check --json: one record per diagnostic on stdout', () => {
  const r = run('check-command.js', `checkCommand(['bad.subnet'], { color: false, json: true })`);
  assert.is(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 1);
  const rec = JSON.parse(lines[0]!);
  assert.equal([rec.code, rec.line, rec.column, rec.file], ['E0302', 6, 32, 'bad.subnet']);
  assert.is(r.stderr, '');
});

test('check: --set and --experiment pass through', () => {
  const r = run('check-command.js', `checkCommand(['bad.subnet'], { color: false, overrides: ['mask.keep=50%'], experiment: 'e' })`);
  assert.is(r.code, 0, r.stderr);
});

test('fmt prints the canonical form; --check and --write', () => {
  const printed = run('fmt-command.js', `fmtCommand(['messy.subnet'], { write: false, check: false })`);
  assert.is(printed.code, 0);
  assert.is(printed.stdout, good);
  const checked = run('fmt-command.js', `fmtCommand(['good.subnet', 'messy.subnet'], { write: false, check: true })`);
  assert.is(checked.code, 1);
  assert.is(checked.stdout, 'messy.subnet\n');
  const written = run('fmt-command.js', `fmtCommand(['messy.subnet'], { write: true, check: false })`);
  assert.is(written.code, 0);
  assert.is(readFileSync(join(dir, 'messy.subnet'), 'utf8'), good);
  assert.is(run('fmt-command.js', `fmtCommand(['messy.subnet'], { write: false, check: true })`).code, 0);
});

test('fmt leaves files with syntax errors alone and exits 1', () => {
  const r = run('fmt-command.js', `fmtCommand(['broken.subnet'], { write: true, check: false })`);
  assert.is(r.code, 1);
  assert.ok(r.stderr.includes('error[E0010]'));
  assert.is(readFileSync(join(dir, 'broken.subnet'), 'utf8'), 'network A { conv(1 }\n');
});

test.run();
