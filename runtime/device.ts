// Opening the WebGPU adapter and device through Dawn (npm `webgpu`).
//
// Two facts about Dawn's Node binding shape this file (docs/architecture.md):
//   - the GPU object returned by create() must stay reachable while any device lives: if V8
//     collects it, Dawn's event pump later dereferences the freed instance and the process
//     crashes (SIGSEGV or a pthread assertion), typically after the first long synchronous task;
//   - a referenced GPU object keeps the process alive, so closeDevice() drops it.
import { create, globals } from 'webgpu';
import type { TargetLimits } from '../compiler/plan/plan.js';

Object.assign(globalThis, globals);

/** Strong references to live GPU instances (see above). */
const live = new Set<GPU>();

export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Software rasteriser on the CPU (lavapipe, SwiftShader, WARP). */
  isCpu: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface GpuContext {
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  facts: AdapterFacts;
  limits: TargetLimits;
  /** Errors Dawn reported outside an error scope (validation, out of memory). */
  errors: string[];
  hasTimestamps: boolean;
}

export class NoAdapterError extends Error {}

/** The limits the plans use, raised to what the adapter offers. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
] as const;

function adapterFacts(adapter: GPUAdapter): AdapterFacts {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const k in adapter.limits) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') limits[k] = v;
  }
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isCpu: /llvmpipe|lavapipe|swiftshader|warp|software|cpu/.test(text),
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

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
  const facts = adapterFacts(adapter);
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) if (k in facts.limits) requiredLimits[k] = facts.limits[k];
  const requiredFeatures: GPUFeatureName[] = [];
  const hasTimestamps = adapter.features.has('timestamp-query');
  if (hasTimestamps) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (e) => {
    errors.push((e as GPUUncapturedErrorEvent).error.message);
  });
  const lim = device.limits;
  const limits: TargetLimits = {
    adapterClass: facts.isCpu ? 'cpu' : 'gpu',
    minStorageBufferOffsetAlignment: lim.minStorageBufferOffsetAlignment,
    maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
    maxBufferSize: lim.maxBufferSize,
    maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
    maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
  };
  return { gpu, adapter, device, facts, limits, errors, hasTimestamps };
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
