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

// ===== kernel topk_hist0 (topk) workgroup_size 256x1x1
// top-k radix select: histogram of digit 0 (bits 30..20)
@group(0) @binding(0) var<storage, read_write> S: array<f32>;
@group(0) @binding(1) var<storage, read_write> HIST: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> CHUNKS: array<u32>;
@group(0) @binding(3) var<storage, read_write> LAYERS: array<u32>;
var<workgroup> local_hist: array<atomic<u32>, 2048>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * 3u;
  let li = CHUNKS[c];
  let layer = LAYERS[li * 4u + 3u];
  let start = CHUNKS[c + 1u];
  let end = CHUNKS[c + 2u];
  for (var b = lid.x; b < 2048u; b = b + 256u) { atomicStore(&local_hist[b], 0u); }
  workgroupBarrier();
  for (var i = start + lid.x; i < end; i = i + 256u) {
    let key = bitcast<u32>(S[i]) & 0x7fffffffu;
    {
      atomicAdd(&local_hist[(key >> 20u) & 2047u], 1u);
    }
  }
  workgroupBarrier();
  for (var b = lid.x; b < 2048u; b = b + 256u) {
    let count = atomicLoad(&local_hist[b]);
    if (count != 0u) { atomicAdd(&HIST[(layer * 3u + 0u) * 2048u + b], count); }
  }
}

// ===== kernel topk_hist1 (topk) workgroup_size 256x1x1
// top-k radix select: histogram of digit 1 (bits 19..9)
@group(0) @binding(0) var<storage, read_write> S: array<f32>;
@group(0) @binding(1) var<storage, read_write> HIST: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> CHUNKS: array<u32>;
@group(0) @binding(3) var<storage, read_write> LAYERS: array<u32>;
var<workgroup> local_hist: array<atomic<u32>, 2048>;

var<workgroup> rp_sums: array<u32, 256>;
var<workgroup> rp_state: vec2u;
var<workgroup> rp_owner: vec2u;
fn replay(layer: u32, upto: u32, kept: u32, tid: u32) {
  if (tid == 0u) { rp_state = vec2u(0u, kept); }
  workgroupBarrier();
  for (var p = 0u; p < upto; p = p + 1u) {
    let base = (layer * 3u + p) * 2048u;
    // Thread t covers 8 bins counted from the top: bins 2047 − 8t … 2040 − 8t.
    var s = 0u;
    for (var j = 0u; j < 8u; j = j + 1u) { s = s + atomicLoad(&HIST[base + 2047u - (tid * 8u + j)]); }
    rp_sums[tid] = s;
    workgroupBarrier();
    if (tid == 0u) {
      let need = rp_state.y;
      var before = 0u;
      var t = 0u;
      loop {
        if (before + rp_sums[t] >= need || t == 255u) { break; }
        before = before + rp_sums[t];
        t = t + 1u;
      }
      rp_owner = vec2u(t, before);
    }
    workgroupBarrier();
    if (tid == rp_owner.x) {
      var need = rp_state.y - rp_owner.y;
      var j = 0u;
      var d = 2047u - tid * 8u;
      loop {
        let c = atomicLoad(&HIST[base + d]);
        if (c >= need || j == 7u) { break; }
        need = need - c;
        j = j + 1u;
        d = d - 1u;
      }
      let shift = select(select(0u, 9u, p == 1u), 20u, p == 0u);
      rp_state = vec2u(rp_state.x | (d << shift), need);
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * 3u;
  let li = CHUNKS[c];
  let layer = LAYERS[li * 4u + 3u];
  let start = CHUNKS[c + 1u];
  let end = CHUNKS[c + 2u];
  for (var b = lid.x; b < 2048u; b = b + 256u) { atomicStore(&local_hist[b], 0u); }
  replay(layer, 1u, LAYERS[li * 4u + 2u], lid.x);
  let prefix = workgroupUniformLoad(&rp_state).x;
  for (var i = start + lid.x; i < end; i = i + 256u) {
    let key = bitcast<u32>(S[i]) & 0x7fffffffu;
    if ((key & 2146435072u) == prefix) {
      atomicAdd(&local_hist[(key >> 9u) & 2047u], 1u);
    }
  }
  workgroupBarrier();
  for (var b = lid.x; b < 2048u; b = b + 256u) {
    let count = atomicLoad(&local_hist[b]);
    if (count != 0u) { atomicAdd(&HIST[(layer * 3u + 1u) * 2048u + b], count); }
  }
}

// ===== kernel topk_hist2 (topk) workgroup_size 256x1x1
// top-k radix select: histogram of digit 2 (bits 8..0)
@group(0) @binding(0) var<storage, read_write> S: array<f32>;
@group(0) @binding(1) var<storage, read_write> HIST: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> CHUNKS: array<u32>;
@group(0) @binding(3) var<storage, read_write> LAYERS: array<u32>;
var<workgroup> local_hist: array<atomic<u32>, 2048>;

var<workgroup> rp_sums: array<u32, 256>;
var<workgroup> rp_state: vec2u;
var<workgroup> rp_owner: vec2u;
fn replay(layer: u32, upto: u32, kept: u32, tid: u32) {
  if (tid == 0u) { rp_state = vec2u(0u, kept); }
  workgroupBarrier();
  for (var p = 0u; p < upto; p = p + 1u) {
    let base = (layer * 3u + p) * 2048u;
    // Thread t covers 8 bins counted from the top: bins 2047 − 8t … 2040 − 8t.
    var s = 0u;
    for (var j = 0u; j < 8u; j = j + 1u) { s = s + atomicLoad(&HIST[base + 2047u - (tid * 8u + j)]); }
    rp_sums[tid] = s;
    workgroupBarrier();
    if (tid == 0u) {
      let need = rp_state.y;
      var before = 0u;
      var t = 0u;
      loop {
        if (before + rp_sums[t] >= need || t == 255u) { break; }
        before = before + rp_sums[t];
        t = t + 1u;
      }
      rp_owner = vec2u(t, before);
    }
    workgroupBarrier();
    if (tid == rp_owner.x) {
      var need = rp_state.y - rp_owner.y;
      var j = 0u;
      var d = 2047u - tid * 8u;
      loop {
        let c = atomicLoad(&HIST[base + d]);
        if (c >= need || j == 7u) { break; }
        need = need - c;
        j = j + 1u;
        d = d - 1u;
      }
      let shift = select(select(0u, 9u, p == 1u), 20u, p == 0u);
      rp_state = vec2u(rp_state.x | (d << shift), need);
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * 3u;
  let li = CHUNKS[c];
  let layer = LAYERS[li * 4u + 3u];
  let start = CHUNKS[c + 1u];
  let end = CHUNKS[c + 2u];
  for (var b = lid.x; b < 2048u; b = b + 256u) { atomicStore(&local_hist[b], 0u); }
  replay(layer, 2u, LAYERS[li * 4u + 2u], lid.x);
  let prefix = workgroupUniformLoad(&rp_state).x;
  for (var i = start + lid.x; i < end; i = i + 256u) {
    let key = bitcast<u32>(S[i]) & 0x7fffffffu;
    if ((key & 2147483136u) == prefix) {
      atomicAdd(&local_hist[(key >> 0u) & 511u], 1u);
    }
  }
  workgroupBarrier();
  for (var b = lid.x; b < 2048u; b = b + 256u) {
    let count = atomicLoad(&local_hist[b]);
    if (count != 0u) { atomicAdd(&HIST[(layer * 3u + 2u) * 2048u + b], count); }
  }
}

// ===== kernel topk_pick (topk) workgroup_size 256x1x1
// top-k radix select: pick T and the tie index, clear the histograms
@group(0) @binding(0) var<storage, read_write> S: array<f32>;
@group(0) @binding(1) var<storage, read_write> HIST: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> LAYERS: array<u32>;
@group(0) @binding(3) var<storage, read_write> THR: array<u32>;
var<workgroup> shared_state: vec4u;
var<workgroup> shared_owner: vec2u;
var<workgroup> counts: array<u32, 256>;

var<workgroup> rp_sums: array<u32, 256>;
var<workgroup> rp_state: vec2u;
var<workgroup> rp_owner: vec2u;
fn replay(layer: u32, upto: u32, kept: u32, tid: u32) {
  if (tid == 0u) { rp_state = vec2u(0u, kept); }
  workgroupBarrier();
  for (var p = 0u; p < upto; p = p + 1u) {
    let base = (layer * 3u + p) * 2048u;
    // Thread t covers 8 bins counted from the top: bins 2047 − 8t … 2040 − 8t.
    var s = 0u;
    for (var j = 0u; j < 8u; j = j + 1u) { s = s + atomicLoad(&HIST[base + 2047u - (tid * 8u + j)]); }
    rp_sums[tid] = s;
    workgroupBarrier();
    if (tid == 0u) {
      let need = rp_state.y;
      var before = 0u;
      var t = 0u;
      loop {
        if (before + rp_sums[t] >= need || t == 255u) { break; }
        before = before + rp_sums[t];
        t = t + 1u;
      }
      rp_owner = vec2u(t, before);
    }
    workgroupBarrier();
    if (tid == rp_owner.x) {
      var need = rp_state.y - rp_owner.y;
      var j = 0u;
      var d = 2047u - tid * 8u;
      loop {
        let c = atomicLoad(&HIST[base + d]);
        if (c >= need || j == 7u) { break; }
        need = need - c;
        j = j + 1u;
        d = d - 1u;
      }
      let shift = select(select(0u, 9u, p == 1u), 20u, p == 0u);
      rp_state = vec2u(rp_state.x | (d << shift), need);
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let li = wid.x;
  let offset = LAYERS[li * 4u];
  let n = LAYERS[li * 4u + 1u];
  let kept = LAYERS[li * 4u + 2u];
  let layer = LAYERS[li * 4u + 3u];
  replay(layer, 3u, kept, lid.x);
  if (lid.x == 0u) {
    let r = rp_state;
    let eq = atomicLoad(&HIST[(layer * 3u + 2u) * 2048u + (r.x & 511u)]);
    // [T, need, number of tied elements to prune, 0]
    shared_state = vec4u(r.x, r.y, eq - r.y, 0u);
  }
  let st = workgroupUniformLoad(&shared_state);
  var tie = 0u;
  if (st.z != 0u) {
    // Some elements equal to T are pruned: the first st.z of them in index order. Each thread
    // counts ties in its contiguous slice; a serial prefix over the 256 counts finds the slice
    // holding the cut, whose thread then finds the exact index.
    let per = (n + 255u) / 256u;
    let lo = min(lid.x * per, n);
    let hi = min(lo + per, n);
    var c = 0u;
    for (var i = lo; i < hi; i = i + 1u) {
      if ((bitcast<u32>(S[offset + i]) & 0x7fffffffu) == st.x) { c = c + 1u; }
    }
    counts[lid.x] = c;
    workgroupBarrier();
    if (lid.x == 0u) {
      var before = 0u;
      var t = 0u;
      loop {
        if (before + counts[t] > st.z || t == 255u) { break; }
        before = before + counts[t];
        t = t + 1u;
      }
      shared_owner = vec2u(t, before);
    }
    let owner = workgroupUniformLoad(&shared_owner);
    if (lid.x == owner.x) {
      var seen = owner.y;
      for (var i = lo; i < hi; i = i + 1u) {
        if ((bitcast<u32>(S[offset + i]) & 0x7fffffffu) == st.x) {
          if (seen == st.z) { tie = i; break; }
          seen = seen + 1u;
        }
      }
      THR[layer * 4u + 1u] = tie;
    }
  } else if (lid.x == 0u) {
    THR[layer * 4u + 1u] = 0u;
  }
  if (lid.x == 0u) {
    THR[layer * 4u] = st.x;
    THR[layer * 4u + 2u] = kept;
    THR[layer * 4u + 3u] = n;
  }
  // Every pass's histogram of this layer back to zero for the next step.
  workgroupBarrier();
  for (var i = lid.x; i < 6144u; i = i + 256u) {
    atomicStore(&HIST[layer * 6144u + i], 0u);
  }
}

// ===== kernel mask_pack_linear1 (pack) workgroup_size 256x1x1
// mask_pack topk over 235200 weights
@group(0) @binding(0) var<storage, read_write> W: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> THR: array<u32>;
@group(0) @binding(3) var<storage, read_write> WE: array<vec4f>;

fn keep4(s: vec4f, idx: vec4u, t: u32, tie: u32) -> vec4<bool> {
  let key = bitcast<vec4u>(s) & vec4u(0x7fffffffu);
  return (key > vec4u(t)) | ((key == vec4u(t)) & (idx >= vec4u(tie)));
}
fn keep1(s: f32, idx: u32, t: u32, tie: u32) -> bool {
  let key = bitcast<u32>(s) & 0x7fffffffu;
  return key > t || (key == t && idx >= tie);
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let thr_key = THR[0u]; let thr_tie = THR[1u];
  for (var e = gid.x + gid.y * nwg.x * 256u; e < 58800u; e = e + nwg.x * nwg.y * 256u) {
    WE[e] = select(vec4f(0.0), W[e], keep4(S[e], vec4u(e * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
  }
}

// ===== kernel mask_pack_linear2 (pack) workgroup_size 256x1x1
// mask_pack topk over 30000 weights
@group(0) @binding(0) var<storage, read_write> W: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> THR: array<u32>;
@group(0) @binding(3) var<storage, read_write> WE: array<vec4f>;

fn keep4(s: vec4f, idx: vec4u, t: u32, tie: u32) -> vec4<bool> {
  let key = bitcast<vec4u>(s) & vec4u(0x7fffffffu);
  return (key > vec4u(t)) | ((key == vec4u(t)) & (idx >= vec4u(tie)));
}
fn keep1(s: f32, idx: u32, t: u32, tie: u32) -> bool {
  let key = bitcast<u32>(s) & 0x7fffffffu;
  return key > t || (key == t && idx >= tie);
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let thr_key = THR[4u]; let thr_tie = THR[5u];
  for (var e = gid.x + gid.y * nwg.x * 256u; e < 7500u; e = e + nwg.x * nwg.y * 256u) {
    WE[e] = select(vec4f(0.0), W[e], keep4(S[e], vec4u(e * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
  }
}

// ===== kernel linear_128x300x784 (matmul) workgroup_size 8x1x1
// matmul 128x300x784 a=mk b=nk epilogue=relu
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4f>;

@compute @workgroup_size(8, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 1u + lid.y) * 8u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 127u);
  let m1 = min(mb + 1u, 127u);
  let m2 = min(mb + 2u, 127u);
  let m3 = min(mb + 3u, 127u);
  let m4 = min(mb + 4u, 127u);
  let m5 = min(mb + 5u, 127u);
  let m6 = min(mb + 6u, 127u);
  let m7 = min(mb + 7u, 127u);
  let n0 = min(nb + 0u, 299u);
  let n1 = min(nb + 1u, 299u);
  let n2 = min(nb + 2u, 299u);
  let n3 = min(nb + 3u, 299u);

  var v0_0 = 0.0;
  var v0_1 = 0.0;
  var v0_2 = 0.0;
  var v0_3 = 0.0;
  var v1_0 = 0.0;
  var v1_1 = 0.0;
  var v1_2 = 0.0;
  var v1_3 = 0.0;
  var v2_0 = 0.0;
  var v2_1 = 0.0;
  var v2_2 = 0.0;
  var v2_3 = 0.0;
  var v3_0 = 0.0;
  var v3_1 = 0.0;
  var v3_2 = 0.0;
  var v3_3 = 0.0;
  var v4_0 = 0.0;
  var v4_1 = 0.0;
  var v4_2 = 0.0;
  var v4_3 = 0.0;
  var v5_0 = 0.0;
  var v5_1 = 0.0;
  var v5_2 = 0.0;
  var v5_3 = 0.0;
  var v6_0 = 0.0;
  var v6_1 = 0.0;
  var v6_2 = 0.0;
  var v6_3 = 0.0;
  var v7_0 = 0.0;
  var v7_1 = 0.0;
  var v7_2 = 0.0;
  var v7_3 = 0.0;
  for (var k = 0u; k < 196u; k = k + 1u) {
    let a0 = A[m0 * 196u + k];
    let a1 = A[m1 * 196u + k];
    let a2 = A[m2 * 196u + k];
    let a3 = A[m3 * 196u + k];
    let a4 = A[m4 * 196u + k];
    let a5 = A[m5 * 196u + k];
    let a6 = A[m6 * 196u + k];
    let a7 = A[m7 * 196u + k];
    var b0 = B[n0 * 196u + k];
    var b1 = B[n1 * 196u + k];
    var b2 = B[n2 * 196u + k];
    var b3 = B[n3 * 196u + k];
    v0_0 = fma(a0.w, b0.w, fma(a0.z, b0.z, fma(a0.y, b0.y, fma(a0.x, b0.x, v0_0))));
    v0_1 = fma(a0.w, b1.w, fma(a0.z, b1.z, fma(a0.y, b1.y, fma(a0.x, b1.x, v0_1))));
    v0_2 = fma(a0.w, b2.w, fma(a0.z, b2.z, fma(a0.y, b2.y, fma(a0.x, b2.x, v0_2))));
    v0_3 = fma(a0.w, b3.w, fma(a0.z, b3.z, fma(a0.y, b3.y, fma(a0.x, b3.x, v0_3))));
    v1_0 = fma(a1.w, b0.w, fma(a1.z, b0.z, fma(a1.y, b0.y, fma(a1.x, b0.x, v1_0))));
    v1_1 = fma(a1.w, b1.w, fma(a1.z, b1.z, fma(a1.y, b1.y, fma(a1.x, b1.x, v1_1))));
    v1_2 = fma(a1.w, b2.w, fma(a1.z, b2.z, fma(a1.y, b2.y, fma(a1.x, b2.x, v1_2))));
    v1_3 = fma(a1.w, b3.w, fma(a1.z, b3.z, fma(a1.y, b3.y, fma(a1.x, b3.x, v1_3))));
    v2_0 = fma(a2.w, b0.w, fma(a2.z, b0.z, fma(a2.y, b0.y, fma(a2.x, b0.x, v2_0))));
    v2_1 = fma(a2.w, b1.w, fma(a2.z, b1.z, fma(a2.y, b1.y, fma(a2.x, b1.x, v2_1))));
    v2_2 = fma(a2.w, b2.w, fma(a2.z, b2.z, fma(a2.y, b2.y, fma(a2.x, b2.x, v2_2))));
    v2_3 = fma(a2.w, b3.w, fma(a2.z, b3.z, fma(a2.y, b3.y, fma(a2.x, b3.x, v2_3))));
    v3_0 = fma(a3.w, b0.w, fma(a3.z, b0.z, fma(a3.y, b0.y, fma(a3.x, b0.x, v3_0))));
    v3_1 = fma(a3.w, b1.w, fma(a3.z, b1.z, fma(a3.y, b1.y, fma(a3.x, b1.x, v3_1))));
    v3_2 = fma(a3.w, b2.w, fma(a3.z, b2.z, fma(a3.y, b2.y, fma(a3.x, b2.x, v3_2))));
    v3_3 = fma(a3.w, b3.w, fma(a3.z, b3.z, fma(a3.y, b3.y, fma(a3.x, b3.x, v3_3))));
    v4_0 = fma(a4.w, b0.w, fma(a4.z, b0.z, fma(a4.y, b0.y, fma(a4.x, b0.x, v4_0))));
    v4_1 = fma(a4.w, b1.w, fma(a4.z, b1.z, fma(a4.y, b1.y, fma(a4.x, b1.x, v4_1))));
    v4_2 = fma(a4.w, b2.w, fma(a4.z, b2.z, fma(a4.y, b2.y, fma(a4.x, b2.x, v4_2))));
    v4_3 = fma(a4.w, b3.w, fma(a4.z, b3.z, fma(a4.y, b3.y, fma(a4.x, b3.x, v4_3))));
    v5_0 = fma(a5.w, b0.w, fma(a5.z, b0.z, fma(a5.y, b0.y, fma(a5.x, b0.x, v5_0))));
    v5_1 = fma(a5.w, b1.w, fma(a5.z, b1.z, fma(a5.y, b1.y, fma(a5.x, b1.x, v5_1))));
    v5_2 = fma(a5.w, b2.w, fma(a5.z, b2.z, fma(a5.y, b2.y, fma(a5.x, b2.x, v5_2))));
    v5_3 = fma(a5.w, b3.w, fma(a5.z, b3.z, fma(a5.y, b3.y, fma(a5.x, b3.x, v5_3))));
    v6_0 = fma(a6.w, b0.w, fma(a6.z, b0.z, fma(a6.y, b0.y, fma(a6.x, b0.x, v6_0))));
    v6_1 = fma(a6.w, b1.w, fma(a6.z, b1.z, fma(a6.y, b1.y, fma(a6.x, b1.x, v6_1))));
    v6_2 = fma(a6.w, b2.w, fma(a6.z, b2.z, fma(a6.y, b2.y, fma(a6.x, b2.x, v6_2))));
    v6_3 = fma(a6.w, b3.w, fma(a6.z, b3.z, fma(a6.y, b3.y, fma(a6.x, b3.x, v6_3))));
    v7_0 = fma(a7.w, b0.w, fma(a7.z, b0.z, fma(a7.y, b0.y, fma(a7.x, b0.x, v7_0))));
    v7_1 = fma(a7.w, b1.w, fma(a7.z, b1.z, fma(a7.y, b1.y, fma(a7.x, b1.x, v7_1))));
    v7_2 = fma(a7.w, b2.w, fma(a7.z, b2.z, fma(a7.y, b2.y, fma(a7.x, b2.x, v7_2))));
    v7_3 = fma(a7.w, b3.w, fma(a7.z, b3.z, fma(a7.y, b3.y, fma(a7.x, b3.x, v7_3))));
  }
  let r0_0 = vec4f(v0_0, v0_1, v0_2, v0_3);
  let r1_0 = vec4f(v1_0, v1_1, v1_2, v1_3);
  let r2_0 = vec4f(v2_0, v2_1, v2_2, v2_3);
  let r3_0 = vec4f(v3_0, v3_1, v3_2, v3_3);
  let r4_0 = vec4f(v4_0, v4_1, v4_2, v4_3);
  let r5_0 = vec4f(v5_0, v5_1, v5_2, v5_3);
  let r6_0 = vec4f(v6_0, v6_1, v6_2, v6_3);
  let r7_0 = vec4f(v7_0, v7_1, v7_2, v7_3);
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
  if (mb + 4u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 4u) * 300u + nb + 0u) / 4u;
    C[e] = max(r4_0, vec4f(0.0));
  }
  }
  if (mb + 5u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 5u) * 300u + nb + 0u) / 4u;
    C[e] = max(r5_0, vec4f(0.0));
  }
  }
  if (mb + 6u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 6u) * 300u + nb + 0u) / 4u;
    C[e] = max(r6_0, vec4f(0.0));
  }
  }
  if (mb + 7u < 128u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 7u) * 300u + nb + 0u) / 4u;
    C[e] = max(r7_0, vec4f(0.0));
  }
  }
}

// ===== kernel linear_128x100x300 (matmul) workgroup_size 8x8x1
// matmul 128x100x300 a=mk b=nk epilogue=relu
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> C: array<vec4f>;

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
    var b1 = B[n1 * 75u + k];
    var b2 = B[n2 * 75u + k];
    var b3 = B[n3 * 75u + k];
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
@group(0) @binding(2) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> THR: array<u32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

fn keep4(s: vec4f, idx: vec4u, t: u32, tie: u32) -> vec4<bool> {
  let key = bitcast<vec4u>(s) & vec4u(0x7fffffffu);
  return (key > vec4u(t)) | ((key == vec4u(t)) & (idx >= vec4u(tie)));
}
fn keep1(s: f32, idx: u32, t: u32, tie: u32) -> bool {
  let key = bitcast<u32>(s) & 0x7fffffffu;
  return key > t || (key == t && idx >= tie);
}
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
  let thr_key = THR[8u]; let thr_tie = THR[9u];
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
    b0 = select(vec4f(0.0), b0, keep4(S[n0 * 25u + k], vec4u(n0 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b1 = B[n1 * 25u + k];
    b1 = select(vec4f(0.0), b1, keep4(S[n1 * 25u + k], vec4u(n1 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b2 = B[n2 * 25u + k];
    b2 = select(vec4f(0.0), b2, keep4(S[n2 * 25u + k], vec4u(n2 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b3 = B[n3 * 25u + k];
    b3 = select(vec4f(0.0), b3, keep4(S[n3 * 25u + k], vec4u(n3 * 100u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
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
@group(0) @binding(2) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> THR: array<u32>;
@group(0) @binding(4) var<storage, read_write> Y: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> C: array<vec4f>;

fn keep4(s: vec4f, idx: vec4u, t: u32, tie: u32) -> vec4<bool> {
  let key = bitcast<vec4u>(s) & vec4u(0x7fffffffu);
  return (key > vec4u(t)) | ((key == vec4u(t)) & (idx >= vec4u(tie)));
}
fn keep1(s: f32, idx: u32, t: u32, tie: u32) -> bool {
  let key = bitcast<u32>(s) & 0x7fffffffu;
  return key > t || (key == t && idx >= tie);
}
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
  let thr_key = THR[8u]; let thr_tie = THR[9u];
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
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
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
    var g = r0_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 10u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 1u) * 100u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 10u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 2u) * 100u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 10u) {
  if (nb + 0u < 100u) {
    let e = ((mb + 3u) * 100u + nb + 0u) / 4u;
    var g = r3_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
}

// ===== kernel linear_dx_128x300x100 (matmul) workgroup_size 8x8x1
// matmul 128x300x100 a=mk b=kn epilogue=relu_mask
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> Y: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4f>;

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
    r0_0 = fma(vec4f(a0.x), b0, r0_0);
    r1_0 = fma(vec4f(a1.x), b0, r1_0);
    r2_0 = fma(vec4f(a2.x), b0, r2_0);
    r3_0 = fma(vec4f(a3.x), b0, r3_0);
    }
    {
    let k = k4 * 4u + 1u;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0.y), b0, r0_0);
    r1_0 = fma(vec4f(a1.y), b0, r1_0);
    r2_0 = fma(vec4f(a2.y), b0, r2_0);
    r3_0 = fma(vec4f(a3.y), b0, r3_0);
    }
    {
    let k = k4 * 4u + 2u;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0.z), b0, r0_0);
    r1_0 = fma(vec4f(a1.z), b0, r1_0);
    r2_0 = fma(vec4f(a2.z), b0, r2_0);
    r3_0 = fma(vec4f(a3.z), b0, r3_0);
    }
    {
    let k = k4 * 4u + 3u;
    let bi0 = k * 75u + min(nb / 4u + 0u, 74u);
    var b0 = B[bi0];
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
    var g = r0_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 100u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 1u) * 300u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 100u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 2u) * 300u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 100u) {
  if (nb + 0u < 300u) {
    let e = ((mb + 3u) * 300u + nb + 0u) / 4u;
    var g = r3_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
}

// ===== kernel linear_dw_300x784x128 (matmul) workgroup_size 8x1x1
// matmul 300x784x128 a=km b=kn epilogue=optim
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> P: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> V: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> W: array<vec4f>;
@group(0) @binding(5) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

@compute @workgroup_size(8, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 1u + lid.y) * 16u;
  let nb = (wid.x * 8u + lid.x) * 4u;
  let m0 = min(mb + 0u, 299u);
  let m1 = min(mb + 1u, 299u);
  let m2 = min(mb + 2u, 299u);
  let m3 = min(mb + 3u, 299u);
  let m4 = min(mb + 4u, 299u);
  let m5 = min(mb + 5u, 299u);
  let m6 = min(mb + 6u, 299u);
  let m7 = min(mb + 7u, 299u);
  let m8 = min(mb + 8u, 299u);
  let m9 = min(mb + 9u, 299u);
  let m10 = min(mb + 10u, 299u);
  let m11 = min(mb + 11u, 299u);
  let m12 = min(mb + 12u, 299u);
  let m13 = min(mb + 13u, 299u);
  let m14 = min(mb + 14u, 299u);
  let m15 = min(mb + 15u, 299u);
  let n0 = min(nb + 0u, 783u);
  let n1 = min(nb + 1u, 783u);
  let n2 = min(nb + 2u, 783u);
  let n3 = min(nb + 3u, 783u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  var r4_0 = vec4f(0.0);
  var r5_0 = vec4f(0.0);
  var r6_0 = vec4f(0.0);
  var r7_0 = vec4f(0.0);
  var r8_0 = vec4f(0.0);
  var r9_0 = vec4f(0.0);
  var r10_0 = vec4f(0.0);
  var r11_0 = vec4f(0.0);
  var r12_0 = vec4f(0.0);
  var r13_0 = vec4f(0.0);
  var r14_0 = vec4f(0.0);
  var r15_0 = vec4f(0.0);
  for (var k = 0u; k < 128u; k = k + 1u) {
    let av0 = A[k * 75u + min(mb / 4u + 0u, 74u)];
    let a0 = av0.x;
    let a1 = av0.y;
    let a2 = av0.z;
    let a3 = av0.w;
    let av1 = A[k * 75u + min(mb / 4u + 1u, 74u)];
    let a4 = av1.x;
    let a5 = av1.y;
    let a6 = av1.z;
    let a7 = av1.w;
    let av2 = A[k * 75u + min(mb / 4u + 2u, 74u)];
    let a8 = av2.x;
    let a9 = av2.y;
    let a10 = av2.z;
    let a11 = av2.w;
    let av3 = A[k * 75u + min(mb / 4u + 3u, 74u)];
    let a12 = av3.x;
    let a13 = av3.y;
    let a14 = av3.z;
    let a15 = av3.w;
    let bi0 = k * 196u + min(nb / 4u + 0u, 195u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
    r4_0 = fma(vec4f(a4), b0, r4_0);
    r5_0 = fma(vec4f(a5), b0, r5_0);
    r6_0 = fma(vec4f(a6), b0, r6_0);
    r7_0 = fma(vec4f(a7), b0, r7_0);
    r8_0 = fma(vec4f(a8), b0, r8_0);
    r9_0 = fma(vec4f(a9), b0, r9_0);
    r10_0 = fma(vec4f(a10), b0, r10_0);
    r11_0 = fma(vec4f(a11), b0, r11_0);
    r12_0 = fma(vec4f(a12), b0, r12_0);
    r13_0 = fma(vec4f(a13), b0, r13_0);
    r14_0 = fma(vec4f(a14), b0, r14_0);
    r15_0 = fma(vec4f(a15), b0, r15_0);
  }
  if (mb + 0u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 0u) * 784u + nb + 0u) / 4u;
    var g = r0_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 1u) * 784u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 2u) * 784u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 3u) * 784u + nb + 0u) / 4u;
    var g = r3_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 4u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 4u) * 784u + nb + 0u) / 4u;
    var g = r4_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 5u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 5u) * 784u + nb + 0u) / 4u;
    var g = r5_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 6u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 6u) * 784u + nb + 0u) / 4u;
    var g = r6_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 7u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 7u) * 784u + nb + 0u) / 4u;
    var g = r7_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 8u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 8u) * 784u + nb + 0u) / 4u;
    var g = r8_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 9u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 9u) * 784u + nb + 0u) / 4u;
    var g = r9_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 10u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 10u) * 784u + nb + 0u) / 4u;
    var g = r10_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 11u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 11u) * 784u + nb + 0u) / 4u;
    var g = r11_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 12u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 12u) * 784u + nb + 0u) / 4u;
    var g = r12_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 13u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 13u) * 784u + nb + 0u) / 4u;
    var g = r13_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 14u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 14u) * 784u + nb + 0u) / 4u;
    var g = r14_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 15u < 300u) {
  if (nb + 0u < 784u) {
    let e = ((mb + 15u) * 784u + nb + 0u) / 4u;
    var g = r15_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
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
