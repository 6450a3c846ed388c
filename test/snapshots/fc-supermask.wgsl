// ===== kernel load_train (data) workgroup_size 256x1x1
// load batch: 128 × [1, 28, 28] through the permutation
@group(0) @binding(0) var<storage, read_write> IMAGES: array<u32>;
@group(0) @binding(1) var<storage, read_write> LABELS_IN: array<u32>;
@group(0) @binding(2) var<storage, read_write> PERM: array<u32>;
@group(0) @binding(3) var<storage, read_write> X: array<f32>;
@group(0) @binding(4) var<storage, read_write> LABELS: array<u32>;
@group(0) @binding(5) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }





fn read_byte(image: u32, src: u32) -> u32 {
  let bi = image * 784u + src;
  return (IMAGES[bi >> 2u] >> ((bi & 3u) * 8u)) & 255u;
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let total = 100352u;
  let stride = nwg.x * 256u;
  for (var e = gid.x; e < total; e = e + stride) {
    let row = e / 784u;
    let p = e % 784u;
    if (row >= step.valid) {
      X[e] = 0.0;
      if (p == 0u) { LABELS[row] = 0u; }
      continue;
    }
    let image = PERM[step.batch_start + row];
    let src = p;
    {
      let byte = read_byte(image, src);
      X[e] = f32(byte) * bitcast<f32>(1010172829u) + bitcast<f32>(3209652520u);
    }
    if (p == 0u) { LABELS[row] = LABELS_IN[image]; }
  }
}

// ===== kernel supermask_sample (mask) workgroup_size 256x1x1
// supermask sample of 3 layers (8320 words), training (per step)
@group(0) @binding(0) var<storage, read_write> S: array<f32>;
@group(0) @binding(1) var<storage, read_write> MB: array<u32>;
@group(0) @binding(2) var<storage, read_write> TABLE: array<u32>;
@group(0) @binding(3) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }


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
    let hi0 = philox_mulhi(3528531795u, x.x);
    let lo0 = 3528531795u * x.x;
    let hi1 = philox_mulhi(3449720151u, x.z);
    let lo1 = 3449720151u * x.z;
    x = vec4u(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2u(2654435769u, 3144134277u);
  }
  return x;
}
fn philox_unit(x: u32) -> f32 { return f32(x >> 8u) * 5.9604644775390625e-8; }
fn philox_normal(r0: u32, r1: u32) -> f32 {
  let u1 = (f32(r0 >> 8u) + 1.0) * 5.9604644775390625e-8;
  let u2 = f32(r1 >> 8u) * 5.9604644775390625e-8;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * 256u;
  if (w >= 8320u) { return; }
  var l = 0u;
  for (var i = 1u; i < 3u; i = i + 1u) { if (TABLE[i * 5u] <= w) { l = i; } }
  let local = w - TABLE[l * 5u];
  let n = TABLE[l * 5u + 1u];
  let s_off = TABLE[l * 5u + 2u];
  let key = vec2u(step.seed_lo, step.seed_hi);
  var word = 0u;
  for (var q = 0u; q < 8u; q = q + 1u) {
    let first = local * 32u + q * 4u;
    if (first >= n) { break; }
    let r = philox(vec4u(first >> 2u, TABLE[l * 5u + 4u], 3u, step.step), key);
    for (var j = 0u; j < 4u; j = j + 1u) {
      let i = first + j;
      if (i < n && philox_unit(r[j]) < 1.0 / (1.0 + exp(-S[s_off + i]))) { word = word | (1u << (i & 31u)); }
    }
  }
  MB[TABLE[l * 5u + 3u] + local] = word;
}

// ===== kernel linear_128x300x784 (matmul) workgroup_size 8x8x1
// matmul 128x300x784 a=mk b=nk masked epilogue=relu
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> MB: array<u32>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4f>;

fn bit1(idx: u32) -> bool { return ((MB[idx >> 5u] >> (idx & 31u)) & 1u) != 0u; }
fn bit4(idx: vec4u) -> vec4<bool> { return vec4<bool>(bit1(idx.x), bit1(idx.y), bit1(idx.z), bit1(idx.w)); }
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 127u);
  let m1 = min(mb + 1u, 127u);
  let m2 = min(mb + 2u, 127u);
  let m3 = min(mb + 3u, 127u);
  let n0 = min(nb + 0u, 299u);
  let n1 = min(nb + 1u, 299u);
  let n2 = min(nb + 2u, 299u);
  let n3 = min(nb + 3u, 299u);

  var acc0_0 = vec4f(0.0);
  var acc0_1 = vec4f(0.0);
  var acc0_2 = vec4f(0.0);
  var acc0_3 = vec4f(0.0);
  var acc1_0 = vec4f(0.0);
  var acc1_1 = vec4f(0.0);
  var acc1_2 = vec4f(0.0);
  var acc1_3 = vec4f(0.0);
  var acc2_0 = vec4f(0.0);
  var acc2_1 = vec4f(0.0);
  var acc2_2 = vec4f(0.0);
  var acc2_3 = vec4f(0.0);
  var acc3_0 = vec4f(0.0);
  var acc3_1 = vec4f(0.0);
  var acc3_2 = vec4f(0.0);
  var acc3_3 = vec4f(0.0);
  for (var k = 0u; k < 196u; k = k + 1u) {
    let a0 = A[m0 * 196u + k];
    let a1 = A[m1 * 196u + k];
    let a2 = A[m2 * 196u + k];
    let a3 = A[m3 * 196u + k];
    var b0 = B[n0 * 196u + k];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(n0 * 784u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b1 = B[n1 * 196u + k];
    b1 = select(vec4f(0.0), b1, bit4(vec4u(n1 * 784u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b2 = B[n2 * 196u + k];
    b2 = select(vec4f(0.0), b2, bit4(vec4u(n2 * 784u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b3 = B[n3 * 196u + k];
    b3 = select(vec4f(0.0), b3, bit4(vec4u(n3 * 784u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    acc0_0 = fma(a0, b0, acc0_0);
    acc0_1 = fma(a0, b1, acc0_1);
    acc0_2 = fma(a0, b2, acc0_2);
    acc0_3 = fma(a0, b3, acc0_3);
    acc1_0 = fma(a1, b0, acc1_0);
    acc1_1 = fma(a1, b1, acc1_1);
    acc1_2 = fma(a1, b2, acc1_2);
    acc1_3 = fma(a1, b3, acc1_3);
    acc2_0 = fma(a2, b0, acc2_0);
    acc2_1 = fma(a2, b1, acc2_1);
    acc2_2 = fma(a2, b2, acc2_2);
    acc2_3 = fma(a2, b3, acc2_3);
    acc3_0 = fma(a3, b0, acc3_0);
    acc3_1 = fma(a3, b1, acc3_1);
    acc3_2 = fma(a3, b2, acc3_2);
    acc3_3 = fma(a3, b3, acc3_3);
  }
  let v0_0 = (acc0_0.x + acc0_0.y) + (acc0_0.z + acc0_0.w);
  let v0_1 = (acc0_1.x + acc0_1.y) + (acc0_1.z + acc0_1.w);
  let v0_2 = (acc0_2.x + acc0_2.y) + (acc0_2.z + acc0_2.w);
  let v0_3 = (acc0_3.x + acc0_3.y) + (acc0_3.z + acc0_3.w);
  let v1_0 = (acc1_0.x + acc1_0.y) + (acc1_0.z + acc1_0.w);
  let v1_1 = (acc1_1.x + acc1_1.y) + (acc1_1.z + acc1_1.w);
  let v1_2 = (acc1_2.x + acc1_2.y) + (acc1_2.z + acc1_2.w);
  let v1_3 = (acc1_3.x + acc1_3.y) + (acc1_3.z + acc1_3.w);
  let v2_0 = (acc2_0.x + acc2_0.y) + (acc2_0.z + acc2_0.w);
  let v2_1 = (acc2_1.x + acc2_1.y) + (acc2_1.z + acc2_1.w);
  let v2_2 = (acc2_2.x + acc2_2.y) + (acc2_2.z + acc2_2.w);
  let v2_3 = (acc2_3.x + acc2_3.y) + (acc2_3.z + acc2_3.w);
  let v3_0 = (acc3_0.x + acc3_0.y) + (acc3_0.z + acc3_0.w);
  let v3_1 = (acc3_1.x + acc3_1.y) + (acc3_1.z + acc3_1.w);
  let v3_2 = (acc3_2.x + acc3_2.y) + (acc3_2.z + acc3_2.w);
  let v3_3 = (acc3_3.x + acc3_3.y) + (acc3_3.z + acc3_3.w);
  let r0_0 = vec4f(v0_0, v0_1, v0_2, v0_3);
  let r1_0 = vec4f(v1_0, v1_1, v1_2, v1_3);
  let r2_0 = vec4f(v2_0, v2_1, v2_2, v2_3);
  let r3_0 = vec4f(v3_0, v3_1, v3_2, v3_3);
  if (mb + 0u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 0u) * 300u + nb + 0u) / 4u;
    C[e] = max(r0_0, vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 1u) * 300u + nb + 0u) / 4u;
    C[e] = max(r1_0, vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 2u) * 300u + nb + 0u) / 4u;
    C[e] = max(r2_0, vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 3u) * 300u + nb + 0u) / 4u;
    C[e] = max(r3_0, vec4f(0.0));
  }
  }
}

// ===== kernel linear_128x100x300 (matmul) workgroup_size 8x8x1
// matmul 128x100x300 a=mk b=nk masked epilogue=relu
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> MB: array<u32>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4f>;

fn bit1(idx: u32) -> bool { return ((MB[idx >> 5u] >> (idx & 31u)) & 1u) != 0u; }
fn bit4(idx: vec4u) -> vec4<bool> { return vec4<bool>(bit1(idx.x), bit1(idx.y), bit1(idx.z), bit1(idx.w)); }
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 127u);
  let m1 = min(mb + 1u, 127u);
  let m2 = min(mb + 2u, 127u);
  let m3 = min(mb + 3u, 127u);
  let n0 = min(nb + 0u, 99u);
  let n1 = min(nb + 1u, 99u);
  let n2 = min(nb + 2u, 99u);
  let n3 = min(nb + 3u, 99u);

  var acc0_0 = vec4f(0.0);
  var acc0_1 = vec4f(0.0);
  var acc0_2 = vec4f(0.0);
  var acc0_3 = vec4f(0.0);
  var acc1_0 = vec4f(0.0);
  var acc1_1 = vec4f(0.0);
  var acc1_2 = vec4f(0.0);
  var acc1_3 = vec4f(0.0);
  var acc2_0 = vec4f(0.0);
  var acc2_1 = vec4f(0.0);
  var acc2_2 = vec4f(0.0);
  var acc2_3 = vec4f(0.0);
  var acc3_0 = vec4f(0.0);
  var acc3_1 = vec4f(0.0);
  var acc3_2 = vec4f(0.0);
  var acc3_3 = vec4f(0.0);
  for (var k = 0u; k < 75u; k = k + 1u) {
    let a0 = A[m0 * 75u + k];
    let a1 = A[m1 * 75u + k];
    let a2 = A[m2 * 75u + k];
    let a3 = A[m3 * 75u + k];
    var b0 = B[n0 * 75u + k];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(n0 * 300u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b1 = B[n1 * 75u + k];
    b1 = select(vec4f(0.0), b1, bit4(vec4u(n1 * 300u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b2 = B[n2 * 75u + k];
    b2 = select(vec4f(0.0), b2, bit4(vec4u(n2 * 300u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b3 = B[n3 * 75u + k];
    b3 = select(vec4f(0.0), b3, bit4(vec4u(n3 * 300u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    acc0_0 = fma(a0, b0, acc0_0);
    acc0_1 = fma(a0, b1, acc0_1);
    acc0_2 = fma(a0, b2, acc0_2);
    acc0_3 = fma(a0, b3, acc0_3);
    acc1_0 = fma(a1, b0, acc1_0);
    acc1_1 = fma(a1, b1, acc1_1);
    acc1_2 = fma(a1, b2, acc1_2);
    acc1_3 = fma(a1, b3, acc1_3);
    acc2_0 = fma(a2, b0, acc2_0);
    acc2_1 = fma(a2, b1, acc2_1);
    acc2_2 = fma(a2, b2, acc2_2);
    acc2_3 = fma(a2, b3, acc2_3);
    acc3_0 = fma(a3, b0, acc3_0);
    acc3_1 = fma(a3, b1, acc3_1);
    acc3_2 = fma(a3, b2, acc3_2);
    acc3_3 = fma(a3, b3, acc3_3);
  }
  let v0_0 = (acc0_0.x + acc0_0.y) + (acc0_0.z + acc0_0.w);
  let v0_1 = (acc0_1.x + acc0_1.y) + (acc0_1.z + acc0_1.w);
  let v0_2 = (acc0_2.x + acc0_2.y) + (acc0_2.z + acc0_2.w);
  let v0_3 = (acc0_3.x + acc0_3.y) + (acc0_3.z + acc0_3.w);
  let v1_0 = (acc1_0.x + acc1_0.y) + (acc1_0.z + acc1_0.w);
  let v1_1 = (acc1_1.x + acc1_1.y) + (acc1_1.z + acc1_1.w);
  let v1_2 = (acc1_2.x + acc1_2.y) + (acc1_2.z + acc1_2.w);
  let v1_3 = (acc1_3.x + acc1_3.y) + (acc1_3.z + acc1_3.w);
  let v2_0 = (acc2_0.x + acc2_0.y) + (acc2_0.z + acc2_0.w);
  let v2_1 = (acc2_1.x + acc2_1.y) + (acc2_1.z + acc2_1.w);
  let v2_2 = (acc2_2.x + acc2_2.y) + (acc2_2.z + acc2_2.w);
  let v2_3 = (acc2_3.x + acc2_3.y) + (acc2_3.z + acc2_3.w);
  let v3_0 = (acc3_0.x + acc3_0.y) + (acc3_0.z + acc3_0.w);
  let v3_1 = (acc3_1.x + acc3_1.y) + (acc3_1.z + acc3_1.w);
  let v3_2 = (acc3_2.x + acc3_2.y) + (acc3_2.z + acc3_2.w);
  let v3_3 = (acc3_3.x + acc3_3.y) + (acc3_3.z + acc3_3.w);
  let r0_0 = vec4f(v0_0, v0_1, v0_2, v0_3);
  let r1_0 = vec4f(v1_0, v1_1, v1_2, v1_3);
  let r2_0 = vec4f(v2_0, v2_1, v2_2, v2_3);
  let r3_0 = vec4f(v3_0, v3_1, v3_2, v3_3);
  if (mb + 0u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 0u) * 100u + nb + 0u) / 4u;
    C[e] = max(r0_0, vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 1u) * 100u + nb + 0u) / 4u;
    C[e] = max(r1_0, vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 2u) * 100u + nb + 0u) / 4u;
    C[e] = max(r2_0, vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 3u) * 100u + nb + 0u) / 4u;
    C[e] = max(r3_0, vec4f(0.0));
  }
  }
}

// ===== kernel linear_128x10x100 (matmul) workgroup_size 8x8x1
// matmul 128x10x100 a=mk b=nk masked epilogue=store
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> MB: array<u32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

fn bit1(idx: u32) -> bool { return ((MB[idx >> 5u] >> (idx & 31u)) & 1u) != 0u; }
fn bit4(idx: vec4u) -> vec4<bool> { return vec4<bool>(bit1(idx.x), bit1(idx.y), bit1(idx.z), bit1(idx.w)); }
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 127u);
  let m1 = min(mb + 1u, 127u);
  let m2 = min(mb + 2u, 127u);
  let m3 = min(mb + 3u, 127u);
  let n0 = min(nb + 0u, 9u);
  let n1 = min(nb + 1u, 9u);
  let n2 = min(nb + 2u, 9u);
  let n3 = min(nb + 3u, 9u);

  var acc0_0 = vec4f(0.0);
  var acc0_1 = vec4f(0.0);
  var acc0_2 = vec4f(0.0);
  var acc0_3 = vec4f(0.0);
  var acc1_0 = vec4f(0.0);
  var acc1_1 = vec4f(0.0);
  var acc1_2 = vec4f(0.0);
  var acc1_3 = vec4f(0.0);
  var acc2_0 = vec4f(0.0);
  var acc2_1 = vec4f(0.0);
  var acc2_2 = vec4f(0.0);
  var acc2_3 = vec4f(0.0);
  var acc3_0 = vec4f(0.0);
  var acc3_1 = vec4f(0.0);
  var acc3_2 = vec4f(0.0);
  var acc3_3 = vec4f(0.0);
  for (var k = 0u; k < 25u; k = k + 1u) {
    let a0 = A[m0 * 25u + k];
    let a1 = A[m1 * 25u + k];
    let a2 = A[m2 * 25u + k];
    let a3 = A[m3 * 25u + k];
    var b0 = B[n0 * 25u + k];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(n0 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b1 = B[n1 * 25u + k];
    b1 = select(vec4f(0.0), b1, bit4(vec4u(n1 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b2 = B[n2 * 25u + k];
    b2 = select(vec4f(0.0), b2, bit4(vec4u(n2 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    var b3 = B[n3 * 25u + k];
    b3 = select(vec4f(0.0), b3, bit4(vec4u(n3 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u)));
    acc0_0 = fma(a0, b0, acc0_0);
    acc0_1 = fma(a0, b1, acc0_1);
    acc0_2 = fma(a0, b2, acc0_2);
    acc0_3 = fma(a0, b3, acc0_3);
    acc1_0 = fma(a1, b0, acc1_0);
    acc1_1 = fma(a1, b1, acc1_1);
    acc1_2 = fma(a1, b2, acc1_2);
    acc1_3 = fma(a1, b3, acc1_3);
    acc2_0 = fma(a2, b0, acc2_0);
    acc2_1 = fma(a2, b1, acc2_1);
    acc2_2 = fma(a2, b2, acc2_2);
    acc2_3 = fma(a2, b3, acc2_3);
    acc3_0 = fma(a3, b0, acc3_0);
    acc3_1 = fma(a3, b1, acc3_1);
    acc3_2 = fma(a3, b2, acc3_2);
    acc3_3 = fma(a3, b3, acc3_3);
  }
  let v0_0 = (acc0_0.x + acc0_0.y) + (acc0_0.z + acc0_0.w);
  let v0_1 = (acc0_1.x + acc0_1.y) + (acc0_1.z + acc0_1.w);
  let v0_2 = (acc0_2.x + acc0_2.y) + (acc0_2.z + acc0_2.w);
  let v0_3 = (acc0_3.x + acc0_3.y) + (acc0_3.z + acc0_3.w);
  let v1_0 = (acc1_0.x + acc1_0.y) + (acc1_0.z + acc1_0.w);
  let v1_1 = (acc1_1.x + acc1_1.y) + (acc1_1.z + acc1_1.w);
  let v1_2 = (acc1_2.x + acc1_2.y) + (acc1_2.z + acc1_2.w);
  let v1_3 = (acc1_3.x + acc1_3.y) + (acc1_3.z + acc1_3.w);
  let v2_0 = (acc2_0.x + acc2_0.y) + (acc2_0.z + acc2_0.w);
  let v2_1 = (acc2_1.x + acc2_1.y) + (acc2_1.z + acc2_1.w);
  let v2_2 = (acc2_2.x + acc2_2.y) + (acc2_2.z + acc2_2.w);
  let v2_3 = (acc2_3.x + acc2_3.y) + (acc2_3.z + acc2_3.w);
  let v3_0 = (acc3_0.x + acc3_0.y) + (acc3_0.z + acc3_0.w);
  let v3_1 = (acc3_1.x + acc3_1.y) + (acc3_1.z + acc3_1.w);
  let v3_2 = (acc3_2.x + acc3_2.y) + (acc3_2.z + acc3_2.w);
  let v3_3 = (acc3_3.x + acc3_3.y) + (acc3_3.z + acc3_3.w);
  let r0_0 = vec4f(v0_0, v0_1, v0_2, v0_3);
  let r1_0 = vec4f(v1_0, v1_1, v1_2, v1_3);
  let r2_0 = vec4f(v2_0, v2_1, v2_2, v2_3);
  let r3_0 = vec4f(v3_0, v3_1, v3_2, v3_3);
  if (mb + 0u < 128u) {
  if (nb + 0u < 10u) {
    let e = (mb + 0u) * 10u + nb + 0u;
    let live = vec4<bool>(true, nb + 0u + 1u < 10u, nb + 0u + 2u < 10u, nb + 0u + 3u < 10u);
    let st0 = r0_0;
    C[e] = st0.x;
    if (live.y) { C[e + 1u] = st0.y; }
    if (live.z) { C[e + 2u] = st0.z; }
    if (live.w) { C[e + 3u] = st0.w; }
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 10u) {
    let e = (mb + 1u) * 10u + nb + 0u;
    let live = vec4<bool>(true, nb + 0u + 1u < 10u, nb + 0u + 2u < 10u, nb + 0u + 3u < 10u);
    let st0 = r1_0;
    C[e] = st0.x;
    if (live.y) { C[e + 1u] = st0.y; }
    if (live.z) { C[e + 2u] = st0.z; }
    if (live.w) { C[e + 3u] = st0.w; }
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 10u) {
    let e = (mb + 2u) * 10u + nb + 0u;
    let live = vec4<bool>(true, nb + 0u + 1u < 10u, nb + 0u + 2u < 10u, nb + 0u + 3u < 10u);
    let st0 = r2_0;
    C[e] = st0.x;
    if (live.y) { C[e + 1u] = st0.y; }
    if (live.z) { C[e + 2u] = st0.z; }
    if (live.w) { C[e + 3u] = st0.w; }
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 10u) {
    let e = (mb + 3u) * 10u + nb + 0u;
    let live = vec4<bool>(true, nb + 0u + 1u < 10u, nb + 0u + 2u < 10u, nb + 0u + 3u < 10u);
    let st0 = r3_0;
    C[e] = st0.x;
    if (live.y) { C[e + 1u] = st0.y; }
    if (live.z) { C[e + 2u] = st0.z; }
    if (live.w) { C[e + 3u] = st0.w; }
  }
  }
}

// ===== kernel softmax_xent (loss) workgroup_size 256x1x1
// softmax cross-entropy, batch 128, 10 classes, smoothing 0, with gradient
@group(0) @binding(0) var<storage, read_write> Z: array<f32>;
@group(0) @binding(1) var<storage, read_write> LABELS: array<u32>;
@group(0) @binding(2) var<storage, read_write> DZ: array<f32>;
@group(0) @binding(3) var<storage, read_write> METRICS: array<f32>;
@group(0) @binding(4) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

var<workgroup> red_loss: array<f32, 256>;
var<workgroup> red_correct: array<u32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let valid = step.valid;
  let inv_valid = 1.0 / f32(max(valid, 1u));
  var loss_acc = 0.0;
  var correct = 0u;
  for (var b = lid.x; b < 128u; b = b + 256u) {
    let base = b * 10u;
    if (b >= valid) {
      for (var c = 0u; c < 10u; c = c + 1u) { DZ[base + c] = 0.0; }
      continue;
    }
    var mx = Z[base];
    var arg = 0u;
    for (var c = 1u; c < 10u; c = c + 1u) {
      let v = Z[base + c];
      if (v > mx) { mx = v; arg = c; }
    }
    var sum = 0.0;
    for (var c = 0u; c < 10u; c = c + 1u) { sum = sum + exp(Z[base + c] - mx); }
    let lse = mx + log(sum);
    let y = LABELS[b];
    var loss = 0.0;
    for (var c = 0u; c < 10u; c = c + 1u) {
      let q = select(0.0, 1.0, c == y);
      let z = Z[base + c];
      loss = loss - q * (z - lse);
      DZ[base + c] = (exp(z - lse) - q) * inv_valid;
    }
    loss_acc = loss_acc + loss;
    correct = correct + select(0u, 1u, arg == y);
  }
  red_loss[lid.x] = loss_acc;
  red_correct[lid.x] = correct;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid.x < s) {
      red_loss[lid.x] = red_loss[lid.x] + red_loss[lid.x + s];
      red_correct[lid.x] = red_correct[lid.x] + red_correct[lid.x + s];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    METRICS[0] = METRICS[0] + red_loss[0];
    METRICS[1] = METRICS[1] + f32(red_correct[0]);
    METRICS[2] = METRICS[2] + f32(valid);
  }
}

// ===== kernel linear_dx_128x100x10 (matmul) workgroup_size 8x8x1
// matmul 128x100x10 a=mk b=kn masked epilogue=relu_mask
@group(0) @binding(0) var<storage, read_write> A: array<f32>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> MB: array<u32>;
@group(0) @binding(3) var<storage, read_write> Y: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> C: array<vec4f>;

fn bit1(idx: u32) -> bool { return ((MB[idx >> 5u] >> (idx & 31u)) & 1u) != 0u; }
fn bit4(idx: vec4u) -> vec4<bool> { return vec4<bool>(bit1(idx.x), bit1(idx.y), bit1(idx.z), bit1(idx.w)); }
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 127u);
  let m1 = min(mb + 1u, 127u);
  let m2 = min(mb + 2u, 127u);
  let m3 = min(mb + 3u, 127u);
  let n0 = min(nb + 0u, 99u);
  let n1 = min(nb + 1u, 99u);
  let n2 = min(nb + 2u, 99u);
  let n3 = min(nb + 3u, 99u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 10u; k = k + 1u) {
    let a0 = A[m0 * 10u + k];
    let a1 = A[m1 * 10u + k];
    let a2 = A[m2 * 10u + k];
    let a3 = A[m3 * 10u + k];
    let bi0 = k * 25u + min(nb / 4u + 0u, 24u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u)));
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 0u) * 100u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r0_0, y > vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 1u) * 100u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r1_0, y > vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 2u) * 100u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r2_0, y > vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 3u) * 100u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r3_0, y > vec4f(0.0));
  }
  }
}

// ===== kernel linear_dw_10x100x128 (matmul) workgroup_size 8x8x1
// matmul 10x100x128 a=km b=kn epilogue=optim
@group(0) @binding(0) var<storage, read_write> A: array<f32>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> P: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> V: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> W: array<vec4f>;
@group(0) @binding(5) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 9u);
  let m1 = min(mb + 1u, 9u);
  let m2 = min(mb + 2u, 9u);
  let m3 = min(mb + 3u, 9u);
  let n0 = min(nb + 0u, 99u);
  let n1 = min(nb + 1u, 99u);
  let n2 = min(nb + 2u, 99u);
  let n3 = min(nb + 3u, 99u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 128u; k = k + 1u) {
    let a0 = A[k * 10u + m0];
    let a1 = A[k * 10u + m1];
    let a2 = A[k * 10u + m2];
    let a3 = A[k * 10u + m3];
    let bi0 = k * 25u + min(nb / 4u + 0u, 24u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 10u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 0u) * 100u + nb + 0u) / 4u;
    var g = r0_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 10u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 1u) * 100u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 10u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 2u) * 100u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 10u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 3u) * 100u + nb + 0u) / 4u;
    var g = r3_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
}

// ===== kernel linear_dx_128x300x100 (matmul) workgroup_size 8x8x1
// matmul 128x300x100 a=mk b=kn masked epilogue=relu_mask
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> MB: array<u32>;
@group(0) @binding(3) var<storage, read_write> Y: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> C: array<vec4f>;

fn bit1(idx: u32) -> bool { return ((MB[idx >> 5u] >> (idx & 31u)) & 1u) != 0u; }
fn bit4(idx: vec4u) -> vec4<bool> { return vec4<bool>(bit1(idx.x), bit1(idx.y), bit1(idx.z), bit1(idx.w)); }
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 127u);
  let m1 = min(mb + 1u, 127u);
  let m2 = min(mb + 2u, 127u);
  let m3 = min(mb + 3u, 127u);
  let n0 = min(nb + 0u, 299u);
  let n1 = min(nb + 1u, 299u);
  let n2 = min(nb + 2u, 299u);
  let n3 = min(nb + 3u, 299u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k4 = 0u; k4 < 25u; k4 = k4 + 1u) {
    let a0 = A[m0 * 25u + k4];
    let a1 = A[m1 * 25u + k4];
    let a2 = A[m2 * 25u + k4];
    let a3 = A[m3 * 25u + k4];
    {
    let k = k4 * 4u + 0u;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u)));
    r0_0 = fma(vec4f(a0.x), b0, r0_0);
    r1_0 = fma(vec4f(a1.x), b0, r1_0);
    r2_0 = fma(vec4f(a2.x), b0, r2_0);
    r3_0 = fma(vec4f(a3.x), b0, r3_0);
    }
    {
    let k = k4 * 4u + 1u;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u)));
    r0_0 = fma(vec4f(a0.y), b0, r0_0);
    r1_0 = fma(vec4f(a1.y), b0, r1_0);
    r2_0 = fma(vec4f(a2.y), b0, r2_0);
    r3_0 = fma(vec4f(a3.y), b0, r3_0);
    }
    {
    let k = k4 * 4u + 2u;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u)));
    r0_0 = fma(vec4f(a0.z), b0, r0_0);
    r1_0 = fma(vec4f(a1.z), b0, r1_0);
    r2_0 = fma(vec4f(a2.z), b0, r2_0);
    r3_0 = fma(vec4f(a3.z), b0, r3_0);
    }
    {
    let k = k4 * 4u + 3u;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, bit4(vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u)));
    r0_0 = fma(vec4f(a0.w), b0, r0_0);
    r1_0 = fma(vec4f(a1.w), b0, r1_0);
    r2_0 = fma(vec4f(a2.w), b0, r2_0);
    r3_0 = fma(vec4f(a3.w), b0, r3_0);
    }
  }
  if (mb + 0u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 0u) * 300u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r0_0, y > vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 1u) * 300u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r1_0, y > vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 2u) * 300u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r2_0, y > vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 3u) * 300u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r3_0, y > vec4f(0.0));
  }
  }
}

// ===== kernel linear_dw_100x300x128 (matmul) workgroup_size 8x8x1
// matmul 100x300x128 a=km b=kn epilogue=optim
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> P: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> V: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> W: array<vec4f>;
@group(0) @binding(5) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 99u);
  let m1 = min(mb + 1u, 99u);
  let m2 = min(mb + 2u, 99u);
  let m3 = min(mb + 3u, 99u);
  let n0 = min(nb + 0u, 299u);
  let n1 = min(nb + 1u, 299u);
  let n2 = min(nb + 2u, 299u);
  let n3 = min(nb + 3u, 299u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 128u; k = k + 1u) {
    let av0 = A[k * 25u + min(mb / 4u + 0u, 24u)];
    let a0 = av0.x;
    let a1 = av0.y;
    let a2 = av0.z;
    let a3 = av0.w;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 100u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 0u) * 300u + nb + 0u) / 4u;
    var g = r0_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 100u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 1u) * 300u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 100u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 2u) * 300u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 100u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 3u) * 300u + nb + 0u) / 4u;
    var g = r3_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
}

// ===== kernel linear_dw_300x784x128 (matmul) workgroup_size 8x8x1
// matmul 300x784x128 a=km b=kn epilogue=optim
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> P: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> V: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> W: array<vec4f>;
@group(0) @binding(5) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 8u + lid.y) * 4u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 299u);
  let m1 = min(mb + 1u, 299u);
  let m2 = min(mb + 2u, 299u);
  let m3 = min(mb + 3u, 299u);
  let n0 = min(nb + 0u, 783u);
  let n1 = min(nb + 1u, 783u);
  let n2 = min(nb + 2u, 783u);
  let n3 = min(nb + 3u, 783u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 128u; k = k + 1u) {
    let av0 = A[k * 75u + min(mb / 4u + 0u, 74u)];
    let a0 = av0.x;
    let a1 = av0.y;
    let a2 = av0.z;
    let a3 = av0.w;
    let bi0 = k * 196u + min(nb / 4u + 0u, 195u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 0u) * 784u + nb + 0u) / 4u;
    var g = r0_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 1u) * 784u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 2u) * 784u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 3u) * 784u + nb + 0u) / 4u;
    var g = r3_0 * W[e] * (vec4f(1.0) / (vec4f(1.0) + exp(-P[e]))) * (vec4f(1.0) - vec4f(1.0) / (vec4f(1.0) + exp(-P[e])));
    let p_old = P[e];
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
}

// ===== kernel load_test (data) workgroup_size 256x1x1
// load batch: 128 × [1, 28, 28]
@group(0) @binding(0) var<storage, read_write> IMAGES: array<u32>;
@group(0) @binding(1) var<storage, read_write> LABELS_IN: array<u32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> LABELS: array<u32>;
@group(0) @binding(4) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }





fn read_byte(image: u32, src: u32) -> u32 {
  let bi = image * 784u + src;
  return (IMAGES[bi >> 2u] >> ((bi & 3u) * 8u)) & 255u;
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let total = 100352u;
  let stride = nwg.x * 256u;
  for (var e = gid.x; e < total; e = e + stride) {
    let row = e / 784u;
    let p = e % 784u;
    if (row >= step.valid) {
      X[e] = 0.0;
      if (p == 0u) { LABELS[row] = 0u; }
      continue;
    }
    let image = step.batch_start + row;
    let src = p;
    {
      let byte = read_byte(image, src);
      X[e] = f32(byte) * bitcast<f32>(1010172829u) + bitcast<f32>(3209652520u);
    }
    if (p == 0u) { LABELS[row] = LABELS_IN[image]; }
  }
}

// ===== kernel supermask_sample_eval (mask) workgroup_size 256x1x1
// supermask sample of 3 layers (8320 words), evaluation (per epoch)
@group(0) @binding(0) var<storage, read_write> S: array<f32>;
@group(0) @binding(1) var<storage, read_write> MB: array<u32>;
@group(0) @binding(2) var<storage, read_write> TABLE: array<u32>;
@group(0) @binding(3) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }


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
    let hi0 = philox_mulhi(3528531795u, x.x);
    let lo0 = 3528531795u * x.x;
    let hi1 = philox_mulhi(3449720151u, x.z);
    let lo1 = 3449720151u * x.z;
    x = vec4u(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2u(2654435769u, 3144134277u);
  }
  return x;
}
fn philox_unit(x: u32) -> f32 { return f32(x >> 8u) * 5.9604644775390625e-8; }
fn philox_normal(r0: u32, r1: u32) -> f32 {
  let u1 = (f32(r0 >> 8u) + 1.0) * 5.9604644775390625e-8;
  let u2 = f32(r1 >> 8u) * 5.9604644775390625e-8;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * 256u;
  if (w >= 8320u) { return; }
  var l = 0u;
  for (var i = 1u; i < 3u; i = i + 1u) { if (TABLE[i * 5u] <= w) { l = i; } }
  let local = w - TABLE[l * 5u];
  let n = TABLE[l * 5u + 1u];
  let s_off = TABLE[l * 5u + 2u];
  let key = vec2u(step.seed_lo, step.seed_hi);
  var word = 0u;
  for (var q = 0u; q < 8u; q = q + 1u) {
    let first = local * 32u + q * 4u;
    if (first >= n) { break; }
    let r = philox(vec4u(first >> 2u, TABLE[l * 5u + 4u], 6u, step.epoch), key);
    for (var j = 0u; j < 4u; j = j + 1u) {
      let i = first + j;
      if (i < n && philox_unit(r[j]) < 1.0 / (1.0 + exp(-S[s_off + i]))) { word = word | (1u << (i & 31u)); }
    }
  }
  MB[TABLE[l * 5u + 3u] + local] = word;
}

// ===== kernel softmax_xent (loss) workgroup_size 256x1x1
// softmax cross-entropy, batch 128, 10 classes, smoothing 0
@group(0) @binding(0) var<storage, read_write> Z: array<f32>;
@group(0) @binding(1) var<storage, read_write> LABELS: array<u32>;
@group(0) @binding(2) var<storage, read_write> METRICS: array<f32>;
@group(0) @binding(3) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

var<workgroup> red_loss: array<f32, 256>;
var<workgroup> red_correct: array<u32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let valid = step.valid;
  let inv_valid = 1.0 / f32(max(valid, 1u));
  var loss_acc = 0.0;
  var correct = 0u;
  for (var b = lid.x; b < 128u; b = b + 256u) {
    let base = b * 10u;
    if (b >= valid) {

      continue;
    }
    var mx = Z[base];
    var arg = 0u;
    for (var c = 1u; c < 10u; c = c + 1u) {
      let v = Z[base + c];
      if (v > mx) { mx = v; arg = c; }
    }
    var sum = 0.0;
    for (var c = 0u; c < 10u; c = c + 1u) { sum = sum + exp(Z[base + c] - mx); }
    let lse = mx + log(sum);
    let y = LABELS[b];
    var loss = 0.0;
    for (var c = 0u; c < 10u; c = c + 1u) {
      let q = select(0.0, 1.0, c == y);
      let z = Z[base + c];
      loss = loss - q * (z - lse);

    }
    loss_acc = loss_acc + loss;
    correct = correct + select(0u, 1u, arg == y);
  }
  red_loss[lid.x] = loss_acc;
  red_correct[lid.x] = correct;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid.x < s) {
      red_loss[lid.x] = red_loss[lid.x] + red_loss[lid.x + s];
      red_correct[lid.x] = red_correct[lid.x] + red_correct[lid.x + s];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    METRICS[0] = METRICS[0] + red_loss[0];
    METRICS[1] = METRICS[1] + f32(red_correct[0]);
    METRICS[2] = METRICS[2] + f32(valid);
  }
}

// ===== kernel init (init) workgroup_size 256x1x1
// parameter init from Philox4x32-10
@group(0) @binding(0) var<storage, read_write> OUT: array<f32>;
@group(0) @binding(1) var<storage, read_write> REC: array<u32>;

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
    let hi0 = philox_mulhi(3528531795u, x.x);
    let lo0 = 3528531795u * x.x;
    let hi1 = philox_mulhi(3449720151u, x.z);
    let lo1 = 3449720151u * x.z;
    x = vec4u(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2u(2654435769u, 3144134277u);
  }
  return x;
}
fn philox_unit(x: u32) -> f32 { return f32(x >> 8u) * 5.9604644775390625e-8; }
fn philox_normal(r0: u32, r1: u32) -> f32 {
  let u1 = (f32(r0 >> 8u) + 1.0) * 5.9604644775390625e-8;
  let u2 = f32(r1 >> 8u) * 5.9604644775390625e-8;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let kind = REC[0];
  let scale = bitcast<f32>(REC[1]);
  let layer = REC[2];
  let stream = REC[3];
  let n = REC[4];
  let key = vec2u(REC[5], REC[6]);
  let stride = nwg.x * 256u;
  for (var i = gid.x; i < n; i = i + stride) {
    if (kind == 3u) { OUT[i] = scale; continue; }
    let r = philox(vec4u(i, layer, stream, 0u), key);
    if (kind == 1u) {
      OUT[i] = (philox_unit(r.x) * 2.0 - 1.0) * scale;
    } else if (kind == 2u) {
      OUT[i] = select(scale, -scale, (r.x >> 31u) != 0u);
    } else {
      OUT[i] = scale * philox_normal(r.x, r.y);
    }
  }
}
