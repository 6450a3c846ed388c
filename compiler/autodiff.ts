// Training graph = forward + softmax cross-entropy + reverse-mode backward + optimiser updates.
// Each forward op has a vector-Jacobian rule below. Gradients are computed only for tensors on
// a path from a trainable parameter to the loss (so the first layer gets no dx). Per layer the
// dx op is emitted before the dw/update ops: the update rewrites the scores in place and the dx
// kernel must still see this step's mask.
import type { RunConfig } from './config.js';
import { UnsupportedError, buildForward, type ForwardGraph } from './ir/build.js';
import type { Graph, Op } from './ir/graph.js';

export function buildTrainGraph(cfg: RunConfig): Graph {
  const fg = buildForward(cfg, cfg.train.batch, 'train');
  appendLossAndBackward(cfg, fg);
  return fg.b.graph();
}

export function buildEvalGraph(cfg: RunConfig): Graph {
  const fg = buildForward(cfg, cfg.train.evalBatch, 'test');
  const { b } = fg;
  const metrics = b.tensor('metrics.test', [4], 'state');
  const logitsShape = b.tensors[fg.logits].shape;
  const dlogits = b.tensor('logits.grad', logitsShape, 'virtual');
  b.push({ op: 'softmax_xent', logits: fg.logits, labels: fg.labels, dlogits, metrics, smoothing: 0, train: false });
  return b.graph();
}

function appendLossAndBackward(cfg: RunConfig, fg: ForwardGraph): void {
  const { b } = fg;
  const forwardOps = b.ops.slice();
  const opt = cfg.optimizer;
  if (opt.kind !== 'sgd') throw new UnsupportedError(`the ${opt.kind} optimiser`);

  // Which tensors carry a gradient: trainable params and everything computed from them.
  const trainable = new Set<number>();
  for (const r of fg.weights) {
    if (r.score !== undefined) trainable.add(r.effective);
    else if (r.info.mask.kind === 'dense') trainable.add(r.weight);
  }
  const needsGrad = new Set<number>(trainable);
  for (const op of forwardOps) {
    const reads = readsOf(op);
    const writes = writesOf(op);
    if (reads.some((t) => needsGrad.has(t))) writes.forEach((t) => needsGrad.add(t));
  }

  const logitsShape = b.tensors[fg.logits].shape;
  const dlogits = b.tensor('logits.grad', logitsShape, 'grad');
  const metrics = b.tensor('metrics.train', [4], 'state');
  b.push({
    op: 'softmax_xent',
    logits: fg.logits,
    labels: fg.labels,
    dlogits,
    metrics,
    smoothing: cfg.train.labelSmoothing,
    train: true,
  });

  const grad = new Map<number, number>([[fg.logits, dlogits]]);
  const gradOf = (t: number): number => {
    const g = grad.get(t);
    if (g === undefined) throw new Error(`internal: no gradient for ${b.tensors[t].name}`);
    return g;
  };
  const newGrad = (t: number): number => {
    const src = b.tensors[t];
    const g = b.tensor(`${src.name}.grad`, src.shape, 'grad', { layer: src.layer });
    grad.set(t, g);
    return g;
  };
  const byEffective = new Map(fg.weights.map((r) => [r.effective, r]));

  for (let i = forwardOps.length - 1; i >= 0; i--) {
    const op = forwardOps[i];
    switch (op.op) {
      case 'linear': {
        if (!grad.has(op.y)) break;
        const dy = gradOf(op.y);
        if (needsGrad.has(op.x)) b.push({ op: 'linear_dx', dy, w: op.w, dx: newGrad(op.x) });
        if (trainable.has(op.w)) {
          const refs = byEffective.get(op.w)!;
          const dw = b.tensor(`${refs.info.layer}.weight_eff.grad`, b.tensors[op.w].shape, 'grad', { layer: refs.info.layer });
          b.push({ op: 'linear_dw', dy, x: op.x, dw });
          if (refs.score !== undefined) {
            const ds = b.tensor(`${refs.info.layer}.scores.grad`, b.tensors[refs.score].shape, 'grad', { layer: refs.info.layer });
            b.push({ op: 'score_grad', dw, weight: refs.weight, score: refs.score, ds });
            pushSgd(cfg, fg, refs.score, ds, opt.scoreDecay ? opt.weightDecay : 0);
          } else {
            pushSgd(cfg, fg, refs.weight, dw, opt.weightDecay);
          }
        }
        break;
      }
      case 'relu': {
        if (!grad.has(op.y) || !needsGrad.has(op.x)) break;
        b.push({ op: 'relu_bwd', dy: gradOf(op.y), y: op.y, dx: newGrad(op.x) });
        break;
      }
      case 'flatten': {
        if (!grad.has(op.y) || !needsGrad.has(op.x)) break;
        const dy = gradOf(op.y);
        const src = b.tensors[op.x];
        const dx = b.tensor(`${src.name}.grad`, src.shape, 'grad', { aliasOf: b.tensors[dy].aliasOf ?? dy });
        grad.set(op.x, dx);
        b.push({ op: 'flatten', x: dy, y: dx });
        break;
      }
      case 'load_batch':
      case 'topk_threshold':
      case 'mask_weight':
        break;
      default:
        throw new UnsupportedError(`the backward pass of ${op.op}`);
    }
  }
}

function pushSgd(cfg: RunConfig, fg: ForwardGraph, param: number, g: number, weightDecay: number): void {
  const opt = cfg.optimizer;
  if (opt.kind !== 'sgd') return;
  const { b } = fg;
  const p = b.tensors[param];
  const velocity = b.tensor(`${p.name}.momentum`, p.shape, 'param', { role: 'momentum', layer: p.layer, of: param });
  b.push({ op: 'sgd_update', param, grad: g, velocity, momentum: opt.momentum, nesterov: opt.nesterov, weightDecay });
}

function readsOf(op: Op): number[] {
  switch (op.op) {
    case 'linear':
      return [op.x, op.w];
    case 'relu':
    case 'flatten':
      return [op.x];
    case 'mask_weight':
      return [op.weight, op.score];
    default:
      return [];
  }
}

function writesOf(op: Op): number[] {
  switch (op.op) {
    case 'linear':
    case 'relu':
    case 'flatten':
      return [op.y];
    case 'mask_weight':
      return [op.out];
    default:
      return [];
  }
}
