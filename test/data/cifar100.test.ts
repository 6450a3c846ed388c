// The CIFAR-100 reader: fine labels, the [3, 32, 32] layout, and one message naming the file for
// each structural problem.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR100_RECORD, parseCifar100File, readCifar100 } from '../../runtime/data/cifar100.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-cifar100-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

function records(n: number, fine = (r: number) => r % 100): Uint8Array {
  const b = new Uint8Array(n * CIFAR100_RECORD);
  for (let r = 0; r < n; r++) {
    b[r * CIFAR100_RECORD] = (r * 7) % 20;
    b[r * CIFAR100_RECORD + 1] = fine(r);
    b[r * CIFAR100_RECORD + 2] = r & 255; // first red pixel
    b[r * CIFAR100_RECORD + 2 + 2048] = 200; // first blue pixel
  }
  return b;
}

test('fine labels and pixels', () => {
  const s = parseCifar100File('t.bin', records(3), 3);
  assert.equal([...s.labels], [0, 1, 2]);
  assert.is(s.images[3072 * 2], 2);
  assert.is(s.images[3072 + 2048], 200);
});

test('each problem names the file', () => {
  assert.throws(() => parseCifar100File('t.bin', records(3).subarray(0, 3 * CIFAR100_RECORD - 5), 3), /t\.bin: truncated or corrupt: .* 3074-byte records/);
  assert.throws(() => parseCifar100File('t.bin', records(2), 3), /t\.bin: truncated: has 2 records, expected 3/);
  assert.throws(() => parseCifar100File('t.bin', records(3, () => 100), 3), /t\.bin: fine label 100 of record 0 .* out of range 0\.\.99/);
  const dir = join(root, 'python');
  mkdirSync(dir);
  writeFileSync(join(dir, 'train'), 'pickle');
  assert.throws(() => readCifar100(dir), /train\.bin: missing; found `train`, which is the Python \(pickle\) version/);
  assert.throws(() => readCifar100(join(root, 'nowhere')), /nowhere: no such directory/);
});

test('a whole directory, nested as the tarball unpacks', () => {
  const dir = join(root, 'ok', 'cifar-100-binary');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.bin'), records(50_000));
  writeFileSync(join(dir, 'test.bin'), records(10_000));
  const d = readCifar100(join(root, 'ok'));
  assert.is(d.train.n, 50_000);
  assert.is(d.test.n, 10_000);
  assert.is(d.train.labels[199], 99);
});

test.run();
