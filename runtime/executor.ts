// Executes a Plan on a device. Everything is created once: buffers, pipelines (all compiled in
// parallel with createComputePipelineAsync, before any work is submitted), bind groups (one per
// dispatch). A phase is replayed as one compute pass and one submit.
import type { BufferRange, Plan, PlanDispatch, StepUniformField } from '../compiler/plan/plan.js';
import { STEP_UNIFORM_BYTES, STEP_UNIFORM_FIELDS, STEP_UNIFORM_FLOATS } from '../compiler/plan/plan.js';
import type { GpuContext } from './device.js';
import { quietly } from './gpu-wait.js';

export type PhaseName = keyof Plan['phases'];

interface Prepared {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

export class PlanError extends Error {}

function encodeDispatch(pass: GPUComputePassEncoder, p: Prepared): void {
  pass.setPipeline(p.pipeline);
  pass.setBindGroup(0, p.bindGroup);
  pass.dispatchWorkgroups(p.workgroups[0], p.workgroups[1], p.workgroups[2]);
}

/**
 * What training, checkpoints, fixed masks and exports need of an executor: one run's plan and its
 * memory. The Executor is one; a member of a packed sweep is another (runtime/pack/).
 */
export interface RunExecutor {
  readonly plan: Plan;
  setStep(fields: Partial<Record<StepUniformField, number>>): void;
  run(phase: PhaseName): void;
  write(range: BufferRange, data: ArrayBufferView, offsetInRange?: number): void;
  writeBuffer(buffer: number, data: ArrayBufferView, offset?: number): void;
  sync(): Promise<void>;
  read(ranges: BufferRange[]): Promise<ArrayBuffer[]>;
  readF32(range: BufferRange): Promise<Float32Array>;
  readU32(range: BufferRange): Promise<Uint32Array>;
  tensor(name: string): Plan['tensors'][number];
  destroy(): void;
}

/** The parts of a RunExecutor that follow from `plan` and `read`. */
export abstract class ReadsRanges {
  abstract readonly plan: Plan;
  abstract read(ranges: BufferRange[]): Promise<ArrayBuffer[]>;

  async readF32(range: BufferRange): Promise<Float32Array> {
    return new Float32Array((await this.read([range]))[0]);
  }

  async readU32(range: BufferRange): Promise<Uint32Array> {
    return new Uint32Array((await this.read([range]))[0]);
  }

  tensor(name: string) {
    const t = this.plan.tensors.find((x) => x.name === name);
    if (!t) throw new Error(`no tensor ${name} in the plan`);
    return t;
  }
}

export class Executor extends ReadsRanges implements RunExecutor {
  readonly buffers: GPUBuffer[];
  private phases = new Map<PhaseName, Prepared[]>();
  private readonly stepData = new ArrayBuffer(STEP_UNIFORM_BYTES);
  /** Dispatches submitted since creation, by phase, for profiles and tests. */
  readonly submitted = { init: 0, trainStep: 0, evalStep: 0 };

  private constructor(
    readonly ctx: GpuContext,
    readonly plan: Plan,
  ) {
    super();
    const { device } = ctx;
    this.buffers = plan.buffers.map((b) => {
      let usage = GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      usage |= b.role === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE;
      const buf = device.createBuffer({ label: b.name, size: Math.max(16, b.size), usage });
      if (b.data) device.queue.writeBuffer(buf, 0, new Uint32Array(b.data));
      return buf;
    });
  }

  static async create(ctx: GpuContext, plan: Plan): Promise<Executor> {
    const ex = new Executor(ctx, plan);
    const { device } = ctx;
    device.pushErrorScope('validation');
    const layouts = plan.kernels.map((k) =>
      device.createBindGroupLayout({
        label: k.name,
        entries: k.layout.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
      }),
    );
    const modules = plan.kernels.map((k) => device.createShaderModule({ label: k.name, code: k.wgsl }));
    const infos = await quietly(Promise.all(modules.map((m) => m.getCompilationInfo())));
    infos.forEach((info, i) => {
      const errs = info.messages.filter((m) => m.type === 'error');
      if (errs.length === 0) return;
      const src = plan.kernels[i].wgsl.split('\n');
      const detail = errs.map((m) => `  ${m.lineNum}:${m.linePos}: ${m.message}\n    ${src[m.lineNum - 1] ?? ''}`).join('\n');
      throw new PlanError(`kernel ${plan.kernels[i].name} does not compile:\n${detail}`);
    });
    const pipelines = await quietly(
      Promise.all(
        plan.kernels.map((k, i) =>
          device.createComputePipelineAsync({
            label: k.name,
            layout: device.createPipelineLayout({ bindGroupLayouts: [layouts[i]] }),
            compute: { module: modules[i], entryPoint: 'main' },
          }),
        ),
      ),
    );
    const prepare = (d: PlanDispatch): Prepared => ({
      pipeline: pipelines[d.kernel],
      bindGroup: device.createBindGroup({
        layout: layouts[d.kernel],
        entries: d.bindings.map((r, binding) => ({ binding, resource: { buffer: ex.buffers[r.buffer], offset: r.offset, size: r.size } })),
      }),
      workgroups: d.workgroups,
    });
    for (const name of Object.keys(plan.phases) as PhaseName[]) ex.phases.set(name, plan.phases[name].map(prepare));
    const err = await quietly(device.popErrorScope());
    if (err) throw new PlanError(`the device rejected the plan: ${err.message}`);
    return ex;
  }

  setStep(fields: Partial<Record<StepUniformField, number>>): void {
    const u32 = new Uint32Array(this.stepData);
    const f32 = new Float32Array(this.stepData);
    STEP_UNIFORM_FIELDS.forEach((f, i) => {
      const v = fields[f];
      if (v === undefined) return;
      if (STEP_UNIFORM_FLOATS.has(f)) f32[i] = v;
      else u32[i] = v >>> 0;
    });
    this.ctx.device.queue.writeBuffer(this.buffers[this.plan.data.stepUniform], 0, this.stepData);
  }

  /** Encodes a phase as one compute pass and submits it. */
  run(phase: PhaseName): void {
    this.runRange(phase, 0, this.phases.get(phase)!.length);
    this.submitted[phase] += this.phases.get(phase)!.length;
  }

  /** Submits dispatches [from, to) of a phase (debugging: inspect memory between dispatches). */
  runRange(phase: PhaseName, from: number, to: number): void {
    const enc = this.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const p of this.phases.get(phase)!.slice(from, to)) encodeDispatch(pass, p);
    pass.end();
    this.ctx.device.queue.submit([enc.finish()]);
  }

  /** Runs single dispatches of a phase one submit each, timing each (profiles without timestamps). */
  async timeEach(phase: PhaseName, reps: number): Promise<number[]> {
    const list = this.phases.get(phase)!;
    const times = new Array(list.length).fill(0);
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < list.length; i++) {
        const enc = this.ctx.device.createCommandEncoder();
        const pass = enc.beginComputePass();
        encodeDispatch(pass, list[i]);
        pass.end();
        await this.sync();
        const t0 = performance.now();
        this.ctx.device.queue.submit([enc.finish()]);
        await this.sync();
        times[i] += performance.now() - t0;
      }
    }
    return times.map((t) => t / reps);
  }

  /**
   * GPU time of each dispatch of a phase (ms, mean over reps): every dispatch in its own compute
   * pass with timestamp writes at its start and end, the whole phase in one submit.
   */
  async timeEachWithTimestamps(phase: PhaseName, reps: number): Promise<number[]> {
    const { device } = this.ctx;
    const list = this.phases.get(phase)!;
    const n = list.length;
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * n });
    const resolve = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const sums = new Array(n).fill(0);
    for (let r = 0; r < reps; r++) {
      const enc = device.createCommandEncoder();
      list.forEach((p, i) => {
        const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        encodeDispatch(pass, p);
        pass.end();
      });
      enc.resolveQuerySet(querySet, 0, 2 * n, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, staging, 0, 16 * n);
      device.queue.submit([enc.finish()]);
      await quietly(staging.mapAsync(GPUMapMode.READ));
      const t = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      for (let i = 0; i < n; i++) sums[i] += Number(t[2 * i + 1] - t[2 * i]) / 1e6;
    }
    querySet.destroy();
    resolve.destroy();
    staging.destroy();
    return sums.map((x) => x / reps);
  }

  write(range: BufferRange, data: ArrayBufferView, offsetInRange = 0): void {
    this.ctx.device.queue.writeBuffer(this.buffers[range.buffer], range.offset + offsetInRange, data.buffer, data.byteOffset, data.byteLength);
  }

  writeBuffer(buffer: number, data: ArrayBufferView, offset = 0): void {
    this.ctx.device.queue.writeBuffer(this.buffers[buffer], offset, data.buffer, data.byteOffset, data.byteLength);
  }

  async sync(): Promise<void> {
    await quietly(this.ctx.device.queue.onSubmittedWorkDone());
  }

  /** Reads back several ranges with one copy submit and one map each. */
  async read(ranges: BufferRange[]): Promise<ArrayBuffer[]> {
    const { device } = this.ctx;
    const enc = device.createCommandEncoder();
    const staging = ranges.map((r) => {
      const size = Math.ceil(r.size / 4) * 4;
      const s = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      enc.copyBufferToBuffer(this.buffers[r.buffer], r.offset, s, 0, size);
      return s;
    });
    device.queue.submit([enc.finish()]);
    await quietly(Promise.all(staging.map((s) => s.mapAsync(GPUMapMode.READ))));
    return staging.map((s) => {
      const bytes = s.getMappedRange().slice(0);
      s.unmap();
      s.destroy();
      return bytes;
    });
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
