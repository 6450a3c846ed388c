// Dataset readers: CIFAR-10 binary (a full-size directory generated here; there is no real
// CIFAR-10 on this machine) read into the [3, 32, 32] layout in file order, and every way a
// directory can be wrong reported as one DataError naming the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CIFAR_PIXELS, CIFAR_RECORD, CIFAR_RECORDS_PER_FILE, readCifar10 } from '../../runtime/data/cifar.js';
import { DataError } from '../../runtime/data/idx.js';
import { writeCifarDir, cifarFile } from '../helpers/datasets.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-readers-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

function fails(dir: string, re: RegExp) {
  try {
    readCifar10(dir);
  } catch (e) {
    assert.instance(e, DataError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`${dir} was accepted`);
}

test('a full CIFAR-10 directory (nested cifar-10-batches-bin/) reads in file order, channels first', () => {
  const dir = join(root, 'full');
  writeCifarDir(join(dir, 'cifar-10-batches-bin'));
  const { train, test: t } = readCifar10(dir);
  assert.is(train.n, 50000);
  assert.is(t.n, 10000);
  for (const [file, rec] of [[0, 0], [2, 1234], [4, 9999]]) {
    const i = file * CIFAR_RECORDS_PER_FILE + rec;
    const bytes = cifarFile(file, 10);
    assert.is(train.labels[i], bytes[rec * CIFAR_RECORD], `label of image ${i}`);
    assert.equal([...train.images.subarray(i * CIFAR_PIXELS, i * CIFAR_PIXELS + 5)], [...bytes.subarray(rec * CIFAR_RECORD + 1, rec * CIFAR_RECORD + 6)]);
    // The blue plane starts 2048 bytes into the pixels, as our [3, 32, 32] layout wants.
    assert.is(train.images[i * CIFAR_PIXELS + 2048], bytes[rec * CIFAR_RECORD + 1 + 2048]);
  }
  const tb = cifarFile(5, 10);
  assert.is(t.labels[77], tb[77 * CIFAR_RECORD]);
});

test('errors: missing, empty, Python version, truncated, short, out-of-range label, a missing batch', () => {
  fails(join(root, 'nope'), /nope: no such directory/);
  const empty = join(root, 'empty');
  mkdirSync(empty);
  fails(empty, /empty: is not a CIFAR-10 binary directory: none of data_batch_1\.bin.*\(it is empty\)/);
  const py = join(root, 'python');
  mkdirSync(py);
  for (const f of ['data_batch_1', 'data_batch_2', 'test_batch', 'batches.meta']) writeFileSync(join(py, f), 'pickle');
  fails(py, /is not a CIFAR-10 binary directory.*it holds/);
  const some = join(root, 'partial-python');
  mkdirSync(some);
  writeFileSync(join(some, 'data_batch_1'), 'pickle');
  writeFileSync(join(some, 'test_batch.bin'), cifarFile(5, 10));
  fails(some, /data_batch_1\.bin: missing; found `data_batch_1`, which is the Python \(pickle\) version/);

  const bad = join(root, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'data_batch_1.bin'), cifarFile(0, 10).subarray(0, 5 * CIFAR_RECORD + 100));
  fails(bad, /data_batch_1\.bin: truncated or corrupt: 15465 bytes is not a whole number of 3073-byte records.*5 whole records and 100 bytes left over/);
  writeFileSync(join(bad, 'data_batch_1.bin'), cifarFile(0, 10).subarray(0, 5 * CIFAR_RECORD));
  fails(bad, /data_batch_1\.bin: truncated: has 5 records, expected 10000/);
  const big = new Uint8Array(CIFAR_RECORD * 10001);
  writeFileSync(join(bad, 'data_batch_1.bin'), big);
  fails(bad, /data_batch_1\.bin: has 10001 records, expected 10000/);
  const wrongLabel = cifarFile(0, 10).slice();
  wrongLabel[123 * CIFAR_RECORD] = 10;
  writeFileSync(join(bad, 'data_batch_1.bin'), wrongLabel);
  fails(bad, /data_batch_1\.bin: label 10 of record 123 \(byte offset 377979\) is out of range 0\.\.9/);
  writeFileSync(join(bad, 'data_batch_1.bin'), cifarFile(0, 10));
  writeFileSync(join(bad, 'data_batch_2.bin'), cifarFile(1, 10));
  fails(bad, /bad\/data_batch_3\.bin: missing \(a CIFAR-10 directory holds data_batch_1\.bin, .*cifar-10-binary\.tar\.gz\)/);
});

test.run();
