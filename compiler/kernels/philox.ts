// Philox4x32-10 in WGSL: the twin of compiler/semantics/philox.ts, which has the stream layout
// and the TypeScript arithmetic this must match bit for bit.
import { PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1 } from '../semantics/philox.js';

/** WGSL source of `philox(ctr, key) -> vec4u` and helpers; included once per kernel that draws. */
export const PHILOX_WGSL = /* wgsl */ `
fn philox_mulhi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu; let a_hi = a >> 16u;
  let b_lo = b & 0xffffu; let b_hi = b >> 16u;
  let ll = a_lo * b_lo; let lh = a_lo * b_hi; let hl = a_hi * b_lo; let hh = a_hi * b_hi;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}
fn philox(ctr: vec4u, key: vec2u) -> vec4u {
  var x = ctr;
  var k = key;
  for (var r = 0u; r < 10u; r = r + 1u) {
    let hi0 = philox_mulhi(${PHILOX_M0}u, x.x);
    let lo0 = ${PHILOX_M0}u * x.x;
    let hi1 = philox_mulhi(${PHILOX_M1}u, x.z);
    let lo1 = ${PHILOX_M1}u * x.z;
    x = vec4u(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2u(${PHILOX_W0}u, ${PHILOX_W1}u);
  }
  return x;
}
fn philox_unit(x: u32) -> f32 { return f32(x >> 8u) * 5.9604644775390625e-8; }
fn philox_normal(r0: u32, r1: u32) -> f32 {
  let u1 = (f32(r0 >> 8u) + 1.0) * 5.9604644775390625e-8;
  let u2 = f32(r1 >> 8u) * 5.9604644775390625e-8;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
`;
