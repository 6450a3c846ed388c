// The training loop: upload the dataset once, then per epoch write the permutation, replay the
// training step (one submit each), read the metrics back once, evaluate, and record the epoch.
// An epoch can start at any step (a resume): the permutation is a pure function of
// (seed, epoch), the step uniform of (epoch, step), and the caller restores the parameters and
// the metric accumulators, so the continuation is the same computation as an uninterrupted run.
import type { ImageShards, Plan } from '../compiler/plan/plan.js';
import { permutation } from '../compiler/index.js';
import { adamCorrections, learningRate } from '../compiler/plan/schedule.js';
import type { Dataset } from './data/dataset.js';
import type { Split } from './data/idx.js';
import type { GpuContext } from './device.js';
import { Executor, type RunExecutor } from './executor.js';
import { loadFixedMasks } from './fixed-mask.js';
import type { EpochRecord } from './results/epoch.js';

export interface TrainHooks {
  /**
   * Called every few steps with (steps done in epoch, steps per epoch) and, with `running`, the
   * epoch's training loss and accuracy so far (read from the device's accumulators at that sync).
   */
  onProgress?(epoch: number, step: number, steps: number, running?: Running): void;
  /** Read the running loss and accuracy for onProgress: one more readback per sync, so only for a display. */
  running?: boolean;
  onEpoch?(rec: EpochRecord): void;
  /** How often to wait for the device (steps); also the progress granularity. */
  syncEvery?: number;
  /** First step of the epoch to run (a resume); the train accumulators are then left as restored. */
  startStep?: number;
  /**
   * Called after each step is submitted, with the number of steps of the epoch done. Returning
   * true stops the epoch there (trainEpoch throws EpochStopped). It may await (checkpoints).
   */
  afterStep?(epoch: number, done: number, steps: number): boolean | Promise<boolean>;
}

/** The current epoch's training loss and accuracy over the steps done so far. */
export interface Running {
  loss: number;
  accuracy: number;
}

/** Mean loss and accuracy from a metrics accumulator [loss sum, correct, examples, –]. */
function means(m: Float32Array): Running {
  return { loss: m[0] / m[2], accuracy: m[1] / m[2] };
}

export class EpochStopped extends Error {
  constructor(
    readonly epoch: number,
    readonly done: number,
  ) {
    super(`stopped in epoch ${epoch + 1} after ${done} steps`);
  }
}

/** Packs bytes four to a u32 word (the layout the load kernels read). */
export function packBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

export function stepsPerEpoch(plan: Plan, trainExamples: number): number {
  return Math.ceil(trainExamples / plan.config.train.batch);
}

/** A split's image shards (one buffer when the plan did not shard it). */
export function imageShards(plan: Plan, split: 'train' | 'test', n: number): ImageShards {
  const d = plan.data;
  const sharded = split === 'train' ? d.trainImageShards : d.testImageShards;
  return sharded ?? { buffers: [split === 'train' ? d.trainImages : d.testImages], imagesPerShard: Math.max(1, n) };
}

/** Shard s of a split: its images' bytes packed into words, from the shard's first image. */
export function shardWords(split: Split, pixels: number, shards: ImageShards, s: number): Uint32Array {
  const from = s * shards.imagesPerShard;
  const to = Math.min(split.n, from + shards.imagesPerShard);
  return packBytes(split.images.subarray(from * pixels, Math.max(from, to) * pixels));
}

export async function uploadDataset(ex: RunExecutor, ds: Dataset): Promise<void> {
  if (ds.feed) return; // streamed: written per step
  const d = ex.plan.data;
  const pixels = ds.shape.reduce((a, b) => a * b, 1);
  for (const [name, split] of [['train', ds.train], ['test', ds.test]] as const) {
    const shards = imageShards(ex.plan, name, split.n);
    shards.buffers.forEach((b, s) => ex.writeBuffer(b, shardWords(split, pixels, shards, s)));
  }
  ex.writeBuffer(d.trainLabels, ds.train.labels);
  ex.writeBuffer(d.testLabels, ds.test.labels);
  await ex.sync();
}

export async function initParams(ex: RunExecutor): Promise<void> {
  ex.run('init');
  await ex.sync();
}

const ZERO4 = new Float32Array(4);

function seedFields(seed: number) {
  return { seed_lo: seed >>> 0, seed_hi: Math.floor(seed / 2 ** 32) >>> 0 };
}

/** The order of the training examples in `epoch`, as the plan's shuffle spec gives it. */
export function epochOrder(plan: Plan, epoch: number, n: number): Uint32Array {
  return permutation(plan.schedule.shuffle, epoch, n);
}

/**
 * Test-set loss and accuracy. `epoch` picks the supermask's evaluation sample (one per epoch);
 * by default the epoch of the last training step.
 */
export async function evaluate(ex: RunExecutor, ds: Dataset, epoch?: number): Promise<{ loss: number; accuracy: number }> {
  const plan = ex.plan;
  const B = plan.config.train.evalBatch;
  ex.write(plan.metrics.test, ZERO4);
  ex.setStep({ ...seedFields(plan.schedule.seed), ...(epoch !== undefined ? { epoch } : {}) });
  for (let s = 0; s * B < ds.test.n; s++) {
    if (ds.feed) {
      const b = await ds.feed.testBatch(s, B);
      writeBatch(ex, plan.data.testImages, plan.data.testLabels, b);
      ds.feed.recycle(b);
      ex.setStep({ batch_start: 0, valid: b.valid });
    } else ex.setStep({ batch_start: s * B, valid: Math.min(B, ds.test.n - s * B) });
    ex.run('evalStep');
  }
  return means(await ex.readF32(plan.metrics.test));
}

export async function trainEpoch(ex: RunExecutor, ds: Dataset, epoch: number, hooks: TrainHooks = {}): Promise<EpochRecord> {
  const plan: Plan = ex.plan;
  const cfg = plan.config;
  const B = cfg.train.batch;
  const n = ds.train.n;
  const steps = stepsPerEpoch(plan, n);
  const sched = plan.schedule;
  const lr = learningRate(sched.lr, epoch);
  const syncEvery = hooks.syncEvery ?? 8;
  const start = hooks.startStep ?? 0;
  const seed = seedFields(sched.seed);
  const order = epochOrder(plan, epoch, n);
  if (!ds.feed) ex.writeBuffer(plan.data.permutation, order);
  const data0 = ds.feed ? { ...ds.feed.stats } : undefined;
  if (start === 0) ex.write(plan.metrics.train, ZERO4);
  await ex.sync();
  const t0 = performance.now();
  for (let s = start; s < steps; s++) {
    const step = epoch * steps + s;
    let rows = { batch_start: s * B, valid: Math.min(B, n - s * B) };
    if (ds.feed) {
      const b = await ds.feed.trainBatch(sched.seed, epoch, order, s, B);
      writeBatch(ex, plan.data.trainImages, plan.data.trainLabels, b);
      ds.feed.recycle(b);
      rows = { batch_start: 0, valid: b.valid };
    }
    ex.setStep({ step, epoch, ...rows, lr, ...seed, ...adamCorrections(sched.adam, step + 1) });
    ex.run('trainStep');
    if ((s + 1) % syncEvery === 0 || s === steps - 1) {
      await ex.sync();
      if (hooks.onProgress) {
        const m = hooks.running ? await ex.readF32(plan.metrics.train) : undefined;
        hooks.onProgress(epoch, s + 1, steps, m && m[2] > 0 ? means(m) : undefined);
      }
    }
    if (hooks.afterStep && (await hooks.afterStep(epoch, s + 1, steps))) throw new EpochStopped(epoch, s + 1);
  }
  const train = means(await ex.readF32(plan.metrics.train));
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const test = await evaluate(ex, ds);
  const seen = Math.min(n, steps * B) - Math.min(n, start * B);
  const rec: EpochRecord = {
    epoch: epoch + 1,
    lr,
    train_loss: train.loss,
    train_accuracy: train.accuracy,
    test_loss: test.loss,
    test_accuracy: test.accuracy,
    train_images_per_second: trainSeconds > 0 ? seen / trainSeconds : 0,
    train_seconds: trainSeconds,
    eval_seconds: (performance.now() - t1) / 1000,
  };
  if (ds.feed && data0) {
    const f = ds.feed.stats;
    const seconds = f.decodeSeconds - data0.decodeSeconds;
    rec.data_images_per_second = seconds > 0 ? (f.decoded - data0.decoded) / seconds : 0;
    rec.data_wait_seconds = f.waitSeconds - data0.waitSeconds;
  }
  hooks.onEpoch?.(rec);
  return rec;
}

/** One streamed batch into the step's image and label buffers (queued before the step's submit). */
export function writeBatch(ex: RunExecutor, images: number, labels: number, b: { images: Uint8Array; labels: Uint32Array }): void {
  if (b.images.length) ex.writeBuffer(images, new Uint32Array(b.images.buffer, b.images.byteOffset, b.images.length / 4));
  ex.writeBuffer(labels, b.labels);
}

/** Buffers, pipelines, the dataset on the device, parameters initialised from the seed. */
export async function prepare(ctx: GpuContext, plan: Plan, ds: Dataset | undefined): Promise<Executor> {
  const ex = await Executor.create(ctx, plan);
  await setUp(ex, ds);
  return ex;
}

/** The dataset on the device and the parameters initialised from the seed. */
export async function setUp(ex: RunExecutor, ds: Dataset | undefined): Promise<void> {
  if (ds) await uploadDataset(ex, ds);
  await initParams(ex);
  loadFixedMasks(ex);
}
