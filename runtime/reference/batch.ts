// The reference of the batch loader: the same gather, padding, augmentation and normalisation as
// compiler/kernels/data.ts, on the host, written the plain way (pad, crop, flip as coordinate
// maps), from the same Philox draws.
import type { RunConfig } from '../../compiler/plan/config.js';
import { augmentParams, normConstants, Stream, philox4x32, seedKey } from '../../compiler/index.js';
import type { Split } from '../data/idx.js';
import type { RefBatch } from './interpreter.js';

/** floor(r·n / 2³²): WGSL's philox_mulhi(r, n); exact in doubles for the small n used here. */
function uniformBelow(r: number, n: number): number {
  return Math.floor((r * n) / 2 ** 32);
}

/** The augmentation draws of one image in one epoch. */
export function augmentDraws(seed: number, epoch: number, image: number, pad: number): { dy: number; dx: number; flip: boolean } {
  const [k0, k1] = seedKey(seed);
  const r = philox4x32(image, 0, Stream.augment, epoch, k0, k1);
  return { dy: uniformBelow(r[0], 2 * pad + 1), dx: uniformBelow(r[1], 2 * pad + 1), flip: r[2] >>> 31 === 1 };
}

/**
 * One batch as the device builds it. `augment` (train batches) gives the epoch whose draws apply;
 * without it, or when the config has no augmentation, images are only padded and normalised.
 */
export function referenceBatch(
  cfg: RunConfig,
  split: Split,
  shape: number[],
  order: Uint32Array | null,
  start: number,
  batch: number,
  augment?: { epoch: number },
): RefBatch {
  const out = cfg.model.input;
  const outN = out.reduce((a, b) => a * b, 1);
  const storedN = shape.reduce((a, b) => a * b, 1);
  const channels = shape.length === 3 ? shape[0] : 1;
  const hw = storedN / channels;
  const { a, b } = normConstants(cfg.data.normalize);
  const aug = augmentParams(augment ? cfg.data.augment : []);
  const valid = Math.max(0, Math.min(batch, split.n - start));
  const x = new Float32Array(batch * outN);
  const labels = new Uint32Array(batch);
  const padded = outN !== storedN;
  const norm = (byte: number, c: number) => Math.fround(Math.fround(byte * a[c]) + b[c]);
  for (let row = 0; row < valid; row++) {
    const image = order ? order[start + row] : start + row;
    labels[row] = split.labels[image];
    const draw = aug.any ? augmentDraws(cfg.seed, augment!.epoch, image, aug.pad) : { dy: 0, dx: 0, flip: false };
    for (let p = 0; p < outN; p++) {
      let src = p;
      if (padded || aug.any) {
        const [, H, W] = shape;
        const [, OH, OW] = out;
        const c = Math.floor(p / (OH * OW));
        const oy = Math.floor(p / OW) % OH;
        const ox = p % OW;
        // Flip the crop, then read the crop from the canvas padded by `pad` black pixels.
        const fx = aug.flip && draw.flip ? OW - 1 - ox : ox;
        const y = oy + draw.dy - aug.pad;
        const xx = fx + draw.dx - aug.pad;
        if (y < 0 || y >= OH || xx < 0 || xx >= OW) {
          x[row * outN + p] = norm(0, c);
          continue;
        }
        const top = Math.floor((OH - H) / 2);
        const left = Math.floor((OW - W) / 2);
        if (y < top || y >= top + H || xx < left || xx >= left + W) continue; // padTo padding: 0
        src = c * H * W + (y - top) * W + (xx - left);
      }
      const c = Math.floor(src / hw);
      x[row * outN + p] = norm(split.images[image * storedN + src], c);
    }
  }
  return { x, labels, valid };
}
