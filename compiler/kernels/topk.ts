// Exact per-layer top-k thresholds by radix select over the u32 bits of |score|, batched over all
// layers: three histogram passes and one pick pass, four dispatches per step whatever the number
// of layers. No sort, no float atomics, no host sync.
//
// The key is the 31-bit pattern of |score| (the sign bit is always 0), selected in three digits
// of 11, 11 and 9 bits, most significant first (2048 bins). Weights of a layer crowd into a few
// exponents, so after the first pass few keys share the prefix and the later passes do few
// atomics.
//
// Histogram pass p: each workgroup owns one chunk of one layer (a static table maps workgroup →
// layer, start, end). It first replays passes 0..p−1 from the global histograms — the 256
// threads sum 8 bins each and one thread finds the bin where the count from the top reaches the
// number still needed — to learn the prefix of T fixed so far. Then it counts digit p of the keys
// that match that prefix into workgroup memory and adds its bins to the layer's global histogram
// with integer atomics. The pick pass (one workgroup per layer) replays all passes, which fixes T
// and the number `need` of elements equal to T that are kept; if some tied elements are pruned,
// it finds the tie index by a scan in index order (rare: random float scores almost never tie),
// then clears the layer's histograms for the next step. Semantics: compiler/semantics/topk.ts.
import { declareBindings, layoutOf, type BindingDecl } from './wgsl.js';

export interface TopkLayer {
  n: number;
  kept: number;
  /** Element offset of the layer's scores inside the concatenated scores binding. */
  offset: number;
  /** The layer's slot in the thresholds and histograms buffers (its index over all segments). */
  slot: number;
}

export const TOPK_THREADS = 256;
export const TOPK_ITEMS_PER_THREAD = 32;
const CHUNK = TOPK_THREADS * TOPK_ITEMS_PER_THREAD;

export const TOPK_PASSES = 3;
export const TOPK_BINS = 2048;
/** Words of histogram per layer: a 2048-bin histogram per pass. */
export const TOPK_HIST_WORDS = TOPK_PASSES * TOPK_BINS;
/** Shift and width of each pass's digit. */
const DIGITS = [
  { shift: 20, bits: 11 },
  { shift: 9, bits: 11 },
  { shift: 0, bits: 9 },
];

/** Static table of the histogram passes: per workgroup [layer, start, end] (element offsets). */
export function topkChunkTable(layers: TopkLayer[]): number[] {
  const t: number[] = [];
  layers.forEach((l, li) => {
    for (let s = 0; s < l.n; s += CHUNK) t.push(li, l.offset + s, l.offset + Math.min(l.n, s + CHUNK));
  });
  return t;
}

/** Per-layer constants: [offset, n, kept, slot]. */
export function topkLayerTable(layers: TopkLayer[]): number[] {
  return layers.flatMap((l) => [l.offset, l.n, l.kept, l.slot]);
}

// Cooperative replay of passes 0..upto−1 for `layer` (a slot): every thread must call it (it
// has barriers). Leaves vec2(prefix bits, need) in rp_state.
const REPLAY = /* wgsl */ `
var<workgroup> rp_sums: array<u32, ${TOPK_THREADS}>;
var<workgroup> rp_state: vec2u;
var<workgroup> rp_owner: vec2u;
fn replay(layer: u32, upto: u32, kept: u32, tid: u32) {
  if (tid == 0u) { rp_state = vec2u(0u, kept); }
  workgroupBarrier();
  for (var p = 0u; p < upto; p = p + 1u) {
    let base = (layer * ${TOPK_PASSES}u + p) * ${TOPK_BINS}u;
    // Thread t covers 8 bins counted from the top: bins 2047 − 8t … 2040 − 8t.
    var s = 0u;
    for (var j = 0u; j < 8u; j = j + 1u) { s = s + atomicLoad(&HIST[base + ${TOPK_BINS - 1}u - (tid * 8u + j)]); }
    rp_sums[tid] = s;
    workgroupBarrier();
    if (tid == 0u) {
      let need = rp_state.y;
      var before = 0u;
      var t = 0u;
      loop {
        if (before + rp_sums[t] >= need || t == ${TOPK_THREADS - 1}u) { break; }
        before = before + rp_sums[t];
        t = t + 1u;
      }
      rp_owner = vec2u(t, before);
    }
    workgroupBarrier();
    if (tid == rp_owner.x) {
      var need = rp_state.y - rp_owner.y;
      var j = 0u;
      var d = ${TOPK_BINS - 1}u - tid * 8u;
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
`;

export function topkHistogramKernel(pass: number): { wgsl: string; bindings: string[]; layout: ReturnType<typeof layoutOf>; workgroupSize: [number, number, number] } {
  const decls: BindingDecl[] = [
    { name: 'S', access: 'read', type: 'f32' },
    { name: 'HIST', access: 'read_write', type: 'atomic<u32>' },
    { name: 'CHUNKS', access: 'read', type: 'u32' },
    { name: 'LAYERS', access: 'read', type: 'u32' },
  ];
  const { shift, bits } = DIGITS[pass];
  // Bits above this pass's digit must equal the prefix.
  const highMask = pass === 0 ? 0 : (0x7fffffff & ~((1 << (shift + bits)) - 1)) >>> 0;
  const wgsl = `// top-k radix select: histogram of digit ${pass} (bits ${shift + bits - 1}..${shift})
${declareBindings(decls)}
var<workgroup> local_hist: array<atomic<u32>, ${TOPK_BINS}>;
${pass > 0 ? REPLAY : ''}
@compute @workgroup_size(${TOPK_THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * 3u;
  let li = CHUNKS[c];
  let layer = LAYERS[li * 4u + 3u];
  let start = CHUNKS[c + 1u];
  let end = CHUNKS[c + 2u];
  for (var b = lid.x; b < ${TOPK_BINS}u; b = b + ${TOPK_THREADS}u) { atomicStore(&local_hist[b], 0u); }
${pass > 0 ? `  replay(layer, ${pass}u, LAYERS[li * 4u + 2u], lid.x);\n  let prefix = workgroupUniformLoad(&rp_state).x;` : '  workgroupBarrier();'}
  for (var i = start + lid.x; i < end; i = i + ${TOPK_THREADS}u) {
    let key = bitcast<u32>(S[i]) & 0x7fffffffu;
${pass > 0 ? `    if ((key & ${highMask}u) == prefix) {` : '    {'}
      atomicAdd(&local_hist[(key >> ${shift}u) & ${(1 << bits) - 1}u], 1u);
    }
  }
  workgroupBarrier();
  for (var b = lid.x; b < ${TOPK_BINS}u; b = b + ${TOPK_THREADS}u) {
    let count = atomicLoad(&local_hist[b]);
    if (count != 0u) { atomicAdd(&HIST[(layer * ${TOPK_PASSES}u + ${pass}u) * ${TOPK_BINS}u + b], count); }
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [TOPK_THREADS, 1, 1] };
}

export function topkPickKernel(): { wgsl: string; bindings: string[]; layout: ReturnType<typeof layoutOf>; workgroupSize: [number, number, number] } {
  const decls: BindingDecl[] = [
    { name: 'S', access: 'read', type: 'f32' },
    { name: 'HIST', access: 'read_write', type: 'atomic<u32>' },
    { name: 'LAYERS', access: 'read', type: 'u32' },
    { name: 'THR', access: 'read_write', type: 'u32' },
  ];
  const wgsl = `// top-k radix select: pick T and the tie index, clear the histograms
${declareBindings(decls)}
var<workgroup> shared_state: vec4u;
var<workgroup> shared_owner: vec2u;
var<workgroup> counts: array<u32, ${TOPK_THREADS}>;
${REPLAY}
@compute @workgroup_size(${TOPK_THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let li = wid.x;
  let offset = LAYERS[li * 4u];
  let n = LAYERS[li * 4u + 1u];
  let kept = LAYERS[li * 4u + 2u];
  let layer = LAYERS[li * 4u + 3u];
  replay(layer, ${TOPK_PASSES}u, kept, lid.x);
  if (lid.x == 0u) {
    let r = rp_state;
    let eq = atomicLoad(&HIST[(layer * ${TOPK_PASSES}u + ${TOPK_PASSES - 1}u) * ${TOPK_BINS}u + (r.x & ${(1 << DIGITS[2].bits) - 1}u)]);
    // [T, need, number of tied elements to prune, 0]
    shared_state = vec4u(r.x, r.y, eq - r.y, 0u);
  }
  let st = workgroupUniformLoad(&shared_state);
  var tie = 0u;
  if (st.z != 0u) {
    // Some elements equal to T are pruned: the first st.z of them in index order. Each thread
    // counts ties in its contiguous slice; a serial prefix over the 256 counts finds the slice
    // holding the cut, whose thread then finds the exact index.
    let per = (n + ${TOPK_THREADS - 1}u) / ${TOPK_THREADS}u;
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
        if (before + counts[t] > st.z || t == ${TOPK_THREADS - 1}u) { break; }
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
  for (var i = lid.x; i < ${TOPK_HIST_WORDS}u; i = i + ${TOPK_THREADS}u) {
    atomicStore(&HIST[layer * ${TOPK_HIST_WORDS}u + i], 0u);
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [TOPK_THREADS, 1, 1] };
}
