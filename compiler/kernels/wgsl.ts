// Small helpers shared by the WGSL generators.

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** An f32 constant spelled by its bits, so WGSL gets exactly the value the host computed. */
export function f32lit(x: number): string {
  f32buf[0] = x;
  const v = f32buf[0];
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 24) return `${v}.0`;
  return `bitcast<f32>(${u32buf[0]}u)`;
}

export function u32lit(x: number): string {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new Error(`internal: not a u32: ${x}`);
  return `${x}u`;
}

/** `n` lines built by f(i), joined. */
export function lines(n: number, f: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => f(i)).join('\n');
}

export const STEP_STRUCT = /* wgsl */ `
struct Step { step: u32, epoch: u32, batch_start: u32, valid: u32, lr: f32, seed_lo: u32, seed_hi: u32, pad: u32, c1: f32, c2: f32, pad1: u32, pad2: u32 }
`;

export type Access = 'read' | 'read_write' | 'uniform';

export interface BindingDecl {
  name: string;
  access: Access;
  /** WGSL element type of the array (`f32`, `vec4f`, `u32`, `atomic<u32>`), or the struct for uniforms. */
  type: string;
}

/**
 * `@group(0) @binding(i) var<…> name: array<type>;` lines, in order.
 *
 * Every storage binding is declared read_write, even those a kernel only reads: WebGPU tracks
 * usage per buffer, not per range, and a buffer bound read-only and writable in one dispatch is
 * a validation error. Our tensors share the arena and the param buffers, so a kernel routinely
 * reads one range of a buffer while writing another (several writable bindings of one buffer
 * are allowed). The `access` field still documents intent.
 */
export function declareBindings(decls: BindingDecl[]): string {
  return decls
    .map((d, i) => {
      if (d.access === 'uniform') return `@group(0) @binding(${i}) var<uniform> ${d.name}: ${d.type};`;
      return `@group(0) @binding(${i}) var<storage, read_write> ${d.name}: array<${d.type}>;`;
    })
    .join('\n');
}

export function layoutOf(decls: BindingDecl[]): ('storage' | 'read-only-storage' | 'uniform')[] {
  return decls.map((d) => (d.access === 'uniform' ? 'uniform' : 'storage'));
}

export const ELEMENTWISE_THREADS = 256;

/** Workgroups for a grid-stride loop over n elements: at most 65535 per dimension. */
export function elementwiseGrid(n: number, perThread = 1): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / (ELEMENTWISE_THREADS * perThread)));
  return groups <= 65535 ? [groups, 1, 1] : [65535, Math.ceil(groups / 65535), 1];
}

/** Opens `for (var e = …; e < n; …) {` over every element, for kernels dispatched with elementwiseGrid. */
export function elementLoop(n: number, v = 'e'): string {
  return `for (var ${v} = gid.x + gid.y * nwg.x * ${ELEMENTWISE_THREADS}u; ${v} < ${n}u; ${v} = ${v} + nwg.x * nwg.y * ${ELEMENTWISE_THREADS}u) {`;
}

export const ELEMENTWISE_MAIN = `@compute @workgroup_size(${ELEMENTWISE_THREADS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u)`;

export interface TiledKernel {
  wgsl: string;
  bindings: string[];
  layout: ('storage' | 'read-only-storage' | 'uniform')[];
  workgroupSize: [number, number, number];
  workgroups: [number, number, number];
}

/**
 * A 2-D tiled compute kernel (matmul and conv): header comment, bindings, the Step uniform where
 * the epilogue updates weights, helper functions, then `main` with workgroup and local ids.
 */
export function tiledKernel(k: {
  header: string;
  decls: BindingDecl[];
  usesStep: boolean;
  functions: string;
  size: [number, number];
  body: string[];
  workgroups: [number, number, number];
}): TiledKernel {
  const [wx, wy] = k.size;
  const wgsl = `// ${k.header}
${declareBindings(k.decls)}
${k.usesStep ? STEP_STRUCT : ''}${k.functions}
@compute @workgroup_size(${wx}, ${wy}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
${k.body.join('\n')}
}
`;
  return { wgsl, bindings: k.decls.map((d) => d.name), layout: layoutOf(k.decls), workgroupSize: [wx, wy, 1], workgroups: k.workgroups };
}
