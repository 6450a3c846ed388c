// Fusion: group the ops of a graph into kernels, following shared/design.md §3 (the jax-js /
// tinygrad rules, hard-coded for our op set):
//   - a masked weight is never stored: the matmuls/convs that read it test the mask in their
//     weight loader; except where the lowering asks for it packed (CPU adapters), then one
//     mask_pack kernel per layer writes it once per step and its readers load it plainly;
//   - a matmul or conv absorbs an elementwise epilogue whose input it alone produces (ReLU
//     forward, the ReLU-backward mask), and the dW pass absorbs the score gradient and the
//     optimiser update;
//   - a ReLU-backward mask also folds into the max-pool backward or the batch-norm backward that
//     consumes it; a ReLU after batch norm or a residual add folds into that kernel;
//   - every layer's top-k threshold is batched into one multi-layer radix select;
//   - softmax cross-entropy, its gradient and the metrics are one kernel;
//   - flatten is a view and costs nothing. Two reductions never fuse.
import type { Graph, Op } from '../ir/graph.js';
import { opIO } from '../ir/graph.js';

type OpOf<K extends Op['op']> = Extract<Op, { op: K }>;

interface GroupBase {
  /** Every IR op the kernel(s) of this group implement. */
  ops: Op[];
}

export type KernelGroup = GroupBase &
  (
    | { kind: 'load_batch'; op: OpOf<'load_batch'> }
    | { kind: 'mask_pack'; op: OpOf<'mask_weight'> }
    | { kind: 'topk'; topk: OpOf<'topk_threshold'>[] }
    | { kind: 'sample'; sample: OpOf<'supermask_sample'>[] }
    | {
        kind: 'matmul';
        main: OpOf<'linear'> | OpOf<'linear_dx'> | OpOf<'linear_dw'> | OpOf<'conv2d'> | OpOf<'conv2d_dx'> | OpOf<'conv2d_dw'>;
        /** The mask op whose virtual output is the weight operand. */
        mask?: OpOf<'mask_weight'>;
        relu?: OpOf<'relu'>;
        reluBwd?: OpOf<'relu_bwd'>;
        scoreGrad?: OpOf<'score_grad'>;
        update?: OpOf<'optim_update'>;
      }
    | { kind: 'xent'; op: OpOf<'softmax_xent'> }
    | { kind: 'pool'; op: Extract<Op, { op: 'maxpool' | 'avgpool' | 'global_avgpool' }> }
    | { kind: 'pool_bwd'; op: OpOf<'maxpool_bwd'> | OpOf<'avgpool_bwd'> | OpOf<'global_avgpool_bwd'>; reluBwd?: OpOf<'relu_bwd'> }
    | { kind: 'batchnorm'; op: OpOf<'batchnorm'>; relu?: OpOf<'relu'> }
    | { kind: 'batchnorm_bwd'; op: OpOf<'batchnorm_bwd'>; reluBwd?: OpOf<'relu_bwd'>; updGamma?: OpOf<'optim_update'>; updBeta?: OpOf<'optim_update'> }
    | { kind: 'elementwise'; op: OpOf<'add'> | OpOf<'relu'> | OpOf<'relu_bwd'>; relu?: OpOf<'relu'> }
  );

export function root(graph: Graph, t: number): number {
  return graph.tensors[t].aliasOf ?? t;
}

/** Reads per storage root (excluding the optimiser's own read of its param), to find single consumers. */
function consumerCounts(graph: Graph): Map<number, number> {
  const counts = new Map<number, number>();
  for (const op of graph.ops) {
    if (op.op === 'flatten' || op.op === 'mask_weight' || op.op === 'topk_threshold' || op.op === 'supermask_sample') continue;
    let reads = opIO(op).reads;
    if (op.op === 'optim_update') reads = [op.grad];
    for (const t of reads) counts.set(root(graph, t), (counts.get(root(graph, t)) ?? 0) + 1);
  }
  return counts;
}

export interface FuseOptions {
  /** Whether a layer's masked weight is packed into a transient tensor once per step. */
  packMask?(op: OpOf<'mask_weight'>): boolean;
}

export function fuse(graph: Graph, opts: FuseOptions = {}): KernelGroup[] {
  const groups: KernelGroup[] = [];
  const used = new Set<Op>();
  const consumers = consumerCounts(graph);
  const single = (t: number) => (consumers.get(root(graph, t)) ?? 0) === 1;
  const maskOf = new Map<number, OpOf<'mask_weight'>>();
  for (const op of graph.ops) if (op.op === 'mask_weight' && !opts.packMask?.(op)) maskOf.set(op.out, op);
  const find = <K extends Op['op']>(from: number, kind: K, pred: (o: OpOf<K>) => boolean): OpOf<K> | undefined => {
    for (let j = from + 1; j < graph.ops.length; j++) {
      const o = graph.ops[j];
      if (o.op === kind && !used.has(o) && pred(o as OpOf<K>)) return o as OpOf<K>;
    }
    return undefined;
  };
  const take = <T extends Op | undefined>(o: T): T => {
    if (o) used.add(o);
    return o;
  };
  /** The ReLU that alone consumes `t`, if any (to fold into t's producer). */
  const reluOf = (i: number, t: number) => (single(t) ? take(find(i, 'relu', (r) => root(graph, r.x) === root(graph, t))) : undefined);
  /** The ReLU-backward whose output alone feeds a consumer of kind `kind` (to fold into that consumer). */
  const isMaskFor = (r: OpOf<'relu_bwd'>, i: number): boolean => {
    if (!single(r.dx)) return false;
    for (let j = i + 1; j < graph.ops.length; j++) {
      const o = graph.ops[j];
      if (o.op === 'batchnorm_bwd' && root(graph, o.dy) === root(graph, r.dx)) return true;
    }
    return false;
  };

  let topk: Extract<KernelGroup, { kind: 'topk' }> | undefined;
  let sample: Extract<KernelGroup, { kind: 'sample' }> | undefined;
  const pending = new Map<Op, OpOf<'relu_bwd'>>(); // batchnorm_bwd → the ReLU-backward folded into it
  graph.ops.forEach((op, i) => {
    if (used.has(op)) return;
    switch (op.op) {
      case 'flatten':
        return;
      case 'mask_weight':
        if (!maskOf.has(op.out)) groups.push({ kind: 'mask_pack', op, ops: [op] });
        return;
      case 'load_batch':
        groups.push({ kind: 'load_batch', op, ops: [op] });
        return;
      case 'topk_threshold':
        if (!topk) {
          topk = { kind: 'topk', topk: [], ops: [] };
          groups.push(topk);
        }
        topk.topk.push(op);
        topk.ops.push(op);
        return;
      case 'supermask_sample':
        if (!sample) {
          sample = { kind: 'sample', sample: [], ops: [] };
          groups.push(sample);
        }
        sample.sample.push(op);
        sample.ops.push(op);
        return;
      case 'softmax_xent':
        groups.push({ kind: 'xent', op, ops: [op] });
        return;
      case 'linear':
      case 'conv2d': {
        const relu = reluOf(i, op.y);
        const mask = maskOf.get(op.w);
        groups.push({ kind: 'matmul', main: op, mask, relu, ops: [...(mask ? [mask] : []), op, ...(relu ? [relu] : [])] });
        return;
      }
      case 'linear_dx':
      case 'conv2d_dx': {
        const reluBwd = single(op.dx) ? take(find(i, 'relu_bwd', (r) => root(graph, r.dy) === root(graph, op.dx))) : undefined;
        const mask = maskOf.get(op.w);
        groups.push({ kind: 'matmul', main: op, mask, reluBwd, ops: [...(mask ? [mask] : []), op, ...(reluBwd ? [reluBwd] : [])] });
        return;
      }
      case 'linear_dw':
      case 'conv2d_dw': {
        const scoreGrad = single(op.dw) ? take(find(i, 'score_grad', (s) => s.dw === op.dw)) : undefined;
        const g = scoreGrad ? scoreGrad.ds : op.dw;
        const update = take(find(i, 'optim_update', (s) => s.grad === g));
        if (!update) throw new Error('internal: a dW pass without its optimiser update');
        groups.push({ kind: 'matmul', main: op, scoreGrad, update, ops: [op, ...(scoreGrad ? [scoreGrad] : []), update] });
        return;
      }
      case 'maxpool':
      case 'avgpool':
      case 'global_avgpool':
        groups.push({ kind: 'pool', op, ops: [op] });
        return;
      case 'maxpool_bwd': {
        // Max-pool input = the ReLU output, so the ReLU mask is `x > 0` on the same tensor.
        const reluBwd = single(op.dx) ? take(find(i, 'relu_bwd', (r) => root(graph, r.dy) === root(graph, op.dx) && root(graph, r.y) === root(graph, op.x))) : undefined;
        groups.push({ kind: 'pool_bwd', op, reluBwd, ops: [op, ...(reluBwd ? [reluBwd] : [])] });
        return;
      }
      case 'avgpool_bwd':
      case 'global_avgpool_bwd':
        groups.push({ kind: 'pool_bwd', op, ops: [op] });
        return;
      case 'batchnorm': {
        const relu = reluOf(i, op.y);
        groups.push({ kind: 'batchnorm', op, relu, ops: [op, ...(relu ? [relu] : [])] });
        return;
      }
      case 'relu_bwd': {
        if (isMaskFor(op, i)) {
          const bwd = find(i, 'batchnorm_bwd', (o) => root(graph, o.dy) === root(graph, op.dx))!;
          pending.set(bwd, take(op));
          return;
        }
        groups.push({ kind: 'elementwise', op, ops: [op] });
        return;
      }
      case 'batchnorm_bwd': {
        const reluBwd = pending.get(op);
        const updGamma = op.dgamma !== undefined ? take(find(i, 'optim_update', (s) => s.grad === op.dgamma)) : undefined;
        const updBeta = op.dbeta !== undefined ? take(find(i, 'optim_update', (s) => s.grad === op.dbeta)) : undefined;
        groups.push({ kind: 'batchnorm_bwd', op, reluBwd, updGamma, updBeta, ops: [...(reluBwd ? [reluBwd] : []), op, ...(updGamma ? [updGamma, updBeta!] : [])] });
        return;
      }
      case 'add': {
        const relu = reluOf(i, op.y);
        groups.push({ kind: 'elementwise', op, relu, ops: [op, ...(relu ? [relu] : [])] });
        return;
      }
      case 'relu':
        groups.push({ kind: 'elementwise', op, ops: [op] });
        return;
      default:
        throw new Error(`internal: no kernel for an unfused ${op.op}`);
    }
  });
  return groups;
}

/** Dispatches an op-per-kernel lowering would need (each radix select alone takes 4). */
export function unfusedDispatches(graph: Graph): number {
  let n = 0;
  for (const op of graph.ops) {
    if (op.op === 'flatten') continue;
    n += op.op === 'topk_threshold' ? 4 : (op.op === 'batchnorm' && op.train) || op.op === 'batchnorm_bwd' ? 2 : 1;
  }
  return n;
}
