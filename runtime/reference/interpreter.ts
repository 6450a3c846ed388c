// The reference interpreter: executes an IR graph op by op on the CPU, in plain TypeScript, with
// double-precision accumulation and f32 storage. It is slow and obviously correct, and it is the
// oracle every WGSL kernel is tested against (test/kernels/*).
import { type Graph, type GraphWeight, type Op, type Tensor, numel, Stream, sampleBits, drawTensor, scoreDraw, weightDraw } from '../../compiler/index.js';
import * as R from './ops.js';
import * as C from './conv-ops.js';

export type Values = Float32Array | Uint32Array;

/** Persistent tensors (params, optimiser state, thresholds, metrics) by name. */
export class RefState {
  readonly tensors = new Map<string, Values>();
}

export interface RefBatch {
  x: Float32Array; // normalised input, [batch, ...shape], rows ≥ valid are zero
  labels: Uint32Array;
  valid: number;
}

export interface RefStepInput {
  batch: RefBatch;
  lr: number;
  /** The optimiser step (0-based: Adam's t − 1, the supermask's draw) and the epoch. */
  step?: number;
  epoch?: number;
  seed?: number;
  /** Adam's bias corrections for this step (1 otherwise). */
  c1?: number;
  c2?: number;
}

function alloc(t: Tensor): Values {
  const n = numel(t.shape);
  return t.dtype === 'u32' ? new Uint32Array(n) : new Float32Array(n);
}

/** Creates every persistent tensor of the graph that the state lacks, initialised as the GPU does. */
export function initState(graph: Graph, state: RefState, seed: number): void {
  const byId = new Map<number, { w: GraphWeight; role: 'weight' | 'score' }>();
  for (const w of graph.weights) {
    byId.set(w.weight, { w, role: 'weight' });
    if (w.score !== undefined) byId.set(w.score, { w, role: 'score' });
  }
  for (const t of graph.tensors) {
    if ((t.kind !== 'param' && t.kind !== 'state') || state.tensors.has(t.name)) continue;
    const owner = byId.get(t.id);
    if (owner) {
      const i = owner.w.info;
      const keep = i.mask.kind === 'edge_popup' ? i.mask.keep : 1;
      const p = owner.role === 'weight' ? weightDraw(i.init, i.fanIn, i.fanOut, keep) : scoreDraw(i.scoreInit, i.fanIn);
      const stream = owner.role === 'weight' ? Stream.weights : Stream.scores;
      state.tensors.set(t.name, drawTensor(p, seed, i.index, stream, numel(t.shape)));
    } else {
      const v = alloc(t);
      if (t.initValue) v.fill(t.initValue);
      state.tensors.set(t.name, v);
    }
  }
}

/** Runs one step of a graph. Returns every tensor's value (transients included) for tests. */
export function runGraph(graph: Graph, state: RefState, input: RefStepInput): Values[] {
  const vals: Values[] = new Array(graph.tensors.length);
  const get = (id: number): Values => {
    const v = vals[id];
    if (v) return v;
    const t = graph.tensors[id];
    if (t.aliasOf !== undefined) return (vals[id] = get(t.aliasOf));
    if (t.kind === 'param' || t.kind === 'state') {
      const s = state.tensors.get(t.name);
      if (!s) throw new Error(`internal: state lacks ${t.name}`);
      return (vals[id] = s);
    }
    return (vals[id] = alloc(t));
  };
  const f = (id: number) => get(id) as Float32Array;
  const shape = (id: number) => graph.tensors[id].shape;

  for (const op of graph.ops) exec(op);
  return graph.tensors.map((t) => get(t.id));

  function exec(op: Op): void {
    switch (op.op) {
      case 'load_batch':
        f(op.x).set(input.batch.x);
        (get(op.labels) as Uint32Array).set(input.batch.labels);
        return;
      case 'topk_threshold':
        (get(op.thr) as Uint32Array).set(R.topkThreshold(f(op.score), op.keep));
        return;
      case 'supermask_sample': {
        const stream = op.eval ? Stream.supermaskEval : Stream.supermask;
        const extra = op.eval ? (input.epoch ?? 0) : (input.step ?? 0);
        (get(op.bits) as Uint32Array).set(sampleBits(f(op.score), op.info.index, input.seed ?? 0, stream, extra));
        return;
      }
      case 'mask_weight':
        if (op.rule === 'topk') return R.maskWeight(f(op.weight), f(op.score!), get(op.thr!) as Uint32Array, f(op.out));
        if (op.rule === 'bits') return R.maskBits(f(op.weight), get(op.bits!) as Uint32Array, f(op.out));
        return R.maskBySigmoid(f(op.weight), f(op.score!), f(op.out), op.rule);
      case 'linear':
        return R.linear(f(op.x), f(op.w), f(op.y), shape(op.x)[0], shape(op.w)[0], shape(op.w)[1]);
      case 'relu':
        return R.relu(f(op.x), f(op.y));
      case 'flatten':
        return; // an alias: nothing moves
      case 'softmax_xent':
        return R.softmaxXent(f(op.logits), get(op.labels) as Uint32Array, op.train ? f(op.dlogits) : undefined, f(op.metrics), input.batch.valid, op.smoothing);
      case 'linear_dx':
        return R.linearDx(f(op.dy), f(op.w), f(op.dx), shape(op.dy)[0], shape(op.dy)[1], shape(op.w)[1]);
      case 'linear_dw':
        return R.linearDw(f(op.dy), f(op.x), f(op.dw), shape(op.dy)[0], shape(op.dy)[1], shape(op.dw)[1]);
      case 'relu_bwd':
        return R.reluBwd(f(op.dy), f(op.y), f(op.dx));
      case 'score_grad':
        return R.scoreGrad(f(op.dw), f(op.weight), f(op.score), f(op.ds), op.rule);
      case 'optim_update':
        return R.optimStep(f(op.param), f(op.grad), op.state.map(f), op.optim, input.lr, input.c1, input.c2);
      case 'conv2d': {
        const [B, Ci, H, W] = shape(op.x);
        const [Co, , K] = shape(op.w);
        return C.conv2d(f(op.x), f(op.w), f(op.y), C.convGeom(B, Ci, H, W, Co, K, op.attrs.stride, op.attrs.pad));
      }
      case 'conv2d_dx': {
        const [B, Ci, H, W] = shape(op.dx);
        const [Co, , K] = shape(op.w);
        return C.conv2dDx(f(op.dy), f(op.w), f(op.dx), C.convGeom(B, Ci, H, W, Co, K, op.attrs.stride, op.attrs.pad));
      }
      case 'conv2d_dw': {
        const [B, Ci, H, W] = shape(op.x);
        const [Co, , K] = shape(op.dw);
        return C.conv2dDw(f(op.dy), f(op.x), f(op.dw), C.convGeom(B, Ci, H, W, Co, K, op.attrs.stride, op.attrs.pad));
      }
      case 'maxpool':
      case 'avgpool': {
        const [B, Cc, H, W] = shape(op.x);
        const g = C.poolGeom(B, Cc, H, W, op.attrs.kernel, op.attrs.stride, op.attrs.pad);
        return op.op === 'maxpool' ? C.maxpool(f(op.x), f(op.y), g) : C.avgpool(f(op.x), f(op.y), g);
      }
      case 'maxpool_bwd': {
        const [B, Cc, H, W] = shape(op.x);
        return C.maxpoolBwd(f(op.dy), f(op.x), f(op.dx), C.poolGeom(B, Cc, H, W, op.attrs.kernel, op.attrs.stride, op.attrs.pad));
      }
      case 'avgpool_bwd': {
        const [B, Cc, H, W] = shape(op.dx);
        return C.avgpoolBwd(f(op.dy), f(op.dx), C.poolGeom(B, Cc, H, W, op.attrs.kernel, op.attrs.stride, op.attrs.pad));
      }
      case 'global_avgpool': {
        const [B, Cc, H, W] = shape(op.x);
        return C.globalAvgpool(f(op.x), f(op.y), B * Cc, H * W);
      }
      case 'global_avgpool_bwd': {
        const [B, Cc, H, W] = shape(op.dx);
        return C.globalAvgpoolBwd(f(op.dy), f(op.dx), B * Cc, H * W);
      }
      case 'batchnorm': {
        const [B, Cc, ...rest] = shape(op.x);
        const HW = rest.reduce((a, b) => a * b, 1);
        const gamma = op.gamma !== undefined ? f(op.gamma) : undefined;
        const beta = op.beta !== undefined ? f(op.beta) : undefined;
        const h = { eps: op.eps, momentum: op.momentum };
        if (op.train) return C.batchnormTrain(f(op.x), f(op.y), f(op.stats!), f(op.runMean), f(op.runVar), B, Cc, HW, input.batch.valid, h, gamma, beta);
        return C.batchnormEval(f(op.x), f(op.y), f(op.runMean), f(op.runVar), B, Cc, HW, h, gamma, beta);
      }
      case 'batchnorm_bwd': {
        const [B, Cc, ...rest] = shape(op.x);
        const HW = rest.reduce((a, b) => a * b, 1);
        const gamma = op.gamma !== undefined ? f(op.gamma) : undefined;
        const r = C.batchnormBwd(f(op.dy), f(op.x), f(op.stats), f(op.dx), B, Cc, HW, input.batch.valid, gamma);
        if (op.dgamma !== undefined) f(op.dgamma).set(r.dgamma);
        if (op.dbeta !== undefined) f(op.dbeta).set(r.dbeta);
        return;
      }
      case 'add':
        return C.add(f(op.a), f(op.b), f(op.y));
    }
  }
}
