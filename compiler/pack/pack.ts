// Packed plans: the runs of a sweep that lower to the same kernels and buffers, trained as one
// program (docs/scaling.md, "Packed sweeps"). packPlans turns R solo plans into one Plan whose
// per-run buffers hold R interleaved copies (pack-wgsl.ts has the layout) and whose dispatches
// cover every run at once; the host keeps each run's solo plan and maps its ranges through
// `packedPieces`. Pure: no WebGPU, no I/O.
import { canonicalJson, sha256Hex } from '../expand/hash.js';
import { packKernelWgsl, PackError } from './pack-wgsl.js';
import type { BufferRange, Plan, PlanDispatch, PlanKernel, TargetLimits } from '../plan/plan.js';

export { PackError } from './pack-wgsl.js';

export interface PackInfo {
  runs: number;
  /** Interleave chunk in bytes. */
  chunk: number;
  /** Per buffer: true when every run has its own copy (interleaved), false when shared. */
  perRun: boolean[];
  /** The members' run ids, in run-index order. */
  members: string[];
}

export type PackedPlan = Plan & { pack: PackInfo };

/**
 * What must be equal for plans to pack: kernels, buffer shapes, dispatches and data layout. Left
 * out: the run id, configuration and stats, the host's schedule (learning rate, seed, shuffle),
 * and the contents of table buffers (init records carry the seed and distribution, top-k tables
 * the keep), which become per-run buffers when they differ.
 */
export function packKey(plan: Plan): string {
  return sha256Hex(
    canonicalJson({
      target: plan.target,
      buffers: plan.buffers.map((b) => [b.name, b.size, b.role]),
      kernels: plan.kernels.map((k) => [k.wgsl, k.workgroupSize, k.layout]),
      phases: plan.phases,
      data: plan.data,
      metrics: plan.metrics,
      tensors: plan.tensors,
      dataset: plan.config.data,
      batch: [plan.config.train.batch, plan.config.train.evalBatch],
    } as never),
  ).slice(0, 16);
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** Largest power of two ≤ 256 dividing every offset (≥ 16, or the plan cannot pack). */
function chunkFor(offsets: number[]): number {
  let g = 256;
  for (const o of offsets) while (g > 1 && o % g !== 0) g /= 2;
  if (g < 16) throw new PackError(`a binding offset is not a multiple of 16 bytes (chunk ${g})`);
  return g;
}

function packedBytes(size: number, runs: number, chunk: number): number {
  return runs * roundUp(size, chunk);
}

/** Bytes one more run adds to a pack of this plan (per-run buffers, rounded to the chunk). */
export function bytesPerRun(plan: Plan): number {
  return plan.buffers.reduce((a, b) => a + (isShared(plan, plan.buffers.indexOf(b)) ? 0 : roundUp(b.size, 256)), 0);
}

function isShared(plan: Plan, b: number): boolean {
  const d = plan.data;
  const shared = new Set([d.trainImages, d.trainLabels, d.testImages, d.testLabels, ...(d.trainImageShards?.buffers ?? []), ...(d.testImageShards?.buffers ?? [])]);
  return shared.has(b);
}

/** The most runs these limits allow in one pack of this plan (binding and buffer sizes, z grid, uniform). */
export function maxPackRuns(plan: Plan, limits: TargetLimits): number {
  let max = Math.floor(65536 / 48); // the Step array within maxUniformBufferBindingSize (64 KiB)
  plan.buffers.forEach((b, i) => {
    if (isShared(plan, i) || b.role === 'uniform') return;
    max = Math.min(max, Math.floor(limits.maxBufferSize / roundUp(b.size, 256)));
  });
  for (const phase of Object.values(plan.phases) as PlanDispatch[][]) {
    for (const d of phase) {
      max = Math.min(max, Math.floor(limits.maxComputeWorkgroupsPerDimension / d.workgroups[2]));
      for (const r of d.bindings) {
        if (isShared(plan, r.buffer) || r.buffer === plan.data.stepUniform) continue;
        max = Math.min(max, Math.floor(limits.maxStorageBufferBindingSize / roundUp(r.size, 256)));
      }
    }
  }
  return Math.max(1, max);
}

/**
 * One plan for all `plans` (same packKey, at least one). Throws PackError when they differ in
 * what packing needs equal, or when a kernel cannot take the run axis.
 */
export function packPlans(plans: Plan[]): PackedPlan {
  if (plans.length === 0) throw new PackError('internal: an empty pack');
  const base = plans[0];
  const key = packKey(base);
  for (const p of plans) if (packKey(p) !== key) throw new PackError(`run ${p.runId} does not pack with ${base.runId}: its kernels or buffers differ`);
  const R = plans.length;

  // Which buffers each run owns: all but the dataset, and tables whose contents agree.
  const perRun = base.buffers.map((b, i) => {
    if (isShared(base, i)) return false;
    if (b.role === 'table') return plans.some((p) => canonicalJson(p.buffers[i].data as never) !== canonicalJson(b.data as never));
    return true;
  });
  const offsets: number[] = [];
  for (const phase of Object.values(base.phases) as PlanDispatch[][]) {
    for (const d of phase) for (const r of d.bindings) if (perRun[r.buffer]) offsets.push(r.offset);
  }
  const G = chunkFor(offsets);
  const step = base.data.stepUniform;

  const buffers = base.buffers.map((b, i) => {
    if (!perRun[i]) return { ...b };
    if (i === step) return { ...b, size: b.size * R };
    const size = packedBytes(b.size, R, G);
    if (!b.data) return { ...b, size };
    const words = new Array<number>(size / 4).fill(0);
    plans.forEach((p, r) => {
      const src = p.buffers[i].data!;
      for (let w = 0; w < src.length; w++) words[packedOffset(w * 4, r, R, G) / 4] = src[w];
    });
    return { ...b, size, data: words };
  });

  // Kernels: one packed twin per (kernel, which bindings are per-run, solo z extent).
  const kernels: PlanKernel[] = [];
  const twins = new Map<string, number>();
  const packDispatch = (d: PlanDispatch): PlanDispatch => {
    const mask = d.bindings.map((r) => perRun[r.buffer]);
    const z = d.workgroups[2];
    const id = `${d.kernel}|${mask.map(Number).join('')}|${z}`;
    let k = twins.get(id);
    if (k === undefined) {
      const solo = base.kernels[d.kernel];
      k = kernels.length;
      kernels.push({ ...solo, name: `${solo.name}.x${R}`, wgsl: packKernelWgsl(solo.wgsl, { runs: R, chunk: G, perRun: mask, zGroups: z }) });
      twins.set(id, k);
    }
    const bindings = d.bindings.map((r): BufferRange => {
      if (!perRun[r.buffer]) return r;
      if (r.buffer === step) return { buffer: r.buffer, offset: r.offset * R, size: r.size * R };
      return { buffer: r.buffer, offset: r.offset * R, size: packedBytes(r.size, R, G) };
    });
    return { kernel: k, bindings, workgroups: [d.workgroups[0], d.workgroups[1], z * R], flops: d.flops * R, ops: d.ops };
  };
  const phases = {
    init: base.phases.init.map(packDispatch),
    trainStep: base.phases.trainStep.map(packDispatch),
    evalStep: base.phases.evalStep.map(packDispatch),
  };
  const sum = (f: (p: Plan) => number) => plans.reduce((a, p) => a + f(p), 0);
  return {
    ...base,
    runId: `pack-${key}-${R}`,
    buffers,
    kernels,
    phases,
    stats: {
      ...base.stats,
      arenaBytes: buffers.reduce((a, b) => a + (b.role === 'arena' ? b.size : 0), 0),
      arenaPeakLiveBytes: base.stats.arenaPeakLiveBytes * R,
      paramBytes: sum((p) => p.stats.paramBytes),
      params: sum((p) => p.stats.params),
      keptParams: sum((p) => p.stats.keptParams),
      layers: base.stats.layers,
    },
    pack: { runs: R, chunk: G, perRun, members: plans.map((p) => p.runId) },
  };
}

/** Packed byte of solo byte `x` of run `r` in a per-run buffer. */
export function packedOffset(x: number, r: number, runs: number, chunk: number): number {
  return (Math.floor(x / chunk) * runs + r) * chunk + (x % chunk);
}

/**
 * Run r's solo range as packed pieces, in order: [packed offset, bytes, offset in the solo range].
 * A shared buffer's range is itself; the Step uniform's is its r-th struct.
 */
export function packedPieces(plan: PackedPlan, range: BufferRange, r: number): [number, number, number][] {
  const { runs: R, chunk: G, perRun } = plan.pack;
  if (!perRun[range.buffer]) return [[range.offset, range.size, 0]];
  if (range.buffer === plan.data.stepUniform) return [[r * plan.buffers[range.buffer].size / R + range.offset, range.size, 0]];
  const out: [number, number, number][] = [];
  for (let x = range.offset; x < range.offset + range.size; ) {
    const n = Math.min(G - (x % G), range.offset + range.size - x);
    out.push([packedOffset(x, r, R, G), n, x - range.offset]);
    x += n;
  }
  return out;
}

/**
 * The packed byte range that holds every run's copy of a solo range: one read serves all members
 * (they checkpoint at the same step boundary), and each takes its pieces from it.
 */
export function packedSpan(plan: PackedPlan, range: BufferRange): BufferRange {
  const first = packedPieces(plan, range, 0)[0];
  const lastPieces = packedPieces(plan, range, plan.pack.runs - 1);
  const last = lastPieces[lastPieces.length - 1];
  const from = Math.floor(first[0] / 4) * 4;
  return { buffer: range.buffer, offset: from, size: Math.ceil((last[0] + last[1] - from) / 4) * 4 };
}
