// End to end through the CLI on real Fashion-MNIST (the Debian package's IDX files): a short
// edge-popup run on a subset must beat chance (10%) by a wide margin, and the run directory and
// the --json line must follow the CLI contract.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subnet } from '../helpers/cli.js';

test('quickstart on 8,000 Fashion-MNIST images for 2 epochs reaches ≥ 70% test accuracy', () => {
  const out = mkdtempSync(join(tmpdir(), 'subnet-e2e-'));
  const r = subnet(['run', 'examples/quickstart.subnet', '--set', 'data.subset=8000', '--set', 'data.test_subset=2000', '--set', 'train.epochs=2', '--out', out, '--json']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const s = JSON.parse(lines[lines.length - 1]);
  for (const k of ['run_id', 'final_test_accuracy', 'best_test_accuracy', 'epochs', 'train_images_per_second', 'out_dir']) assert.ok(k in s, `summary lacks ${k}`);
  assert.is(s.epochs, 2);
  assert.ok(s.final_test_accuracy >= 0.7, `final test accuracy ${s.final_test_accuracy}`);
  assert.ok(s.best_test_accuracy >= s.final_test_accuracy);
  assert.is(s.out_dir, join(out, s.run_id));
  const metrics = readFileSync(join(s.out_dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(metrics.length, 2);
  assert.ok(metrics[1].test_accuracy === s.final_test_accuracy);
  assert.ok(existsSync(join(s.out_dir, 'config.json')));
  assert.equal(JSON.parse(readFileSync(join(s.out_dir, 'summary.json'), 'utf8')), s);
  // One line per epoch on stderr (stdout holds only the JSON with --json).
  assert.is((r.stderr.match(/^epoch \d+\/2 .*img\/s/gm) ?? []).length, 2);
});

test.run();
