// Through the CLI: a run is deterministic (the same metrics twice), and a `fixed(run:)` mask
// taken from a finished edge-popup run, on the same seed and weights, is the same subnetwork:
// it evaluates to the source run's final test accuracy exactly.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subnet } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'subnet-policies-'));
const program = (mask: string, epochs: number) => `import "std/frankle.subnet"
experiment e {
  model     = FC(width: 0.1)
  data      = synthetic(shape: [1, 28, 28], classes: 10, n: 600, test_n: 300)
  weights   = signed_kaiming_constant()
  mask      = ${mask}
  optimizer = sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4, schedule: cosine)
  train     = { epochs: ${epochs}, batch: 64 }
  seed      = 7
}`;
const TIMING = ['train_images_per_second', 'train_seconds', 'eval_seconds'];
const metrics = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => Object.fromEntries(Object.entries(JSON.parse(l)).filter(([k]) => !TIMING.includes(k))));

test('the same program and seed give the same metrics twice', () => {
  const f = join(tmp, 'det.subnet');
  writeFileSync(f, program('edge_popup(keep: 30%)', 2));
  const a = subnet(['run', f, '--out', join(tmp, 'a'), '--json']);
  const b = subnet(['run', f, '--out', join(tmp, 'b'), '--json']);
  assert.is(a.code, 0, a.stderr);
  assert.is(b.code, 0, b.stderr);
  const sa = JSON.parse(a.stdout.trim().split('\n').pop()!);
  const sb = JSON.parse(b.stdout.trim().split('\n').pop()!);
  assert.is(sa.run_id, sb.run_id);
  assert.equal(metrics(sa.out_dir), metrics(sb.out_dir));
});

test('fixed(run:) reproduces the source subnetwork', () => {
  const src = join(tmp, 'src.subnet');
  writeFileSync(src, program('edge_popup(keep: 50%)', 2));
  const a = subnet(['run', src, '--out', join(tmp, 'runs'), '--json']);
  assert.is(a.code, 0, a.stderr);
  const sa = JSON.parse(a.stdout.trim().split('\n').pop()!);
  const fixed = join(tmp, 'fixed.subnet');
  writeFileSync(fixed, program(`fixed(run: "${sa.out_dir}", keep: 50%)`, 1));
  const b = subnet(['run', fixed, '--out', join(tmp, 'runs'), '--json']);
  assert.is(b.code, 0, b.stderr);
  const sb = JSON.parse(b.stdout.trim().split('\n').pop()!);
  assert.is(sb.final_test_accuracy, sa.final_test_accuracy, 'the same subnetwork evaluates the same');
  const missing = join(tmp, 'missing.subnet');
  writeFileSync(missing, program(`fixed(run: "${join(tmp, 'nope')}")`, 1));
  const c = subnet(['run', missing, '--out', join(tmp, 'runs')]);
  assert.is(c.code, 1);
  assert.match(c.stderr, /no such run directory/);
  assert.not.match(c.stderr, /    at /);
});

test.run();
