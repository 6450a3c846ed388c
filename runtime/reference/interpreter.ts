// The reference interpreter: executes an IR graph op by op on the CPU, in plain TypeScript, with
// double-precision accumulation and f32 storage. It is slow and obviously correct, and it is the
// oracle every WGSL kernel is tested against (test/kernels/*).
import type { Graph, GraphWeight, Op, Tensor } from '../../compiler/ir/graph.js';
import { numel } from '../../compiler/ir/graph.js';
import { Stream } from '../../compiler/kernels/philox.js';
import { drawTensor, scoreDraw, weightDraw } from '../../compiler/init.js';
import { keptCount, scoreKey, selectThreshold } from '../../compiler/topk.js';

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
      state.tensors.set(t.name, alloc(t));
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
      case 'load_batch': {
        f(op.x).set(input.batch.x);
        (get(op.labels) as Uint32Array).set(input.batch.labels);
        return;
      }
      case 'topk_threshold': {
        const s = f(op.score);
        const thr = selectThreshold(s, keptCount(s.length, op.keep));
        (get(op.thr) as Uint32Array).set([thr.key, thr.tie, keptCount(s.length, op.keep), s.length]);
        return;
      }
      case 'mask_weight': {
        const w = f(op.weight);
        const s = f(op.score);
        const thr = get(op.thr) as Uint32Array;
        const out = f(op.out);
        for (let i = 0; i < w.length; i++) {
          const k = scoreKey(s[i]);
          out[i] = k > thr[0] || (k === thr[0] && i >= thr[1]) ? w[i] : 0;
        }
        return;
      }
      case 'linear':
        return matmulNT(f(op.x), f(op.w), f(op.y), shape(op.x)[0], shape(op.w)[0], shape(op.w)[1]);
      case 'relu': {
        const x = f(op.x);
        const y = f(op.y);
        for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
        return;
      }
      case 'flatten':
        return; // an alias: nothing moves
      case 'softmax_xent':
        return softmaxXent(op, f(op.logits), get(op.labels) as Uint32Array, f(op.dlogits), f(op.metrics), input.batch.valid);
      case 'linear_dx': {
        // dx[b,i] = Σ_o dy[b,o] w[o,i]
        const [B, O] = shape(op.dy);
        const I = shape(op.w)[1];
        const dy = f(op.dy);
        const w = f(op.w);
        const dx = f(op.dx);
        const acc = new Float64Array(I);
        for (let b = 0; b < B; b++) {
          acc.fill(0);
          for (let o = 0; o < O; o++) {
            const g = dy[b * O + o];
            if (g === 0) continue;
            for (let i = 0; i < I; i++) acc[i] += g * w[o * I + i];
          }
          for (let i = 0; i < I; i++) dx[b * I + i] = acc[i];
        }
        return;
      }
      case 'linear_dw': {
        // dw[o,i] = Σ_b dy[b,o] x[b,i]
        const [B, O] = shape(op.dy);
        const I = shape(op.dw)[1];
        const dy = f(op.dy);
        const x = f(op.x);
        const dw = f(op.dw);
        const acc = new Float64Array(O * I);
        for (let b = 0; b < B; b++)
          for (let o = 0; o < O; o++) {
            const g = dy[b * O + o];
            if (g === 0) continue;
            for (let i = 0; i < I; i++) acc[o * I + i] += g * x[b * I + i];
          }
        dw.set(acc);
        return;
      }
      case 'relu_bwd': {
        const dy = f(op.dy);
        const y = f(op.y);
        const dx = f(op.dx);
        for (let i = 0; i < dy.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
        return;
      }
      case 'score_grad': {
        const dw = f(op.dw);
        const w = f(op.weight);
        const s = f(op.score);
        const ds = f(op.ds);
        for (let i = 0; i < dw.length; i++) ds[i] = dw[i] * w[i] * Math.sign(s[i]);
        return;
      }
      case 'sgd_update': {
        const p = f(op.param);
        const g = f(op.grad);
        const v = f(op.velocity);
        const lr = Math.fround(input.lr);
        for (let i = 0; i < p.length; i++) {
          const d = Math.fround(g[i] + op.weightDecay * p[i]);
          let step = d;
          if (op.momentum !== 0) {
            v[i] = Math.fround(op.momentum * v[i] + d);
            step = op.nesterov ? Math.fround(d + op.momentum * v[i]) : v[i];
          }
          p[i] = Math.fround(p[i] - lr * step);
        }
        return;
      }
    }
  }
}

/** y[m,n] = Σ_k a[m,k] b[n,k] */
export function matmulNT(a: Float32Array, b: Float32Array, y: Float32Array, M: number, N: number, K: number): void {
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += a[m * K + k] * b[n * K + k];
      y[m * N + n] = acc;
    }
}

function softmaxXent(
  op: Extract<Op, { op: 'softmax_xent' }>,
  z: Float32Array,
  labels: Uint32Array,
  dz: Float32Array,
  metrics: Float32Array,
  valid: number,
): void {
  const C = z.length / labels.length;
  const eps = op.smoothing;
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < labels.length; b++) {
    if (b >= valid) {
      dz.fill(0, b * C, (b + 1) * C);
      continue;
    }
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) {
      const v = z[b * C + c];
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[b * C + c] - max);
    const lse = max + Math.log(sum);
    const y = labels[b];
    let loss = 0;
    for (let c = 0; c < C; c++) {
      const q = (c === y ? 1 - eps : 0) + eps / C;
      loss -= q * (z[b * C + c] - lse);
      dz[b * C + c] = (Math.exp(z[b * C + c] - lse) - q) / valid;
    }
    lossSum += loss;
    if (arg === y) correct++;
  }
  metrics[0] += lossSum;
  metrics[1] += correct;
  metrics[2] += valid;
}

