// Batch loading from the device-resident dataset: image = perm[batch_start + b] (train) or
// batch_start + b (test); pixels are bytes packed four to a u32 word, normalised per channel as
// x = byte·a_c + b_c with a_c = 1/(255·std_c) and b_c = −mean_c/std_c (both f32, computed once on
// the host). Rows past `valid` (the last, partial batch) are zero. Optional zero padding to a
// larger square side (padTo) places the image in the centre.
import type { Normalize } from '../config.js';
import { STEP_STRUCT, declareBindings, f32lit, layoutOf, type BindingDecl } from './wgsl.js';

export interface LoadBatchSpec {
  batch: number;
  /** Stored image shape [C, H, W] (or [features]). */
  stored: number[];
  /** Output shape per example (padTo may make it larger than stored). */
  out: number[];
  normalize: Normalize;
  /** Train batches go through the epoch's permutation. */
  shuffled: boolean;
}

export const LOAD_THREADS = 256;

/** Normalisation constants (a_c, b_c) per channel, as f32. */
export function normConstants(n: Normalize): { a: number[]; b: number[] } {
  return {
    a: n.std.map((s) => Math.fround(1 / (255 * s))),
    b: n.mean.map((m, c) => Math.fround(-m / n.std[c])),
  };
}

export function loadBatchKernel(spec: LoadBatchSpec) {
  const decls: BindingDecl[] = [
    { name: 'IMAGES', access: 'read', type: 'u32' },
    { name: 'LABELS_IN', access: 'read', type: 'u32' },
    ...(spec.shuffled ? [{ name: 'PERM', access: 'read', type: 'u32' } as BindingDecl] : []),
    { name: 'X', access: 'read_write', type: 'f32' },
    { name: 'LABELS', access: 'read_write', type: 'u32' },
    { name: 'step', access: 'uniform', type: 'Step' },
  ];
  const storedN = spec.stored.reduce((a, b) => a * b, 1);
  const outN = spec.out.reduce((a, b) => a * b, 1);
  const channels = spec.stored.length === 3 ? spec.stored[0] : 1;
  const hw = storedN / channels;
  const { a, b } = normConstants(spec.normalize);
  const norm = (c: string) =>
    channels === 1
      ? `f32(byte) * ${f32lit(a[0])} + ${f32lit(b[0])}`
      : `f32(byte) * NORM_A[${c}] + NORM_B[${c}]`;
  const padded = outN !== storedN;
  // Source pixel index for an output pixel p, or a sentinel when it falls in the padding.
  let srcIndex: string;
  if (!padded) srcIndex = 'let src = p;';
  else {
    const [C, H, W] = spec.stored;
    const [, OH, OW] = spec.out;
    const top = Math.floor((OH - H) / 2);
    const left = Math.floor((OW - W) / 2);
    srcIndex = `let c = p / ${OH * OW}u; let oy = (p / ${OW}u) % ${OH}u; let ox = p % ${OW}u;
    let inside = oy >= ${top}u && oy < ${top + H}u && ox >= ${left}u && ox < ${left + W}u;
    let src = select(0xffffffffu, c * ${H * W}u + (oy - ${top}u) * ${W}u + (ox - ${left}u), inside);`;
    if (C !== spec.out[0]) throw new Error('internal: padding cannot change the channel count');
  }
  const wgsl = `// load batch: ${spec.batch} × [${spec.out.join(', ')}]${spec.shuffled ? ' through the permutation' : ''}
${declareBindings(decls)}
${STEP_STRUCT}
${channels > 1 ? `const NORM_A = array<f32, ${channels}>(${a.map(f32lit).join(', ')});\nconst NORM_B = array<f32, ${channels}>(${b.map(f32lit).join(', ')});` : ''}
@compute @workgroup_size(${LOAD_THREADS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let total = ${spec.batch * outN}u;
  let stride = nwg.x * ${LOAD_THREADS}u;
  for (var e = gid.x; e < total; e = e + stride) {
    let row = e / ${outN}u;
    let p = e % ${outN}u;
    if (row >= step.valid) {
      X[e] = 0.0;
      if (p == 0u) { LABELS[row] = 0u; }
      continue;
    }
    let image = ${spec.shuffled ? 'PERM[step.batch_start + row]' : 'step.batch_start + row'};
    ${srcIndex}
    if (src == 0xffffffffu) { X[e] = 0.0; } else {
      let byte_index = image * ${storedN}u + src;
      let byte = (IMAGES[byte_index >> 2u] >> ((byte_index & 3u) * 8u)) & 255u;
      X[e] = ${norm(`src / ${hw}u`)};
    }
    if (p == 0u) { LABELS[row] = LABELS_IN[image]; }
  }
}
`;
  const workgroups = Math.min(65535, Math.ceil((spec.batch * outN) / LOAD_THREADS / 4));
  return {
    wgsl,
    bindings: decls.map((d) => d.name),
    layout: layoutOf(decls),
    workgroupSize: [LOAD_THREADS, 1, 1] as [number, number, number],
    workgroups: [Math.max(1, workgroups), 1, 1] as [number, number, number],
  };
}
