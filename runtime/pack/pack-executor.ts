// A packed plan on the device, seen by each member run as its own executor. Every member runs the
// unchanged training loop (runtime/run.ts, train.ts) against a PackMember: its writes and step
// fields go to its slice of the interleaved memory, and its `run(phase)` waits in a queue until
// every active member has asked for the same phase; then one submit of the packed phase serves
// them all (lockstep). Reads wait only for the member's own queued work. A member that ends
// (finished, failed, stopped) leaves; the others go on, its slice computed but never read again.
import { packedPieces, packedSpan, type PackedPlan } from '../../compiler/index.js';
import { STEP_UNIFORM_BYTES, STEP_UNIFORM_FIELDS, STEP_UNIFORM_FLOATS, type BufferRange, type Plan, type StepUniformField } from '../../compiler/plan/plan.js';
import type { GpuContext } from '../device.js';
import { Executor, ReadsRanges, type PhaseName, type RunExecutor } from '../executor.js';

type Op =
  | { kind: 'write'; range: BufferRange; data: Uint8Array }
  | { kind: 'step'; fields: Partial<Record<StepUniformField, number>> }
  | { kind: 'run'; phase: PhaseName };

export class PackDesyncError extends Error {}

export class PackExecutor {
  readonly members: PackMember[];
  private readonly stepData: ArrayBuffer;
  private readonly active = new Set<number>();
  /** Packed phases submitted, for tests and benchmarks. */
  readonly submitted = { init: 0, trainStep: 0, evalStep: 0 };
  private failure: Error | undefined;
  /** Span reads by buffer, valid until the buffer is written or a phase is submitted. */
  private cache: (Map<string, Promise<ArrayBuffer>> | undefined)[] = [];

  private constructor(
    readonly ex: Executor,
    readonly plan: PackedPlan,
    plans: Plan[],
  ) {
    this.stepData = new ArrayBuffer(STEP_UNIFORM_BYTES * plan.pack.runs);
    this.members = plans.map((p, r) => new PackMember(this, p, r));
    plans.forEach((_, r) => this.active.add(r));
  }

  /** `plans` are the members' solo plans, in the pack's run order. */
  static async create(ctx: GpuContext, packed: PackedPlan, plans: Plan[]): Promise<PackExecutor> {
    if (plans.length !== packed.pack.runs) throw new Error('internal: pack members and plans differ in number');
    return new PackExecutor(await Executor.create(ctx, packed), packed, plans);
  }

  /** Applies queued writes and step fields, and submits every phase all active members wait at. */
  pump(): void {
    for (;;) {
      for (const r of this.active) this.drainToRun(this.members[r]);
      if (this.active.size === 0) break;
      const heads = [...this.active].map((r) => this.members[r].queue[0]);
      if (heads.some((h) => h === undefined)) break;
      const phase = (heads[0] as Extract<Op, { kind: 'run' }>).phase;
      if (heads.some((h) => (h as Extract<Op, { kind: 'run' }>).phase !== phase)) {
        this.fail(new PackDesyncError(`packed runs asked for different phases (${heads.map((h) => (h as { phase: string }).phase).join(', ')})`));
        return;
      }
      this.ex.writeBuffer(this.plan.data.stepUniform, new Uint8Array(this.stepData));
      this.ex.run(phase);
      this.submitted[phase]++;
      this.cache = [];
      for (const r of this.active) this.members[r].queue.shift();
    }
    for (const m of this.members) if (m.queue.length === 0) m.settle();
  }

  private drainToRun(m: PackMember): void {
    while (m.queue.length && m.queue[0].kind !== 'run') {
      const op = m.queue.shift()!;
      if (op.kind === 'step') this.applyStep(m.index, op.fields);
      else if (op.kind === 'write') this.applyWrite(m.index, op.range, op.data);
    }
  }

  private applyStep(r: number, fields: Partial<Record<StepUniformField, number>>): void {
    const u32 = new Uint32Array(this.stepData, r * STEP_UNIFORM_BYTES, STEP_UNIFORM_BYTES / 4);
    const f32 = new Float32Array(this.stepData, r * STEP_UNIFORM_BYTES, STEP_UNIFORM_BYTES / 4);
    STEP_UNIFORM_FIELDS.forEach((f, i) => {
      const v = fields[f];
      if (v === undefined) return;
      if (STEP_UNIFORM_FLOATS.has(f)) f32[i] = v;
      else u32[i] = v >>> 0;
    });
  }

  private applyWrite(r: number, range: BufferRange, data: Uint8Array): void {
    // A shared buffer (the dataset) gets the same bytes from every member: the first active writes.
    if (!this.plan.pack.perRun[range.buffer] && r !== Math.min(...this.active)) return;
    this.cache[range.buffer] = undefined;
    for (const [at, n, from] of packedPieces(this.plan, range, r)) {
      this.ex.writeBuffer(range.buffer, data.subarray(from, from + n), at);
    }
  }

  /**
   * Run r's solo ranges. The packed span of a range holds every member's copy, and members read
   * the same ranges at the same step boundary (checkpoints, metrics): a span read since the last
   * write to its buffer and the last submit is shared, so a pack's checkpoint reads each byte
   * once, not once per member.
   */
  async read(r: number, ranges: BufferRange[]): Promise<ArrayBuffer[]> {
    const spans = ranges.map((range) => packedSpan(this.plan, range));
    const key = (s: BufferRange) => `${s.offset}:${s.size}`;
    const missing = spans.filter((s) => !this.cache[s.buffer]?.has(key(s)));
    if (missing.length) {
      const pending = this.ex.read(missing);
      missing.forEach((s, i) => (this.cache[s.buffer] ??= new Map()).set(key(s), pending.then((d) => d[i])));
    }
    const data = await Promise.all(spans.map((s) => this.cache[s.buffer]!.get(key(s))!));
    return ranges.map((range, i) => {
      const out = new Uint8Array(range.size);
      const src = new Uint8Array(data[i]);
      for (const [at, n, to] of packedPieces(this.plan, range, r)) out.set(src.subarray(at - spans[i].offset, at - spans[i].offset + n), to);
      return out.buffer;
    });
  }

  leave(r: number): void {
    if (!this.active.delete(r)) return;
    this.members[r].queue.length = 0;
    this.members[r].settle();
    if (this.active.size === 0) this.ex.destroy();
    else this.pump();
  }

  isActive(r: number): boolean {
    return this.active.has(r);
  }

  fail(e: Error): void {
    this.failure = e;
    for (const m of this.members) m.settle(e);
  }

  get error(): Error | undefined {
    return this.failure;
  }
}

/** One run of a pack, behind the interface the training loop uses. */
export class PackMember extends ReadsRanges implements RunExecutor {
  readonly queue: Op[] = [];
  private waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(
    private readonly pack: PackExecutor,
    readonly plan: Plan,
    readonly index: number,
  ) {
    super();
  }

  setStep(fields: Partial<Record<StepUniformField, number>>): void {
    this.push({ kind: 'step', fields: { ...fields } });
  }

  run(phase: PhaseName): void {
    this.push({ kind: 'run', phase });
  }

  write(range: BufferRange, data: ArrayBufferView, offsetInRange = 0): void {
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Queued behind a run the caller may change its array before the write happens: copy it then.
    const bytes = this.queue.length ? view.slice() : view;
    this.push({ kind: 'write', range: { buffer: range.buffer, offset: range.offset + offsetInRange, size: bytes.length }, data: bytes });
  }

  writeBuffer(buffer: number, data: ArrayBufferView, offset = 0): void {
    this.write({ buffer, offset, size: data.byteLength }, data);
  }

  /** Resolves once this member's queued work has been submitted (the others may hold it back). */
  private drained(): Promise<void> {
    if (this.pack.error) return Promise.reject(this.pack.error);
    if (this.queue.length === 0 || !this.pack.isActive(this.index)) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  settle(e?: Error): void {
    const w = this.waiting;
    this.waiting = [];
    for (const p of w) e ? p.reject(e) : p.resolve();
  }

  async sync(): Promise<void> {
    await this.drained();
    await this.pack.ex.sync();
  }

  async read(ranges: BufferRange[]): Promise<ArrayBuffer[]> {
    await this.drained();
    return this.pack.read(this.index, ranges);
  }

  destroy(): void {
    this.pack.leave(this.index);
  }

  private push(op: Op): void {
    if (!this.pack.isActive(this.index)) return;
    this.queue.push(op);
    this.pack.pump();
  }
}
