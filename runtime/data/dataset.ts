// Loads the dataset a RunConfig names into host memory (bytes + labels), checked against the
// sizes the plan was compiled for. Uploading to the device happens once, in runtime/train.ts.
import type { DataConfig } from '../../compiler/plan/config.js';
import { dataClasses, datasetSizes, fullSizes, storedShape } from '../../compiler/index.js';
import { readCifar10 } from './cifar.js';
import { DataError, readIdxSplit, type Split } from './idx.js';
import { syntheticSplit } from './synthetic.js';

export { DataError };

export interface Dataset {
  shape: number[];
  classes: number;
  train: Split;
  test: Split;
}

function take(s: Split, n: number, pixels: number): Split {
  if (n >= s.n) return s;
  return { images: s.images.subarray(0, n * pixels), labels: s.labels.subarray(0, n), n };
}

export function loadDataset(d: DataConfig): Dataset {
  const shape = storedShape(d);
  const classes = dataClasses(d);
  const pixels = shape.reduce((a, b) => a * b, 1);
  const want = datasetSizes(d);
  let train: Split;
  let test: Split;
  switch (d.kind) {
    case 'fashion_mnist':
    case 'mnist': {
      train = readIdxSplit(d.dir, 'train', shape, classes);
      test = readIdxSplit(d.dir, 't10k', shape, classes);
      const full = fullSizes(d);
      if (train.n !== full.train) throw new DataError(`${d.dir}/train-images-idx3-ubyte`, `has ${train.n} images, expected ${full.train}`);
      if (test.n !== full.test) throw new DataError(`${d.dir}/t10k-images-idx3-ubyte`, `has ${test.n} images, expected ${full.test}`);
      break;
    }
    case 'synthetic':
      train = syntheticSplit(d, 'train');
      test = syntheticSplit(d, 'test');
      break;
    case 'cifar10':
      ({ train, test } = readCifar10(d.dir, classes));
      break;
  }
  return { shape, classes, train: take(train, want.train, pixels), test: take(test, want.test, pixels) };
}
