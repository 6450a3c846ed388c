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

// ===== kernel conv_fwd_1x28x28_16k3s1 (conv) workgroup_size 16x4x1
// conv fwd B128 1→16 28x28 k3 s1 p1 masked epilogue=relu
@group(0) @binding(0) var<storage, read_write> W: array<f32>;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
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
@compute @workgroup_size(16, 4, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 4u + lid.y) * 4u;
  let nb = (wid.x * 16u + lid.x) * 4u;
  let m0 = min(mb + 0u, 15u);
  let m1 = min(mb + 1u, 15u);
  let m2 = min(mb + 2u, 15u);
  let m3 = min(mb + 3u, 15u);
  let n0 = min(nb + 0u, 100351u);
  let n1 = min(nb + 1u, 100351u);
  let n2 = min(nb + 2u, 100351u);
  let n3 = min(nb + 3u, 100351u);
  let thr_key = THR[0u]; let thr_tie = THR[1u];
  let bi0 = n0 / 784u; let cb0 = bi0 * 784u; let cp0 = n0 % 784u;
  let ih0 = i32(cp0 / 28u) * 1i - 1i; let iw0 = i32(cp0 % 28u) * 1i - 1i;
  let bi1 = n1 / 784u; let cb1 = bi1 * 784u; let cp1 = n1 % 784u;
  let ih1 = i32(cp1 / 28u) * 1i - 1i; let iw1 = i32(cp1 % 28u) * 1i - 1i;
  let bi2 = n2 / 784u; let cb2 = bi2 * 784u; let cp2 = n2 % 784u;
  let ih2 = i32(cp2 / 28u) * 1i - 1i; let iw2 = i32(cp2 % 28u) * 1i - 1i;
  let bi3 = n3 / 784u; let cb3 = bi3 * 784u; let cp3 = n3 % 784u;
  let ih3 = i32(cp3 / 28u) * 1i - 1i; let iw3 = i32(cp3 % 28u) * 1i - 1i;
  var acc0_0 = 0.0;
  var acc0_1 = 0.0;
  var acc0_2 = 0.0;
  var acc0_3 = 0.0;
  var acc1_0 = 0.0;
  var acc1_1 = 0.0;
  var acc1_2 = 0.0;
  var acc1_3 = 0.0;
  var acc2_0 = 0.0;
  var acc2_1 = 0.0;
  var acc2_2 = 0.0;
  var acc2_3 = 0.0;
  var acc3_0 = 0.0;
  var acc3_1 = 0.0;
  var acc3_2 = 0.0;
  var acc3_3 = 0.0;
  for (var kh = 0u; kh < 3u; kh = kh + 1u) {
  for (var kw = 0u; kw < 3u; kw = kw + 1u) {
    let y0 = ih0 + i32(kh); let x0 = iw0 + i32(kw);
    let in0 = y0 >= 0 && y0 < 28i && x0 >= 0 && x0 < 28i;
    let o0 = select(0u, cb0 + u32(y0) * 28u + u32(x0), in0); let f0 = select(0.0, 1.0, in0);
    let y1 = ih1 + i32(kh); let x1 = iw1 + i32(kw);
    let in1 = y1 >= 0 && y1 < 28i && x1 >= 0 && x1 < 28i;
    let o1 = select(0u, cb1 + u32(y1) * 28u + u32(x1), in1); let f1 = select(0.0, 1.0, in1);
    let y2 = ih2 + i32(kh); let x2 = iw2 + i32(kw);
    let in2 = y2 >= 0 && y2 < 28i && x2 >= 0 && x2 < 28i;
    let o2 = select(0u, cb2 + u32(y2) * 28u + u32(x2), in2); let f2 = select(0.0, 1.0, in2);
    let y3 = ih3 + i32(kh); let x3 = iw3 + i32(kw);
    let in3 = y3 >= 0 && y3 < 28i && x3 >= 0 && x3 < 28i;
    let o3 = select(0u, cb3 + u32(y3) * 28u + u32(x3), in3); let f3 = select(0.0, 1.0, in3);
    let w0 = m0 * 9u + kh * 3u + kw;
    let w1 = m1 * 9u + kh * 3u + kw;
    let w2 = m2 * 9u + kh * 3u + kw;
    let w3 = m3 * 9u + kh * 3u + kw;
    for (var c = 0u; c < 1u; c = c + 1u) {
      let a0 = select(0.0, W[w0 + c * 9u], keep1(S[w0 + c * 9u], w0 + c * 9u, thr_key, thr_tie));
      let a1 = select(0.0, W[w1 + c * 9u], keep1(S[w1 + c * 9u], w1 + c * 9u, thr_key, thr_tie));
      let a2 = select(0.0, W[w2 + c * 9u], keep1(S[w2 + c * 9u], w2 + c * 9u, thr_key, thr_tie));
      let a3 = select(0.0, W[w3 + c * 9u], keep1(S[w3 + c * 9u], w3 + c * 9u, thr_key, thr_tie));
      let b0 = X[o0 + c * 784u] * f0;
      let b1 = X[o1 + c * 784u] * f1;
      let b2 = X[o2 + c * 784u] * f2;
      let b3 = X[o3 + c * 784u] * f3;
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
  }
  }
  if (mb + 0u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m0 * 784u + cp0; C[e] = max(acc0_0, 0.0); }
  if (mb + 0u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m0 * 784u + cp1; C[e] = max(acc0_1, 0.0); }
  if (mb + 0u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m0 * 784u + cp2; C[e] = max(acc0_2, 0.0); }
  if (mb + 0u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m0 * 784u + cp3; C[e] = max(acc0_3, 0.0); }
  if (mb + 1u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m1 * 784u + cp0; C[e] = max(acc1_0, 0.0); }
  if (mb + 1u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m1 * 784u + cp1; C[e] = max(acc1_1, 0.0); }
  if (mb + 1u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m1 * 784u + cp2; C[e] = max(acc1_2, 0.0); }
  if (mb + 1u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m1 * 784u + cp3; C[e] = max(acc1_3, 0.0); }
  if (mb + 2u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m2 * 784u + cp0; C[e] = max(acc2_0, 0.0); }
  if (mb + 2u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m2 * 784u + cp1; C[e] = max(acc2_1, 0.0); }
  if (mb + 2u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m2 * 784u + cp2; C[e] = max(acc2_2, 0.0); }
  if (mb + 2u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m2 * 784u + cp3; C[e] = max(acc2_3, 0.0); }
  if (mb + 3u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m3 * 784u + cp0; C[e] = max(acc3_0, 0.0); }
  if (mb + 3u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m3 * 784u + cp1; C[e] = max(acc3_1, 0.0); }
  if (mb + 3u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m3 * 784u + cp2; C[e] = max(acc3_2, 0.0); }
  if (mb + 3u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m3 * 784u + cp3; C[e] = max(acc3_3, 0.0); }
}

// ===== kernel conv_fwd_16x28x28_16k3s1 (conv) workgroup_size 16x4x1
// conv fwd B128 16→16 28x28 k3 s1 p1 masked epilogue=relu
@group(0) @binding(0) var<storage, read_write> W: array<f32>;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
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
@compute @workgroup_size(16, 4, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 4u + lid.y) * 4u;
  let nb = (wid.x * 16u + lid.x) * 4u;
  let m0 = min(mb + 0u, 15u);
  let m1 = min(mb + 1u, 15u);
  let m2 = min(mb + 2u, 15u);
  let m3 = min(mb + 3u, 15u);
  let n0 = min(nb + 0u, 100351u);
  let n1 = min(nb + 1u, 100351u);
  let n2 = min(nb + 2u, 100351u);
  let n3 = min(nb + 3u, 100351u);
  let thr_key = THR[4u]; let thr_tie = THR[5u];
  let bi0 = n0 / 784u; let cb0 = bi0 * 12544u; let cp0 = n0 % 784u;
  let ih0 = i32(cp0 / 28u) * 1i - 1i; let iw0 = i32(cp0 % 28u) * 1i - 1i;
  let bi1 = n1 / 784u; let cb1 = bi1 * 12544u; let cp1 = n1 % 784u;
  let ih1 = i32(cp1 / 28u) * 1i - 1i; let iw1 = i32(cp1 % 28u) * 1i - 1i;
  let bi2 = n2 / 784u; let cb2 = bi2 * 12544u; let cp2 = n2 % 784u;
  let ih2 = i32(cp2 / 28u) * 1i - 1i; let iw2 = i32(cp2 % 28u) * 1i - 1i;
  let bi3 = n3 / 784u; let cb3 = bi3 * 12544u; let cp3 = n3 % 784u;
  let ih3 = i32(cp3 / 28u) * 1i - 1i; let iw3 = i32(cp3 % 28u) * 1i - 1i;
  var acc0_0 = 0.0;
  var acc0_1 = 0.0;
  var acc0_2 = 0.0;
  var acc0_3 = 0.0;
  var acc1_0 = 0.0;
  var acc1_1 = 0.0;
  var acc1_2 = 0.0;
  var acc1_3 = 0.0;
  var acc2_0 = 0.0;
  var acc2_1 = 0.0;
  var acc2_2 = 0.0;
  var acc2_3 = 0.0;
  var acc3_0 = 0.0;
  var acc3_1 = 0.0;
  var acc3_2 = 0.0;
  var acc3_3 = 0.0;
  for (var kh = 0u; kh < 3u; kh = kh + 1u) {
  for (var kw = 0u; kw < 3u; kw = kw + 1u) {
    let y0 = ih0 + i32(kh); let x0 = iw0 + i32(kw);
    let in0 = y0 >= 0 && y0 < 28i && x0 >= 0 && x0 < 28i;
    let o0 = select(0u, cb0 + u32(y0) * 28u + u32(x0), in0); let f0 = select(0.0, 1.0, in0);
    let y1 = ih1 + i32(kh); let x1 = iw1 + i32(kw);
    let in1 = y1 >= 0 && y1 < 28i && x1 >= 0 && x1 < 28i;
    let o1 = select(0u, cb1 + u32(y1) * 28u + u32(x1), in1); let f1 = select(0.0, 1.0, in1);
    let y2 = ih2 + i32(kh); let x2 = iw2 + i32(kw);
    let in2 = y2 >= 0 && y2 < 28i && x2 >= 0 && x2 < 28i;
    let o2 = select(0u, cb2 + u32(y2) * 28u + u32(x2), in2); let f2 = select(0.0, 1.0, in2);
    let y3 = ih3 + i32(kh); let x3 = iw3 + i32(kw);
    let in3 = y3 >= 0 && y3 < 28i && x3 >= 0 && x3 < 28i;
    let o3 = select(0u, cb3 + u32(y3) * 28u + u32(x3), in3); let f3 = select(0.0, 1.0, in3);
    let w0 = m0 * 144u + kh * 3u + kw;
    let w1 = m1 * 144u + kh * 3u + kw;
    let w2 = m2 * 144u + kh * 3u + kw;
    let w3 = m3 * 144u + kh * 3u + kw;
    for (var c = 0u; c < 16u; c = c + 1u) {
      let a0 = select(0.0, W[w0 + c * 9u], keep1(S[w0 + c * 9u], w0 + c * 9u, thr_key, thr_tie));
      let a1 = select(0.0, W[w1 + c * 9u], keep1(S[w1 + c * 9u], w1 + c * 9u, thr_key, thr_tie));
      let a2 = select(0.0, W[w2 + c * 9u], keep1(S[w2 + c * 9u], w2 + c * 9u, thr_key, thr_tie));
      let a3 = select(0.0, W[w3 + c * 9u], keep1(S[w3 + c * 9u], w3 + c * 9u, thr_key, thr_tie));
      let b0 = X[o0 + c * 784u] * f0;
      let b1 = X[o1 + c * 784u] * f1;
      let b2 = X[o2 + c * 784u] * f2;
      let b3 = X[o3 + c * 784u] * f3;
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
  }
  }
  if (mb + 0u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m0 * 784u + cp0; C[e] = max(acc0_0, 0.0); }
  if (mb + 0u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m0 * 784u + cp1; C[e] = max(acc0_1, 0.0); }
  if (mb + 0u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m0 * 784u + cp2; C[e] = max(acc0_2, 0.0); }
  if (mb + 0u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m0 * 784u + cp3; C[e] = max(acc0_3, 0.0); }
  if (mb + 1u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m1 * 784u + cp0; C[e] = max(acc1_0, 0.0); }
  if (mb + 1u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m1 * 784u + cp1; C[e] = max(acc1_1, 0.0); }
  if (mb + 1u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m1 * 784u + cp2; C[e] = max(acc1_2, 0.0); }
  if (mb + 1u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m1 * 784u + cp3; C[e] = max(acc1_3, 0.0); }
  if (mb + 2u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m2 * 784u + cp0; C[e] = max(acc2_0, 0.0); }
  if (mb + 2u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m2 * 784u + cp1; C[e] = max(acc2_1, 0.0); }
  if (mb + 2u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m2 * 784u + cp2; C[e] = max(acc2_2, 0.0); }
  if (mb + 2u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m2 * 784u + cp3; C[e] = max(acc2_3, 0.0); }
  if (mb + 3u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m3 * 784u + cp0; C[e] = max(acc3_0, 0.0); }
  if (mb + 3u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m3 * 784u + cp1; C[e] = max(acc3_1, 0.0); }
  if (mb + 3u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m3 * 784u + cp2; C[e] = max(acc3_2, 0.0); }
  if (mb + 3u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m3 * 784u + cp3; C[e] = max(acc3_3, 0.0); }
}

// ===== kernel maxpool_16x28x28_k2s2 (pool) workgroup_size 256x1x1
// maxpool 2x2/2 pad 0 on 128x16x28x28
@group(0) @binding(0) var<storage, read_write> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var e = gid.x + gid.y * nwg.x * 256u; e < 401408u; e = e + nwg.x * nwg.y * 256u) {
    let plane = (e / 196u) * 784u;
    let o = e % 196u;
    let oh = i32(o / 14u); let ow = i32(o % 14u);

      var best = 0.0;
      var best_at = 0xffffffffu;
      for (var kh = 0; kh < 2i; kh = kh + 1) {
        let ih = oh * 2i - 0i + kh;
        if (ih < 0 || ih >= 28i) { continue; }
        for (var kw = 0; kw < 2i; kw = kw + 1) {
          let iw = ow * 2i - 0i + kw;
          if (iw < 0 || iw >= 28i) { continue; }
          let at = u32(ih) * 28u + u32(iw);
          let v = X[plane + at];
          if (best_at == 0xffffffffu || v > best) { best = v; best_at = at; }
        }
      }
    Y[e] = select(X[plane + best_at], 0.0, best_at == 0xffffffffu);
  }
}

// ===== kernel linear_128x64x3136 (matmul) workgroup_size 8x8x1
// matmul 128x64x3136 a=mk b=nk masked epilogue=relu
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> THR: array<u32>;
@group(0) @binding(4) var<storage, read_write> C: array<vec4f>;

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
  let n0 = min(nb + 0u, 63u);
  let n1 = min(nb + 1u, 63u);
  let n2 = min(nb + 2u, 63u);
  let n3 = min(nb + 3u, 63u);
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
  for (var k = 0u; k < 784u; k = k + 1u) {
    let a0 = A[m0 * 784u + k];
    let a1 = A[m1 * 784u + k];
    let a2 = A[m2 * 784u + k];
    let a3 = A[m3 * 784u + k];
    var b0 = B[n0 * 784u + k];
    b0 = select(vec4f(0.0), b0, keep4(S[n0 * 784u + k], vec4u(n0 * 3136u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b1 = B[n1 * 784u + k];
    b1 = select(vec4f(0.0), b1, keep4(S[n1 * 784u + k], vec4u(n1 * 3136u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b2 = B[n2 * 784u + k];
    b2 = select(vec4f(0.0), b2, keep4(S[n2 * 784u + k], vec4u(n2 * 3136u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b3 = B[n3 * 784u + k];
    b3 = select(vec4f(0.0), b3, keep4(S[n3 * 784u + k], vec4u(n3 * 3136u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
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
  if (nb + 0u < 64u) {
    let e = ((mb + 0u) * 64u + nb + 0u) / 4u;
    C[e] = max(r0_0, vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 1u) * 64u + nb + 0u) / 4u;
    C[e] = max(r1_0, vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 2u) * 64u + nb + 0u) / 4u;
    C[e] = max(r2_0, vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 3u) * 64u + nb + 0u) / 4u;
    C[e] = max(r3_0, vec4f(0.0));
  }
  }
}

// ===== kernel linear_128x64x64 (matmul) workgroup_size 8x8x1
// matmul 128x64x64 a=mk b=nk masked epilogue=relu
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> THR: array<u32>;
@group(0) @binding(4) var<storage, read_write> C: array<vec4f>;

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
  let n0 = min(nb + 0u, 63u);
  let n1 = min(nb + 1u, 63u);
  let n2 = min(nb + 2u, 63u);
  let n3 = min(nb + 3u, 63u);
  let thr_key = THR[12u]; let thr_tie = THR[13u];
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
  for (var k = 0u; k < 16u; k = k + 1u) {
    let a0 = A[m0 * 16u + k];
    let a1 = A[m1 * 16u + k];
    let a2 = A[m2 * 16u + k];
    let a3 = A[m3 * 16u + k];
    var b0 = B[n0 * 16u + k];
    b0 = select(vec4f(0.0), b0, keep4(S[n0 * 16u + k], vec4u(n0 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b1 = B[n1 * 16u + k];
    b1 = select(vec4f(0.0), b1, keep4(S[n1 * 16u + k], vec4u(n1 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b2 = B[n2 * 16u + k];
    b2 = select(vec4f(0.0), b2, keep4(S[n2 * 16u + k], vec4u(n2 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b3 = B[n3 * 16u + k];
    b3 = select(vec4f(0.0), b3, keep4(S[n3 * 16u + k], vec4u(n3 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
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
  if (nb + 0u < 64u) {
    let e = ((mb + 0u) * 64u + nb + 0u) / 4u;
    C[e] = max(r0_0, vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 1u) * 64u + nb + 0u) / 4u;
    C[e] = max(r1_0, vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 2u) * 64u + nb + 0u) / 4u;
    C[e] = max(r2_0, vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 3u) * 64u + nb + 0u) / 4u;
    C[e] = max(r3_0, vec4f(0.0));
  }
  }
}

// ===== kernel linear_128x10x64 (matmul) workgroup_size 8x8x1
// matmul 128x10x64 a=mk b=nk masked epilogue=store
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
  let thr_key = THR[16u]; let thr_tie = THR[17u];
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
  for (var k = 0u; k < 16u; k = k + 1u) {
    let a0 = A[m0 * 16u + k];
    let a1 = A[m1 * 16u + k];
    let a2 = A[m2 * 16u + k];
    let a3 = A[m3 * 16u + k];
    var b0 = B[n0 * 16u + k];
    b0 = select(vec4f(0.0), b0, keep4(S[n0 * 16u + k], vec4u(n0 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b1 = B[n1 * 16u + k];
    b1 = select(vec4f(0.0), b1, keep4(S[n1 * 16u + k], vec4u(n1 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b2 = B[n2 * 16u + k];
    b2 = select(vec4f(0.0), b2, keep4(S[n2 * 16u + k], vec4u(n2 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    var b3 = B[n3 * 16u + k];
    b3 = select(vec4f(0.0), b3, keep4(S[n3 * 16u + k], vec4u(n3 * 64u + k * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
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

// ===== kernel linear_dx_128x64x10 (matmul) workgroup_size 8x8x1
// matmul 128x64x10 a=mk b=kn masked epilogue=relu_mask
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
  let n0 = min(nb + 0u, 63u);
  let n1 = min(nb + 1u, 63u);
  let n2 = min(nb + 2u, 63u);
  let n3 = min(nb + 3u, 63u);
  let thr_key = THR[16u]; let thr_tie = THR[17u];
  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 10u; k = k + 1u) {
    let a0 = A[m0 * 10u + k];
    let a1 = A[m1 * 10u + k];
    let a2 = A[m2 * 10u + k];
    let a3 = A[m3 * 10u + k];
    let bi0 = k * 16u + min(nb / 4u + 0u, 15u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 0u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r0_0, y > vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 1u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r1_0, y > vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 2u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r2_0, y > vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 3u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r3_0, y > vec4f(0.0));
  }
  }
}

// ===== kernel linear_dw_10x64x128 (matmul) workgroup_size 8x8x1
// matmul 10x64x128 a=km b=kn epilogue=optim
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
  let n0 = min(nb + 0u, 63u);
  let n1 = min(nb + 1u, 63u);
  let n2 = min(nb + 2u, 63u);
  let n3 = min(nb + 3u, 63u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 128u; k = k + 1u) {
    let a0 = A[k * 10u + m0];
    let a1 = A[k * 10u + m1];
    let a2 = A[k * 10u + m2];
    let a3 = A[k * 10u + m3];
    let bi0 = k * 16u + min(nb / 4u + 0u, 15u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 10u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 0u) * 64u + nb + 0u) / 4u;
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
  if (nb + 0u < 64u) {
    let e = ((mb + 1u) * 64u + nb + 0u) / 4u;
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
  if (nb + 0u < 64u) {
    let e = ((mb + 2u) * 64u + nb + 0u) / 4u;
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
  if (nb + 0u < 64u) {
    let e = ((mb + 3u) * 64u + nb + 0u) / 4u;
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

// ===== kernel linear_dx_128x64x64 (matmul) workgroup_size 8x8x1
// matmul 128x64x64 a=mk b=kn masked epilogue=relu_mask
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
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
  let n0 = min(nb + 0u, 63u);
  let n1 = min(nb + 1u, 63u);
  let n2 = min(nb + 2u, 63u);
  let n3 = min(nb + 3u, 63u);
  let thr_key = THR[12u]; let thr_tie = THR[13u];
  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k4 = 0u; k4 < 16u; k4 = k4 + 1u) {
    let a0 = A[m0 * 16u + k4];
    let a1 = A[m1 * 16u + k4];
    let a2 = A[m2 * 16u + k4];
    let a3 = A[m3 * 16u + k4];
    {
    let k = k4 * 4u + 0u;
    let bi0 = k * 16u + min(nb / 4u + 0u, 15u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.x), b0, r0_0);
    r1_0 = fma(vec4f(a1.x), b0, r1_0);
    r2_0 = fma(vec4f(a2.x), b0, r2_0);
    r3_0 = fma(vec4f(a3.x), b0, r3_0);
    }
    {
    let k = k4 * 4u + 1u;
    let bi0 = k * 16u + min(nb / 4u + 0u, 15u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.y), b0, r0_0);
    r1_0 = fma(vec4f(a1.y), b0, r1_0);
    r2_0 = fma(vec4f(a2.y), b0, r2_0);
    r3_0 = fma(vec4f(a3.y), b0, r3_0);
    }
    {
    let k = k4 * 4u + 2u;
    let bi0 = k * 16u + min(nb / 4u + 0u, 15u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.z), b0, r0_0);
    r1_0 = fma(vec4f(a1.z), b0, r1_0);
    r2_0 = fma(vec4f(a2.z), b0, r2_0);
    r3_0 = fma(vec4f(a3.z), b0, r3_0);
    }
    {
    let k = k4 * 4u + 3u;
    let bi0 = k * 16u + min(nb / 4u + 0u, 15u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.w), b0, r0_0);
    r1_0 = fma(vec4f(a1.w), b0, r1_0);
    r2_0 = fma(vec4f(a2.w), b0, r2_0);
    r3_0 = fma(vec4f(a3.w), b0, r3_0);
    }
  }
  if (mb + 0u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 0u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r0_0, y > vec4f(0.0));
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 1u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r1_0, y > vec4f(0.0));
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 2u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r2_0, y > vec4f(0.0));
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 3u) * 64u + nb + 0u) / 4u;
    let y = Y[e];
    C[e] = select(vec4f(0.0), r3_0, y > vec4f(0.0));
  }
  }
}

// ===== kernel linear_dw_64x64x128 (matmul) workgroup_size 8x8x1
// matmul 64x64x128 a=km b=kn epilogue=optim
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
  let m0 = min(mb + 0u, 63u);
  let m1 = min(mb + 1u, 63u);
  let m2 = min(mb + 2u, 63u);
  let m3 = min(mb + 3u, 63u);
  let n0 = min(nb + 0u, 63u);
  let n1 = min(nb + 1u, 63u);
  let n2 = min(nb + 2u, 63u);
  let n3 = min(nb + 3u, 63u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 128u; k = k + 1u) {
    let av0 = A[k * 16u + min(mb / 4u + 0u, 15u)];
    let a0 = av0.x;
    let a1 = av0.y;
    let a2 = av0.z;
    let a3 = av0.w;
    let bi0 = k * 16u + min(nb / 4u + 0u, 15u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 64u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 0u) * 64u + nb + 0u) / 4u;
    var g = r0_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 64u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 1u) * 64u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 64u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 2u) * 64u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 64u) {
  if (nb + 0u < 64u) {
    let e = ((mb + 3u) * 64u + nb + 0u) / 4u;
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

// ===== kernel linear_dx_128x3136x64 (matmul) workgroup_size 8x8x1
// matmul 128x3136x64 a=mk b=kn masked epilogue=store
@group(0) @binding(0) var<storage, read_write> A: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> B: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> THR: array<u32>;
@group(0) @binding(4) var<storage, read_write> C: array<vec4f>;

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
  let n0 = min(nb + 0u, 3135u);
  let n1 = min(nb + 1u, 3135u);
  let n2 = min(nb + 2u, 3135u);
  let n3 = min(nb + 3u, 3135u);
  let thr_key = THR[8u]; let thr_tie = THR[9u];
  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k4 = 0u; k4 < 16u; k4 = k4 + 1u) {
    let a0 = A[m0 * 16u + k4];
    let a1 = A[m1 * 16u + k4];
    let a2 = A[m2 * 16u + k4];
    let a3 = A[m3 * 16u + k4];
    {
    let k = k4 * 4u + 0u;
    let bi0 = k * 784u + min(nb / 4u + 0u, 783u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.x), b0, r0_0);
    r1_0 = fma(vec4f(a1.x), b0, r1_0);
    r2_0 = fma(vec4f(a2.x), b0, r2_0);
    r3_0 = fma(vec4f(a3.x), b0, r3_0);
    }
    {
    let k = k4 * 4u + 1u;
    let bi0 = k * 784u + min(nb / 4u + 0u, 783u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.y), b0, r0_0);
    r1_0 = fma(vec4f(a1.y), b0, r1_0);
    r2_0 = fma(vec4f(a2.y), b0, r2_0);
    r3_0 = fma(vec4f(a3.y), b0, r3_0);
    }
    {
    let k = k4 * 4u + 2u;
    let bi0 = k * 784u + min(nb / 4u + 0u, 783u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.z), b0, r0_0);
    r1_0 = fma(vec4f(a1.z), b0, r1_0);
    r2_0 = fma(vec4f(a2.z), b0, r2_0);
    r3_0 = fma(vec4f(a3.z), b0, r3_0);
    }
    {
    let k = k4 * 4u + 3u;
    let bi0 = k * 784u + min(nb / 4u + 0u, 783u);
    var b0 = B[bi0];
    b0 = select(vec4f(0.0), b0, keep4(S[bi0], vec4u(bi0 * 4u) + vec4u(0u, 1u, 2u, 3u), thr_key, thr_tie));
    r0_0 = fma(vec4f(a0.w), b0, r0_0);
    r1_0 = fma(vec4f(a1.w), b0, r1_0);
    r2_0 = fma(vec4f(a2.w), b0, r2_0);
    r3_0 = fma(vec4f(a3.w), b0, r3_0);
    }
  }
  if (mb + 0u < 128u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 0u) * 3136u + nb + 0u) / 4u;
    C[e] = r0_0;
  }
  }
  if (mb + 1u < 128u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 1u) * 3136u + nb + 0u) / 4u;
    C[e] = r1_0;
  }
  }
  if (mb + 2u < 128u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 2u) * 3136u + nb + 0u) / 4u;
    C[e] = r2_0;
  }
  }
  if (mb + 3u < 128u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 3u) * 3136u + nb + 0u) / 4u;
    C[e] = r3_0;
  }
  }
}

// ===== kernel linear_dw_64x3136x128 (matmul) workgroup_size 8x8x1
// matmul 64x3136x128 a=km b=kn epilogue=optim
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
  let m0 = min(mb + 0u, 63u);
  let m1 = min(mb + 1u, 63u);
  let m2 = min(mb + 2u, 63u);
  let m3 = min(mb + 3u, 63u);
  let n0 = min(nb + 0u, 3135u);
  let n1 = min(nb + 1u, 3135u);
  let n2 = min(nb + 2u, 3135u);
  let n3 = min(nb + 3u, 3135u);

  var r0_0 = vec4f(0.0);
  var r1_0 = vec4f(0.0);
  var r2_0 = vec4f(0.0);
  var r3_0 = vec4f(0.0);
  for (var k = 0u; k < 128u; k = k + 1u) {
    let av0 = A[k * 16u + min(mb / 4u + 0u, 15u)];
    let a0 = av0.x;
    let a1 = av0.y;
    let a2 = av0.z;
    let a3 = av0.w;
    let bi0 = k * 784u + min(nb / 4u + 0u, 783u);
    var b0 = B[bi0];
    r0_0 = fma(vec4f(a0), b0, r0_0);
    r1_0 = fma(vec4f(a1), b0, r1_0);
    r2_0 = fma(vec4f(a2), b0, r2_0);
    r3_0 = fma(vec4f(a3), b0, r3_0);
  }
  if (mb + 0u < 64u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 0u) * 3136u + nb + 0u) / 4u;
    var g = r0_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 1u < 64u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 1u) * 3136u + nb + 0u) / 4u;
    var g = r1_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 2u < 64u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 2u) * 3136u + nb + 0u) / 4u;
    var g = r2_0 * W[e] * sign(P[e]);
    let p_old = P[e];
    g = g + vec4f(bitcast<f32>(953267991u)) * p_old;
    let vel = vec4f(bitcast<f32>(1063675494u)) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
  }
  if (mb + 3u < 64u) {
  if (nb + 0u < 3136u) {
    let e = ((mb + 3u) * 3136u + nb + 0u) / 4u;
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

// ===== kernel maxpool_bwd_16x28x28_k2s2 (pool) workgroup_size 256x1x1
// maxpool backward 2x2/2 + relu mask
@group(0) @binding(0) var<storage, read_write> DY: array<f32>;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> DX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var e = gid.x + gid.y * nwg.x * 256u; e < 1605632u; e = e + nwg.x * nwg.y * 256u) {
    let bc = e / 784u;
    let here = e % 784u;
    let plane = bc * 784u;
    let ih0 = i32(here / 28u) + 0i; let iw0 = i32(here % 28u) + 0i;
    // Windows (oh, ow) with oh·s ≤ ih+p ≤ oh·s + K − 1.
    let oh_lo = max(0, (ih0 - 1i + 1i) / 2i);
    let oh_hi = min(13i, ih0 / 2i);
    let ow_lo = max(0, (iw0 - 1i + 1i) / 2i);
    let ow_hi = min(13i, iw0 / 2i);
    var acc = 0.0;
    for (var oh = oh_lo; oh <= oh_hi; oh = oh + 1) {
      for (var ow = ow_lo; ow <= ow_hi; ow = ow + 1) {

      var best = 0.0;
      var best_at = 0xffffffffu;
      for (var kh = 0; kh < 2i; kh = kh + 1) {
        let ih = oh * 2i - 0i + kh;
        if (ih < 0 || ih >= 28i) { continue; }
        for (var kw = 0; kw < 2i; kw = kw + 1) {
          let iw = ow * 2i - 0i + kw;
          if (iw < 0 || iw >= 28i) { continue; }
          let at = u32(ih) * 28u + u32(iw);
          let v = X[plane + at];
          if (best_at == 0xffffffffu || v > best) { best = v; best_at = at; }
        }
      }
        if (best_at == here) { acc = acc + DY[bc * 196u + u32(oh) * 14u + u32(ow)]; }
      }
    }
    DX[e] = select(0.0, acc, X[e] > 0.0);
  }
}

// ===== kernel conv_dx_16x28x28_16k3s1 (conv) workgroup_size 16x4x1
// conv dx B128 16→16 28x28 k3 s1 p1 masked epilogue=relu_mask
@group(0) @binding(0) var<storage, read_write> W: array<f32>;
@group(0) @binding(1) var<storage, read_write> DY: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
@group(0) @binding(3) var<storage, read_write> THR: array<u32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
@group(0) @binding(5) var<storage, read_write> C: array<f32>;

fn keep4(s: vec4f, idx: vec4u, t: u32, tie: u32) -> vec4<bool> {
  let key = bitcast<vec4u>(s) & vec4u(0x7fffffffu);
  return (key > vec4u(t)) | ((key == vec4u(t)) & (idx >= vec4u(tie)));
}
fn keep1(s: f32, idx: u32, t: u32, tie: u32) -> bool {
  let key = bitcast<u32>(s) & 0x7fffffffu;
  return key > t || (key == t && idx >= tie);
}
@compute @workgroup_size(16, 4, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 4u + lid.y) * 4u;
  let nb = (wid.x * 16u + lid.x) * 4u;
  let m0 = min(mb + 0u, 15u);
  let m1 = min(mb + 1u, 15u);
  let m2 = min(mb + 2u, 15u);
  let m3 = min(mb + 3u, 15u);
  let n0 = min(nb + 0u, 100351u);
  let n1 = min(nb + 1u, 100351u);
  let n2 = min(nb + 2u, 100351u);
  let n3 = min(nb + 3u, 100351u);
  let thr_key = THR[4u]; let thr_tie = THR[5u];
  let bi0 = n0 / 784u; let cb0 = bi0 * 12544u; let cp0 = n0 % 784u;
  let ih0 = i32(cp0 / 28u) + 1i; let iw0 = i32(cp0 % 28u) + 1i;
  let bi1 = n1 / 784u; let cb1 = bi1 * 12544u; let cp1 = n1 % 784u;
  let ih1 = i32(cp1 / 28u) + 1i; let iw1 = i32(cp1 % 28u) + 1i;
  let bi2 = n2 / 784u; let cb2 = bi2 * 12544u; let cp2 = n2 % 784u;
  let ih2 = i32(cp2 / 28u) + 1i; let iw2 = i32(cp2 % 28u) + 1i;
  let bi3 = n3 / 784u; let cb3 = bi3 * 12544u; let cp3 = n3 % 784u;
  let ih3 = i32(cp3 / 28u) + 1i; let iw3 = i32(cp3 % 28u) + 1i;
  var acc0_0 = 0.0;
  var acc0_1 = 0.0;
  var acc0_2 = 0.0;
  var acc0_3 = 0.0;
  var acc1_0 = 0.0;
  var acc1_1 = 0.0;
  var acc1_2 = 0.0;
  var acc1_3 = 0.0;
  var acc2_0 = 0.0;
  var acc2_1 = 0.0;
  var acc2_2 = 0.0;
  var acc2_3 = 0.0;
  var acc3_0 = 0.0;
  var acc3_1 = 0.0;
  var acc3_2 = 0.0;
  var acc3_3 = 0.0;
  for (var kh = 0u; kh < 3u; kh = kh + 1u) {
  for (var kw = 0u; kw < 3u; kw = kw + 1u) {
    let y0 = ih0 - i32(kh); let x0 = iw0 - i32(kw);
    let in0 = y0 >= 0 && x0 >= 0 && y0 < 28i && x0 < 28i;
    let o0 = select(0u, cb0 + u32(y0) * 28u + u32(x0), in0); let f0 = select(0.0, 1.0, in0);
    let y1 = ih1 - i32(kh); let x1 = iw1 - i32(kw);
    let in1 = y1 >= 0 && x1 >= 0 && y1 < 28i && x1 < 28i;
    let o1 = select(0u, cb1 + u32(y1) * 28u + u32(x1), in1); let f1 = select(0.0, 1.0, in1);
    let y2 = ih2 - i32(kh); let x2 = iw2 - i32(kw);
    let in2 = y2 >= 0 && x2 >= 0 && y2 < 28i && x2 < 28i;
    let o2 = select(0u, cb2 + u32(y2) * 28u + u32(x2), in2); let f2 = select(0.0, 1.0, in2);
    let y3 = ih3 - i32(kh); let x3 = iw3 - i32(kw);
    let in3 = y3 >= 0 && x3 >= 0 && y3 < 28i && x3 < 28i;
    let o3 = select(0u, cb3 + u32(y3) * 28u + u32(x3), in3); let f3 = select(0.0, 1.0, in3);
    let w0 = m0 * 9u + kh * 3u + kw;
    let w1 = m1 * 9u + kh * 3u + kw;
    let w2 = m2 * 9u + kh * 3u + kw;
    let w3 = m3 * 9u + kh * 3u + kw;
    for (var c = 0u; c < 16u; c = c + 1u) {
      let a0 = select(0.0, W[w0 + c * 144u], keep1(S[w0 + c * 144u], w0 + c * 144u, thr_key, thr_tie));
      let a1 = select(0.0, W[w1 + c * 144u], keep1(S[w1 + c * 144u], w1 + c * 144u, thr_key, thr_tie));
      let a2 = select(0.0, W[w2 + c * 144u], keep1(S[w2 + c * 144u], w2 + c * 144u, thr_key, thr_tie));
      let a3 = select(0.0, W[w3 + c * 144u], keep1(S[w3 + c * 144u], w3 + c * 144u, thr_key, thr_tie));
      let b0 = DY[o0 + c * 784u] * f0;
      let b1 = DY[o1 + c * 784u] * f1;
      let b2 = DY[o2 + c * 784u] * f2;
      let b3 = DY[o3 + c * 784u] * f3;
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
  }
  }
  if (mb + 0u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m0 * 784u + cp0; C[e] = select(0.0, acc0_0, Y[e] > 0.0); }
  if (mb + 0u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m0 * 784u + cp1; C[e] = select(0.0, acc0_1, Y[e] > 0.0); }
  if (mb + 0u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m0 * 784u + cp2; C[e] = select(0.0, acc0_2, Y[e] > 0.0); }
  if (mb + 0u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m0 * 784u + cp3; C[e] = select(0.0, acc0_3, Y[e] > 0.0); }
  if (mb + 1u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m1 * 784u + cp0; C[e] = select(0.0, acc1_0, Y[e] > 0.0); }
  if (mb + 1u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m1 * 784u + cp1; C[e] = select(0.0, acc1_1, Y[e] > 0.0); }
  if (mb + 1u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m1 * 784u + cp2; C[e] = select(0.0, acc1_2, Y[e] > 0.0); }
  if (mb + 1u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m1 * 784u + cp3; C[e] = select(0.0, acc1_3, Y[e] > 0.0); }
  if (mb + 2u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m2 * 784u + cp0; C[e] = select(0.0, acc2_0, Y[e] > 0.0); }
  if (mb + 2u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m2 * 784u + cp1; C[e] = select(0.0, acc2_1, Y[e] > 0.0); }
  if (mb + 2u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m2 * 784u + cp2; C[e] = select(0.0, acc2_2, Y[e] > 0.0); }
  if (mb + 2u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m2 * 784u + cp3; C[e] = select(0.0, acc2_3, Y[e] > 0.0); }
  if (mb + 3u < 16u && nb + 0u < 100352u) { let e = bi0 * 12544u + m3 * 784u + cp0; C[e] = select(0.0, acc3_0, Y[e] > 0.0); }
  if (mb + 3u < 16u && nb + 1u < 100352u) { let e = bi1 * 12544u + m3 * 784u + cp1; C[e] = select(0.0, acc3_1, Y[e] > 0.0); }
  if (mb + 3u < 16u && nb + 2u < 100352u) { let e = bi2 * 12544u + m3 * 784u + cp2; C[e] = select(0.0, acc3_2, Y[e] > 0.0); }
  if (mb + 3u < 16u && nb + 3u < 100352u) { let e = bi3 * 12544u + m3 * 784u + cp3; C[e] = select(0.0, acc3_3, Y[e] > 0.0); }
}

// ===== kernel conv_dw_16x28x28_16k3s1_splitk22 (conv) workgroup_size 16x4x1
// conv dw B128 16→16 28x28 k3 s1 p1 epilogue=split-K ×22
@group(0) @binding(0) var<storage, read_write> DY: array<f32>;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> PARTIAL: array<f32>;

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 4u + lid.y) * 4u;
  let nb = (wid.x * 16u + lid.x) * 4u;
  let m0 = min(mb + 0u, 15u);
  let m1 = min(mb + 1u, 15u);
  let m2 = min(mb + 2u, 15u);
  let m3 = min(mb + 3u, 15u);
  let n0 = min(nb + 0u, 143u);
  let n1 = min(nb + 1u, 143u);
  let n2 = min(nb + 2u, 143u);
  let n3 = min(nb + 3u, 143u);

  let cc0 = (n0 / 9u) * 784u; let cr0 = n0 % 9u;
  let kh0 = i32(cr0 / 3u) - 1i; let kw0 = i32(cr0 % 3u) - 1i;
  let cc1 = (n1 / 9u) * 784u; let cr1 = n1 % 9u;
  let kh1 = i32(cr1 / 3u) - 1i; let kw1 = i32(cr1 % 3u) - 1i;
  let cc2 = (n2 / 9u) * 784u; let cr2 = n2 % 9u;
  let kh2 = i32(cr2 / 3u) - 1i; let kw2 = i32(cr2 % 3u) - 1i;
  let cc3 = (n3 / 9u) * 784u; let cr3 = n3 % 9u;
  let kh3 = i32(cr3 / 3u) - 1i; let kw3 = i32(cr3 % 3u) - 1i;
  var acc0_0 = 0.0;
  var acc0_1 = 0.0;
  var acc0_2 = 0.0;
  var acc0_3 = 0.0;
  var acc1_0 = 0.0;
  var acc1_1 = 0.0;
  var acc1_2 = 0.0;
  var acc1_3 = 0.0;
  var acc2_0 = 0.0;
  var acc2_1 = 0.0;
  var acc2_2 = 0.0;
  var acc2_3 = 0.0;
  var acc3_0 = 0.0;
  var acc3_1 = 0.0;
  var acc3_2 = 0.0;
  var acc3_3 = 0.0;
  let k_end = min(wid.z * 4562u + 4562u, 100352u);
  for (var k = wid.z * 4562u; k < k_end; k = k + 1u) {
    let bi = k / 784u; let p = k % 784u; let oh = i32(p / 28u) * 1i; let ow = i32(p % 28u) * 1i;
    let a0 = DY[bi * 12544u + m0 * 784u + p];
    let a1 = DY[bi * 12544u + m1 * 784u + p];
    let a2 = DY[bi * 12544u + m2 * 784u + p];
    let a3 = DY[bi * 12544u + m3 * 784u + p];
    let y0 = oh + kh0; let x0 = ow + kw0;
    let in0 = y0 >= 0 && y0 < 28i && x0 >= 0 && x0 < 28i;
    let b0 = select(0.0, X[select(0u, bi * 12544u + cc0 + u32(y0) * 28u + u32(x0), in0)], in0);
    let y1 = oh + kh1; let x1 = ow + kw1;
    let in1 = y1 >= 0 && y1 < 28i && x1 >= 0 && x1 < 28i;
    let b1 = select(0.0, X[select(0u, bi * 12544u + cc1 + u32(y1) * 28u + u32(x1), in1)], in1);
    let y2 = oh + kh2; let x2 = ow + kw2;
    let in2 = y2 >= 0 && y2 < 28i && x2 >= 0 && x2 < 28i;
    let b2 = select(0.0, X[select(0u, bi * 12544u + cc2 + u32(y2) * 28u + u32(x2), in2)], in2);
    let y3 = oh + kh3; let x3 = ow + kw3;
    let in3 = y3 >= 0 && y3 < 28i && x3 >= 0 && x3 < 28i;
    let b3 = select(0.0, X[select(0u, bi * 12544u + cc3 + u32(y3) * 28u + u32(x3), in3)], in3);
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
  if (mb + 0u < 16u && nb + 0u < 144u) { let e = m0 * 144u + n0; PARTIAL[wid.z * 2304u + e] = acc0_0; }
  if (mb + 0u < 16u && nb + 1u < 144u) { let e = m0 * 144u + n1; PARTIAL[wid.z * 2304u + e] = acc0_1; }
  if (mb + 0u < 16u && nb + 2u < 144u) { let e = m0 * 144u + n2; PARTIAL[wid.z * 2304u + e] = acc0_2; }
  if (mb + 0u < 16u && nb + 3u < 144u) { let e = m0 * 144u + n3; PARTIAL[wid.z * 2304u + e] = acc0_3; }
  if (mb + 1u < 16u && nb + 0u < 144u) { let e = m1 * 144u + n0; PARTIAL[wid.z * 2304u + e] = acc1_0; }
  if (mb + 1u < 16u && nb + 1u < 144u) { let e = m1 * 144u + n1; PARTIAL[wid.z * 2304u + e] = acc1_1; }
  if (mb + 1u < 16u && nb + 2u < 144u) { let e = m1 * 144u + n2; PARTIAL[wid.z * 2304u + e] = acc1_2; }
  if (mb + 1u < 16u && nb + 3u < 144u) { let e = m1 * 144u + n3; PARTIAL[wid.z * 2304u + e] = acc1_3; }
  if (mb + 2u < 16u && nb + 0u < 144u) { let e = m2 * 144u + n0; PARTIAL[wid.z * 2304u + e] = acc2_0; }
  if (mb + 2u < 16u && nb + 1u < 144u) { let e = m2 * 144u + n1; PARTIAL[wid.z * 2304u + e] = acc2_1; }
  if (mb + 2u < 16u && nb + 2u < 144u) { let e = m2 * 144u + n2; PARTIAL[wid.z * 2304u + e] = acc2_2; }
  if (mb + 2u < 16u && nb + 3u < 144u) { let e = m2 * 144u + n3; PARTIAL[wid.z * 2304u + e] = acc2_3; }
  if (mb + 3u < 16u && nb + 0u < 144u) { let e = m3 * 144u + n0; PARTIAL[wid.z * 2304u + e] = acc3_0; }
  if (mb + 3u < 16u && nb + 1u < 144u) { let e = m3 * 144u + n1; PARTIAL[wid.z * 2304u + e] = acc3_1; }
  if (mb + 3u < 16u && nb + 2u < 144u) { let e = m3 * 144u + n2; PARTIAL[wid.z * 2304u + e] = acc3_2; }
  if (mb + 3u < 16u && nb + 3u < 144u) { let e = m3 * 144u + n3; PARTIAL[wid.z * 2304u + e] = acc3_3; }
}

// ===== kernel conv_dw_16x28x28_16k3s1_reduce (optim) workgroup_size 256x1x1
// split-K reduction of 22 slices of 2304 gradients + optimiser update
@group(0) @binding(0) var<storage, read_write> PARTIAL: array<f32>;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<f32>;
@group(0) @binding(3) var<storage, read_write> WF: array<f32>;
@group(0) @binding(4) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var e = gid.x + gid.y * nwg.x * 256u; e < 2304u; e = e + nwg.x * nwg.y * 256u) {
    var acc = 0.0;
    for (var s = 0u; s < 22u; s = s + 1u) { acc = acc + PARTIAL[s * 2304u + e]; }
    var g = acc * WF[e] * sign(P[e]);
    let p_old = P[e];
    g = g + bitcast<f32>(953267991u) * p_old;
    let vel = bitcast<f32>(1063675494u) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
  }
}

// ===== kernel conv_dw_1x28x28_16k3s1_splitk64 (conv) workgroup_size 16x4x1
// conv dw B128 1→16 28x28 k3 s1 p1 epilogue=split-K ×64
@group(0) @binding(0) var<storage, read_write> DY: array<f32>;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> PARTIAL: array<f32>;

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let mb = (wid.y * 4u + lid.y) * 4u;
  let nb = (wid.x * 16u + lid.x) * 4u;
  let m0 = min(mb + 0u, 15u);
  let m1 = min(mb + 1u, 15u);
  let m2 = min(mb + 2u, 15u);
  let m3 = min(mb + 3u, 15u);
  let n0 = min(nb + 0u, 8u);
  let n1 = min(nb + 1u, 8u);
  let n2 = min(nb + 2u, 8u);
  let n3 = min(nb + 3u, 8u);

  let cc0 = (n0 / 9u) * 784u; let cr0 = n0 % 9u;
  let kh0 = i32(cr0 / 3u) - 1i; let kw0 = i32(cr0 % 3u) - 1i;
  let cc1 = (n1 / 9u) * 784u; let cr1 = n1 % 9u;
  let kh1 = i32(cr1 / 3u) - 1i; let kw1 = i32(cr1 % 3u) - 1i;
  let cc2 = (n2 / 9u) * 784u; let cr2 = n2 % 9u;
  let kh2 = i32(cr2 / 3u) - 1i; let kw2 = i32(cr2 % 3u) - 1i;
  let cc3 = (n3 / 9u) * 784u; let cr3 = n3 % 9u;
  let kh3 = i32(cr3 / 3u) - 1i; let kw3 = i32(cr3 % 3u) - 1i;
  var acc0_0 = 0.0;
  var acc0_1 = 0.0;
  var acc0_2 = 0.0;
  var acc0_3 = 0.0;
  var acc1_0 = 0.0;
  var acc1_1 = 0.0;
  var acc1_2 = 0.0;
  var acc1_3 = 0.0;
  var acc2_0 = 0.0;
  var acc2_1 = 0.0;
  var acc2_2 = 0.0;
  var acc2_3 = 0.0;
  var acc3_0 = 0.0;
  var acc3_1 = 0.0;
  var acc3_2 = 0.0;
  var acc3_3 = 0.0;
  let k_end = min(wid.z * 1568u + 1568u, 100352u);
  for (var k = wid.z * 1568u; k < k_end; k = k + 1u) {
    let bi = k / 784u; let p = k % 784u; let oh = i32(p / 28u) * 1i; let ow = i32(p % 28u) * 1i;
    let a0 = DY[bi * 12544u + m0 * 784u + p];
    let a1 = DY[bi * 12544u + m1 * 784u + p];
    let a2 = DY[bi * 12544u + m2 * 784u + p];
    let a3 = DY[bi * 12544u + m3 * 784u + p];
    let y0 = oh + kh0; let x0 = ow + kw0;
    let in0 = y0 >= 0 && y0 < 28i && x0 >= 0 && x0 < 28i;
    let b0 = select(0.0, X[select(0u, bi * 784u + cc0 + u32(y0) * 28u + u32(x0), in0)], in0);
    let y1 = oh + kh1; let x1 = ow + kw1;
    let in1 = y1 >= 0 && y1 < 28i && x1 >= 0 && x1 < 28i;
    let b1 = select(0.0, X[select(0u, bi * 784u + cc1 + u32(y1) * 28u + u32(x1), in1)], in1);
    let y2 = oh + kh2; let x2 = ow + kw2;
    let in2 = y2 >= 0 && y2 < 28i && x2 >= 0 && x2 < 28i;
    let b2 = select(0.0, X[select(0u, bi * 784u + cc2 + u32(y2) * 28u + u32(x2), in2)], in2);
    let y3 = oh + kh3; let x3 = ow + kw3;
    let in3 = y3 >= 0 && y3 < 28i && x3 >= 0 && x3 < 28i;
    let b3 = select(0.0, X[select(0u, bi * 784u + cc3 + u32(y3) * 28u + u32(x3), in3)], in3);
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
  if (mb + 0u < 16u && nb + 0u < 9u) { let e = m0 * 9u + n0; PARTIAL[wid.z * 144u + e] = acc0_0; }
  if (mb + 0u < 16u && nb + 1u < 9u) { let e = m0 * 9u + n1; PARTIAL[wid.z * 144u + e] = acc0_1; }
  if (mb + 0u < 16u && nb + 2u < 9u) { let e = m0 * 9u + n2; PARTIAL[wid.z * 144u + e] = acc0_2; }
  if (mb + 0u < 16u && nb + 3u < 9u) { let e = m0 * 9u + n3; PARTIAL[wid.z * 144u + e] = acc0_3; }
  if (mb + 1u < 16u && nb + 0u < 9u) { let e = m1 * 9u + n0; PARTIAL[wid.z * 144u + e] = acc1_0; }
  if (mb + 1u < 16u && nb + 1u < 9u) { let e = m1 * 9u + n1; PARTIAL[wid.z * 144u + e] = acc1_1; }
  if (mb + 1u < 16u && nb + 2u < 9u) { let e = m1 * 9u + n2; PARTIAL[wid.z * 144u + e] = acc1_2; }
  if (mb + 1u < 16u && nb + 3u < 9u) { let e = m1 * 9u + n3; PARTIAL[wid.z * 144u + e] = acc1_3; }
  if (mb + 2u < 16u && nb + 0u < 9u) { let e = m2 * 9u + n0; PARTIAL[wid.z * 144u + e] = acc2_0; }
  if (mb + 2u < 16u && nb + 1u < 9u) { let e = m2 * 9u + n1; PARTIAL[wid.z * 144u + e] = acc2_1; }
  if (mb + 2u < 16u && nb + 2u < 9u) { let e = m2 * 9u + n2; PARTIAL[wid.z * 144u + e] = acc2_2; }
  if (mb + 2u < 16u && nb + 3u < 9u) { let e = m2 * 9u + n3; PARTIAL[wid.z * 144u + e] = acc2_3; }
  if (mb + 3u < 16u && nb + 0u < 9u) { let e = m3 * 9u + n0; PARTIAL[wid.z * 144u + e] = acc3_0; }
  if (mb + 3u < 16u && nb + 1u < 9u) { let e = m3 * 9u + n1; PARTIAL[wid.z * 144u + e] = acc3_1; }
  if (mb + 3u < 16u && nb + 2u < 9u) { let e = m3 * 9u + n2; PARTIAL[wid.z * 144u + e] = acc3_2; }
  if (mb + 3u < 16u && nb + 3u < 9u) { let e = m3 * 9u + n3; PARTIAL[wid.z * 144u + e] = acc3_3; }
}

// ===== kernel conv_dw_1x28x28_16k3s1_reduce (optim) workgroup_size 256x1x1
// split-K reduction of 64 slices of 144 gradients + optimiser update
@group(0) @binding(0) var<storage, read_write> PARTIAL: array<f32>;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<f32>;
@group(0) @binding(3) var<storage, read_write> WF: array<f32>;
@group(0) @binding(4) var<uniform> step: Step;

struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var e = gid.x + gid.y * nwg.x * 256u; e < 144u; e = e + nwg.x * nwg.y * 256u) {
    var acc = 0.0;
    for (var s = 0u; s < 64u; s = s + 1u) { acc = acc + PARTIAL[s * 144u + e]; }
    var g = acc * WF[e] * sign(P[e]);
    let p_old = P[e];
    g = g + bitcast<f32>(953267991u) * p_old;
    let vel = bitcast<f32>(1063675494u) * V[e] + g;
    V[e] = vel;
    let upd = vel;
    P[e] = p_old - step.lr * upd;
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
