// Emitters for the compute kernel groups: matmul and convolution (forward, dx, dw + update),
// the multi-layer top-k, pooling, batch norm and elementwise kernels.
import type { KernelGroup } from '../fuse/fuse.js';
import { numel } from '../ir/graph.js';
import { chooseSplitK, convKernel, convReduceKernel, type ConvShape, type ConvTile } from '../kernels/conv.js';
import { elementwiseKernel, type ElementwiseOp } from '../kernels/elementwise.js';
import { matmulKernel, type MatmulEpilogue, type MatmulSpec, type MatmulTile } from '../kernels/matmul.js';
import type { WeightMask } from '../kernels/mask.js';
import { stateBindings } from '../kernels/optim.js';
import { sampleTable, supermaskSampleKernel, type SampleLayer } from '../kernels/supermask.js';
import { bnApplyKernel, bnBwdApplyKernel, bnBwdReduceKernel, bnStatsKernel, type BnShape } from '../kernels/norm.js';
import { avgpoolBwdKernel, avgpoolKernel, globalAvgpoolBwdKernel, globalAvgpoolKernel, maxpoolBwdKernel, maxpoolBwdTiledKernel, maxpoolKernel, poolTiles, type PoolShape } from '../kernels/pool.js';
import { TOPK_PASSES, topkChunkTable, topkHistogramKernel, topkLayerTable, topkPickKernel, type TopkLayer } from '../kernels/topk.js';
import { keptCount } from '../semantics/topk.js';
import type { BufferRange, PlanDispatch } from '../plan/plan.js';
import { dispatch, type EmitContext } from './context.js';

type Group<K extends KernelGroup['kind']> = Extract<KernelGroup, { kind: K }>;

function withTile(ctx: EmitContext, spec: Omit<MatmulSpec, 'tile'>): MatmulSpec {
  return { ...spec, tile: ctx.tileFor({ family: 'matmul', spec }) as MatmulTile };
}

function convShape(x: number[], w: number[], y: number[], a: { stride: number; pad: number }): ConvShape {
  const [B, Ci, H, W] = x;
  return { B, Ci, H, W, Co: w[0], K: w[2], stride: a.stride, pad: a.pad, OH: y[2], OW: y[3] };
}

export function emitMatmul(ctx: EmitContext, g: Group<'matmul'>): PlanDispatch[] {
  const { graph } = ctx;
  const shape = (id: number) => graph.tensors[id].shape;
  const m = g.main;
  const ranges: Record<string, BufferRange> = {};
  const ops = g.ops.map((o) => o.op);
  let mask: WeightMask | undefined;
  if (g.mask) {
    const mw = g.mask;
    if (mw.rule === 'topk') mask = { kind: 'topk', thrIndex: ctx.thrIndex.get(mw.info.layer)! };
    else mask = { kind: mw.rule };
    if (mw.score !== undefined) ranges.S = ctx.range(mw.score);
    if (mw.rule === 'topk') ranges.THR = ctx.thr;
    if (mw.rule === 'bits') ranges.MB = ctx.range(mw.bits!);
  }
  const weightOf = (w: number) => (g.mask ? g.mask.weight : w);
  const step = ctx.bufs.whole(ctx.data.stepUniform);
  let sgdEpilogue: Extract<MatmulEpilogue, { kind: 'optim' }> | undefined;
  if (m.op === 'linear_dw' || m.op === 'conv2d_dw') {
    const upd = g.update!;
    sgdEpilogue = { kind: 'optim', score: g.scoreGrad ? g.scoreGrad.rule : false, optim: upd.optim };
    ranges.P = ctx.range(upd.param);
    stateBindings(upd.optim).forEach((b, i) => (ranges[b] = ctx.range(upd.state[i])));
    if (g.scoreGrad) ranges.W = ranges.WF = ctx.range(g.scoreGrad.weight);
    ranges.step = step;
  }

  if (m.op === 'conv2d' || m.op === 'conv2d_dx' || m.op === 'conv2d_dw') {
    let s: ConvShape;
    let epilogue: MatmulEpilogue = { kind: 'store' };
    if (m.op === 'conv2d') {
      s = convShape(shape(m.x), shape(m.w), shape(m.y), m.attrs);
      if (g.relu) epilogue = { kind: 'relu' };
      ranges.X = ctx.range(m.x);
      ranges.W = ctx.range(weightOf(m.w));
      ranges.C = ctx.range(g.relu ? g.relu.y : m.y);
    } else if (m.op === 'conv2d_dx') {
      s = convShape(shape(m.dx), shape(m.w), shape(m.dy), m.attrs);
      if (g.reluBwd) {
        epilogue = { kind: 'relu_mask' };
        ranges.Y = ctx.range(g.reluBwd.y);
      }
      ranges.DY = ctx.range(m.dy);
      ranges.W = ctx.range(weightOf(m.w));
      ranges.C = ctx.range(g.reluBwd ? g.reluBwd.dx : m.dx);
    } else {
      s = convShape(shape(m.x), shape(m.dw), shape(m.dy), m.attrs);
      epilogue = sgdEpilogue!;
      ranges.DY = ctx.range(m.dy);
      ranges.X = ctx.range(m.x);
    }
    const pass = m.op === 'conv2d' ? 'fwd' : m.op === 'conv2d_dx' ? 'dx' : 'dw';
    const tile = ctx.tileFor({ family: 'conv', spec: { pass, shape: s, mask, epilogue } }) as ConvTile;
    const probe = convKernel({ pass, shape: s, mask, epilogue, tile });
    const splits = pass === 'dw' ? chooseSplitK(probe.M, probe.N, probe.K, tile) : 1;
    const k = splits > 1 ? convKernel({ pass, shape: s, mask, epilogue, tile, splitK: splits }) : probe;
    const name = `conv_${pass}_${s.Ci}x${s.H}x${s.W}_${s.Co}k${s.K}s${s.stride}`;
    const flops = 2 * k.M * k.N * k.K;
    if (splits === 1) return [dispatch(ctx, name, 'conv', k, ranges, k.workgroups, flops, ops)];
    ranges.PARTIAL = ctx.scratch(splits * k.M * k.N * 4);
    const r = convReduceKernel({ n: k.M * k.N, splits, epilogue: sgdEpilogue! });
    return [
      dispatch(ctx, `${name}_splitk${splits}`, 'conv', k, ranges, k.workgroups, flops, [m.op]),
      dispatch(ctx, `${name}_reduce`, 'optim', r, ranges, r.workgroups, 0, ops.filter((o) => o !== m.op)),
    ];
  }

  let spec: MatmulSpec;
  if (m.op === 'linear') {
    const [B, I] = shape(m.x);
    const O = shape(m.w)[0];
    spec = withTile(ctx, { M: B, N: O, K: I, a: 'mk', b: 'nk', mask, epilogue: g.relu ? { kind: 'relu' } : { kind: 'store' } });
    ranges.A = ctx.range(m.x);
    ranges.B = ctx.range(weightOf(m.w));
    ranges.C = ctx.range(g.relu ? g.relu.y : m.y);
  } else if (m.op === 'linear_dx') {
    const [B, O] = shape(m.dy);
    const I = shape(m.w)[1];
    if (g.reluBwd) ranges.Y = ctx.range(g.reluBwd.y);
    spec = withTile(ctx, { M: B, N: I, K: O, a: 'mk', b: 'kn', mask, epilogue: g.reluBwd ? { kind: 'relu_mask' } : { kind: 'store' } });
    ranges.A = ctx.range(m.dy);
    ranges.B = ctx.range(weightOf(m.w));
    ranges.C = ctx.range(g.reluBwd ? g.reluBwd.dx : m.dx);
  } else {
    const [B, O] = shape(m.dy);
    const I = shape(m.x)[1];
    spec = withTile(ctx, { M: O, N: I, K: B, a: 'km', b: 'kn', epilogue: sgdEpilogue! });
    ranges.A = ctx.range(m.dy);
    ranges.B = ctx.range(m.x);
    if (g.scoreGrad) ranges.W = ctx.range(g.scoreGrad.weight);
  }
  const k = matmulKernel(spec);
  return [dispatch(ctx, `${m.op}_${spec.M}x${spec.N}x${spec.K}`, 'matmul', k, ranges, k.workgroups, 2 * spec.M * spec.N * spec.K, ops)];
}

/**
 * Splits per-layer ranges (in layer order) into segments that one binding can cover: the same
 * buffer, and a span within maxStorageBufferBindingSize. Most networks are one segment; a
 * WideResNet's scores, or scores spilled over several buffers, are several.
 */
function segments(ranges: BufferRange[], limit: number): { first: number; end: number; span: BufferRange }[] {
  const out: { first: number; end: number; span: BufferRange }[] = [];
  let first = 0;
  for (let i = 1; i <= ranges.length; i++) {
    const lo = ranges[first];
    const cur = ranges[i];
    const fits = cur && cur.buffer === lo.buffer && cur.offset + cur.size - lo.offset <= limit;
    if (!fits) {
      const last = ranges[i - 1];
      out.push({ first, end: i, span: { buffer: lo.buffer, offset: lo.offset, size: last.offset + last.size - lo.offset } });
      first = i;
    }
  }
  return out;
}

export function emitTopk(ctx: EmitContext, g: Group<'topk'>): PlanDispatch[] {
  const { graph } = ctx;
  const scoreRanges = g.topk.map((o) => ctx.range(o.score));
  const out: PlanDispatch[] = [];
  for (const seg of segments(scoreRanges, ctx.bufs.limits.maxStorageBufferBindingSize)) {
    // One radix select per segment; layer offsets are in elements from the segment's start.
    const ops = g.topk.slice(seg.first, seg.end);
    const layers: TopkLayer[] = ops.map((o, k) => {
      const n = numel(graph.tensors[o.score].shape);
      return { n, kept: keptCount(n, o.keep), offset: (scoreRanges[seg.first + k].offset - seg.span.offset) / 4, slot: ctx.thrIndex.get(o.info.layer)! };
    });
    const chunks = topkChunkTable(layers);
    const chunkTable = ctx.bufs.table('topk_chunks', chunks);
    const layerTable = ctx.bufs.table('topk_layers', topkLayerTable(layers));
    const nChunks = chunks.length / 3;
    for (let p = 0; p < TOPK_PASSES; p++) {
      const k = topkHistogramKernel(p);
      const ranges = { S: seg.span, HIST: ctx.hist, CHUNKS: ctx.bufs.whole(chunkTable), LAYERS: ctx.bufs.whole(layerTable) };
      out.push(dispatch(ctx, `topk_hist${p}`, 'topk', k, ranges, [nChunks, 1, 1], 0, [`topk_threshold ×${layers.length} (histogram ${p})`]));
    }
    const k = topkPickKernel();
    const ranges = { S: seg.span, HIST: ctx.hist, LAYERS: ctx.bufs.whole(layerTable), THR: ctx.thr };
    out.push(dispatch(ctx, 'topk_pick', 'topk', k, ranges, [layers.length, 1, 1], 0, [`topk_threshold ×${layers.length} (pick)`]));
  }
  return out;
}

export function emitSample(ctx: EmitContext, g: Group<'sample'>): PlanDispatch[] {
  const { graph } = ctx;
  const scores = g.sample.map((o) => ctx.range(o.score));
  const bits = g.sample.map((o) => ctx.range(o.bits));
  const limit = ctx.bufs.limits.maxStorageBufferBindingSize;
  const out: PlanDispatch[] = [];
  // Segments where both the scores and the bits of consecutive layers share one binding each.
  for (const sseg of segments(scores, limit)) {
    for (const bseg of segments(bits.slice(sseg.first, sseg.end), limit)) {
      const first = sseg.first + bseg.first;
      const end = sseg.first + bseg.end;
      const S = { buffer: scores[first].buffer, offset: scores[first].offset, size: scores[end - 1].offset + scores[end - 1].size - scores[first].offset };
      const MB = bseg.span;
      const ops = g.sample.slice(first, end);
      const layers: SampleLayer[] = ops.map((o, k) => ({
        n: numel(graph.tensors[o.score].shape),
        scoreOffset: (scores[first + k].offset - S.offset) / 4,
        bitsOffset: (bits[first + k].offset - MB.offset) / 4,
        layer: o.info.index,
      }));
      const { words, total } = sampleTable(layers);
      const table = ctx.bufs.table('supermask_layers', words);
      const evalMode = ops[0].eval;
      const k = supermaskSampleKernel(layers.length, total, evalMode);
      const ranges = { S, MB, TABLE: ctx.bufs.whole(table), step: ctx.bufs.whole(ctx.data.stepUniform) };
      out.push(dispatch(ctx, `supermask_sample${evalMode ? '_eval' : ''}`, 'mask', k, ranges, k.workgroups, 0, [`supermask_sample ×${layers.length}`]));
    }
  }
  return out;
}

function poolShape(x: number[], y: number[], a: { kernel: number; stride: number; pad: number }): PoolShape {
  const [B, C, H, W] = x;
  return { B, C, H, W, K: a.kernel, stride: a.stride, pad: a.pad, OH: y[2], OW: y[3] };
}

export function emitPool(ctx: EmitContext, g: Group<'pool'>): PlanDispatch {
  const o = g.op;
  const x = ctx.graph.tensors[o.x].shape;
  const y = ctx.graph.tensors[o.y].shape;
  const ranges = { X: ctx.range(o.x), Y: ctx.range(o.y) };
  if (o.op === 'global_avgpool') {
    const k = globalAvgpoolKernel(x[0] * x[1], x[2] * x[3]);
    return dispatch(ctx, `gap_${x.slice(1).join('x')}`, 'pool', k, ranges, k.workgroups, 0, ['global_avgpool']);
  }
  const s = poolShape(x, y, o.attrs);
  const k = o.op === 'maxpool' ? maxpoolKernel(s) : avgpoolKernel(s);
  return dispatch(ctx, `${o.op}_${s.C}x${s.H}x${s.W}_k${s.K}s${s.stride}`, 'pool', k, ranges, k.workgroups, 0, [o.op]);
}

export function emitPoolBwd(ctx: EmitContext, g: Group<'pool_bwd'>): PlanDispatch {
  const o = g.op;
  const dx = ctx.graph.tensors[o.dx].shape;
  const dy = ctx.graph.tensors[o.dy].shape;
  const ranges: Record<string, BufferRange> = { DY: ctx.range(o.dy), DX: ctx.range(g.reluBwd ? g.reluBwd.dx : o.dx) };
  const ops = g.ops.map((x) => x.op);
  if (o.op === 'global_avgpool_bwd') {
    const k = globalAvgpoolBwdKernel(dx[0] * dx[1], dx[2] * dx[3]);
    return dispatch(ctx, `gap_bwd_${dx.slice(1).join('x')}`, 'pool', k, ranges, k.workgroups, 0, ops);
  }
  const s = poolShape(dx, dy, o.attrs);
  if (o.op === 'maxpool_bwd') {
    ranges.X = ctx.range(o.x);
    const k = ctx.cpu && poolTiles(s) ? maxpoolBwdTiledKernel(s, !!g.reluBwd) : maxpoolBwdKernel(s, !!g.reluBwd);
    return dispatch(ctx, `maxpool_bwd_${s.C}x${s.H}x${s.W}_k${s.K}s${s.stride}`, 'pool', k, ranges, k.workgroups, 0, ops);
  }
  const k = avgpoolBwdKernel(s);
  return dispatch(ctx, `avgpool_bwd_${s.C}x${s.H}x${s.W}_k${s.K}s${s.stride}`, 'pool', k, ranges, k.workgroups, 0, ops);
}

function bnShape(ctx: EmitContext, x: number, eps: number, momentum: number): BnShape {
  const [B, C, ...rest] = ctx.graph.tensors[x].shape;
  return { B, C, HW: numel(rest), eps, momentum };
}

export function emitBatchnorm(ctx: EmitContext, g: Group<'batchnorm'>): PlanDispatch[] {
  const o = g.op;
  const s = bnShape(ctx, o.x, o.eps, o.momentum);
  const affine = o.gamma !== undefined;
  const step = ctx.bufs.whole(ctx.data.stepUniform);
  const ranges: Record<string, BufferRange> = {
    X: ctx.range(o.x),
    Y: ctx.range(g.relu ? g.relu.y : o.y),
    RUN_MEAN: ctx.range(o.runMean),
    RUN_VAR: ctx.range(o.runVar),
    step,
  };
  if (affine) {
    ranges.GAMMA = ctx.range(o.gamma!);
    ranges.BETA = ctx.range(o.beta!);
  }
  const ops = g.ops.map((x) => x.op);
  const apply = bnApplyKernel(s, { train: o.train, affine, relu: !!g.relu });
  const name = `bn_${s.C}x${s.HW}`;
  if (!o.train) return [dispatch(ctx, `${name}_eval`, 'norm', apply, ranges, apply.workgroups, 0, ops)];
  ranges.STATS = ctx.range(o.stats!);
  const stats = bnStatsKernel(s);
  return [
    dispatch(ctx, `${name}_stats`, 'norm', stats, ranges, stats.workgroups, 0, ['batchnorm (statistics)']),
    dispatch(ctx, `${name}_apply`, 'norm', apply, ranges, apply.workgroups, 0, ops),
  ];
}

export function emitBatchnormBwd(ctx: EmitContext, g: Group<'batchnorm_bwd'>): PlanDispatch[] {
  const o = g.op;
  const C = ctx.graph.tensors[o.stats].shape[1];
  const s = bnShape(ctx, o.x, 0, 0);
  const affine = o.dgamma !== undefined;
  const dy = g.reluBwd ? g.reluBwd.dy : o.dy;
  const ranges: Record<string, BufferRange> = {
    DY: ctx.range(dy),
    X: ctx.range(o.x),
    STATS: ctx.range(o.stats),
    RED: ctx.scratch(3 * C * 4),
    DX: ctx.range(o.dx),
    step: ctx.bufs.whole(ctx.data.stepUniform),
  };
  if (g.reluBwd) ranges.YR = ctx.range(g.reluBwd.y);
  let update;
  if (affine) {
    const ug = g.updGamma!;
    const ub = g.updBeta!;
    update = ug.optim;
    ranges.GAMMA = ctx.range(o.gamma!);
    ranges.BETA = ctx.range(ub.param);
    stateBindings(ug.optim).forEach((b, i) => {
      ranges[`${b}GAMMA`] = ctx.range(ug.state[i]);
      ranges[`${b}BETA`] = ctx.range(ub.state[i]);
    });
  }
  const reduce = bnBwdReduceKernel(s, { affine, reluMask: !!g.reluBwd, update });
  const apply = bnBwdApplyKernel(s, { affine, reluMask: !!g.reluBwd });
  const ops = g.ops.map((x) => x.op);
  return [
    dispatch(ctx, `bn_bwd_${s.C}x${s.HW}_sums`, 'norm', reduce, ranges, reduce.workgroups, 0, ops.filter((x) => x !== 'relu_bwd' || !!g.reluBwd)),
    dispatch(ctx, `bn_bwd_${s.C}x${s.HW}_apply`, 'norm', apply, ranges, apply.workgroups, 0, ['batchnorm_bwd (dx)']),
  ];
}

export function emitElementwise(ctx: EmitContext, g: Group<'elementwise'>): PlanDispatch {
  const o = g.op;
  let kind: ElementwiseOp;
  let ranges: Record<string, BufferRange>;
  let n: number;
  if (o.op === 'add') {
    kind = g.relu ? 'add_relu' : 'add';
    ranges = { A: ctx.range(o.a), B: ctx.range(o.b), Y: ctx.range(g.relu ? g.relu.y : o.y) };
    n = numel(ctx.graph.tensors[o.y].shape);
  } else if (o.op === 'relu') {
    kind = 'relu';
    ranges = { A: ctx.range(o.x), Y: ctx.range(o.y) };
    n = numel(ctx.graph.tensors[o.y].shape);
  } else {
    kind = 'relu_bwd';
    ranges = { A: ctx.range(o.dy), B: ctx.range(o.y), Y: ctx.range(o.dx) };
    n = numel(ctx.graph.tensors[o.dx].shape);
  }
  const k = elementwiseKernel(kind, n);
  return dispatch(ctx, `${kind}_${n}`, 'elementwise', k, ranges, k.workgroups, 0, g.ops.map((x) => x.op));
}
