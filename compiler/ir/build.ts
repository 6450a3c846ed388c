// RunConfig → forward IR graph. Weight layers get their params (weight, and score under a mask
// policy) and, for edge-popup, a threshold op and a virtual masked weight that the consuming
// kernels compute in their loaders. The same builder makes the training graph (followed by
// autodiff) and the evaluation graph; param tensors are matched across the two by name.
import type { BatchNormLayer, Layer, RunConfig, WeightLayer } from '../plan/config.js';
import { GraphBuilder, numel, type MaskRule, type WeightInfo } from './graph.js';

export class UnsupportedError extends Error {
  constructor(
    readonly feature: string,
    readonly layer?: Layer,
  ) {
    super(`${feature} is not supported by the back end yet`);
  }
}

export interface ForwardGraph {
  b: GraphBuilder;
  x: number;
  labels: number;
  logits: number;
  /** Weight layers in model order with their tensors. */
  weights: WeightRefs[];
  /** Trainable batch-norm affine params (γ, β). */
  bnAffine: number[];
}

export interface WeightRefs {
  info: WeightInfo;
  layer: WeightLayer;
  weight: number;
  score?: number;
  thr?: number;
  bits?: number;
  rule?: MaskRule;
  /** The tensor the layer's matmul reads: the virtual masked weight, or the weight itself. */
  effective: number;
}

export function weightShape(l: WeightLayer): number[] {
  return l.kind === 'linear' ? [l.outFeatures, l.inFeatures] : [l.outChannels, l.inChannels, l.kernel, l.kernel];
}

/** Fans as PyTorch's _calculate_fan_in_and_fan_out computes them. */
export function fans(l: WeightLayer): { fanIn: number; fanOut: number } {
  if (l.kind === 'linear') return { fanIn: l.inFeatures, fanOut: l.outFeatures };
  const rf = l.kernel * l.kernel;
  return { fanIn: l.inChannels * rf, fanOut: l.outChannels * rf };
}

/** Weight layers of a model in execution order (residual bodies before shortcuts). */
export function weightLayers(layers: Layer[]): WeightLayer[] {
  const out: WeightLayer[] = [];
  const walk = (ls: Layer[]) => {
    for (const l of ls) {
      if (l.kind === 'linear' || l.kind === 'conv') out.push(l);
      else if (l.kind === 'residual') {
        walk(l.body);
        walk(l.shortcut);
      }
    }
  };
  walk(layers);
  return out;
}

export function buildForward(cfg: RunConfig, batch: number, split: 'train' | 'test'): ForwardGraph {
  const b = new GraphBuilder(batch);
  const x = b.tensor('input', [batch, ...cfg.model.input], 'activation');
  const labels = b.tensor('labels', [batch], 'activation', { dtype: 'u32' });
  b.push({ op: 'load_batch', split, x, labels });
  const weights: WeightRefs[] = [];
  const bnAffine: number[] = [];
  const train = split === 'train';

  const addWeight = (l: WeightLayer, index: number): WeightRefs => {
    const { fanIn, fanOut } = fans(l);
    const info: WeightInfo = { layer: l.name, index, mask: l.mask, init: l.init, scoreInit: cfg.scores, fanIn, fanOut };
    const shape = weightShape(l);
    const n = numel(shape);
    const weight = b.tensor(`${l.name}.weight`, shape, 'param', { role: 'weight', layer: l.name });
    const refs: WeightRefs = { info, layer: l, weight, effective: weight };
    const masked = () => (refs.effective = b.tensor(`${l.name}.weight_eff`, shape, 'virtual', { layer: l.name }));
    const m = l.mask;
    if (m.kind === 'edge_popup' || m.kind === 'supermask') {
      refs.score = b.tensor(`${l.name}.scores`, shape, 'param', { role: 'score', layer: l.name });
      masked();
      if (m.kind === 'edge_popup') {
        refs.thr = b.tensor(`${l.name}.threshold`, [4], 'state', { dtype: 'u32', layer: l.name });
        refs.rule = 'topk';
      } else if (train || m.eval === 'sample') {
        refs.bits = b.tensor(`${l.name}.mask_bits`, [Math.ceil(n / 32)], 'state', { dtype: 'u32', layer: l.name });
        refs.rule = 'bits';
      } else {
        refs.rule = m.eval === 'expected' ? 'sigmoid' : 'positive';
      }
    } else if (m.kind === 'fixed') {
      refs.bits = b.tensor(`${l.name}.fixed_mask`, [Math.ceil(n / 32)], 'state', { dtype: 'u32', layer: l.name, role: 'fixed_mask' });
      refs.rule = 'bits';
      masked();
    }
    weights.push(refs);
    b.weights.push({ info, weight, score: refs.score });
    return refs;
  };

  // Masks are settled for every layer at the start of the step, before the forward pass: the
  // thresholds in one multi-layer radix select, the supermask samples in one dispatch
  // (compiler/fuse/fuse.ts).
  const refs = new Map<WeightLayer, WeightRefs>();
  weightLayers(cfg.model.layers).forEach((l, i) => refs.set(l, addWeight(l, i)));
  for (const r of weights) {
    if (r.thr !== undefined && r.score !== undefined && r.info.mask.kind === 'edge_popup') {
      b.push({ op: 'topk_threshold', score: r.score, keep: r.info.mask.keep, thr: r.thr, info: r.info });
    }
  }
  for (const r of weights) {
    if (r.info.mask.kind === 'supermask' && r.bits !== undefined && r.score !== undefined) {
      b.push({ op: 'supermask_sample', score: r.score, bits: r.bits, info: r.info, eval: !train });
    }
  }
  for (const r of weights) {
    if (r.rule === undefined) continue;
    b.push({ op: 'mask_weight', weight: r.weight, score: r.score, thr: r.thr, bits: r.bits, rule: r.rule, out: r.effective, info: r.info });
  }

  const out = (l: Layer, suffix = 'out') => b.tensor(`${l.name}.${suffix}`, [batch, ...l.outShape], 'activation', { layer: l.name });

  const batchnorm = (l: BatchNormLayer, cur: number): number => {
    const C = l.channels;
    const runMean = b.tensor(`${l.name}.running_mean`, [C], 'param', { role: 'bn_running_mean', layer: l.name });
    const runVar = b.tensor(`${l.name}.running_var`, [C], 'param', { role: 'bn_running_var', layer: l.name, initValue: 1 });
    let gamma: number | undefined;
    let beta: number | undefined;
    if (l.affine) {
      gamma = b.tensor(`${l.name}.gamma`, [C], 'param', { role: 'bn_gamma', layer: l.name, initValue: 1 });
      beta = b.tensor(`${l.name}.beta`, [C], 'param', { role: 'bn_beta', layer: l.name });
      bnAffine.push(gamma, beta);
    }
    const y = out(l);
    const stats = train ? b.tensor(`${l.name}.batch_stats`, [2, C], 'activation', { layer: l.name }) : undefined;
    b.push({ op: 'batchnorm', x: cur, y, train, stats, runMean, runVar, gamma, beta, eps: l.eps, momentum: l.momentum });
    return y;
  };

  const emit = (layers: Layer[], input: number): number => {
    let cur = input;
    for (const l of layers) {
      switch (l.kind) {
        case 'linear': {
          const y = out(l);
          b.push({ op: 'linear', x: cur, w: refs.get(l)!.effective, y });
          cur = y;
          break;
        }
        case 'conv': {
          const y = out(l);
          b.push({ op: 'conv2d', x: cur, w: refs.get(l)!.effective, y, attrs: { kernel: l.kernel, stride: l.stride, pad: l.padding } });
          cur = y;
          break;
        }
        case 'relu': {
          const y = out(l);
          b.push({ op: 'relu', x: cur, y });
          cur = y;
          break;
        }
        case 'flatten': {
          const src = b.tensors[cur];
          const y = b.tensor(`${l.name}.out`, [batch, ...l.outShape], src.kind, { aliasOf: src.aliasOf ?? cur, layer: l.name });
          b.push({ op: 'flatten', x: cur, y });
          cur = y;
          break;
        }
        case 'maxpool':
        case 'avgpool': {
          const y = out(l);
          b.push({ op: l.kind, x: cur, y, attrs: { kernel: l.kernel, stride: l.stride, pad: l.padding } });
          cur = y;
          break;
        }
        case 'global_avgpool': {
          const y = out(l);
          b.push({ op: 'global_avgpool', x: cur, y });
          cur = y;
          break;
        }
        case 'batchnorm':
          cur = batchnorm(l, cur);
          break;
        case 'residual': {
          const body = emit(l.body, cur);
          const shortcut = l.shortcut.length ? emit(l.shortcut, cur) : cur;
          const y = out(l);
          b.push({ op: 'add', a: body, b: shortcut, y });
          cur = y;
          break;
        }
      }
    }
    return cur;
  };

  const logits = emit(cfg.model.layers, x);
  if (numel(b.tensors[logits].shape) !== batch * cfg.model.classes) {
    throw new UnsupportedError(`a network whose output is not [${cfg.model.classes}]`);
  }
  return { b, x, labels, logits, weights, bnAffine };
}
