// A pool of decode workers (runtime/data/decode-worker.ts). A batch is cut into chunks that idle
// workers take in order; each chunk comes back as its results and its rows' bytes. Workers hold
// the process open only while they have work, so a run that forgets to close the pool still exits.
//
// libvips runs its work on libuv's thread pool, which every worker thread shares: the launcher
// (bin/subnet.mjs) sizes UV_THREADPOOL_SIZE to the machine so that N workers are N decodes.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodeJob } from './decode.js';
import type { ChunkReply, ChunkRequest } from './decode-worker.js';

interface Pending {
  req: ChunkRequest;
  resolve(r: ChunkReply): void;
  reject(e: Error): void;
}

/** Workers: SUBNET_DATA_WORKERS, else one per core but one (the training loop's). */
export function defaultWorkers(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.SUBNET_DATA_WORKERS);
  if (Number.isInteger(n) && n > 0) return n;
  return Math.max(1, availableParallelism() - 1);
}

declare global {
  /** Set by a standalone runner (`subnet compile`): decode-worker.ts bundled as one ES module, `sharp` left a bare import. */
  var __subnetDecodeWorker: string | undefined;
}

/**
 * The decode worker's module: the file beside this one, or in a standalone runner the bundled
 * source as a data: URL, its `sharp` import pointed at the sharp installed beside the runner.
 * Without one the import stays bare and fails when an image needs libvips (runtime/data/libvips.ts
 * says so, naming the file); JPEGs never do.
 */
function workerUrl(): URL {
  const bundled = globalThis.__subnetDecodeWorker;
  if (!bundled) return new URL('./decode-worker.js', import.meta.url);
  let source = bundled;
  try {
    const sharp = JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('sharp')).href);
    source = bundled.replace(/from\s*"sharp"/g, `from ${sharp}`).replace(/import\(\s*"sharp"\s*\)/g, `import(${sharp})`);
  } catch {
    /* no sharp beside the runner */
  }
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * Chunks a worker holds at once: the one it decodes and the next, so that it never waits for the
 * main thread (busy assembling a batch) to hand it work.
 */
const DEPTH = 2;

export class DecodePool {
  private readonly all: Worker[] = [];
  private readonly queue: Pending[] = [];
  /** Each worker's chunks in the order sent; it answers them in that order. */
  private readonly sent = new Map<Worker, Pending[]>();
  private nextId = 0;
  private failed?: Error;
  private closing = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(workerUrl());
      w.unref();
      w.on('message', (m: ChunkReply) => this.done(w, m));
      w.on('error', (e) => this.fail(w, e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(w, new Error(`a decode worker exited with code ${code}`));
      });
      this.all.push(w);
      this.sent.set(w, []);
    }
  }

  /** Decodes `jobs` (rowBytes each) into `spare` if it fits; one result per job and their bytes, in order. */
  decode(jobs: DecodeJob[], rowBytes: number, spare?: ArrayBuffer): Promise<ChunkReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, jobs, rowBytes, spare }, resolve, reject });
      this.pump();
    });
  }

  /** Hands queued chunks to the least loaded workers, up to DEPTH each. */
  private pump(): void {
    while (this.queue.length) {
      let w: Worker | undefined;
      for (const c of this.all) if (this.sent.get(c)!.length < DEPTH && (!w || this.sent.get(c)!.length < this.sent.get(w)!.length)) w = c;
      if (!w) return;
      const p = this.queue.shift()!;
      this.sent.get(w)!.push(p);
      w.ref();
      w.postMessage(p.req, p.req.spare ? [p.req.spare] : []);
    }
  }

  private done(w: Worker, m: ChunkReply): void {
    // A reply that arrives after close() began must not unref the worker: terminate() holds it
    // ref'd until it has exited, and an unref'd one lets Node exit under a caller awaiting close().
    if (this.closing) return;
    const mine = this.sent.get(w)!;
    const at = mine.findIndex((p) => p.req.id === m.id);
    const [p] = at >= 0 ? mine.splice(at, 1) : [];
    if (!mine.length) w.unref();
    p?.resolve(m);
    this.pump();
  }

  private fail(w: Worker, e: Error): void {
    if (this.closing) return;
    this.failed ??= e;
    for (const p of this.sent.get(w)?.splice(0) ?? []) p.reject(e);
    for (const q of this.queue.splice(0)) q.reject(e);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.all.map((w) => w.terminate()));
    this.all.length = 0;
    this.sent.clear();
  }
}
