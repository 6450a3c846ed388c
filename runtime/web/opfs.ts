/// <reference lib="dom" />
// Checkpoints and results in the browser's storage: the volume's files under a root (the runs
// directory) are mirrored to the Origin Private File System as they are written, and read back
// into the volume when the page loads, so a reloaded page resumes its runs from their
// checkpoints (runPlans with resume). Writes are queued in order; a failure is reported once and
// the run goes on in memory (a private window may have no OPFS, or a small quota).
import type { Volume } from './volume.js';

async function dirOf(root: FileSystemDirectoryHandle, parts: string[], create: boolean): Promise<FileSystemDirectoryHandle> {
  let d = root;
  for (const p of parts) d = await d.getDirectoryHandle(p, { create });
  return d;
}

export class OpfsMirror {
  private queue: Promise<void> = Promise.resolve();
  failure?: string;

  private constructor(
    private readonly root: FileSystemDirectoryHandle,
    private readonly prefix: string,
  ) {}

  /** The mirror of `prefix` (`/runs`), or undefined where the browser has no OPFS. */
  static async open(prefix: string): Promise<OpfsMirror | undefined> {
    try {
      const root = await navigator.storage.getDirectory();
      return new OpfsMirror(root, prefix);
    } catch {
      return undefined;
    }
  }

  private parts(path: string): string[] {
    return path.slice(this.prefix.length).split('/').filter(Boolean);
  }

  /** Loads every stored file into the volume; returns how many. */
  async restore(volume: Volume): Promise<number> {
    let n = 0;
    const walk = async (d: FileSystemDirectoryHandle, at: string) => {
      for await (const [name, h] of (d as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, `${at}/${name}`);
        else {
          const f = await (h as FileSystemFileHandle).getFile();
          volume.load(`${at}/${name}`, new Uint8Array(await f.arrayBuffer()));
          n++;
        }
      }
    };
    await walk(this.root, this.prefix);
    return n;
  }

  /** Follows the volume: each write or removal under the prefix is queued to storage. */
  follow(volume: Volume): () => void {
    return volume.onChange((path, data) => {
      if (!path.startsWith(this.prefix + '/')) return;
      const parts = this.parts(path);
      const name = parts.pop()!;
      this.queue = this.queue.then(async () => {
        try {
          const d = await dirOf(this.root, parts, true);
          if (data) {
            const w = await (await d.getFileHandle(name, { create: true })).createWritable();
            await w.write(data as Uint8Array<ArrayBuffer>);
            await w.close();
          } else await d.removeEntry(name).catch(() => {});
        } catch (e) {
          this.failure ??= `browser storage: ${(e as Error).message}`;
        }
      });
    });
  }

  /** Resolves when every queued write has reached storage. */
  flushed(): Promise<void> {
    return this.queue;
  }

  async clear(): Promise<void> {
    await this.flushed();
    for await (const [name] of (this.root as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      await this.root.removeEntry(name, { recursive: true });
    }
  }
}
