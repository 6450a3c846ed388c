// CIFAR-100, binary version (cifar-100-binary.tar.gz): train.bin (50,000 records) and test.bin
// (10,000), each record a coarse label byte, a fine label byte and 3,072 pixel bytes in CIFAR-10's
// [3, 32, 32] layout. We train on the 100 fine labels, as the reference's CIFAR-100 loader does.
// Every file is checked whole before any GPU work; each problem is one DataError naming the file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR_PIXELS } from './cifar.js';
import { DataError, type Split } from './idx.js';

export const CIFAR100_RECORD = 2 + CIFAR_PIXELS;
export const CIFAR100_FILES = { train: ['train.bin', 50_000], test: ['test.bin', 10_000] } as const;

/** `dir` itself, or the `cifar-100-binary/` folder the tarball unpacks to. */
export function cifar100Dir(dir: string): string {
  if (!existsSync(dir)) throw new DataError(dir, 'no such directory');
  if (!statSync(dir).isDirectory()) throw new DataError(dir, 'is a file, expected the CIFAR-100 directory');
  const nested = join(dir, 'cifar-100-binary');
  if (!existsSync(join(dir, 'train.bin')) && existsSync(join(nested, 'train.bin'))) return nested;
  return dir;
}

export function parseCifar100File(path: string, bytes: Uint8Array, expected: number): Split {
  if (bytes.length % CIFAR100_RECORD !== 0) {
    const whole = Math.floor(bytes.length / CIFAR100_RECORD);
    throw new DataError(
      path,
      `truncated or corrupt: ${bytes.length} bytes is not a whole number of ${CIFAR100_RECORD}-byte records (coarse and fine label bytes + 3×32×32 pixels); ` +
        `${whole} whole records and ${bytes.length - whole * CIFAR100_RECORD} bytes left over`,
    );
  }
  const n = bytes.length / CIFAR100_RECORD;
  if (n !== expected) throw new DataError(path, `${n < expected ? 'truncated: has' : 'has'} ${n} records, expected ${expected} (${expected * CIFAR100_RECORD} bytes)`);
  const images = new Uint8Array(n * CIFAR_PIXELS);
  const labels = new Uint32Array(n);
  for (let r = 0; r < n; r++) {
    const at = r * CIFAR100_RECORD;
    const coarse = bytes[at]!;
    const fine = bytes[at + 1]!;
    if (coarse >= 20) throw new DataError(path, `coarse label ${coarse} of record ${r} (byte offset ${at}) is out of range 0..19`);
    if (fine >= 100) throw new DataError(path, `fine label ${fine} of record ${r} (byte offset ${at + 1}) is out of range 0..99`);
    labels[r] = fine;
    images.set(bytes.subarray(at + 2, at + CIFAR100_RECORD), r * CIFAR_PIXELS);
  }
  return { images, labels, n };
}

export function readCifar100(dirArg: string): { train: Split; test: Split } {
  const dir = cifar100Dir(dirArg);
  const read = (name: string, expected: number): Split => {
    const path = join(dir, name);
    if (!existsSync(path)) {
      const python = existsSync(join(dir, name.replace(/\.bin$/, '')));
      const has = readdirSync(dir).slice(0, 5);
      throw new DataError(
        path,
        python
          ? `missing; found \`${name.replace(/\.bin$/, '')}\`, which is the Python (pickle) version: subnet reads the binary version (cifar-100-binary.tar.gz)`
          : `missing (a CIFAR-100 directory holds train.bin and test.bin: the binary version, cifar-100-binary.tar.gz${has.length ? `; this one holds ${has.join(', ')}` : ''})`,
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new DataError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return parseCifar100File(path, bytes, expected);
  };
  return { train: read(...CIFAR100_FILES.train), test: read(...CIFAR100_FILES.test) };
}
