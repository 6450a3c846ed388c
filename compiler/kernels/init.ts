// Weight and score initialisation on the device from Philox (compiler/semantics/init.ts has the formulas
// and the TypeScript twin). One pipeline serves every tensor: each dispatch reads its own
// 8-word record from a table buffer: [kind, scale bits, layer, stream, n, seed lo, seed hi, 0].
import type { DrawParams } from '../semantics/init.js';
import { PHILOX_WGSL } from './philox.js';
import { declareBindings, layoutOf, type BindingDecl } from './wgsl.js';

export const INIT_THREADS = 256;
export const INIT_KIND = { normal: 0, uniform: 1, sign: 2, constant: 3 } as const;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function initRecord(p: DrawParams, layer: number, stream: number, n: number, seed: number): number[] {
  f32[0] = p.scale;
  return [INIT_KIND[p.kind], u32[0], layer, stream, n, seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, 0];
}

export function initKernel() {
  const decls: BindingDecl[] = [
    { name: 'OUT', access: 'read_write', type: 'f32' },
    { name: 'REC', access: 'read', type: 'u32' },
  ];
  const wgsl = `// parameter init from Philox4x32-10
${declareBindings(decls)}
${PHILOX_WGSL}
@compute @workgroup_size(${INIT_THREADS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let kind = REC[0];
  let scale = bitcast<f32>(REC[1]);
  let layer = REC[2];
  let stream = REC[3];
  let n = REC[4];
  let key = vec2u(REC[5], REC[6]);
  let stride = nwg.x * ${INIT_THREADS}u;
  for (var i = gid.x; i < n; i = i + stride) {
    if (kind == ${INIT_KIND.constant}u) { OUT[i] = scale; continue; }
    let r = philox(vec4u(i, layer, stream, 0u), key);
    if (kind == ${INIT_KIND.uniform}u) {
      OUT[i] = (philox_unit(r.x) * 2.0 - 1.0) * scale;
    } else if (kind == ${INIT_KIND.sign}u) {
      OUT[i] = select(scale, -scale, (r.x >> 31u) != 0u);
    } else {
      OUT[i] = scale * philox_normal(r.x, r.y);
    }
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [INIT_THREADS, 1, 1] as [number, number, number] };
}

export function initWorkgroups(n: number): [number, number, number] {
  return [Math.max(1, Math.min(4096, Math.ceil(n / INIT_THREADS))), 1, 1];
}
