// Pillow's bilinear resize (libImaging/Resample.c, Pillow 9.x), ported so that our images are the
// reference's: torchvision's transforms call Image.resize(size, BILINEAR) on a crop, which is a
// separable convolution with a triangle filter widened by the downscale factor (antialiased),
// coefficients normalised and rounded to 22-bit fixed point, a horizontal pass rounded to 8 bits,
// then a vertical pass. Every step here is Pillow's, so equal inputs give equal bytes
// (test/data/pillow.test.ts compares against Pillow's own output).
//
// The caller's box is the crop: coefficients are computed as Pillow computes them for the cropped
// image (edges clamp at the crop, not the source), then shifted by the crop's offset, so the crop
// is never copied. `window` picks part of the output (the validation centre crop of a resized
// image) without computing the rest: an output pixel depends only on its own coefficients.
import type { Transform } from './transforms.js';

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface Coeffs {
  /** Per output index: first source index (in the source image, crop offset included). */
  start: Int32Array;
  /** Per output index: number of taps. */
  count: Int32Array;
  /** ksize fixed-point weights per output index. */
  weights: Int32Array;
  ksize: number;
}

const bilinear = (x: number) => {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
};

/** precompute_coeffs + normalize_coeffs_8bpc for output indices [from, from + n) of outSize. */
function coefficients(inSize: number, offset: number, outSize: number, from: number, n: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterscale; // bilinear's support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Int32Array(n * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let i = 0; i < n; i++) {
    const center = (from + i + 0.5) * scale;
    // C's (int) truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bilinear((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      weights[i * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[i] = xmin + offset;
    count[i] = xmax;
  }
  return { start, count, weights, ksize };
}

const clip8 = (s: number) => (s >= ONE * 256 ? 255 : s <= 0 ? 0 : s >> PRECISION_BITS);

export interface ResampleJob extends Transform {
  /** Interleaved RGB source, width×height. */
  src: Uint8Array;
  width: number;
  height: number;
}

/** Resizes as Pillow does and writes the kept part into `out` as planar RGB (3 planes). */
export function resampleInto(job: ResampleJob, out: Uint8Array): void {
  const win = job.window ?? { left: 0, top: 0, width: job.outWidth, height: job.outHeight };
  const { src, width, box } = job;
  const H = coefficients(box.width, box.left, job.outWidth, win.left, win.width);
  const V = coefficients(box.height, box.top, job.outHeight, win.top, win.height);
  // Source rows the vertical pass reads: the horizontal pass runs on those only, as Pillow's.
  const first = V.start[0]!;
  const last = V.start[win.height - 1]! + V.count[win.height - 1]!;
  const ow = win.width;
  const stride = ow * 3;
  const tmp = new Uint8Array((last - first) * stride);
  horizontal(src, width, H, first, last, ow, tmp);
  vertical(tmp, V, first, ow, win.height, job.flip, out);
}

/** The horizontal pass over source rows [first, last): interleaved RGB in, interleaved RGB out. */
function horizontal(src: Uint8Array, width: number, H: Coeffs, first: number, last: number, ow: number, tmp: Uint8Array): void {
  const stride = ow * 3;
  // Two to four taps (upsampling, downsampling by up to 2: nearly every pixel of
  // RandomResizedCrop) are spelled out; the loop is 1.7× slower there. Sums stay exact in doubles (below 2^31).
  const { start: hs, count: hc, weights: hw, ksize: hk } = H;
  for (let y = first; y < last; y++) {
    const row = y * width * 3;
    let q = (y - first) * stride;
    for (let x = 0; x < ow; x++) {
      let p = hs[x]! * 3 + row;
      const n = hc[x]!;
      const k = x * hk;
      let s0: number;
      let s1: number;
      let s2: number;
      if (n === 2) {
        const a = hw[k]!;
        const b = hw[k + 1]!;
        s0 = HALF + src[p]! * a + src[p + 3]! * b;
        s1 = HALF + src[p + 1]! * a + src[p + 4]! * b;
        s2 = HALF + src[p + 2]! * a + src[p + 5]! * b;
      } else if (n === 3) {
        const a = hw[k]!;
        const b = hw[k + 1]!;
        const c = hw[k + 2]!;
        s0 = HALF + src[p]! * a + src[p + 3]! * b + src[p + 6]! * c;
        s1 = HALF + src[p + 1]! * a + src[p + 4]! * b + src[p + 7]! * c;
        s2 = HALF + src[p + 2]! * a + src[p + 5]! * b + src[p + 8]! * c;
      } else if (n === 4) {
        const a = hw[k]!;
        const b = hw[k + 1]!;
        const c = hw[k + 2]!;
        const d = hw[k + 3]!;
        s0 = HALF + src[p]! * a + src[p + 3]! * b + src[p + 6]! * c + src[p + 9]! * d;
        s1 = HALF + src[p + 1]! * a + src[p + 4]! * b + src[p + 7]! * c + src[p + 10]! * d;
        s2 = HALF + src[p + 2]! * a + src[p + 5]! * b + src[p + 8]! * c + src[p + 11]! * d;
      } else {
        s0 = s1 = s2 = HALF;
        for (let t = k; t < k + n; t++, p += 3) {
          const w = hw[t]!;
          s0 += src[p]! * w;
          s1 += src[p + 1]! * w;
          s2 += src[p + 2]! * w;
        }
      }
      tmp[q++] = clip8(s0);
      tmp[q++] = clip8(s1);
      tmp[q++] = clip8(s2);
    }
  }
}

/** The vertical pass: interleaved rows in, planar (and flipped) out. */
function vertical(tmp: Uint8Array, V: Coeffs, first: number, ow: number, oh: number, flip: boolean, out: Uint8Array): void {
  const stride = ow * 3;
  const plane = ow * oh;
  const { start: vs, count: vc, weights: vw, ksize: vk } = V;
  const s2r = 2 * stride;
  for (let y = 0; y < oh; y++) {
    const base = (vs[y]! - first) * stride;
    const n = vc[y]!;
    const k = y * vk;
    const a = vw[k]!;
    const b = vw[k + 1]!;
    const c = vw[k + 2]!;
    // Planes are written a channel at a time, a flipped row from its right end.
    const dir = flip ? -1 : 1;
    const o0 = y * ow + (flip ? ow - 1 : 0);
    for (let ch = 0; ch < 3; ch++) {
      let o = ch * plane + o0;
      let p = base + ch;
      if (n === 2) {
        for (let x = 0; x < ow; x++, p += 3, o += dir) out[o] = clip8(HALF + tmp[p]! * a + tmp[p + stride]! * b);
      } else if (n === 3) {
        for (let x = 0; x < ow; x++, p += 3, o += dir) out[o] = clip8(HALF + tmp[p]! * a + tmp[p + stride]! * b + tmp[p + s2r]! * c);
      } else if (n === 4) {
        const d = vw[k + 3]!;
        const s3r = 3 * stride;
        for (let x = 0; x < ow; x++, p += 3, o += dir) out[o] = clip8(HALF + tmp[p]! * a + tmp[p + stride]! * b + tmp[p + s2r]! * c + tmp[p + s3r]! * d);
      } else {
        for (let x = 0; x < ow; x++, p += 3, o += dir) {
          let sum = HALF;
          for (let t = 0, r = p; t < n; t++, r += stride) sum += tmp[r]! * vw[k + t]!;
          out[o] = clip8(sum);
        }
      }
    }
  }
}
