// One image: bytes → the reference's transform → [3, size, size] bytes (planar RGB), with sharp
// (libvips). Used by the decode workers; a failure is returned as a message, never thrown past
// the worker, so a bad file is named and the run decides (on_bad) instead of crashing.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import sharp from 'sharp';
import { readHeader } from './image-header.js';
import { centerCropBox, flipOf, resizeShorter, resizedCropBox, valResizeSide } from './transforms.js';

export interface DecodeJob {
  file: string;
  offset?: number;
  size?: number;
  /** Index of the image in its split: with (seed, epoch) it picks the random crop and flip. */
  index: number;
  train: boolean;
  side: number;
  seed: number;
  epoch: number;
  /** RandomResizedCrop's scale, or null: train images get the validation transform. */
  crop: [number, number] | null;
  flip: boolean;
}

export type DecodeResult = { ok: true; converted?: string } | { ok: false; error: string };

// Truncated or corrupt data is an error, not a warning libvips decodes past (gray bands).
const OPTIONS = { failOn: 'warning' as const };

export function readSource(job: Pick<DecodeJob, 'file' | 'offset' | 'size'>): Buffer {
  if (job.offset === undefined) return readFileSync(job.file);
  const buf = Buffer.allocUnsafe(job.size ?? 0);
  const fd = openSync(job.file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, job.offset);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * The sharp pipeline of `job` for an image of width×height: crop and resize. The flip is done
 * while the pixels are reordered to planes (decodeInto), where it costs nothing; libvips' flop
 * would buffer the whole image.
 */
export function pipeline(bytes: Buffer | sharp.Sharp, width: number, height: number, job: DecodeJob, rgb = false): sharp.Sharp {
  const img = Buffer.isBuffer(bytes) ? sharp(bytes, OPTIONS) : bytes;
  if (job.train && job.crop) {
    const box = resizedCropBox(width, height, job.seed, job.epoch, job.index, job.crop);
    img.extract(box).resize(job.side, job.side, { fit: 'fill', kernel: 'linear' });
  } else {
    const r = resizeShorter(width, height, valResizeSide(job.side));
    img.resize(r.width, r.height, { fit: 'fill', kernel: 'linear' }).extract(centerCropBox(r.width, r.height, job.side));
  }
  return rgb ? img : img.toColourspace('srgb').removeAlpha();
}

/** Decodes one image into `out` (3·side² bytes, planar). */
export async function decodeInto(job: DecodeJob, out: Uint8Array): Promise<DecodeResult> {
  let bytes: Buffer;
  try {
    bytes = readSource(job);
  } catch (e) {
    return { ok: false, error: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (bytes.length === 0) return { ok: false, error: 'is empty (0 bytes)' };
  try {
    const img = sharp(bytes, OPTIONS);
    let head = readHeader(bytes);
    if (!head) {
      const meta = await img.metadata();
      if (!meta.width || !meta.height) return { ok: false, error: 'is not an image (no size in its header)' };
      head = { width: meta.width, height: meta.height, channels: meta.channels ?? 3, cmyk: meta.space === 'cmyk', plain: false };
    }
    // Plain 3-channel JPEGs skip libvips' colourspace step; the others are converted to sRGB.
    const { data, info } = await pipeline(img, head.width, head.height, job, head.plain).raw().toBuffer({ resolveWithObject: true });
    const side = job.side;
    const plane = side * side;
    if (info.channels !== 3 || info.width !== side || info.height !== side) {
      return { ok: false, error: `decoded to ${info.width}×${info.height}×${info.channels}, expected ${side}×${side}×3` };
    }
    const flip = job.train && job.flip && flipOf(job.seed, job.epoch, job.index);
    for (let y = 0, p = 0; y < side; y++) {
      for (let x = 0; x < side; x++, p++) {
        const q = 3 * (y * side + (flip ? side - 1 - x : x));
        out[p] = data[q]!;
        out[plane + p] = data[q + 1]!;
        out[2 * plane + p] = data[q + 2]!;
      }
    }
    const space = head.cmyk ? 'CMYK' : head.channels < 3 ? 'grayscale' : undefined;
    return space ? { ok: true, converted: space } : { ok: true };
  } catch (e) {
    return { ok: false, error: describe((e as Error).message) };
  }
}

/** libvips' messages, said for a user: what is wrong with the file. */
function describe(message: string): string {
  const m = message.replace(/\s+/g, ' ').trim();
  if (/unsupported image format/i.test(m)) return 'is not an image (not a JPEG, PNG, WebP, TIFF, GIF or other format libvips reads)';
  // libvips words the same damage two ways: the decoder's own message, or (when its warning
  // arrives first, which depends on timing) "Warning treated as error due to failOn setting".
  if (/premature end|truncated|unexpected end|read error|out of data|treated as error/i.test(m)) return `is truncated or corrupt (${m})`;
  return `cannot be decoded (${m})`;
}
