// The reference of the batch loader: the same gather, normalisation and padding as
// compiler/kernels/data.ts, on the host.
import type { RunConfig } from '../../compiler/config.js';
import { normConstants } from '../../compiler/kernels/data.js';
import type { Split } from '../data/idx.js';
import type { RefBatch } from './interpreter.js';

export function referenceBatch(cfg: RunConfig, split: Split, shape: number[], order: Uint32Array | null, start: number, batch: number): RefBatch {
  const out = cfg.model.input;
  const outN = out.reduce((a, b) => a * b, 1);
  const storedN = shape.reduce((a, b) => a * b, 1);
  const channels = shape.length === 3 ? shape[0] : 1;
  const hw = storedN / channels;
  const { a, b } = normConstants(cfg.data.normalize);
  const valid = Math.max(0, Math.min(batch, split.n - start));
  const x = new Float32Array(batch * outN);
  const labels = new Uint32Array(batch);
  const padded = outN !== storedN;
  for (let row = 0; row < valid; row++) {
    const image = order ? order[start + row] : start + row;
    labels[row] = split.labels[image];
    for (let p = 0; p < outN; p++) {
      let src = p;
      if (padded) {
        const [, H, W] = shape;
        const [, OH, OW] = out;
        const top = Math.floor((OH - H) / 2);
        const left = Math.floor((OW - W) / 2);
        const c = Math.floor(p / (OH * OW));
        const oy = Math.floor(p / OW) % OH;
        const ox = p % OW;
        if (oy < top || oy >= top + H || ox < left || ox >= left + W) continue;
        src = c * H * W + (oy - top) * W + (ox - left);
      }
      const c = Math.floor(src / hw);
      x[row * outN + p] = Math.fround(Math.fround(split.images[image * storedN + src] * a[c]) + b[c]);
    }
  }
  return { x, labels, valid };
}
