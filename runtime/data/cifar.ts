// CIFAR-10, binary version (cifar-10-binary.tar.gz): data_batch_1.bin … data_batch_5.bin and
// test_batch.bin, each 10,000 records of one label byte followed by 3,072 pixel bytes (1,024
// red, 1,024 green, 1,024 blue, rows top to bottom), which is exactly our [3, 32, 32] layout.
// Every file is checked whole (size, record count, labels) before any GPU work; each problem is
// one DataError naming the file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, type Split } from './idx.js';

export const CIFAR_PIXELS = 3 * 32 * 32;
export const CIFAR_RECORD = 1 + CIFAR_PIXELS;
export const CIFAR_RECORDS_PER_FILE = 10_000;
export const CIFAR_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR_TEST_FILES = ['test_batch.bin'];

/**
 * The directory that holds the files: `dir` itself, or the `cifar-10-batches-bin/` folder the
 * tarball unpacks to, when `dir` is its parent.
 */
export function cifarDir(dir: string): string {
  if (!existsSync(dir)) throw new DataError(dir, 'no such directory');
  if (!statSync(dir).isDirectory()) throw new DataError(dir, 'is a file, expected the CIFAR-10 directory');
  const nested = join(dir, 'cifar-10-batches-bin');
  if (!existsSync(join(dir, CIFAR_TRAIN_FILES[0])) && existsSync(join(nested, CIFAR_TRAIN_FILES[0]))) return nested;
  return dir;
}

function missing(dir: string, name: string): DataError {
  const stem = name.replace(/\.bin$/, '');
  // The Python version of the dataset has the same names without `.bin` (pickles).
  const python = existsSync(join(dir, stem)) && !existsSync(join(dir, name));
  const hint = python
    ? `; found \`${stem}\`, which is the Python (pickle) version: subnet reads the binary version (cifar-10-binary.tar.gz)`
    : ` (a CIFAR-10 directory holds ${[...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES].join(', ')}: the binary version, cifar-10-binary.tar.gz)`;
  return new DataError(join(dir, name), `missing${hint}`);
}

/** Checks one file's bytes: whole records, the expected count, labels in range. */
export function parseCifarFile(path: string, bytes: Uint8Array, classes: number, images: Uint8Array, labels: Uint32Array, first: number): void {
  if (bytes.length % CIFAR_RECORD !== 0) {
    const whole = Math.floor(bytes.length / CIFAR_RECORD);
    throw new DataError(
      path,
      `truncated or corrupt: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD}-byte records (1 label byte + 3×32×32 pixels); ` +
        `${whole} whole records and ${bytes.length - whole * CIFAR_RECORD} bytes left over`,
    );
  }
  const n = bytes.length / CIFAR_RECORD;
  if (n !== CIFAR_RECORDS_PER_FILE) {
    const what = n < CIFAR_RECORDS_PER_FILE ? 'truncated: has' : 'has';
    throw new DataError(path, `${what} ${n} records, expected ${CIFAR_RECORDS_PER_FILE} (${CIFAR_RECORDS_PER_FILE * CIFAR_RECORD} bytes)`);
  }
  for (let r = 0; r < n; r++) {
    const at = r * CIFAR_RECORD;
    const label = bytes[at];
    if (label >= classes) throw new DataError(path, `label ${label} of record ${r} (byte offset ${at}) is out of range 0..${classes - 1}`);
    labels[first + r] = label;
    images.set(bytes.subarray(at + 1, at + CIFAR_RECORD), (first + r) * CIFAR_PIXELS);
  }
}

function readSplit(dir: string, files: string[], classes: number): Split {
  const n = files.length * CIFAR_RECORDS_PER_FILE;
  const images = new Uint8Array(n * CIFAR_PIXELS);
  const labels = new Uint32Array(n);
  files.forEach((name, i) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw missing(dir, name);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new DataError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    parseCifarFile(path, bytes, classes, images, labels, i * CIFAR_RECORDS_PER_FILE);
  });
  return { images, labels, n };
}

export function readCifar10(dirArg: string, classes = 10): { train: Split; test: Split } {
  const dir = cifarDir(dirArg);
  // Report every missing file at once when none of them is there (a wrong directory), so the
  // message says what a right one looks like.
  const all = [...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES];
  if (all.every((f) => !existsSync(join(dir, f)))) {
    const has = readdirSync(dir).slice(0, 5);
    throw new DataError(
      dir,
      `is not a CIFAR-10 binary directory: none of ${all.join(', ')} is there` + (has.length ? ` (it holds ${has.join(', ')}${has.length === 5 ? ', …' : ''})` : ' (it is empty)'),
    );
  }
  return { train: readSplit(dir, CIFAR_TRAIN_FILES, classes), test: readSplit(dir, CIFAR_TEST_FILES, classes) };
}
