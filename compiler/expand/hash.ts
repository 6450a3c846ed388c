// Canonical JSON and SHA-256, in plain TypeScript so the compiler stays free of Node APIs (it
// must run the same in a bundled runner). Run ids are hashes of canonical configurations.
import type { RunConfig } from '../plan/config.js';

/**
 * JSON with object keys sorted at every level; `undefined` members dropped, as JSON.stringify
 * does. Keys in `omit` are left out at every level.
 */
export function canonicalJson(value: unknown, omit: ReadonlySet<string> = NONE): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v, omit))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && !omit.has(k))
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k], omit)}`).join(',')}}`;
}

const NONE: ReadonlySet<string> = new Set();

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 of the UTF-8 encoding of `text`, as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return sha256HexBytes(new TextEncoder().encode(text));
}

/** SHA-256 of bytes, as 64 lowercase hex digits (the browser's stand-in for node:crypto). */
export function sha256HexBytes(msg: Uint8Array): string {
  const n = msg.length;
  const total = ((n + 9 + 63) >> 6) << 6;
  const bytes = new Uint8Array(total);
  bytes.set(msg);
  bytes[n] = 0x80;
  const bitsHi = Math.floor(n / 0x20000000);
  const bitsLo = (n << 3) >>> 0;
  bytes[total - 8] = bitsHi >>> 24;
  bytes[total - 7] = bitsHi >>> 16;
  bytes[total - 6] = bitsHi >>> 8;
  bytes[total - 5] = bitsHi;
  bytes[total - 4] = bitsLo >>> 24;
  bytes[total - 3] = bitsLo >>> 16;
  bytes[total - 2] = bitsLo >>> 8;
  bytes[total - 1] = bitsLo;
  let h0 = 0x6a09e667 | 0,
    h1 = 0xbb67ae85 | 0,
    h2 = 0x3c6ef372 | 0,
    h3 = 0xa54ff53a | 0,
    h4 = 0x510e527f | 0,
    h5 = 0x9b05688c | 0,
    h6 = 0x1f83d9ab | 0,
    h7 = 0x5be0cd19 | 0;
  const w = new Int32Array(64);
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4,
      f = h5,
      g = h6,
      h = h7;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + s1 + ch + K[i]! + w[i]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  return [h0, h1, h2, h3, h4, h5, h6, h7].map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}

// Keys never part of a run's identity: source positions, and the evaluation batch (it only
// changes how evaluation is chunked, never a result).
const NOT_HASHED = new Set(['origin', 'evalBatch']);

/**
 * The canonical text a run id hashes: the configuration without `axes`, source origins, the data
 * directory (where the files are on this machine, not what the run computes) and the eval batch.
 * It lives here, not in the front end, so the runtime and bundled runners share it without the
 * parser.
 */
export function idText(config: Omit<RunConfig, 'axes'> & { axes?: unknown }): string {
  const { axes: _axes, ...rest } = config;
  // Shard patterns are where the files are too: the same images as a folder or as shards are
  // the same run.
  const data = 'dir' in rest.data ? { ...rest.data, dir: undefined, ...('shards' in rest.data ? { shards: undefined, valShards: undefined } : {}) } : rest.data;
  return canonicalJson({ ...rest, data }, NOT_HASHED);
}

