// The CLI contract: check's diagnostic format and exit codes, plan --json fields, doctor with
// and without an adapter, and errors without stack traces.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subnet } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'subnet-cli-'));

test('check: file:line:col: error[CODE] with a code frame, exit 1', () => {
  const f = join(tmp, 'bad.subnet');
  writeFileSync(f, 'import "std/frankle.subnet"\nexperiment e {\n  model = FC()\n  data = fashion_mnist(dir: "/tmp")\n  mask = edge_popup(keep: 0.5)\n  optimizer = sgd(lr: 0.1)\n  train = { epochs: 1, batch: 8 }\n}\n');
  const r = subnet(['check', f]);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:27: error\\[E\\d{4}\\]: `));
  assert.match(r.stderr, /5 \|   mask = edge_popup\(keep: 0\.5\)/);
  assert.not.match(r.stderr, /    at /, 'no stack trace');
});

test('check: a good program exits 0', () => {
  const r = subnet(['check', 'examples/quickstart.subnet']);
  assert.is(r.code, 0, r.stderr);
});

test('plan --json: layers, kernels, dispatches, arena, FLOPs', () => {
  const r = subnet(['plan', 'examples/quickstart.subnet', '--json']);
  assert.is(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(p.layers.map((l: { params: number }) => l.params), [235200, 30000, 1000]);
  assert.equal(p.layers.map((l: { kept: number }) => l.kept), [117600, 15000, 500]);
  assert.is(p.params, 266200);
  assert.ok(p.dispatches_per_train_step <= 16, `FC needs ${p.dispatches_per_train_step} dispatches per step`);
  assert.ok(p.unfused_dispatches_per_train_step > p.dispatches_per_train_step);
  assert.ok(p.arena_bytes > 0 && p.flops_per_example === 2 * 266200);
  assert.ok(p.kernels.length > 0);
});

test('run: a missing data directory is one clear error before any GPU work', () => {
  const r = subnet(['run', 'examples/quickstart.subnet', '--set', 'data.dir="/nonexistent/fmnist"', '--out', tmp]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /\/nonexistent\/fmnist: no such directory/);
  assert.not.match(r.stderr, /    at /);
});

test('doctor: prints the adapter; without a Vulkan driver, a paragraph and a non-zero exit', () => {
  const ok = subnet(['doctor']);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /adapter\s+\S/);
  assert.match(ok.stdout, /maxStorageBufferBindingSize/);
  const none = subnet(['doctor'], { VK_DRIVER_FILES: '/nonexistent.json', VK_ICD_FILENAMES: '/nonexistent.json' });
  assert.ok(none.code !== 0);
  assert.match(none.stderr, /No WebGPU adapter was found/);
  assert.match(none.stderr, /scripts\/setup\.sh/);
  assert.not.match(none.stderr, /    at /);
});

test.run();
