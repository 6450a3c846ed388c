// IDX files (MNIST, Fashion-MNIST), gzipped or not. Every structural problem is reported as a
// DataError naming the file, before any GPU work.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export class DataError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** Reads `name` or `name.gz` from dir. */
export function readMaybeGz(dir: string, name: string): { path: string; bytes: Uint8Array } {
  if (!existsSync(dir)) throw new DataError(dir, 'no such directory');
  for (const candidate of [`${dir}/${name}`, `${dir}/${name}.gz`]) {
    if (!existsSync(candidate)) continue;
    const raw = readFileSync(candidate);
    if (!candidate.endsWith('.gz')) return { path: candidate, bytes: raw };
    try {
      return { path: candidate, bytes: gunzipSync(raw) };
    } catch (e) {
      throw new DataError(candidate, `not a valid gzip file (${(e as Error).message})`);
    }
  }
  throw new DataError(`${dir}/${name}`, `missing (looked for ${name} and ${name}.gz)`);
}

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX array (type 0x08). */
export function parseIdx(path: string, bytes: Uint8Array, expectDims: number): IdxArray {
  if (bytes.length < 4) throw new DataError(path, `truncated: ${bytes.length} bytes, not even a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = (magic >> 8) & 0xff;
  const ndim = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08) {
    throw new DataError(path, `not an unsigned-byte IDX file (magic 0x${magic.toString(16).padStart(8, '0')})`);
  }
  if (ndim !== expectDims) throw new DataError(path, `has ${ndim} dimensions, expected ${expectDims}`);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw new DataError(path, 'truncated header');
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const n = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < header + n) {
    throw new DataError(path, `truncated: the header promises ${n} bytes of data (${dims.join('×')}), the file has ${bytes.length - header}`);
  }
  if (bytes.length > header + n) throw new DataError(path, `has ${bytes.length - header - n} bytes after the data the header describes`);
  return { dims, data: bytes.subarray(header, header + n) };
}

export interface Split {
  images: Uint8Array; // n × pixels
  labels: Uint32Array;
  n: number;
}

export function readIdxSplit(dir: string, prefix: 'train' | 't10k', shape: number[], classes: number): Split {
  const img = readMaybeGz(dir, `${prefix}-images-idx3-ubyte`);
  const lab = readMaybeGz(dir, `${prefix}-labels-idx1-ubyte`);
  const images = parseIdx(img.path, img.bytes, 3);
  const labels = parseIdx(lab.path, lab.bytes, 1);
  const [n, h, w] = images.dims;
  if (h !== shape[1] || w !== shape[2]) throw new DataError(img.path, `images are ${h}×${w}, expected ${shape[1]}×${shape[2]}`);
  if (labels.dims[0] !== n) throw new DataError(lab.path, `has ${labels.dims[0]} labels for ${n} images in ${img.path}`);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels.data[i];
    if (l >= classes) throw new DataError(lab.path, `label ${l} at index ${i} is out of range 0..${classes - 1}`);
    out[i] = l;
  }
  return { images: images.data, labels: out, n };
}
