// Facts about datasets the compiler needs without reading them: sizes and stored shapes. The
// runtime checks the files it loads against these before any GPU work. Image datasets
// (`imagefolder`) carry theirs in the configuration: the host's scan found them at check time.
import type { DataConfig, Shape } from '../plan/config.js';

const FULL: Record<'fashion_mnist' | 'mnist' | 'cifar10' | 'cifar100', { train: number; test: number; shape: Shape; classes: number }> = {
  fashion_mnist: { train: 60000, test: 10000, shape: [1, 28, 28], classes: 10 },
  mnist: { train: 60000, test: 10000, shape: [1, 28, 28], classes: 10 },
  cifar10: { train: 50000, test: 10000, shape: [3, 32, 32], classes: 10 },
  cifar100: { train: 50000, test: 10000, shape: [3, 32, 32], classes: 100 },
};

export function fullSizes(d: DataConfig): { train: number; test: number } {
  return d.kind === 'synthetic' || d.kind === 'imagefolder' ? { train: d.trainSize, test: d.testSize } : FULL[d.kind];
}

/** Examples actually used (subsets applied). */
export function datasetSizes(d: DataConfig): { train: number; test: number } {
  const full = fullSizes(d);
  return {
    train: d.trainSubset > 0 ? Math.min(d.trainSubset, full.train) : full.train,
    test: d.testSubset > 0 ? Math.min(d.testSubset, full.test) : full.test,
  };
}

/** Shape of one stored image, before padding. */
export function storedShape(d: DataConfig): Shape {
  if (d.kind === 'synthetic') return d.shape;
  if (d.kind === 'imagefolder') return [3, d.size, d.size];
  return FULL[d.kind].shape;
}

export function dataClasses(d: DataConfig): number {
  return d.kind === 'synthetic' || d.kind === 'imagefolder' ? d.classes : FULL[d.kind].classes;
}

/**
 * Streamed data is decoded and augmented on the host and written to the device one batch per
 * step: the plan's image buffers hold one batch, and the load kernel reads rows in order
 * (the host has already drawn the epoch's order and crops).
 */
export function isStreamed(d: DataConfig): boolean {
  return d.kind === 'imagefolder';
}

/** Images the plan's train and test buffers hold: the whole split, or one batch when streamed. */
export function residentSizes(d: DataConfig, batch: number, evalBatch: number): { train: number; test: number } {
  if (!isStreamed(d)) return datasetSizes(d);
  const n = datasetSizes(d);
  return { train: Math.min(batch, n.train), test: Math.min(evalBatch, n.test) };
}
