// Fusion: group the ops of a graph into kernels, following shared/design.md §3 (the jax-js /
// tinygrad rules, hard-coded for our op set):
//   - a masked weight is never stored: the matmuls that read it test the mask in their B loader;
//   - a matmul absorbs an elementwise epilogue whose input it alone produces (ReLU forward, the
//     ReLU-backward mask), and the dW matmul absorbs the score gradient and the optimiser update;
//   - every layer's top-k threshold is batched into one multi-layer radix select;
//   - softmax cross-entropy, its gradient and the metrics are one kernel;
//   - flatten is a view and costs nothing.
import type { Graph, Op } from './ir/graph.js';

type OpOf<K extends Op['op']> = Extract<Op, { op: K }>;

export type KernelGroup =
  | { kind: 'load_batch'; op: OpOf<'load_batch'> }
  | { kind: 'topk'; ops: OpOf<'topk_threshold'>[] }
  | {
      kind: 'matmul';
      main: OpOf<'linear'> | OpOf<'linear_dx'> | OpOf<'linear_dw'>;
      /** The mask op whose virtual output is the matmul's B operand. */
      mask?: OpOf<'mask_weight'>;
      relu?: OpOf<'relu'>;
      reluBwd?: OpOf<'relu_bwd'>;
      scoreGrad?: OpOf<'score_grad'>;
      sgd?: OpOf<'sgd_update'>;
    }
  | { kind: 'xent'; op: OpOf<'softmax_xent'> };

export function root(graph: Graph, t: number): number {
  return graph.tensors[t].aliasOf ?? t;
}

/** Reads per storage root, to know when a producer has a single consumer. */
function consumerCounts(graph: Graph): Map<number, number> {
  const counts = new Map<number, number>();
  const read = (t: number) => counts.set(root(graph, t), (counts.get(root(graph, t)) ?? 0) + 1);
  for (const op of graph.ops) {
    switch (op.op) {
      case 'linear':
        read(op.x);
        read(op.w);
        break;
      case 'relu':
        read(op.x);
        break;
      case 'linear_dx':
        read(op.dy);
        read(op.w);
        break;
      case 'linear_dw':
        read(op.dy);
        read(op.x);
        break;
      case 'relu_bwd':
        read(op.dy);
        read(op.y);
        break;
      case 'score_grad':
        read(op.dw);
        break;
      case 'sgd_update':
        read(op.grad);
        break;
      case 'softmax_xent':
        read(op.logits);
        break;
      default:
        break;
    }
  }
  return counts;
}

export function fuse(graph: Graph): KernelGroup[] {
  const groups: KernelGroup[] = [];
  const used = new Set<Op>();
  const consumers = consumerCounts(graph);
  const single = (t: number) => (consumers.get(root(graph, t)) ?? 0) === 1;
  const maskOf = new Map<number, OpOf<'mask_weight'>>();
  for (const op of graph.ops) if (op.op === 'mask_weight') maskOf.set(op.out, op);
  const later = <K extends Op['op']>(from: number, kind: K, pred: (o: OpOf<K>) => boolean): OpOf<K> | undefined => {
    for (let j = from + 1; j < graph.ops.length; j++) {
      const o = graph.ops[j];
      if (o.op === kind && !used.has(o) && pred(o as OpOf<K>)) return o as OpOf<K>;
    }
    return undefined;
  };

  let topk: KernelGroup | undefined;
  graph.ops.forEach((op, i) => {
    if (used.has(op)) return;
    switch (op.op) {
      case 'flatten':
      case 'mask_weight':
        return;
      case 'load_batch':
        groups.push({ kind: 'load_batch', op });
        return;
      case 'topk_threshold':
        if (!topk) {
          topk = { kind: 'topk', ops: [] };
          groups.push(topk);
        }
        (topk as Extract<KernelGroup, { kind: 'topk' }>).ops.push(op);
        return;
      case 'softmax_xent':
        groups.push({ kind: 'xent', op });
        return;
      case 'linear': {
        const relu = single(op.y) ? later(i, 'relu', (r) => root(graph, r.x) === root(graph, op.y)) : undefined;
        if (relu) used.add(relu);
        groups.push({ kind: 'matmul', main: op, mask: maskOf.get(op.w), relu });
        return;
      }
      case 'linear_dx': {
        const reluBwd = single(op.dx) ? later(i, 'relu_bwd', (r) => root(graph, r.dy) === root(graph, op.dx)) : undefined;
        if (reluBwd) used.add(reluBwd);
        groups.push({ kind: 'matmul', main: op, mask: maskOf.get(op.w), reluBwd });
        return;
      }
      case 'linear_dw': {
        const scoreGrad = single(op.dw) ? later(i, 'score_grad', (s) => s.dw === op.dw) : undefined;
        const g = scoreGrad ? scoreGrad.ds : op.dw;
        const sgd = scoreGrad || single(op.dw) ? later(i, 'sgd_update', (s) => s.grad === g) : undefined;
        if (scoreGrad) used.add(scoreGrad);
        if (sgd) used.add(sgd);
        if (!sgd) throw new Error('internal: a dW matmul without its optimiser update');
        groups.push({ kind: 'matmul', main: op, scoreGrad, sgd });
        return;
      }
      default:
        throw new Error(`internal: no kernel for an unfused ${op.op}`);
    }
  });
  return groups;
}

/** Dispatches an op-per-kernel lowering would need (each radix select alone takes 5). */
export function unfusedDispatches(graph: Graph): number {
  let n = 0;
  for (const op of graph.ops) {
    if (op.op === 'flatten') continue;
    n += op.op === 'topk_threshold' ? 5 : 1;
  }
  return n;
}
