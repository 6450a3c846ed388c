// Bad data through `subnet run`: every problem is exit 1 and one line naming the file and what is
// wrong, before any GPU work, never a stack trace. Then a real run on a generated CIFAR-10
// directory (subset, random crop + flip) to show the reader feeds training end to end.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CIFAR_RECORD } from '../../runtime/data/cifar.js';
import { subnet } from '../helpers/cli.js';
import { cifarFile, idx, writeCifarDir, writeIdxDir } from '../helpers/datasets.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-data-errors-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

function program(data: string, extra = ''): string {
  const f = join(root, `p${Math.random().toString(36).slice(2)}.subnet`);
  writeFileSync(
    f,
    `network Tiny(classes: int = 10) {
  input [${data.startsWith('cifar10') ? '3, 32, 32' : '1, 28, 28'}]
  flatten
  linear(16) relu
  linear(classes)
}
experiment e {
  model     = Tiny()
  data      = ${data}
  weights   = signed_kaiming_constant(mode: fan_in)
  mask      = edge_popup(keep: 50%)
  optimizer = sgd(lr: 0.1, momentum: 0.9, schedule: cosine)
  train     = { epochs: 1, batch: 32 }
  seed      = 3
  ${extra}
}
`,
  );
  return f;
}

function expectDataError(dir: string, kind: 'fashion_mnist' | 'cifar10', re: RegExp) {
  const r = subnet(['run', program(`${kind}(dir: "${dir}")`), '--out', join(root, 'runs')]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, re);
  assert.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.not.match(r.stderr, /    at /);
}

test('IDX: truncated, bad magic, label out of range, label count mismatch, corrupt gzip', () => {
  const d = (name: string) => {
    const p = join(root, name);
    writeIdxDir(p, 5);
    return p;
  };
  const truncated = d('truncated');
  writeFileSync(join(truncated, 'train-images-idx3-ubyte'), idx([5, 28, 28], new Uint8Array(3 * 784)));
  expectDataError(truncated, 'fashion_mnist', /truncated\/train-images-idx3-ubyte: truncated: the header promises 3920 bytes of data \(5×28×28\), the file has 2352/);

  const magic = d('magic');
  writeFileSync(join(magic, 't10k-labels-idx1-ubyte'), idx([5], new Uint8Array(5), 0x00000901));
  expectDataError(magic, 'fashion_mnist', /magic\/t10k-labels-idx1-ubyte: not an unsigned-byte IDX file \(magic 0x00000901\)/);

  const label = join(root, 'label');
  writeIdxDir(label, 5, { labels: new Uint8Array([1, 2, 12, 3, 4]) });
  expectDataError(label, 'fashion_mnist', /label\/train-labels-idx1-ubyte: label 12 at index 2 is out of range 0\.\.9/);

  const count = d('count');
  writeFileSync(join(count, 'train-labels-idx1-ubyte'), idx([4], new Uint8Array(4)));
  expectDataError(count, 'fashion_mnist', /count\/train-labels-idx1-ubyte: has 4 labels for 5 images/);

  const gz = join(root, 'gz');
  writeIdxDir(gz, 5, { gz: true });
  writeFileSync(join(gz, 'train-images-idx3-ubyte.gz'), new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]));
  expectDataError(gz, 'fashion_mnist', /gz\/train-images-idx3-ubyte\.gz: not a valid gzip file/);
});

test('CIFAR-10: a missing directory and an out-of-range label', () => {
  expectDataError(join(root, 'no-cifar'), 'cifar10', /no-cifar: no such directory/);
  const dir = join(root, 'cifar-label');
  mkdirSync(dir);
  const bytes = cifarFile(0, 10).slice();
  bytes[42 * CIFAR_RECORD] = 200;
  writeFileSync(join(dir, 'data_batch_1.bin'), bytes);
  expectDataError(dir, 'cifar10', /cifar-label\/data_batch_1\.bin: label 200 of record 42 .* out of range 0\.\.9/);
});

test('CIFAR-10: a subset trains with random crop and flip, and learns', () => {
  const dir = join(root, 'cifar');
  writeCifarDir(dir);
  const f = program(`cifar10(dir: "${dir}", subset: 1024, test_subset: 256, augment: [random_crop(pad: 4), hflip])`);
  const r = subnet(['run', f, '--set', 'train.epochs=2', '--out', join(root, 'runs'), '--json']);
  assert.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const metrics = readFileSync(join(s.out_dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(metrics.length, 2);
  // Classes differ by mean brightness per channel: far above chance (10%) after two epochs.
  assert.ok(s.final_test_accuracy > 0.3, `test accuracy ${s.final_test_accuracy}`);
});

test.run();
