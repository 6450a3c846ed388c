// Samples every supermask layer's bit mask in one dispatch (semantics: compiler/semantics/supermask.ts).
// One thread per 32-bit word; a table gives each layer's first word, size and offsets.
import { Stream } from '../semantics/philox.js';
import { PHILOX_WGSL } from './philox.js';
import { STEP_STRUCT, declareBindings, elementwiseGrid, layoutOf, type BindingDecl } from './wgsl.js';

export interface SampleLayer {
  /** Weights in the layer. */
  n: number;
  /** Element offset of the layer's scores inside the S binding. */
  scoreOffset: number;
  /** Word offset of the layer's bits inside the MB binding. */
  bitsOffset: number;
  /** Weight-layer index (the Philox counter's layer word). */
  layer: number;
}

/** Per layer: [first word of the layer in the flat word space, n, score offset, bits offset, layer]. */
export function sampleTable(layers: SampleLayer[]): { words: number[]; total: number } {
  const words: number[] = [];
  let first = 0;
  for (const l of layers) {
    words.push(first, l.n, l.scoreOffset, l.bitsOffset, l.layer);
    first += Math.ceil(l.n / 32);
  }
  return { words, total: first };
}

export function supermaskSampleKernel(layers: number, totalWords: number, evalMode: boolean) {
  const decls: BindingDecl[] = [
    { name: 'S', access: 'read', type: 'f32' },
    { name: 'MB', access: 'read_write', type: 'u32' },
    { name: 'TABLE', access: 'read', type: 'u32' },
    { name: 'step', access: 'uniform', type: 'Step' },
  ];
  const stream = evalMode ? Stream.supermaskEval : Stream.supermask;
  const extra = evalMode ? 'step.epoch' : 'step.step';
  const wgsl = `// supermask sample of ${layers} layers (${totalWords} words), ${evalMode ? 'evaluation (per epoch)' : 'training (per step)'}
${declareBindings(decls)}
${STEP_STRUCT}
${PHILOX_WGSL}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * 256u;
  if (w >= ${totalWords}u) { return; }
  var l = 0u;
  for (var i = 1u; i < ${layers}u; i = i + 1u) { if (TABLE[i * 5u] <= w) { l = i; } }
  let local = w - TABLE[l * 5u];
  let n = TABLE[l * 5u + 1u];
  let s_off = TABLE[l * 5u + 2u];
  let key = vec2u(step.seed_lo, step.seed_hi);
  var word = 0u;
  for (var q = 0u; q < 8u; q = q + 1u) {
    let first = local * 32u + q * 4u;
    if (first >= n) { break; }
    let r = philox(vec4u(first >> 2u, TABLE[l * 5u + 4u], ${stream}u, ${extra}), key);
    for (var j = 0u; j < 4u; j = j + 1u) {
      let i = first + j;
      if (i < n && philox_unit(r[j]) < 1.0 / (1.0 + exp(-S[s_off + i]))) { word = word | (1u << (i & 31u)); }
    }
  }
  MB[TABLE[l * 5u + 3u] + local] = word;
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [256, 1, 1] as [number, number, number], workgroups: elementwiseGrid(totalWords) };
}
