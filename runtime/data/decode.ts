// One image: bytes → the reference's transform → [3, size, size] bytes (planar RGB): decoded by
// libjpeg-turbo (JPEGs: native when built, else WebAssembly) or libvips (the rest), cropped and
// resized as Pillow does, so a crop box gives torchvision's bytes. Used by the decode workers; a
// failure is returned as a message, never thrown past the worker, so a bad file is named and the
// run decides (on_bad) instead of crashing.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readHeader } from './image-header.js';
import { SharpMissing, loadSharp } from './libvips.js';
import { JpegError, decodeJpeg } from './jpeg-turbo.js';
import { nativeJpeg, nativeTransform } from './jpeg-native.js';
import { resampleInto } from './resample.js';
import { centerCropBox, flipOf, resizeShorter, resizedCropBox, valResizeSide, type Transform } from './transforms.js';

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

/** Decoded pixels: interleaved RGB, and what the source was converted from. */
export interface Pixels {
  rgb: Uint8Array;
  width: number;
  height: number;
  converted?: string;
}

const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;

/** libvips (sharp) decodes what is not a plain JPEG: sRGB without alpha, as Pillow's convert('RGB'). */
export async function sharpPixels(bytes: Buffer): Promise<Pixels | { error: string }> {
  const head = readHeader(bytes);
  const sharp = await loadSharp();
  const { data, info } = await sharp(bytes, OPTIONS).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) return { error: `decoded to ${info.channels} channels, expected 3` };
  const space = head?.cmyk ? 'CMYK' : head && head.channels < 3 ? 'grayscale' : undefined;
  return { rgb: data, width: info.width, height: info.height, converted: space };
}

type TransformFor = (width: number, height: number) => Transform;

/** Writes the transform of decoded pixels into `out`, and says what they were converted from. */
function resampleDecoded(px: Pixels, transformFor: TransformFor, out: Uint8Array): DecodeResult {
  resampleInto({ src: px.rgb, width: px.width, height: px.height, ...transformFor(px.width, px.height) }, out);
  return px.converted ? { ok: true, converted: px.converted } : { ok: true };
}

/**
 * A JPEG through the native addon, or else libjpeg-turbo in WebAssembly and resample.ts; undefined
 * for a CMYK JPEG (libvips' job). Synchronous on purpose: the WebAssembly decoder's pixels are a
 * view that its next decode overwrites, and a worker keeps two images in flight.
 */
function jpegTransform(bytes: Buffer, transformFor: TransformFor, out: Uint8Array, portable: boolean): DecodeResult | undefined {
  const head = portable || !nativeJpeg() ? undefined : readHeader(bytes);
  if (head) {
    const r = nativeTransform(bytes, head.width, head.height, transformFor(head.width, head.height), out);
    if (r.kind === 'error') return { ok: false, error: `is truncated or corrupt (${r.error})` };
    if (r.kind === 'cmyk') return undefined;
    return r.kind === 'gray' ? { ok: true, converted: 'grayscale' } : { ok: true };
  }
  let d;
  try {
    d = decodeJpeg(bytes);
  } catch (e) {
    if (!(e instanceof JpegError)) throw e;
    return { ok: false, error: `is truncated or corrupt (${e.message})` };
  }
  if (d.kind === 'cmyk') return undefined;
  return resampleDecoded({ rgb: d.rgb, width: d.width, height: d.height, converted: d.gray ? 'grayscale' : undefined }, transformFor, out);
}

/**
 * What `job` keeps of a width×height image: the training crop resized to side², or the
 * validation resize with its centre crop as the window.
 */
export function transformOf(job: DecodeJob, width: number, height: number): Transform {
  const side = job.side;
  const flip = job.train && job.flip && flipOf(job.seed, job.epoch, job.index);
  if (job.train && job.crop) return { box: resizedCropBox(width, height, job.seed, job.epoch, job.index, job.crop), outWidth: side, outHeight: side, flip };
  const r = resizeShorter(width, height, valResizeSide(side));
  return { box: { left: 0, top: 0, width, height }, outWidth: r.width, outHeight: r.height, window: centerCropBox(r.width, r.height, side), flip };
}

/**
 * Decodes `bytes` and writes the transform `transformFor` picks for its size into `out`, planar:
 * JPEGs through the native addon when it is built (`portable` forces the WebAssembly path; both
 * give the same bytes), other formats and CMYK JPEGs through libvips.
 */
export async function transformImage(bytes: Buffer, transformFor: TransformFor, out: Uint8Array, portable = false): Promise<DecodeResult> {
  if (isJpeg(bytes)) {
    const r = jpegTransform(bytes, transformFor, out, portable);
    if (r) return r;
  }
  const px = await sharpPixels(bytes);
  return 'error' in px ? { ok: false, error: px.error } : resampleDecoded(px, transformFor, out);
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
    return await transformImage(bytes, (w, h) => transformOf(job, w, h), out);
  } catch (e) {
    if (e instanceof SharpMissing) return { ok: false, error: e.message };
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
