// Exact per-layer top-k thresholds by radix select over the u32 bits of |score|, batched over all
// layers: four histogram passes (8-bit digits, most significant first) and one pick pass, five
// dispatches per step whatever the number of layers. No sort, no float atomics, no host sync.
//
// Histogram pass p: each workgroup owns one chunk of one layer (a static table maps workgroup →
// layer, start, end). Thread 0 first replays passes 0..p−1 from the global histograms to find the
// prefix of T fixed so far, then the workgroup counts digit p of the keys that match that prefix
// into workgroup memory and adds its bins to the layer's global histogram with integer atomics.
// The pick pass (one workgroup per layer) replays all four passes, which fixes T exactly and
// the number `need` of elements equal to T that are kept. If some tied elements are pruned, it
// finds the tie index by a scan in index order (rare: random float scores almost never tie).
// Then it clears the layer's histograms for the next step. Semantics: compiler/topk.ts.
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
export const TOPK_ITEMS_PER_THREAD = 16;
const CHUNK = TOPK_THREADS * TOPK_ITEMS_PER_THREAD;

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

// Replays passes 0..upto−1 for `layer`: returns vec2(prefix bits, need). HIST is laid out as
// [layer][pass][256].
const REPLAY = /* wgsl */ `
fn replay(layer: u32, upto: u32, kept: u32) -> vec2u {
  var prefix = 0u;
  var need = kept;
  for (var p = 0u; p < upto; p = p + 1u) {
    let base = (layer * 4u + p) * 256u;
    var d = 255u;
    loop {
      let c = atomicLoad(&HIST[base + d]);
      if (c >= need || d == 0u) { break; }
      need = need - c;
      d = d - 1u;
    }
    prefix = prefix | (d << (24u - 8u * p));
  }
  return vec2u(prefix, need);
}
`;

export function topkHistogramKernel(pass: number): { wgsl: string; bindings: string[]; layout: ReturnType<typeof layoutOf>; workgroupSize: [number, number, number] } {
  const decls: BindingDecl[] = [
    { name: 'S', access: 'read', type: 'f32' },
    { name: 'HIST', access: 'read_write', type: 'atomic<u32>' },
    { name: 'CHUNKS', access: 'read', type: 'u32' },
    { name: 'LAYERS', access: 'read', type: 'u32' },
  ];
  const shift = 24 - 8 * pass;
  // Bits above this pass's digit must equal the prefix.
  const highMask = pass === 0 ? 0 : (0xffffffff << (32 - 8 * pass)) >>> 0;
  const wgsl = `// top-k radix select: histogram of digit ${pass}
${declareBindings(decls)}
var<workgroup> local_hist: array<atomic<u32>, 256>;
var<workgroup> shared_prefix: u32;
${REPLAY}
@compute @workgroup_size(${TOPK_THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * 3u;
  let li = CHUNKS[c];
  let layer = LAYERS[li * 4u + 3u];
  let start = CHUNKS[c + 1u];
  let end = CHUNKS[c + 2u];
  atomicStore(&local_hist[lid.x], 0u);
  if (lid.x == 0u) {
    shared_prefix = replay(layer, ${pass}u, LAYERS[li * 4u + 2u]).x;
  }
  workgroupBarrier();
  let prefix = workgroupUniformLoad(&shared_prefix);
  for (var i = start + lid.x; i < end; i = i + ${TOPK_THREADS}u) {
    let key = bitcast<u32>(S[i]) & 0x7fffffffu;
    if ((key & ${highMask}u) == prefix) {
      atomicAdd(&local_hist[(key >> ${shift}u) & 255u], 1u);
    }
  }
  workgroupBarrier();
  let count = atomicLoad(&local_hist[lid.x]);
  if (count != 0u) {
    atomicAdd(&HIST[(layer * 4u + ${pass}u) * 256u + lid.x], count);
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
  if (lid.x == 0u) {
    let r = replay(layer, 4u, kept);
    let eq = atomicLoad(&HIST[(layer * 4u + 3u) * 256u + (r.x & 255u)]);
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
  for (var i = lid.x; i < 1024u; i = i + ${TOPK_THREADS}u) {
    atomicStore(&HIST[layer * 1024u + i], 0u);
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [TOPK_THREADS, 1, 1] };
}
