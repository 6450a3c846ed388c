// Facts about datasets the compiler needs without reading them: sizes and stored shapes. The
// runtime checks the files it loads against these before any GPU work.
import type { DataConfig, Shape } from '../plan/config.js';

const FULL: Record<'fashion_mnist' | 'mnist' | 'cifar10', { train: number; test: number; shape: Shape; classes: number }> = {
  fashion_mnist: { train: 60000, test: 10000, shape: [1, 28, 28], classes: 10 },
  mnist: { train: 60000, test: 10000, shape: [1, 28, 28], classes: 10 },
  cifar10: { train: 50000, test: 10000, shape: [3, 32, 32], classes: 10 },
};

export function fullSizes(d: DataConfig): { train: number; test: number } {
  return d.kind === 'synthetic' ? { train: d.trainSize, test: d.testSize } : FULL[d.kind];
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
  return d.kind === 'synthetic' ? d.shape : FULL[d.kind].shape;
}

export function dataClasses(d: DataConfig): number {
  return d.kind === 'synthetic' ? d.classes : FULL[d.kind].classes;
}
