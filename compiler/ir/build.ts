// RunConfig → forward IR graph. Weight layers get their params (weight, and score under a mask
// policy) and, for edge-popup, a threshold op and a virtual masked weight that the consuming
// kernels compute in their loaders. The same builder makes the training graph (followed by
// autodiff) and the evaluation graph; param tensors are matched across the two by name.
import type { Layer, RunConfig, WeightLayer } from '../config.js';
import { GraphBuilder, numel, type WeightInfo } from './graph.js';

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
}

export interface WeightRefs {
  info: WeightInfo;
  layer: WeightLayer;
  weight: number;
  score?: number;
  thr?: number;
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
  let index = 0;

  const addWeight = (l: WeightLayer): WeightRefs => {
    const { fanIn, fanOut } = fans(l);
    const info: WeightInfo = { layer: l.name, index: index++, mask: l.mask, init: l.init, scoreInit: cfg.scores, fanIn, fanOut };
    const shape = weightShape(l);
    const weight = b.tensor(`${l.name}.weight`, shape, 'param', { role: 'weight', layer: l.name });
    const refs: WeightRefs = { info, layer: l, weight, effective: weight };
    if (l.mask.kind === 'edge_popup') {
      refs.score = b.tensor(`${l.name}.scores`, shape, 'param', { role: 'score', layer: l.name });
      refs.thr = b.tensor(`${l.name}.threshold`, [4], 'state', { dtype: 'u32', layer: l.name });
      refs.effective = b.tensor(`${l.name}.weight_eff`, shape, 'virtual', { layer: l.name });
    } else if (l.mask.kind !== 'dense' && l.mask.kind !== 'frozen') {
      throw new UnsupportedError(`the ${l.mask.kind} mask policy`, l);
    }
    weights.push(refs);
    b.weights.push({ info, weight, score: refs.score });
    return refs;
  };

  // Thresholds are computed for every layer at the start of the step, before the forward pass,
  // so that they can be batched into one multi-layer radix select (compiler/fuse.ts).
  const wl = weightLayers(cfg.model.layers);
  const refs = new Map<WeightLayer, WeightRefs>();
  for (const l of wl) refs.set(l, addWeight(l));
  for (const r of weights) {
    if (r.thr === undefined || r.score === undefined || r.info.mask.kind !== 'edge_popup') continue;
    b.push({ op: 'topk_threshold', score: r.score, keep: r.info.mask.keep, thr: r.thr, info: r.info });
  }
  for (const r of weights) {
    if (r.thr === undefined || r.score === undefined) continue;
    b.push({ op: 'mask_weight', weight: r.weight, score: r.score, thr: r.thr, out: r.effective, info: r.info });
  }

  let cur = x;
  for (const l of cfg.model.layers) {
    const shape = [batch, ...l.outShape];
    switch (l.kind) {
      case 'linear': {
        const y = b.tensor(`${l.name}.out`, shape, 'activation', { layer: l.name });
        b.push({ op: 'linear', x: cur, w: refs.get(l)!.effective, y });
        cur = y;
        break;
      }
      case 'relu': {
        const y = b.tensor(`${l.name}.out`, shape, 'activation', { layer: l.name });
        b.push({ op: 'relu', x: cur, y });
        cur = y;
        break;
      }
      case 'flatten': {
        const src = b.tensors[cur];
        const y = b.tensor(`${l.name}.out`, shape, src.kind, { aliasOf: src.aliasOf ?? cur, layer: l.name });
        b.push({ op: 'flatten', x: cur, y });
        cur = y;
        break;
      }
      default:
        throw new UnsupportedError(`the ${l.kind} layer`, l);
    }
  }
  if (numel(b.tensors[cur].shape) !== batch * cfg.model.classes) {
    throw new UnsupportedError(`a network whose output is not [${cfg.model.classes}]`);
  }
  return { b, x, labels, logits: cur, weights };
}
