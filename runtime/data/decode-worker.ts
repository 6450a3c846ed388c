// A decode worker: takes a chunk of a batch (jobs and their rows), writes each image's bytes into
// the batch's shared buffer, and answers with one result per job. Each worker asks libvips for
// one thread: the pool, not libvips, is the parallelism, so N workers use N cores.
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeInto, type DecodeJob, type DecodeResult } from './decode.js';

export interface ChunkRequest {
  id: number;
  jobs: DecodeJob[];
  rows: number[];
  out: SharedArrayBuffer;
  rowBytes: number;
}

export interface ChunkReply {
  id: number;
  results: DecodeResult[];
}

sharp.concurrency(1);
sharp.cache(false);

// Two images in flight: while libvips decodes one on the thread pool, this thread reorders the
// other's pixels, so neither waits for the other.
const IN_FLIGHT = 2;

parentPort!.on('message', async (req: ChunkRequest) => {
  const out = new Uint8Array(req.out);
  const results: DecodeResult[] = new Array(req.jobs.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < req.jobs.length; i = next++) {
      const row = req.rows[i]!;
      results[i] = await decodeInto(req.jobs[i]!, out.subarray(row * req.rowBytes, (row + 1) * req.rowBytes));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  parentPort!.postMessage({ id: req.id, results } satisfies ChunkReply);
});
