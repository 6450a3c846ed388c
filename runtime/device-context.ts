// The GpuContext of an adapter, whichever WebGPU gave it: Dawn in Node (runtime/device.ts) or a
// browser's navigator.gpu (runtime/web/). No imports: the browser bundle reaches this file.
import type { TargetLimits } from '../compiler/plan/plan.js';

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

export function adapterFacts(adapter: GPUAdapter): AdapterFacts {
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

/** Opens the device with the limits the plans use raised to the adapter's, and records its errors. */
export async function contextFor(gpu: GPU, adapter: GPUAdapter): Promise<GpuContext> {
  const facts = adapterFacts(adapter);
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) if (k in facts.limits) requiredLimits[k] = facts.limits[k];
  const requiredFeatures: GPUFeatureName[] = [];
  const hasTimestamps = adapter.features.has('timestamp-query');
  if (hasTimestamps) requiredFeatures.push('timestamp-query');
  // A fixed subgroup size lets a kernel know which lanes share a subgroup (conv-row.ts).
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const subgroupSize = adapter.features.has('subgroups') && info.subgroupMinSize && info.subgroupMinSize === info.subgroupMaxSize ? info.subgroupMinSize : undefined;
  if (subgroupSize) requiredFeatures.push('subgroups' as GPUFeatureName);
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (e) => {
    errors.push((e as GPUUncapturedErrorEvent).error.message);
  });
  const lim = device.limits;
  const limits: TargetLimits = {
    adapterClass: facts.isCpu ? 'cpu' : 'gpu',
    ...(subgroupSize ? { subgroupSize } : {}),
    minStorageBufferOffsetAlignment: lim.minStorageBufferOffsetAlignment,
    maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
    maxBufferSize: lim.maxBufferSize,
    maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
    maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
  };
  return { gpu, adapter, device, facts, limits, errors, hasTimestamps };
}
