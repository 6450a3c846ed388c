// The members of a tar file, read from the headers alone. tar-stream (used to write shards) reads
// an archive as a stream of every byte; an index of a 1 GB shard needs only its 512-byte headers,
// so this walks them with positioned reads and skips the contents: a member's bytes are then read
// by (offset, size) in any order, which deterministic shuffling needs. POSIX ustar and GNU
// headers, PAX `path` records and GNU long names (what Python's tarfile and tar-stream write).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataError } from './idx.js';

export interface TarMember {
  name: string;
  offset: number;
  size: number;
  /** The contents of small text members (`.cls`, `.txt`), which the index needs. */
  text?: string;
}

const BLOCK = 512;
const TEXT_MAX = 256;

function str(b: Uint8Array, from: number, len: number): string {
  let end = from;
  while (end < from + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(from, end)).toString('utf8');
}

function octal(b: Uint8Array, from: number, len: number): number {
  // Base-256 sizes (GNU, files over 8 GiB) start with 0x80.
  if (b[from]! & 0x80) {
    let v = 0;
    for (let i = from + 1; i < from + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = str(b, from, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === octal(h, 148, 8);
}

export function indexTar(file: string): TarMember[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new DataError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const total = fstatSync(fd).size;
    const h = new Uint8Array(BLOCK);
    const out: TarMember[] = [];
    let at = 0;
    let longName: string | undefined;
    const readAt = (buf: Uint8Array, pos: number) => readSync(fd, buf, 0, buf.length, pos);
    while (at + BLOCK <= total) {
      if (readAt(h, at) < BLOCK) break;
      if (h.every((x) => x === 0)) break; // end of archive
      if (!checksumOk(h)) throw new DataError(file, `is not a tar file, or is corrupt at byte ${at} (header checksum)`);
      const size = octal(h, 124, 12);
      const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]!);
      const data = at + BLOCK;
      if (data + size > total) throw new DataError(file, `truncated: member at byte ${at} promises ${size} bytes, the file ends ${total - data} bytes later`);
      const next = data + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L' || type === 'x') {
        const body = new Uint8Array(size);
        readAt(body, data);
        if (type === 'L') longName = str(body, 0, size);
        else {
          const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(body).toString('utf8'));
          if (m) longName = m[1];
        }
        at = next;
        continue;
      }
      let name = longName ?? str(h, 0, 100);
      if (longName === undefined && str(h, 257, 6) === 'ustar' && h[345] !== 0) name = `${str(h, 345, 155)}/${name}`;
      longName = undefined;
      if (type === '0' || type === '7') {
        const m: TarMember = { name, offset: data, size };
        if (size <= TEXT_MAX && /\.(cls|txt|index)$/.test(name)) {
          const body = new Uint8Array(size);
          readAt(body, data);
          m.text = Buffer.from(body).toString('utf8');
        }
        out.push(m);
      }
      at = next;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
