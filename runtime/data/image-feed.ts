// Batches of an image dataset, decoded and augmented by the worker pool while the device trains
// on the previous ones. A training batch is rows order[s·B …] of the epoch's permutation, each
// cropped and flipped by its Philox draw (runtime/data/transforms.ts), so a batch is a pure
// function of (seed, epoch, step): a resumed run decodes exactly the images it would have.
//
// Bad data (on_bad): `stop` ends the run with one line naming the file; `skip` drops the image
// from its batch (the rows that decoded move up and the batch is that much shorter; the load
// kernel zeroes the rest and the loss counts only valid rows), remembers it so later epochs skip
// it without decoding, and counts it in the run's summary. Grayscale and CMYK images are
// converted to RGB, as the reference's loader does (PIL's convert('RGB')), with one notice each.
import type { DataConfig } from '../../compiler/plan/config.js';
import { DataError } from './idx.js';
import type { ImageEntry } from './image-index.js';
import type { DecodeJob } from './decode.js';
import type { ChunkReply } from './decode-worker.js';
import { DecodePool, defaultWorkers } from './decode-pool.js';

type ImageData = Extract<DataConfig, { kind: 'imagefolder' }>;

export interface FeedBatch {
  /** valid × 3·side² bytes (planar RGB), padded to whole u32 words. */
  images: Uint8Array;
  labels: Uint32Array;
  valid: number;
}

export interface FeedStats {
  /** Images decoded, and the wall time since the feed started. */
  decoded: number;
  decodeSeconds: number;
  /** Time the training loop waited for a batch that was not ready. */
  waitSeconds: number;
  skipped: Map<string, string>;
  converted: Set<string>;
}

const PREFETCH = 3;
/**
 * Buffers kept for reuse: a fresh 9.6 MB batch costs its page faults on first touch (20 ms of
 * copying into it against 0.25 ms into a used one, measured), on the main thread and in workers.
 */
const SPARE_BATCHES = 2;
const SPARE_CHUNKS = 16;
/** Chunks per worker and batch: small enough to balance, large enough to amortise a message. */
const CHUNKS_PER_WORKER = 2;

export class ImageFeed {
  readonly stats: FeedStats = { decoded: 0, decodeSeconds: 0, waitSeconds: 0, skipped: new Map(), converted: new Set() };
  private pool?: DecodePool;
  private readonly pending = new Map<string, Promise<FeedBatch>>();
  private readonly rowBytes: number;
  private started = 0;
  private readonly spareBatches: Uint8Array[] = [];
  private readonly spareChunks: ArrayBuffer[] = [];

  constructor(
    readonly data: ImageData,
    readonly train: ImageEntry[],
    readonly test: ImageEntry[],
    readonly workers = defaultWorkers(),
    private readonly notice: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  ) {
    this.rowBytes = 3 * data.size * data.size;
  }

  /** Training batch `step` of `epoch` (order = the epoch's permutation); prefetches the next ones. */
  async trainBatch(seed: number, epoch: number, order: Uint32Array, step: number, batch: number): Promise<FeedBatch> {
    const steps = Math.ceil(order.length / batch);
    for (let s = step + 1; s < Math.min(steps, step + 1 + PREFETCH); s++) this.request('train', seed, epoch, order, s, batch);
    return this.take(this.request('train', seed, epoch, order, step, batch));
  }

  /** Validation batch `step` (images in index order, the validation transform). */
  async testBatch(step: number, batch: number): Promise<FeedBatch> {
    const steps = Math.ceil(this.test.length / batch);
    for (let s = step + 1; s < Math.min(steps, step + 1 + PREFETCH); s++) this.request('test', 0, 0, undefined, s, batch);
    return this.take(this.request('test', 0, 0, undefined, step, batch));
  }

  private async take(key: string): Promise<FeedBatch> {
    const p = this.pending.get(key)!;
    const t0 = performance.now();
    try {
      return await p;
    } finally {
      this.stats.waitSeconds += (performance.now() - t0) / 1000;
      this.pending.delete(key);
    }
  }

  private request(split: 'train' | 'test', seed: number, epoch: number, order: Uint32Array | undefined, step: number, batch: number): string {
    const key = `${split}:${seed}:${epoch}:${step}:${batch}`;
    if (!this.pending.has(key)) {
      const p = this.decodeBatch(split, seed, epoch, order, step, batch);
      p.catch(() => {}); // a prefetched batch that fails is reported when it is taken
      this.pending.set(key, p);
    }
    return key;
  }

  private async decodeBatch(split: 'train' | 'test', seed: number, epoch: number, order: Uint32Array | undefined, step: number, batch: number): Promise<FeedBatch> {
    if (!this.started) this.started = performance.now();
    const entries = split === 'train' ? this.train : this.test;
    const from = step * batch;
    const to = Math.min(entries.length, from + batch);
    const picks: number[] = [];
    for (let i = from; i < to; i++) {
      const index = order ? order[i]! : i;
      if (!this.stats.skipped.has(entries[index]!.name)) picks.push(index);
    }
    const crop = this.data.augment.find((a) => a.kind === 'random_resized_crop');
    const flip = this.data.augment.some((a) => a.kind === 'hflip');
    const jobs: DecodeJob[] = picks.map((index) => {
      const e = entries[index]!;
      return { file: e.file, offset: e.offset, size: e.size, index, train: split === 'train', side: this.data.size, seed, epoch, crop: crop?.kind === 'random_resized_crop' ? crop.scale : null, flip };
    });
    const pool = (this.pool ??= new DecodePool(this.workers));
    const chunk = Math.max(1, Math.ceil(jobs.length / (this.workers * CHUNKS_PER_WORKER)));
    const parts: Promise<ChunkReply>[] = [];
    for (let i = 0; i < jobs.length; i += chunk) {
      const n = Math.min(chunk, jobs.length - i) * this.rowBytes;
      const at = this.spareChunks.findIndex((b) => b.byteLength === n);
      parts.push(pool.decode(jobs.slice(i, i + chunk), this.rowBytes, at >= 0 ? this.spareChunks.splice(at, 1)[0] : undefined));
    }
    const replies = await Promise.all(parts);
    // Rows that decoded, packed from the top (a skipped image leaves no gap), padded to u32 words.
    const size = Math.ceil((jobs.length * this.rowBytes) / 4) * 4;
    const reuse = this.spareBatches.findIndex((b) => b.length === size);
    const images = reuse >= 0 ? this.spareBatches.splice(reuse, 1)[0]! : new Uint8Array(size);
    const labels = new Uint32Array(batch);
    let valid = 0;
    let row = 0;
    for (const reply of replies) {
      const data = new Uint8Array(reply.data);
      reply.results.forEach((r, k) => {
        const e = entries[picks[row++]!]!;
        if (!r.ok) {
          if (this.data.onBad === 'stop') throw new DataError(e.name, `${r.error} (write \`on_bad: skip\` in the data source to skip bad images)`);
          if (!this.stats.skipped.has(e.name)) {
            this.stats.skipped.set(e.name, r.error);
            this.notice(`warning: skipped ${e.name}: ${r.error}`);
          }
          return;
        }
        if (r.converted && !this.stats.converted.has(e.name)) {
          this.stats.converted.add(e.name);
          this.notice(`note: ${e.name} is ${r.converted}; converted to RGB`);
        }
        images.set(data.subarray(k * this.rowBytes, (k + 1) * this.rowBytes), valid * this.rowBytes);
        labels[valid++] = e.label;
      });
      if (this.spareChunks.length < SPARE_CHUNKS) this.spareChunks.push(reply.data);
    }
    this.stats.decoded += row;
    this.stats.decodeSeconds = (performance.now() - this.started) / 1000;
    return { images: valid === jobs.length ? images : images.slice(0, Math.ceil((valid * this.rowBytes) / 4) * 4), labels, valid };
  }

  /**
   * Hands a batch's buffer back once its bytes are on the device (writeBuffer copies them), to be
   * filled again; a batch that is never handed back is simply collected.
   */
  recycle(b: FeedBatch): void {
    if (this.spareBatches.length < SPARE_BATCHES && !this.spareBatches.includes(b.images)) this.spareBatches.push(b.images);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
    this.pending.clear();
  }
}
