// Integrity of the safetensors files subnet writes (checkpoints and exports). The format has no
// checksum, so a flipped bit in a tensor's data would load silently and change a result. Every
// file we write carries, in __metadata__ under `subnet_sha256`, a JSON object with the SHA-256 of
// each tensor's bytes and of the rest of the header (the other metadata, each tensor's dtype and
// shape); a reader recomputes both and refuses the file at the first difference, naming the
// tensor. A metadata key is all it takes, so exports stay standard safetensors for outside tools.
//
// The digest is computed from the bytes about to be written and travels in the same atomic
// write, so a file and its digest never disagree unless the file changed afterwards.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type DecodedSafetensors, type NamedTensor } from '../export/safetensors.js';

export const DIGEST_KEY = 'subnet_sha256';

interface Digest {
  algorithm: 'sha256';
  /** SHA-256 of the JSON [metadata entries without this key, [name, dtype, shape] per tensor], both sorted. */
  header: string;
  /** SHA-256 of each tensor's data bytes. */
  tensors: Record<string, string>;
}

/** A file that fails verification; the message names the file and what is wrong. */
export class IntegrityError extends Error {
  constructor(
    readonly path: string,
    message: string,
    /** The first tensor whose bytes differ from the digest, when that is the problem. */
    readonly tensor?: string,
  ) {
    super(message);
  }
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

function headerDigest(metadata: Record<string, string>, tensors: Iterable<NamedTensor>): string {
  // Sorted, so that the digest does not depend on the order of keys in the header.
  const byName = (a: [string, ...unknown[]], b: [string, ...unknown[]]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const meta = Object.entries(metadata)
    .filter(([k]) => k !== DIGEST_KEY)
    .sort(byName);
  const shapes = [...tensors].map((t): [string, string, number[]] => [t.name, t.dtype, t.shape]).sort(byName);
  return sha256(JSON.stringify([meta, shapes]));
}

/** Encodes a safetensors file whose metadata carries the digest of everything else in it. */
export function encodeWithDigest(tensors: NamedTensor[], metadata: Record<string, string>): Uint8Array {
  if (DIGEST_KEY in metadata) throw new Error(`internal: metadata key ${DIGEST_KEY} is reserved`);
  const digest: Digest = {
    algorithm: 'sha256',
    header: headerDigest(metadata, tensors),
    tensors: Object.fromEntries(tensors.map((t) => [t.name, sha256(t.data)])),
  };
  return encodeSafetensors(tensors, { ...metadata, [DIGEST_KEY]: JSON.stringify(digest) });
}

/**
 * Checks a decoded file against its digest, tensors in file order first (so the message names
 * the first damaged tensor), then the header. `what` is "checkpoint" or "export".
 */
export function verifyDecoded(path: string, what: string, d: DecodedSafetensors): void {
  const raw = d.metadata[DIGEST_KEY];
  if (raw === undefined) {
    throw new IntegrityError(path, `${path}: this ${what} carries no SHA-256 digest (${DIGEST_KEY}), so it cannot be verified: it was written by an older subnet, or its header is damaged`);
  }
  let digest: Digest;
  try {
    digest = JSON.parse(raw);
  } catch {
    digest = undefined as unknown as Digest;
  }
  if (!digest || digest.algorithm !== 'sha256' || typeof digest.header !== 'string' || typeof digest.tensors !== 'object' || !digest.tensors) {
    throw new IntegrityError(path, `${path}: damaged ${what}: its SHA-256 digest (${DIGEST_KEY}) is unreadable`);
  }
  const damaged = (detail: string, tensor?: string) => new IntegrityError(path, `${path}: damaged ${what}: ${detail}`, tensor);
  const inFileOrder = [...d.tensors.values()].sort((a, b) => a.data.byteOffset - b.data.byteOffset);
  for (const t of inFileOrder) {
    const want = digest.tensors[t.name];
    if (want === undefined) throw damaged(`tensor ${t.name} is not in its SHA-256 digest (a name in the header changed)`, t.name);
    if (sha256(t.data) !== want) throw damaged(`the bytes of tensor ${t.name} do not match their SHA-256 digest (the file changed after subnet wrote it)`, t.name);
  }
  for (const name of Object.keys(digest.tensors)) if (!d.tensors.has(name)) throw damaged(`tensor ${name} is missing (a name in the header changed)`, name);
  if (headerDigest(d.metadata, d.tensors.values()) !== digest.header) throw damaged('its header (metadata, dtypes or shapes) does not match its SHA-256 digest');
}

/**
 * Reads a safetensors file by the format's rules. A file that is not even valid safetensors
 * (truncated, say) is an IntegrityError, in the words `not a valid <what>` users already know.
 */
export function decodeFile(path: string, what: string): DecodedSafetensors {
  try {
    return decodeSafetensors(readFileSync(path));
  } catch (e) {
    if (e instanceof SafetensorsError || e instanceof TypeError) throw new IntegrityError(path, `${path}: not a valid ${what} (${e.message})`);
    throw e;
  }
}

/** Reads and verifies a file subnet wrote. */
export function readVerified(path: string, what: string): DecodedSafetensors {
  const d = decodeFile(path, what);
  verifyDecoded(path, what, d);
  return d;
}
