// The reference's ImageNet transforms as boxes on the source image, drawn from Philox so that a
// resumed run sees the same images (docs/data.md):
//   train: RandomResizedCrop(size, scale, ratio = (3/4, 4/3)) then RandomHorizontalFlip();
//   val:   Resize(round(size·256/224)) (shorter side) then CenterCrop(size).
// torchvision's arithmetic is followed exactly (int(round(·)) with Python's round-half-even, the
// ten attempts and the central fallback); only the random numbers differ: torch's generator is
// replaced by Philox, key = seed, counter = (image index, 1 + attempt, Stream.augment, epoch) for
// attempt 0..9 (x: area, y: log aspect ratio, z: top, w: left), and the flip is the top bit of
// word z of (image index, 0, Stream.augment, epoch), the same block the GPU augmentation uses.
import { Stream, philox4x32 } from '../../compiler/index.js';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What is kept of an image: `box` resized to outWidth×outHeight, of which `window` (all when absent), maybe mirrored. */
export interface Transform {
  box: Box;
  outWidth: number;
  outHeight: number;
  window?: Box;
  flip: boolean;
}

const RATIO: [number, number] = [3 / 4, 4 / 3];
const ATTEMPTS = 10;

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const U32 = 2 ** 32;
const uniform = (u: number, lo: number, hi: number) => lo + (u / U32) * (hi - lo);
/** An integer uniform in [0, n): the high word of u·n (no modulo bias worth a bit). */
const below = (u: number, n: number) => Math.floor((u / U32) * n);

function seedWords(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

export function resizedCropBox(width: number, height: number, seed: number, epoch: number, index: number, scale: [number, number]): Box {
  const [k0, k1] = seedWords(seed);
  const r = new Uint32Array(4);
  const area = width * height;
  const logLo = Math.log(RATIO[0]);
  const logHi = Math.log(RATIO[1]);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    philox4x32(index, 1 + attempt, Stream.augment, epoch, k0, k1, r);
    const target = area * uniform(r[0]!, scale[0], scale[1]);
    const aspect = Math.exp(uniform(r[1]!, logLo, logHi));
    const w = roundHalfEven(Math.sqrt(target * aspect));
    const h = roundHalfEven(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: below(r[2]!, height - h + 1), left: below(r[3]!, width - w + 1), width: w, height: h };
    }
  }
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < RATIO[0]) {
    w = width;
    h = roundHalfEven(w / RATIO[0]);
  } else if (inRatio > RATIO[1]) {
    h = height;
    w = roundHalfEven(h * RATIO[1]);
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), width: w, height: h };
}

export function flipOf(seed: number, epoch: number, index: number): boolean {
  const [k0, k1] = seedWords(seed);
  const r = philox4x32(index, 0, Stream.augment, epoch, k0, k1, new Uint32Array(4));
  return r[2]! >>> 31 === 1;
}

/** The validation resize's shorter side for a crop of `size` (256 for 224, as the reference). */
export function valResizeSide(size: number): number {
  return Math.round((size * 256) / 224);
}

/** Resize(side): the shorter side becomes `side`, the longer one int(side·long/short). */
export function resizeShorter(width: number, height: number, side: number): { width: number; height: number } {
  if (width <= height) return { width: side, height: Math.trunc((side * height) / width) };
  return { width: Math.trunc((side * width) / height), height: side };
}

/** CenterCrop(size) of a width×height image: torchvision's int(round((H − size)/2)) offsets. */
export function centerCropBox(width: number, height: number, size: number): Box {
  return { top: roundHalfEven((height - size) / 2), left: roundHalfEven((width - size) / 2), width: size, height: size };
}
