// `node:fs` in the browser bundle: the synchronous calls the runtime makes, on the page's
// in-memory volume (../volume.ts). Open files buffer their writes until closed; a rename is a
// move; links are copies. Errors carry Node's codes, so the runtime's messages read the same.
import { Volume, volume } from '../volume.js';

function fail(code: string, syscall: string, path: string): never {
  const e = new Error(`${code}: ${syscall} '${path}'`) as Error & { code: string; path: string };
  e.code = code;
  e.path = path;
  throw e;
}

const open = new Map<number, { path: string; chunks: Uint8Array[] }>();
let nextFd = 3;

const utf8 = new TextEncoder();

export function existsSync(path: string): boolean {
  return volume.isFile(path) || volume.isDir(path);
}

export function readFileSync(path: string, enc?: string | { encoding?: string }): Uint8Array | string {
  const data = volume.read(path);
  if (!data) fail(volume.isDir(path) ? 'EISDIR' : 'ENOENT', 'open', path);
  const encoding = typeof enc === 'string' ? enc : enc?.encoding;
  return encoding ? new TextDecoder().decode(data) : data;
}

export function writeFileSync(path: string, data: string | Uint8Array): void {
  volume.write(path, typeof data === 'string' ? utf8.encode(data) : data.slice());
}

export function mkdirSync(): void {
  // Directories exist by their files.
}

export function openSync(path: string, flags: string): number {
  if (flags !== 'w') fail('EINVAL', 'open', path);
  const fd = nextFd++;
  open.set(fd, { path: Volume.normalize(path), chunks: [] });
  return fd;
}

export function writeSync(fd: number, data: string | Uint8Array): number {
  const f = open.get(fd);
  if (!f) fail('EBADF', 'write', String(fd));
  const bytes = typeof data === 'string' ? utf8.encode(data) : data.slice();
  f.chunks.push(bytes);
  return bytes.length;
}

export function fsyncSync(): void {}

export function closeSync(fd: number): void {
  const f = open.get(fd);
  if (!f) fail('EBADF', 'close', String(fd));
  open.delete(fd);
  const n = f.chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of f.chunks) {
    out.set(c, o);
    o += c.length;
  }
  volume.write(f.path, out);
}

export function renameSync(from: string, to: string): void {
  const data = volume.read(from);
  if (!data) fail('ENOENT', 'rename', from);
  volume.write(to, data);
  volume.remove(from);
}

export function copyFileSync(from: string, to: string): void {
  const data = volume.read(from);
  if (!data) fail('ENOENT', 'copyfile', from);
  volume.write(to, data);
}

export const linkSync = copyFileSync;

export function rmSync(path: string, opts?: { force?: boolean; recursive?: boolean }): void {
  if (volume.remove(path)) return;
  if (opts?.recursive && volume.isDir(path)) {
    const prefix = Volume.normalize(path) + '/';
    for (const k of [...volume.files.keys()]) if (k.startsWith(prefix)) volume.remove(k);
    return;
  }
  if (!opts?.force) fail('ENOENT', 'rm', path);
}

export const unlinkSync = (path: string) => rmSync(path);

interface Stat {
  isDirectory(): boolean;
  isFile(): boolean;
  size: number;
  mtimeMs: number;
}

export function statSync(path: string): Stat {
  const data = volume.read(path);
  const dir = !data && volume.isDir(path);
  if (!data && !dir) fail('ENOENT', 'stat', path);
  return { isDirectory: () => dir, isFile: () => !dir, size: data?.length ?? 0, mtimeMs: 0 };
}

export function readdirSync(path: string, opts?: { withFileTypes?: boolean }): unknown[] {
  if (!volume.isDir(path)) fail(volume.isFile(path) ? 'ENOTDIR' : 'ENOENT', 'scandir', path);
  const names = volume.list(path);
  if (!opts?.withFileTypes) return names;
  const base = Volume.normalize(path);
  return names.map((name) => {
    const dir = !volume.isFile(`${base}/${name}`);
    return { name, isDirectory: () => dir, isFile: () => !dir };
  });
}

/** Reading parts of files by descriptor (WebDataset shards): not in the browser. */
export function fstatSync(): never {
  throw new Error('reading files by descriptor is not available in the browser');
}
export const readSync = fstatSync;

export default { fstatSync, readSync,  existsSync, readFileSync, writeFileSync, mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, copyFileSync, linkSync, rmSync, unlinkSync, statSync, readdirSync };
