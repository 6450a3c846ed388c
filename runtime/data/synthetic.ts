// Synthetic data of any shape: a learnable task, deterministic and independent of the run seed.
// Each class has a random prototype image; an example is its class prototype plus uniform noise,
// clipped to bytes. Labels cycle through the classes in a shuffled order.
import type { DataConfig } from '../../compiler/plan/config.js';
import { Stream, philox4x32 } from '../../compiler/index.js';
import type { Split } from './idx.js';

const DATA_KEY = [0x5eed_da7a, 0] as const;

export function syntheticSplit(d: Extract<DataConfig, { kind: 'synthetic' }>, split: 'train' | 'test'): Split {
  const n = split === 'train' ? d.trainSize : d.testSize;
  const pixels = d.shape.reduce((a, b) => a * b, 1);
  const r = new Uint32Array(4);
  const proto = new Uint8Array(d.classes * pixels);
  for (let i = 0; i < proto.length; i++) proto[i] = philox4x32(i, 0, Stream.synthetic, 0, DATA_KEY[0], DATA_KEY[1], r)[0] >>> 24;
  const images = new Uint8Array(n * pixels);
  const labels = new Uint32Array(n);
  const splitWord = split === 'train' ? 1 : 2;
  for (let e = 0; e < n; e++) {
    const label = philox4x32(e, splitWord, Stream.synthetic, 1, DATA_KEY[0], DATA_KEY[1], r)[0] % d.classes;
    labels[e] = label;
    for (let p = 0; p < pixels; p++) {
      const noise = (philox4x32(p, e, Stream.synthetic, 1 + splitWord, DATA_KEY[0], DATA_KEY[1], r)[0] >>> 24) - 128;
      const v = proto[label * pixels + p] + noise;
      images[e * pixels + p] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { images, labels, n };
}
