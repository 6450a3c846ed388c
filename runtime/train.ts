// The training loop: upload the dataset once, then per epoch write the permutation, replay the
// training step (one submit each), read the metrics back once, evaluate, and record the epoch.
import type { Plan } from '../compiler/plan.js';
import { lrAt } from '../compiler/schedule.js';
import { epochPermutation } from '../compiler/shuffle.js';
import type { Dataset } from './data/dataset.js';
import type { GpuContext } from './device.js';
import { Executor } from './executor.js';

export interface EpochRecord {
  epoch: number; // 1-based
  lr: number;
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
  train_images_per_second: number;
  train_seconds: number;
  eval_seconds: number;
}

export interface TrainHooks {
  /** Called every few steps with (steps done in epoch, steps per epoch). */
  onProgress?(epoch: number, step: number, steps: number): void;
  onEpoch?(rec: EpochRecord): void;
  /** Epochs to run (default: the config's). */
  epochs?: number;
  /** How often to wait for the device (steps); also the progress granularity. */
  syncEvery?: number;
}

/** Packs bytes four to a u32 word (the layout the load kernels read). */
export function packBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

export async function uploadDataset(ex: Executor, ds: Dataset): Promise<void> {
  const d = ex.plan.data;
  ex.writeBuffer(d.trainImages, packBytes(ds.train.images));
  ex.writeBuffer(d.trainLabels, ds.train.labels);
  ex.writeBuffer(d.testImages, packBytes(ds.test.images));
  ex.writeBuffer(d.testLabels, ds.test.labels);
  await ex.sync();
}

export async function initParams(ex: Executor): Promise<void> {
  ex.run('init');
  await ex.sync();
}

const ZERO4 = new Float32Array(4);

export async function evaluate(ex: Executor, ds: Dataset): Promise<{ loss: number; accuracy: number }> {
  const plan = ex.plan;
  const B = plan.config.train.evalBatch;
  ex.write(plan.metrics.test, ZERO4);
  for (let s = 0; s * B < ds.test.n; s++) {
    ex.setStep({ batch_start: s * B, valid: Math.min(B, ds.test.n - s * B) });
    ex.run('evalStep');
  }
  const m = await ex.readF32(plan.metrics.test);
  return { loss: m[0] / m[2], accuracy: m[1] / m[2] };
}

export async function trainEpoch(ex: Executor, ds: Dataset, epoch: number, hooks: TrainHooks = {}): Promise<EpochRecord> {
  const plan: Plan = ex.plan;
  const cfg = plan.config;
  const B = cfg.train.batch;
  const n = ds.train.n;
  const steps = Math.ceil(n / B);
  const epochs = hooks.epochs ?? cfg.train.epochs;
  const lr = lrAt(cfg.optimizer, epoch, epochs);
  const syncEvery = hooks.syncEvery ?? 8;
  ex.writeBuffer(plan.data.permutation, epochPermutation(cfg.seed, epoch, n));
  ex.write(plan.metrics.train, ZERO4);
  await ex.sync();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    ex.setStep({ step: epoch * steps + s, epoch, batch_start: s * B, valid: Math.min(B, n - s * B), lr });
    ex.run('trainStep');
    if ((s + 1) % syncEvery === 0 || s === steps - 1) {
      await ex.sync();
      hooks.onProgress?.(epoch, s + 1, steps);
    }
  }
  const m = await ex.readF32(plan.metrics.train);
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const test = await evaluate(ex, ds);
  const rec: EpochRecord = {
    epoch: epoch + 1,
    lr,
    train_loss: m[0] / m[2],
    train_accuracy: m[1] / m[2],
    test_loss: test.loss,
    test_accuracy: test.accuracy,
    train_images_per_second: n / trainSeconds,
    train_seconds: trainSeconds,
    eval_seconds: (performance.now() - t1) / 1000,
  };
  hooks.onEpoch?.(rec);
  return rec;
}

export async function prepare(ctx: GpuContext, plan: Plan, ds: Dataset): Promise<Executor> {
  const ex = await Executor.create(ctx, plan);
  await uploadDataset(ex, ds);
  await initParams(ex);
  return ex;
}
