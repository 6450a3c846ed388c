// Buffer and tensor placement for a Plan: persistent tensors by name into role buffers, transient
// tensors of each step graph into the shared arena (compiler/lower/memory.ts packs them by liveness).
import type { Graph, Tensor } from '../ir/graph.js';
import { numel } from '../ir/graph.js';
import type { KernelGroup } from '../fuse/fuse.js';
import { root } from '../fuse/fuse.js';
import { Bump, packArena, type Interval } from './memory.js';
import type { BufferRange, PlanBuffer, PlanTensor, TargetLimits } from '../plan/plan.js';

/** A planning failure the CLI reports as a diagnostic (codes in diagnostics/messages.ts). */
export class LowerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly layer?: string,
  ) {
    super(message);
  }
}

export class Buffers {
  readonly list: PlanBuffer[] = [];
  private readonly bumps = new Map<number, Bump>();

  constructor(readonly limits: TargetLimits) {}

  get align(): number {
    return Math.max(16, this.limits.minStorageBufferOffsetAlignment);
  }

  add(b: PlanBuffer): number {
    this.list.push(b);
    return this.list.length - 1;
  }

  private readonly tables = new Map<string, number>();

  /** A constant table buffer; identical contents share one buffer. */
  table(name: string, words: number[]): number {
    const key = words.join(',');
    const have = this.tables.get(key);
    if (have !== undefined) return have;
    const idx = this.add({ name, size: Math.max(16, words.length * 4), role: 'table', data: words });
    this.tables.set(key, idx);
    return idx;
  }

  whole(buffer: number): BufferRange {
    return { buffer, offset: 0, size: this.list[buffer].size };
  }

  /** Bump-allocates `bytes` in a buffer of `role`, opening a new one when maxBufferSize would be passed. */
  take(prefix: string, role: PlanBuffer['role'], bytes: number, name: string): BufferRange {
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new LowerError(
        'E0601',
        `binding \`${name}\` needs ${bytes} bytes, over this adapter's maxStorageBufferBindingSize of ${this.limits.maxStorageBufferBindingSize} bytes`,
        name,
      );
    }
    let idx = -1;
    for (let i = this.list.length - 1; i >= 0; i--) {
      if (this.list[i].name.startsWith(prefix) && this.list[i].role === role) {
        idx = i;
        break;
      }
    }
    const fits = (i: number) => {
      const bump = this.bumps.get(i)!;
      return Math.ceil(bump.size / this.align) * this.align + bytes <= this.limits.maxBufferSize;
    };
    if (idx < 0 || !fits(idx)) {
      const n = this.list.filter((b) => b.name.startsWith(prefix)).length;
      idx = this.add({ name: n === 0 ? prefix : `${prefix}${n}`, size: 0, role });
      this.bumps.set(idx, new Bump(this.align));
    }
    const bump = this.bumps.get(idx)!;
    const offset = bump.take(bytes);
    this.list[idx].size = Math.ceil(bump.size / 4) * 4;
    return { buffer: idx, offset, size: bytes };
  }
}

export function tensorBytes(t: Tensor): number {
  return numel(t.shape) * 4;
}

/** Persistent placement, shared by the train and eval graphs (matched by tensor name). */
export class Persistent {
  readonly byName = new Map<string, PlanTensor>();
  constructor(private readonly bufs: Buffers) {}

  place(t: Tensor): PlanTensor {
    const have = this.byName.get(t.name);
    if (have) return have;
    let prefix: string;
    let role: PlanBuffer['role'];
    if (t.role === 'score') {
      prefix = 'scores';
      role = 'param';
    } else if (t.role === 'fixed_mask' || t.name.endsWith('.mask_bits')) {
      prefix = 'maskbits';
      role = 'state';
    } else if (t.kind === 'param') {
      prefix = 'params';
      role = 'param';
    } else {
      prefix = 'state';
      role = 'state';
    }
    const range = this.bufs.take(prefix, role, tensorBytes(t), t.name);
    const pt: PlanTensor = { name: t.name, shape: t.shape, dtype: t.dtype, range, kind: t.kind === 'param' ? 'param' : 'state', role: t.role, layer: t.layer };
    this.byName.set(t.name, pt);
    return pt;
  }
}

/** Transient tensors a kernel group's kernels read and write (storage roots). */
export function groupTensors(graph: Graph, g: KernelGroup): { reads: number[]; writes: number[] } {
  const r = (t: number) => root(graph, t);
  switch (g.kind) {
    case 'load_batch':
      return { reads: [], writes: [r(g.op.x), r(g.op.labels)] };
    case 'topk':
    case 'sample':
      return { reads: [], writes: [] };
    case 'mask_pack':
      return { reads: [], writes: [r(g.op.out)] };
    case 'xent':
      return { reads: [r(g.op.logits), r(g.op.labels)], writes: g.op.train ? [r(g.op.dlogits)] : [] };
    case 'matmul': {
      const m = g.main;
      // A packed masked weight (no mask in the group) is a transient its readers keep alive.
      const packed = (w: number) => (!g.mask && graph.tensors[w].kind === 'virtual' ? [r(w)] : []);
      if (m.op === 'linear' || m.op === 'conv2d') return { reads: [r(m.x), ...packed(m.w)], writes: [r(g.relu ? g.relu.y : m.y)] };
      if (m.op === 'linear_dx' || m.op === 'conv2d_dx') {
        return { reads: [r(m.dy), ...(g.reluBwd ? [r(g.reluBwd.y)] : []), ...packed(m.w)], writes: [r(g.reluBwd ? g.reluBwd.dx : m.dx)] };
      }
      return { reads: [r(m.dy), r(m.x)], writes: [] };
    }
    case 'pool':
      return { reads: [r(g.op.x)], writes: [r(g.op.y)] };
    case 'pool_bwd': {
      const reads = [r(g.op.dy), ...(g.op.op === 'maxpool_bwd' ? [r(g.op.x)] : [])];
      return { reads, writes: [r(g.reluBwd ? g.reluBwd.dx : g.op.dx)] };
    }
    case 'batchnorm':
      return { reads: [r(g.op.x)], writes: [r(g.relu ? g.relu.y : g.op.y), ...(g.op.stats !== undefined ? [r(g.op.stats)] : [])] };
    case 'batchnorm_bwd': {
      const dy = g.reluBwd ? g.reluBwd.dy : g.op.dy;
      return { reads: [r(dy), r(g.op.x), r(g.op.stats), ...(g.reluBwd ? [r(g.reluBwd.y)] : [])], writes: [r(g.op.dx)] };
    }
    case 'elementwise': {
      const o = g.op;
      if (o.op === 'add') return { reads: [r(o.a), r(o.b)], writes: [r(g.relu ? g.relu.y : o.y)] };
      if (o.op === 'relu') return { reads: [r(o.x)], writes: [r(o.y)] };
      return { reads: [r(o.dy), r(o.y)], writes: [r(o.dx)] };
    }
  }
}

/** Packs one graph's transient tensors; returns byte offsets inside the arena by tensor id. */
export function planTransients(graph: Graph, groups: KernelGroup[], align: number, capacity = Infinity) {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  groups.forEach((g, i) => {
    const { reads, writes } = groupTensors(graph, g);
    for (const t of [...writes, ...reads]) {
      const kind = graph.tensors[t].kind;
      // 'virtual' appears only when a mask_pack group stores the masked weight.
      if (kind !== 'activation' && kind !== 'grad' && kind !== 'virtual') continue;
      if (!first.has(t)) first.set(t, i);
      last.set(t, Math.max(last.get(t) ?? i, i));
    }
  });
  const items: Interval[] = [...first.keys()].map((id) => ({
    id,
    bytes: tensorBytes(graph.tensors[id]),
    first: first.get(id)!,
    last: last.get(id)!,
  }));
  return packArena(items, align, capacity);
}
