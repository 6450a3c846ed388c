// `node:path` in the browser bundle: the POSIX functions the runtime uses, on the volume's
// absolute paths (the working directory is `/`).
import { Volume } from '../volume.js';

export const sep = '/';

export function join(...parts: string[]): string {
  const s = parts.filter((p) => p !== '').join('/');
  if (s === '') return '.';
  const abs = s.startsWith('/');
  const n = Volume.normalize(s);
  return abs ? n : n.slice(1) || '.';
}

export function resolve(...parts: string[]): string {
  let s = '';
  for (const p of parts) s = p.startsWith('/') ? p : `${s}/${p}`;
  return Volume.normalize(s);
}

export function dirname(p: string): string {
  const n = p.replace(/\/+$/, '');
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : n.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const b = p.replace(/\/+$/, '').split('/').pop() ?? '';
  return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b;
}

export function extname(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf('.');
  return i > 0 ? b.slice(i) : '';
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function relative(from: string, to: string): string {
  const a = resolve(from).split('/').filter(Boolean);
  const b = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export default { sep, join, resolve, dirname, basename, extname, isAbsolute, relative };
