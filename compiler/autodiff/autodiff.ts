// Training graph = forward + softmax cross-entropy + reverse-mode backward + optimiser updates.
// Each forward op has a vector-Jacobian rule below. Gradients are computed only for tensors on
// a path from a trainable parameter to the loss (so the first layer gets no dx). A tensor read by
// two ops (a residual block's input) receives two contributions, summed by an `add`. Per layer
// the dx op is emitted before the dw/update ops: the update rewrites the scores in place and the
// dx kernel must still see this step's mask.
import type { RunConfig } from '../plan/config.js';
import { UnsupportedError, buildForward, type ForwardGraph } from '../ir/build.js';
import { opIO, type Graph } from '../ir/graph.js';
import { stateRoles, type OptimSpec } from '../kernels/optim.js';

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

  // Which tensors carry a gradient: trainable params and everything computed from them.
  const trainable = new Set<number>(fg.bnAffine);
  for (const r of fg.weights) {
    if (r.score !== undefined) trainable.add(r.effective);
    else if (r.info.mask.kind === 'dense') trainable.add(r.weight);
  }
  const needsGrad = new Set<number>(trainable);
  for (const op of forwardOps) {
    if (op.op === 'load_batch' || op.op === 'topk_threshold' || op.op === 'mask_weight' || op.op === 'supermask_sample') continue;
    const { reads, writes } = opIO(op);
    if (reads.some((t) => needsGrad.has(t))) writes.forEach((t) => needsGrad.add(t));
  }

  const logitsShape = b.tensors[fg.logits].shape;
  const dlogits = b.tensor('logits.grad', logitsShape, 'grad');
  const metrics = b.tensor('metrics.train', [4], 'state');
  b.push({ op: 'softmax_xent', logits: fg.logits, labels: fg.labels, dlogits, metrics, smoothing: cfg.train.labelSmoothing, train: true });

  const grad = new Map<number, number>([[fg.logits, dlogits]]);
  const gradOf = (t: number) => grad.get(t);
  const fresh = (t: number, suffix = 'grad'): number => {
    const src = b.tensors[t];
    return b.tensor(`${src.name}.${suffix}`, src.shape, 'grad', { layer: src.layer });
  };
  /** Records a gradient contribution; a second one is summed into a new tensor. */
  const addGrad = (t: number, g: number) => {
    const have = grad.get(t);
    if (have === undefined) {
      grad.set(t, g);
      return;
    }
    const sum = fresh(t, `grad${b.tensors.length}`);
    b.push({ op: 'add', a: have, b: g, y: sum });
    grad.set(t, sum);
  };
  const byEffective = new Map(fg.weights.map((r) => [r.effective, r]));

  const weightGrad = (w: number, dw: number) => {
    const refs = byEffective.get(w)!;
    if (refs.score !== undefined) {
      const ds = b.tensor(`${refs.info.layer}.scores.grad`, b.tensors[refs.score].shape, 'grad', { layer: refs.info.layer });
      const rule = refs.info.mask.kind === 'supermask' ? 'sigmoid' : 'sign';
      b.push({ op: 'score_grad', dw, weight: refs.weight, score: refs.score, ds, rule });
      pushUpdate(cfg, fg, refs.score, ds, opt.scoreDecay ? opt.weightDecay : 0);
    } else {
      pushUpdate(cfg, fg, refs.weight, dw, opt.weightDecay);
    }
  };

  for (let i = forwardOps.length - 1; i >= 0; i--) {
    const op = forwardOps[i];
    switch (op.op) {
      case 'linear':
      case 'conv2d': {
        const dy = gradOf(op.y);
        if (dy === undefined) break;
        if (needsGrad.has(op.x)) {
          const dx = fresh(op.x);
          if (op.op === 'linear') b.push({ op: 'linear_dx', dy, w: op.w, dx });
          else b.push({ op: 'conv2d_dx', dy, w: op.w, dx, attrs: op.attrs });
          addGrad(op.x, dx);
        }
        if (trainable.has(op.w)) {
          const layer = byEffective.get(op.w)!.info.layer;
          const dw = b.tensor(`${layer}.weight_eff.grad`, b.tensors[op.w].shape, 'grad', { layer });
          if (op.op === 'linear') b.push({ op: 'linear_dw', dy, x: op.x, dw });
          else b.push({ op: 'conv2d_dw', dy, x: op.x, dw, attrs: op.attrs });
          weightGrad(op.w, dw);
        }
        break;
      }
      case 'relu': {
        const dy = gradOf(op.y);
        if (dy === undefined || !needsGrad.has(op.x)) break;
        const dx = fresh(op.x);
        b.push({ op: 'relu_bwd', dy, y: op.y, dx });
        addGrad(op.x, dx);
        break;
      }
      case 'flatten': {
        const dy = gradOf(op.y);
        if (dy === undefined || !needsGrad.has(op.x)) break;
        const src = b.tensors[op.x];
        const dx = b.tensor(`${src.name}.grad`, src.shape, 'grad', { aliasOf: b.tensors[dy].aliasOf ?? dy });
        b.push({ op: 'flatten', x: dy, y: dx });
        addGrad(op.x, dx);
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const dy = gradOf(op.y);
        if (dy === undefined || !needsGrad.has(op.x)) break;
        const dx = fresh(op.x);
        if (op.op === 'maxpool') b.push({ op: 'maxpool_bwd', dy, x: op.x, dx, attrs: op.attrs });
        else b.push({ op: 'avgpool_bwd', dy, dx, attrs: op.attrs });
        addGrad(op.x, dx);
        break;
      }
      case 'global_avgpool': {
        const dy = gradOf(op.y);
        if (dy === undefined || !needsGrad.has(op.x)) break;
        const dx = fresh(op.x);
        b.push({ op: 'global_avgpool_bwd', dy, dx });
        addGrad(op.x, dx);
        break;
      }
      case 'batchnorm': {
        const dy = gradOf(op.y);
        if (dy === undefined || op.stats === undefined) break;
        const affine = op.gamma !== undefined && trainable.has(op.gamma);
        if (!needsGrad.has(op.x) && !affine) break;
        const dx = fresh(op.x);
        const dgamma = affine ? fresh(op.gamma!) : undefined;
        const dbeta = affine ? fresh(op.beta!) : undefined;
        b.push({ op: 'batchnorm_bwd', dy, x: op.x, stats: op.stats, gamma: op.gamma, dx, dgamma, dbeta });
        if (affine) {
          pushUpdate(cfg, fg, op.gamma!, dgamma!, opt.weightDecay);
          pushUpdate(cfg, fg, op.beta!, dbeta!, opt.weightDecay);
        }
        if (needsGrad.has(op.x)) addGrad(op.x, dx);
        break;
      }
      case 'add': {
        const dy = gradOf(op.y);
        if (dy === undefined) break;
        // d(a + b) passes dy to both operands unchanged: they share the gradient tensor.
        if (needsGrad.has(op.a)) addGrad(op.a, dy);
        if (needsGrad.has(op.b)) addGrad(op.b, dy);
        break;
      }
      case 'load_batch':
      case 'topk_threshold':
      case 'supermask_sample':
      case 'mask_weight':
        break;
      default:
        throw new UnsupportedError(`the backward pass of ${op.op}`);
    }
  }
}

/** The optimiser of the run, as the kernels' spec, with this param's weight decay. */
export function optimSpec(cfg: RunConfig, weightDecay: number): OptimSpec {
  const o = cfg.optimizer;
  if (o.kind === 'sgd') return { kind: 'sgd', momentum: o.momentum, nesterov: o.nesterov, weightDecay };
  return { kind: 'adam', beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay };
}

function pushUpdate(cfg: RunConfig, fg: ForwardGraph, param: number, g: number, weightDecay: number): void {
  const { b } = fg;
  const p = b.tensors[param];
  const optim = optimSpec(cfg, weightDecay);
  const suffix = { momentum: 'momentum', adam_m: 'adam_m', adam_v: 'adam_v' } as const;
  const state = stateRoles(optim).map((role) => b.tensor(`${p.name}.${suffix[role]}`, p.shape, 'param', { role, layer: p.layer, of: param }));
  b.push({ op: 'optim_update', param, grad: g, state, optim });
}
