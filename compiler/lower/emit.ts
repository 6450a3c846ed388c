// Kernel groups → WGSL kernels and dispatches with their buffer ranges.
import type { KernelGroup } from '../fuse/fuse.js';
import { numel } from '../ir/graph.js';
import { loadBatchKernel, shardBinding, shardImages } from '../kernels/data.js';
import { maskPackKernel } from '../kernels/mask-pack.js';
import type { WeightMask } from '../kernels/mask.js';
import { xentKernel } from '../kernels/loss.js';
import { isStreamed, residentSizes, storedShape } from '../semantics/data.js';
import type { BufferRange, PlanDispatch } from '../plan/plan.js';
import { dispatch, type EmitContext } from './context.js';
import { emitMatmul, emitTopk, emitSample, emitPool, emitPoolBwd, emitBatchnorm, emitBatchnormBwd, emitElementwise } from './emit-ops.js';

export type { EmitContext };

export function emitGroup(ctx: EmitContext, g: KernelGroup): PlanDispatch[] {
  const { graph } = ctx;
  const T = (id: number) => graph.tensors[id];
  const step = ctx.bufs.whole(ctx.data.stepUniform);
  switch (g.kind) {
    case 'load_batch': {
      const d = ctx.cfg.data;
      const train = g.op.split === 'train';
      const stored = storedShape(d);
      // Streamed batches arrive in order and already augmented (the host drew both).
      const streamed = isStreamed(d);
      const shuffled = train && !streamed;
      // Shards of the image buffer (one unless it is over the binding limit); the other
      // bindings are the labels, the permutation (train), X and the labels out.
      const resident = residentSizes(d, ctx.cfg.train.batch, ctx.cfg.train.evalBatch)[g.op.split];
      const shards = shardImages(ctx.bufs, ctx.data, g.op.split, resident, numel(stored), shuffled ? 4 : 3);
      const k = loadBatchKernel({
        batch: graph.batch,
        stored,
        out: T(g.op.x).shape.slice(1),
        normalize: d.normalize,
        shuffled,
        shards: shards.buffers.length,
        imagesPerShard: shards.imagesPerShard,
        augment: shuffled ? d.augment : [],
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
    case 'mask_pack': {
      const mw = g.op;
      const mask: WeightMask = mw.rule === 'topk' ? { kind: 'topk', thrIndex: ctx.thrIndex.get(mw.info.layer)! } : { kind: mw.rule };
      const n = numel(T(mw.weight).shape);
      const k = maskPackKernel(mask, n);
      const ranges: Record<string, BufferRange> = { W: ctx.range(mw.weight), WE: ctx.range(mw.out) };
      if (mw.score !== undefined) ranges.S = ctx.range(mw.score);
      if (mw.rule === 'topk') ranges.THR = ctx.thr;
      if (mw.rule === 'bits') ranges.MB = ctx.range(mw.bits!);
      return [dispatch(ctx, `mask_pack_${mw.info.layer}`, 'pack', k, ranges, k.workgroups, 0, ['mask_weight'])];
    }
    case 'sample':
      return emitSample(ctx, g);
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
      return emitMatmul(ctx, g);
    case 'pool':
      return [emitPool(ctx, g)];
    case 'pool_bwd':
      return [emitPoolBwd(ctx, g)];
    case 'batchnorm':
      return emitBatchnorm(ctx, g);
    case 'batchnorm_bwd':
      return emitBatchnormBwd(ctx, g);
    case 'elementwise':
      return [emitElementwise(ctx, g)];
  }
}
