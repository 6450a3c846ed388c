// Loads the dataset a RunConfig names into host memory (bytes + labels), checked against the
// sizes the plan was compiled for. Uploading to the device happens once, in runtime/train.ts.
import type { DataConfig } from '../../compiler/plan/config.js';
import { dataClasses, datasetSizes, fullSizes, storedShape } from '../../compiler/index.js';
import { readCifar10 } from './cifar.js';
import { readCifar100 } from './cifar100.js';
import { ImageFeed } from './image-feed.js';
import { indexImages } from './image-index.js';
import { DataError, readIdxSplit, type Split } from './idx.js';
import { syntheticSplit } from './synthetic.js';

export { DataError };

export interface Dataset {
  shape: number[];
  classes: number;
  train: Split;
  test: Split;
  /**
   * Images decoded on the host and written to the device per step (`imagefolder`); the splits
   * then hold counts and labels only.
   */
  feed?: ImageFeed;
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
    case 'cifar100':
      ({ train, test } = readCifar100(d.dir));
      break;
    case 'imagefolder':
      return loadImages(d, shape, classes, want);
  }
  return { shape, classes, train: take(train, want.train, pixels), test: take(test, want.test, pixels) };
}

/** Lists the images again and checks them against what the program was checked with. */
function loadImages(d: Extract<DataConfig, { kind: 'imagefolder' }>, shape: number[], classes: number, want: { train: number; test: number }): Dataset {
  const ix = indexImages(d.dir ? { dir: d.dir } : { shards: d.shards, valShards: d.valShards });
  const where = d.dir || d.shards;
  if (ix.classes.length !== classes) throw new DataError(where, `has ${ix.classes.length} classes now, ${classes} when the program was checked`);
  if (ix.train.length !== d.trainSize || ix.test.length !== d.testSize) {
    throw new DataError(where, `has ${ix.train.length} training and ${ix.test.length} validation images now, ${d.trainSize} and ${d.testSize} when the program was checked`);
  }
  const train = ix.train.slice(0, want.train);
  const test = ix.test.slice(0, want.test);
  const split = (e: typeof train): Split => ({ images: new Uint8Array(0), labels: Uint32Array.from(e, (x) => x.label), n: e.length });
  return { shape, classes, train: split(train), test: split(test), feed: new ImageFeed(d, train, test) };
}
