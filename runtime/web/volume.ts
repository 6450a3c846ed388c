// The files host of the web target: an in-memory volume of paths to bytes. The runtime's results
// code (run directories, checkpoints, the dataset readers) is written against Node's fs; the
// browser bundle maps `node:fs` to node/fs.ts, which reads and writes here. The page mirrors the
// volume to the browser's storage (opfs.ts) so that a reloaded page resumes its runs, and offers
// a run directory's files as downloads. Paths are POSIX, absolute after normalisation.

export type VolumeListener = (path: string, data: Uint8Array | undefined) => void;

export class Volume {
  readonly files = new Map<string, Uint8Array>();
  private readonly listeners = new Set<VolumeListener>();

  /** `a/./b/../c` → `/a/c`: one spelling per file. */
  static normalize(path: string): string {
    const out: string[] = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  }

  onChange(f: VolumeListener): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  read(path: string): Uint8Array | undefined {
    return this.files.get(Volume.normalize(path));
  }

  /** Writes without telling the listeners (restoring from storage). */
  load(path: string, data: Uint8Array): void {
    this.files.set(Volume.normalize(path), data);
  }

  write(path: string, data: Uint8Array): void {
    const p = Volume.normalize(path);
    this.files.set(p, data);
    for (const f of this.listeners) f(p, data);
  }

  remove(path: string): boolean {
    const p = Volume.normalize(path);
    const had = this.files.delete(p);
    if (had) for (const f of this.listeners) f(p, undefined);
    return had;
  }

  isFile(path: string): boolean {
    return this.files.has(Volume.normalize(path));
  }

  /** A directory exists when some file lies under it (the root always does). */
  isDir(path: string): boolean {
    const p = Volume.normalize(path);
    if (p === '/') return true;
    for (const k of this.files.keys()) if (k.startsWith(p + '/')) return true;
    return false;
  }

  /** The names directly under a directory, sorted. */
  list(path: string): string[] {
    const p = Volume.normalize(path);
    const prefix = p === '/' ? '/' : p + '/';
    const names = new Set<string>();
    for (const k of this.files.keys()) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]);
    return [...names].sort();
  }
}

/** The page's one volume: node/fs.ts and the page share it. */
export const volume = new Volume();
