// sharp (libvips), loaded the first time an image needs it: JPEGs never do (libjpeg-turbo decodes
// them), so a run whose folder holds only JPEGs (ImageNet's) runs without sharp, and a standalone
// runner needs nothing but webgpu beside it. Each decode worker asks libvips for one thread and
// no cache: the pool, not libvips, is the parallelism.
import type sharpModule from 'sharp';

export type Sharp = typeof sharpModule;

let loading: Promise<Sharp> | undefined;

export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(
    (m) => {
      const sharp = m.default;
      sharp.concurrency(1);
      sharp.cache(false);
      return sharp;
    },
    () => {
      loading = undefined;
      throw new SharpMissing();
    },
  );
  return loading;
}

/** sharp did not load; the message is said of the image that needed it. */
export class SharpMissing extends Error {
  constructor() {
    super('needs sharp, which is not installed here (PNG, WebP, TIFF, GIF and CMYK JPEG images are decoded with it): npm install sharp@0.34.5');
  }
}
