// Kernel groups → WGSL kernels and dispatches with their buffer ranges.
import type { RunConfig } from '../config.js';
import type { KernelGroup } from '../fuse.js';
import type { Graph } from '../ir/graph.js';
import { numel } from '../ir/graph.js';
import { loadBatchKernel, shardBinding, shardImages } from '../kernels/data.js';
import { xentKernel } from '../kernels/loss.js';
import { matmulKernel, type MatmulEpilogue, type MatmulSpec, type MatmulTile } from '../kernels/matmul.js';
import { topkChunkTable, topkHistogramKernel, topkLayerTable, topkPickKernel, type TopkLayer } from '../kernels/topk.js';
import { keptCount } from '../topk.js';
import { datasetSizes, storedShape } from '../data.js';
import type { BufferRange, Plan, PlanDispatch, PlanKernel } from '../plan.js';
import type { Buffers } from './alloc.js';

export interface EmitContext {
  cfg: RunConfig;
  graph: Graph;
  tile: MatmulTile;
  bufs: Buffers;
  /** Index of each edge-popup layer in the thresholds and histograms buffers. */
  thrIndex: Map<string, number>;
  range(t: number): BufferRange;
  thr: BufferRange;
  hist: BufferRange;
  metrics: { train: BufferRange; test: BufferRange };
  data: { trainImages: number; trainLabels: number; testImages: number; testLabels: number; permutation: number; stepUniform: number };
  kernel(k: PlanKernel): number;
}

type Generated = { wgsl: string; bindings: string[]; layout: PlanKernel['layout']; workgroupSize: [number, number, number] };

function dispatch(
  ctx: EmitContext,
  name: string,
  family: string,
  k: Generated,
  ranges: Record<string, BufferRange>,
  workgroups: [number, number, number],
  flops: number,
  ops: string[],
): PlanDispatch {
  const kernel = ctx.kernel({ name, family, wgsl: k.wgsl, workgroupSize: k.workgroupSize, layout: k.layout });
  const bindings = k.bindings.map((b) => {
    const r = ranges[b];
    if (!r) throw new Error(`internal: kernel ${name} binding ${b} has no range`);
    return r;
  });
  return { kernel, bindings, workgroups, flops, ops };
}

export function emitGroup(ctx: EmitContext, g: KernelGroup): PlanDispatch[] {
  const { graph } = ctx;
  const T = (id: number) => graph.tensors[id];
  const step = ctx.bufs.whole(ctx.data.stepUniform);
  switch (g.kind) {
    case 'load_batch': {
      const d = ctx.cfg.data;
      const train = g.op.split === 'train';
      const stored = storedShape(d);
      // Shards of the image buffer (one unless it is over the binding limit); the other
      // bindings are the labels, the permutation (train), X and the labels out.
      const shards = shardImages(ctx.bufs, ctx.data as Plan['data'], g.op.split, datasetSizes(d)[g.op.split], numel(stored), train ? 4 : 3);
      const k = loadBatchKernel({
        batch: graph.batch,
        stored,
        out: T(g.op.x).shape.slice(1),
        normalize: d.normalize,
        shuffled: train,
        shards: shards.buffers.length,
        imagesPerShard: shards.imagesPerShard,
        augment: train ? d.augment : [],
      });
      const ranges: Record<string, BufferRange> = {
        LABELS_IN: ctx.bufs.whole(train ? ctx.data.trainLabels : ctx.data.testLabels),
        PERM: ctx.bufs.whole(ctx.data.permutation),
        X: ctx.range(g.op.x),
        LABELS: ctx.range(g.op.labels),
        step,
      };
      shards.buffers.forEach((b, s) => (ranges[shardBinding(s)] = ctx.bufs.whole(b)));
      return [dispatch(ctx, `load_${g.op.split}`, 'data', k, ranges, k.workgroups, 0, ['load_batch'])];
    }
    case 'topk':
      return emitTopk(ctx, g);
    case 'xent': {
      const [B, C] = T(g.op.logits).shape;
      const k = xentKernel({ batch: B, classes: C, smoothing: g.op.smoothing, writeGrad: g.op.train });
      const ranges: Record<string, BufferRange> = {
        Z: ctx.range(g.op.logits),
        LABELS: ctx.range(g.op.labels),
        METRICS: g.op.train ? ctx.metrics.train : ctx.metrics.test,
        step,
      };
      if (g.op.train) ranges.DZ = ctx.range(g.op.dlogits);
      return [dispatch(ctx, 'softmax_xent', 'loss', k, ranges, [1, 1, 1], 0, ['softmax_xent'])];
    }
    case 'matmul':
      return [emitMatmul(ctx, g)];
  }
}

function emitMatmul(ctx: EmitContext, g: Extract<KernelGroup, { kind: 'matmul' }>): PlanDispatch {
  const { graph } = ctx;
  const shape = (id: number) => graph.tensors[id].shape;
  const m = g.main;
  let spec: MatmulSpec;
  const ranges: Record<string, BufferRange> = {};
  const ops: string[] = [m.op];
  let epilogue: MatmulEpilogue = { kind: 'store' };
  const mask = g.mask ? { thrIndex: ctx.thrIndex.get(g.mask.info.layer)! } : undefined;
  if (g.mask) {
    ranges.S = ctx.range(g.mask.score);
    ranges.THR = ctx.thr;
    ops.unshift('mask_weight');
  }
  const weightOf = (w: number) => (g.mask ? g.mask.weight : w);
  if (m.op === 'linear') {
    const [B, I] = shape(m.x);
    const O = shape(m.w)[0];
    if (g.relu) {
      epilogue = { kind: 'relu' };
      ops.push('relu');
    }
    spec = { M: B, N: O, K: I, a: 'mk', b: 'nk', mask, epilogue, tile: ctx.tile };
    ranges.A = ctx.range(m.x);
    ranges.B = ctx.range(weightOf(m.w));
    ranges.C = ctx.range(g.relu ? g.relu.y : m.y);
  } else if (m.op === 'linear_dx') {
    const [B, O] = shape(m.dy);
    const I = shape(m.w)[1];
    if (g.reluBwd) {
      epilogue = { kind: 'relu_mask' };
      ranges.Y = ctx.range(g.reluBwd.y);
      ops.push('relu_bwd');
    }
    spec = { M: B, N: I, K: O, a: 'mk', b: 'kn', mask, epilogue, tile: ctx.tile };
    ranges.A = ctx.range(m.dy);
    ranges.B = ctx.range(weightOf(m.w));
    ranges.C = ctx.range(g.reluBwd ? g.reluBwd.dx : m.dx);
  } else {
    const [B, O] = shape(m.dy);
    const I = shape(m.x)[1];
    const sgd = g.sgd!;
    epilogue = { kind: 'sgd', score: !!g.scoreGrad, momentum: sgd.momentum, nesterov: sgd.nesterov, weightDecay: sgd.weightDecay };
    if (g.scoreGrad) {
      ops.push('score_grad');
      ranges.W = ctx.range(g.scoreGrad.weight);
    }
    ops.push('sgd_update');
    spec = { M: O, N: I, K: B, a: 'km', b: 'kn', epilogue, tile: ctx.tile };
    ranges.A = ctx.range(m.dy);
    ranges.B = ctx.range(m.x);
    ranges.P = ctx.range(sgd.param);
    ranges.V = ctx.range(sgd.velocity);
    ranges.step = ctx.bufs.whole(ctx.data.stepUniform);
  }
  const k = matmulKernel(spec);
  const name = `${m.op}_${spec.M}x${spec.N}x${spec.K}`;
  return dispatch(ctx, name, 'matmul', k, ranges, k.workgroups, 2 * spec.M * spec.N * spec.K, ops);
}

function emitTopk(ctx: EmitContext, g: Extract<KernelGroup, { kind: 'topk' }>): PlanDispatch[] {
  const { graph } = ctx;
  // All scores form one contiguous range; layer offsets are in elements from its start.
  const scoreRanges = g.ops.map((o) => ctx.range(o.score));
  const buffer = scoreRanges[0].buffer;
  if (scoreRanges.some((r) => r.buffer !== buffer)) {
    throw new Error('internal: scores span several buffers; the radix select needs one range');
  }
  const base = scoreRanges[0].offset;
  const end = Math.max(...scoreRanges.map((r) => r.offset + r.size));
  const layers: TopkLayer[] = g.ops.map((o, i) => {
    const n = numel(graph.tensors[o.score].shape);
    if (ctx.thrIndex.get(o.info.layer) !== i) throw new Error('internal: threshold order mismatch');
    return { n, kept: keptCount(n, o.keep), offset: (scoreRanges[i].offset - base) / 4 };
  });
  const chunks = topkChunkTable(layers);
  const chunkTable = ctx.bufs.table('topk_chunks', chunks);
  const layerWords = topkLayerTable(layers);
  const layerTable = ctx.bufs.table('topk_layers', layerWords);
  const S = { buffer, offset: base, size: end - base };
  const out: PlanDispatch[] = [];
  const nChunks = chunks.length / 3;
  for (let p = 0; p < 4; p++) {
    const k = topkHistogramKernel(p);
    out.push(
      dispatch(ctx, `topk_hist${p}`, 'topk', k, { S, HIST: ctx.hist, CHUNKS: ctx.bufs.whole(chunkTable), LAYERS: ctx.bufs.whole(layerTable) }, [nChunks, 1, 1], 0, [
        `topk_threshold ×${layers.length} (histogram ${p})`,
      ]),
    );
  }
  const k = topkPickKernel();
  out.push(
    dispatch(ctx, 'topk_pick', 'topk', k, { S, HIST: ctx.hist, LAYERS: ctx.bufs.whole(layerTable), THR: ctx.thr }, [layers.length, 1, 1], 0, [
      `topk_threshold ×${layers.length} (pick)`,
    ]),
  );
  return out;
}
