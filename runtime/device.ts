// Opening the WebGPU adapter and device through Dawn (npm `webgpu`).
//
// Three facts about Dawn's Node binding shape this file (docs/architecture.md):
//   - the GPU object returned by create() must stay reachable while any device lives: if V8
//     collects it, Dawn's event pump later dereferences the freed instance and the process
//     crashes (SIGSEGV or a pthread assertion), typically after the first long synchronous task;
//   - a referenced GPU object keeps the process alive, so closeDevice() drops it;
//   - it spins the main thread while a promise is pending, which on a CPU adapter takes a core
//     from the driver: runtime/gpu-wait.ts waits quietly there.
import { create, globals } from 'webgpu';
import { contextFor, NoAdapterError, type GpuContext } from './device-context.js';
import { useQuietWaitsFor } from './gpu-wait.js';

Object.assign(globalThis, globals);

/** Strong references to live GPU instances (see above). */
const live = new Set<GPU>();

export { adapterFacts, contextFor, NoAdapterError, type AdapterFacts, type GpuContext } from './device-context.js';

export async function openDevice(opts: { powerPreference?: GPUPowerPreference } = {}): Promise<GpuContext> {
  const gpu = create([]);
  live.add(gpu);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  } catch {
    adapter = null;
  }
  if (!adapter) {
    live.delete(gpu);
    throw new NoAdapterError('no WebGPU adapter');
  }
  const ctx = await contextFor(gpu, adapter);
  useQuietWaitsFor(ctx.facts.isCpu);
  return ctx;
}

export function closeDevice(ctx: GpuContext): void {
  ctx.device.destroy();
  live.delete(ctx.gpu);
}

/** Dawn prints these two lines on every device creation; they are not actionable. */
export function silenceDawnWarnings(): void {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (/artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit/.test(s)) return true;
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
}
