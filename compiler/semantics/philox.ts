// Philox4x32-10 (Salmon et al., Random123), bit-identical in TypeScript and WGSL.
// WGSL has no 64-bit integers and no mulhi, so the 32×32→64 product is built from four 16-bit
// partial products; the TypeScript twin does exactly the same arithmetic, so both agree on every
// bit (the known-answer vectors are in test/kernels/philox.test.ts). The WGSL twin is
// compiler/kernels/philox.ts.
//
// Stream layout (docs/semantics.md): key = (seed low 32 bits, seed high bits),
// counter = (element, layer, stream, extra). `extra` is the step (supermask sampling) or the
// epoch (shuffle, augmentation), 0 for init.

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

/** Random streams: the third counter word. */
export const Stream = {
  weights: 0,
  scores: 1,
  shuffle: 2,
  supermask: 3,
  augment: 4,
  synthetic: 5,
  supermaskEval: 6,
} as const;

function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const hh = aHi * bHi;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** One Philox4x32-10 block: four u32 outputs for a 4×u32 counter and a 2×u32 key. */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(PHILOX_M0, x0);
    const lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const hi1 = mulhi(PHILOX_M1, x2);
    const lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + PHILOX_W0) >>> 0;
    key1 = (key1 + PHILOX_W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/** The key words for a seed (seeds up to 2^53 are split into low and high words). */
export function seedKey(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** Uniform in [0, 1) from the top 24 bits: exact in f32, identical on every backend. */
export function u32ToUnit(x: number): number {
  return (x >>> 8) * 2 ** -24;
}

/**
 * Standard normal by Box–Muller from two outputs. u1 ∈ (0, 1] so the log is finite. The
 * result is rounded to f32; WGSL's log/cos differ in the last bits, so GPU normals agree with
 * this only within a tolerance (stated in the tests), unlike uniform and sign draws.
 */
export function boxMuller(r0: number, r1: number): number {
  const u1 = ((r0 >>> 8) + 1) * 2 ** -24;
  const u2 = (r1 >>> 8) * 2 ** -24;
  return Math.fround(Math.sqrt(-2 * Math.log(Math.fround(u1))) * Math.cos(2 * Math.PI * Math.fround(u2)));
}

