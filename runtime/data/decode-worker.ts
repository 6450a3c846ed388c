// A decode worker: takes a chunk of a batch, decodes each image into a buffer of its own, and
// answers with one result per job and the buffer, transferred (not copied). A shared buffer
// would save that, but copying out of one is slow (V8 goes element by element: 38 ms a batch).
// libvips (formats other than JPEG) gets one thread per worker (runtime/data/libvips.ts): the
// pool, not libvips, is the parallelism, so N workers use N cores.
import { parentPort } from 'node:worker_threads';
import { decodeInto, type DecodeJob, type DecodeResult } from './decode.js';

export interface ChunkRequest {
  id: number;
  jobs: DecodeJob[];
  rowBytes: number;
  /** A buffer from an earlier reply, transferred back to be filled again (fresh pages cost faults). */
  spare?: ArrayBuffer;
}

export interface ChunkReply {
  id: number;
  results: DecodeResult[];
  /** jobs.length rows of rowBytes, in job order. */
  data: ArrayBuffer;
}

// Two images in flight: while libvips decodes one (PNG, WebP, CMYK…) on the thread pool, this
// thread does the other. JPEGs are decoded and resized synchronously, one after the other.
const IN_FLIGHT = 2;

async function decodeChunk(req: ChunkRequest): Promise<void> {
  const n = req.jobs.length * req.rowBytes;
  const out = req.spare?.byteLength === n ? new Uint8Array(req.spare) : new Uint8Array(n);
  const results: DecodeResult[] = new Array(req.jobs.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < req.jobs.length; i = next++) {
      results[i] = await decodeInto(req.jobs[i]!, out.subarray(i * req.rowBytes, (i + 1) * req.rowBytes));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  parentPort!.postMessage({ id: req.id, results, data: out.buffer } satisfies ChunkReply, [out.buffer]);
}

// The pool sends a worker its next chunk before this one is done (decode-pool.ts, DEPTH);
// chunks are decoded one after another, in the order they came.
const waiting: ChunkRequest[] = [];
let draining = false;
parentPort!.on('message', async (req: ChunkRequest) => {
  waiting.push(req);
  if (draining) return;
  draining = true;
  while (waiting.length) await decodeChunk(waiting.shift()!);
  draining = false;
});
