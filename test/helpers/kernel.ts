// Runs one generated kernel on the device with a fresh buffer per binding: the harness of the
// kernel-vs-reference tests.
import type { GpuContext } from '../../runtime/device.js';

export interface KernelLike {
  wgsl: string;
  bindings: string[];
  layout: ('storage' | 'read-only-storage' | 'uniform')[];
  workgroupSize?: [number, number, number];
}

export type HostData = Float32Array | Uint32Array | Int32Array;

/** Binds `data[name]` (or a zeroed buffer of `sizes[name]` bytes) to each binding, dispatches, reads all back. */
export async function runKernel(
  ctx: GpuContext,
  k: KernelLike,
  data: Record<string, HostData>,
  workgroups: [number, number, number],
  opts: { sizes?: Record<string, number>; repeat?: number } = {},
): Promise<Record<string, ArrayBuffer>> {
  const { device } = ctx;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: k.wgsl });
  const info = await module.getCompilationInfo();
  const errs = info.messages.filter((m) => m.type === 'error');
  if (errs.length) throw new Error(`WGSL does not compile:\n${errs.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}\n${k.wgsl}`);
  const layout = device.createBindGroupLayout({
    entries: k.layout.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
  });
  const pipeline = await device.createComputePipelineAsync({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
  const bufs = k.bindings.map((name, i) => {
    const d = data[name];
    const size = Math.max(16, Math.ceil((d ? d.byteLength : (opts.sizes?.[name] ?? 16)) / 16) * 16);
    const usage = (k.layout[i] === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const b = device.createBuffer({ size, usage });
    if (d) device.queue.writeBuffer(b, 0, d.buffer, d.byteOffset, d.byteLength);
    return b;
  });
  const bindGroup = device.createBindGroup({ layout, entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  for (let r = 0; r < (opts.repeat ?? 1); r++) pass.dispatchWorkgroups(...workgroups);
  pass.end();
  const staging = bufs.map((b) => {
    const s = device.createBuffer({ size: b.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    enc.copyBufferToBuffer(b, 0, s, 0, b.size);
    return s;
  });
  device.queue.submit([enc.finish()]);
  const out: Record<string, ArrayBuffer> = {};
  for (let i = 0; i < staging.length; i++) {
    await staging[i].mapAsync(GPUMapMode.READ);
    out[k.bindings[i]] = staging[i].getMappedRange().slice(0);
    staging[i].unmap();
    staging[i].destroy();
    bufs[i].destroy();
  }
  const err = await device.popErrorScope();
  if (err) throw new Error(`validation: ${err.message}`);
  return out;
}

/** Deterministic pseudo-random floats in [lo, hi) (a small LCG; tests want reproducible inputs). */
export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = Math.min(a.length, b.length)): { diff: number; at: number } {
  let diff = 0;
  let at = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > diff || Number.isNaN(d)) {
      diff = Number.isNaN(d) ? Infinity : d;
      at = i;
    }
  }
  return { diff, at };
}

/** Step uniform block bytes (compiler/plan/plan.ts field order). */
export function stepUniform(f: { step?: number; epoch?: number; batch_start?: number; valid?: number; lr?: number; seed?: number; c1?: number; c2?: number }): Uint32Array {
  const buf = new ArrayBuffer(48);
  const u = new Uint32Array(buf);
  const fl = new Float32Array(buf);
  u[0] = f.step ?? 0;
  u[1] = f.epoch ?? 0;
  u[2] = f.batch_start ?? 0;
  u[3] = f.valid ?? 0;
  fl[4] = f.lr ?? 0;
  u[5] = (f.seed ?? 0) >>> 0;
  u[6] = Math.floor((f.seed ?? 0) / 2 ** 32) >>> 0;
  fl[8] = f.c1 ?? 1;
  fl[9] = f.c2 ?? 1;
  return u;
}
