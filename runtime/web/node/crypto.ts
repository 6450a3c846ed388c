// `node:crypto` in the browser bundle: createHash('sha256') for the digests of checkpoints and
// exports (runtime/results/integrity.ts), on the compiler's plain-TypeScript SHA-256. SubtleCrypto
// is asynchronous and the runtime's file code is not.
import { sha256HexBytes } from '../../../compiler/index.js';

export function createHash(algorithm: string) {
  if (algorithm !== 'sha256') throw new Error(`createHash: only sha256 in the browser, not ${algorithm}`);
  const chunks: Uint8Array[] = [];
  const hash = {
    update(data: string | Uint8Array) {
      chunks.push(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      return hash;
    },
    digest(enc: string) {
      if (enc !== 'hex') throw new Error('createHash: only hex digests in the browser');
      const n = chunks.reduce((a, c) => a + c.length, 0);
      const all = new Uint8Array(n);
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      return sha256HexBytes(all);
    },
  };
  return hash;
}

export default { createHash };
