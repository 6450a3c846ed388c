// Dataset files made by tests: CIFAR-10 binary batches and IDX files with known contents.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR_RECORD, CIFAR_RECORDS_PER_FILE, CIFAR_TEST_FILES, CIFAR_TRAIN_FILES } from '../../runtime/data/cifar.js';

const cache = new Map<string, Uint8Array>();

/**
 * File `i` (0–4: data_batch_{i+1}, 5: test_batch) of a synthetic CIFAR-10: labels follow a
 * pattern, and each class has its own mean brightness per channel so that a model can learn
 * something, plus record-dependent texture so that images differ.
 */
export function cifarFile(i: number, classes: number): Uint8Array {
  const key = `${i}/${classes}`;
  const have = cache.get(key);
  if (have) return have;
  const b = new Uint8Array(CIFAR_RECORDS_PER_FILE * CIFAR_RECORD);
  for (let r = 0; r < CIFAR_RECORDS_PER_FILE; r++) {
    const at = r * CIFAR_RECORD;
    const label = (r * 7 + i * 3 + ((r >> 4) & 3)) % classes;
    b[at] = label;
    for (let c = 0; c < 3; c++) {
      const base = 40 + ((label * (c + 3) * 37) % 160);
      for (let p = 0; p < 1024; p++) b[at + 1 + c * 1024 + p] = base + ((p * 13 + r * 5 + c) & 31);
    }
  }
  cache.set(key, b);
  return b;
}

export function writeCifarDir(dir: string, classes = 10): void {
  mkdirSync(dir, { recursive: true });
  [...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES].forEach((f, i) => writeFileSync(join(dir, f), cifarFile(i, classes)));
}

/** An unsigned-byte IDX file: magic 0x0000080N, big-endian dims, then the data. */
export function idx(dims: number[], data: Uint8Array, magic = 0x00000800 | dims.length): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  const v = new DataView(head.buffer);
  v.setUint32(0, magic, false);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** A small IDX directory (train and t10k) with `n` 28×28 images; `gz` gzips every file. */
export function writeIdxDir(dir: string, n: number, opts: { gz?: boolean; labels?: Uint8Array } = {}): void {
  mkdirSync(dir, { recursive: true });
  const images = new Uint8Array(n * 784).map((_, i) => i & 255);
  const labels = opts.labels ?? new Uint8Array(n).map((_, i) => i % 10);
  const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, opts.gz ? `${name}.gz` : name), opts.gz ? gzipSync(bytes) : bytes);
  for (const p of ['train', 't10k']) {
    write(`${p}-images-idx3-ubyte`, idx([n, 28, 28], images));
    write(`${p}-labels-idx1-ubyte`, idx([n], labels));
  }
}
