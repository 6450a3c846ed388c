// RunConfig → Plan: build the train and eval graphs, fuse them, place every tensor, generate the
// WGSL of every kernel (deduplicated: identical text is one pipeline) and the dispatch lists.
import type { LayerMask, RunConfig } from '../plan/config.js';
import { buildEvalGraph, buildTrainGraph } from '../autodiff/autodiff.js';
import { fuse, unfusedDispatches } from '../fuse/fuse.js';
import { numel, type Graph, type GraphWeight } from '../ir/graph.js';
import { weightLayers } from '../ir/build.js';
import { scoreDraw, weightDraw } from '../semantics/init.js';
import { initKernel, initRecord, initWorkgroups } from '../kernels/init.js';
import { Stream } from '../semantics/philox.js';
import type { MatmulTile } from '../kernels/matmul.js';
import type { ConvTile } from '../kernels/conv.js';
import { broadcastApplies, defaultTile, tileKey, type TileRequest } from '../kernels/tiles.js';
import { TOPK_HIST_WORDS } from '../kernels/topk.js';
import { keptCount } from '../semantics/topk.js';
import { stepSchedule } from '../semantics/schedule.js';
import { datasetSizes, residentSizes, storedShape } from '../semantics/data.js';
import type { BufferRange, LayerStats, Plan, PlanDispatch, PlanKernel, PlanTensor, PlanTuning, TargetLimits } from '../plan/plan.js';
import { STEP_UNIFORM_BYTES } from '../plan/plan.js';
import { Buffers, LowerError, Persistent, planTransients, tensorBytes } from './alloc.js';
import { emitGroup } from './emit.js';
import type { EmitContext } from './context.js';

export { LowerError };

export interface LowerOptions {
  /** Tuned tiles by kernel key (compiler/kernels/tiles.ts); missing keys take the defaults. */
  tiles?: Record<string, MatmulTile | ConvTile>;
  /** Called with every tile request, for the autotuner to learn what to measure. */
  onTile?(r: TileRequest, key: string): void;
  /** Force one tile for every matmul / every convolution (tests). */
  tile?: MatmulTile;
  convTile?: ConvTile;
  /** Training steps the default tiles are chosen for (default: the run's epochs × steps per epoch). */
  tileSteps?: number;
  /**
   * Pack masked weights once per step instead of testing the mask in every matmul/conv loader:
   * true for every masked layer, false for none; default: on CPU adapters for layers of at least
   * PACK_MIN_WEIGHTS weights, never on GPUs (compiler/kernels/mask-pack.ts says why).
   */
  packMasks?: boolean;
  /**
   * List the training step's transient tensors in plan.tensors too (kind 'arena'), for tests
   * and debugging. Their bytes are only meaningful right after a step, and only until another
   * tensor reuses the range.
   */
  exposeTransients?: boolean;
}

/** Masked layers with at least this many weights are packed once per step on CPU adapters. */
export const PACK_MIN_WEIGHTS = 16384;

/** Training steps of the whole run. */
export function trainSteps(cfg: RunConfig): number {
  return cfg.train.epochs * Math.ceil(datasetSizes(cfg.data).train / cfg.train.batch);
}

export function lower(cfg: RunConfig, runId: string, limits: TargetLimits, opts: LowerOptions = {}): Plan {
  const train = buildTrainGraph(cfg);
  const evalG = buildEvalGraph(cfg);
  // By default CPU adapters pack, from PACK_MIN_WEIGHTS up: a small layer's pack would cost a
  // dispatch (~0.1 ms on lavapipe) for little, its readers load few weights.
  const fuseOpts = (g: Graph) => ({
    packMask: (m: { weight: number }) =>
      opts.packMasks ?? (limits.adapterClass === 'cpu' && numel(g.tensors[m.weight].shape) >= PACK_MIN_WEIGHTS),
  });
  const trainGroups = fuse(train, fuseOpts(train));
  const evalGroups = fuse(evalG, fuseOpts(evalG));

  const bufs = new Buffers(limits);
  const persistent = new Persistent(bufs);
  // Scores first and contiguous: the multi-layer radix select binds them as one range.
  for (const w of train.weights) if (w.score !== undefined) persistent.place(train.tensors[w.score]);
  // Mask bits next, contiguous too (the supermask sampler writes them as one range).
  for (const g of [train, evalG]) for (const t of g.tensors) if (t.dtype === 'u32' && (t.role === 'fixed_mask' || t.name.endsWith('.mask_bits'))) persistent.place(t);
  for (const g of [train, evalG])
    for (const t of g.tensors) if (t.kind === 'param' || (t.kind === 'state' && t.dtype === 'f32' && !t.name.startsWith('metrics'))) persistent.place(t);

  const masked = train.weights.filter((w) => w.info.mask.kind === 'edge_popup');
  const thr = bufs.add({ name: 'thresholds', size: Math.max(16, 16 * masked.length), role: 'state' });
  const hist = bufs.add({ name: 'histograms', size: Math.max(16, 4 * TOPK_HIST_WORDS * masked.length), role: 'state' });
  const metricsBuf = bufs.add({ name: 'metrics', size: 2 * bufs.align, role: 'state' });
  const metrics = { train: { buffer: metricsBuf, offset: 0, size: 16 }, test: { buffer: metricsBuf, offset: bufs.align, size: 16 } };

  // Streamed data (images decoded on the host) holds one batch per split on the device.
  const sizes = residentSizes(cfg.data, cfg.train.batch, cfg.train.evalBatch);
  const runSteps = opts.tileSteps ?? trainSteps(cfg);
  const stored = storedShape(cfg.data);
  const imageBytes = numel(stored);
  const dataBuf = (name: string, bytes: number) => bufs.add({ name, size: Math.max(16, Math.ceil(bytes / 4) * 4), role: 'data' });
  const data = {
    trainImages: dataBuf('train_images', sizes.train * imageBytes),
    trainLabels: dataBuf('train_labels', sizes.train * 4),
    testImages: dataBuf('test_images', sizes.test * imageBytes),
    testLabels: dataBuf('test_labels', sizes.test * 4),
    permutation: dataBuf('permutation', sizes.train * 4),
    stepUniform: bufs.add({ name: 'step', size: STEP_UNIFORM_BYTES, role: 'uniform' }),
  };
  // Image buffers over the binding limit are split into shards by the load_batch emitter.

  const trainArena = planTransients(train, trainGroups, bufs.align, limits.maxBufferSize);
  const evalArena = planTransients(evalG, evalGroups, bufs.align, limits.maxBufferSize);
  for (const [g, a] of [
    [train, trainArena],
    [evalG, evalArena],
  ] as const) {
    for (const id of a.offsets.keys()) {
      const t = g.tensors[id];
      const bytes = tensorBytes(t);
      if (bytes > limits.maxStorageBufferBindingSize) {
        throw new LowerError(
          'E0601',
          `binding \`${t.name}\` needs ${bytes} bytes (shape [${t.shape.join(', ')}]), over this adapter's maxStorageBufferBindingSize of ${limits.maxStorageBufferBindingSize} bytes; use a smaller batch`,
          t.layer,
        );
      }
    }
  }
  // One arena buffer per bin of the packing (more than one only past maxBufferSize); the train
  // and eval steps share them.
  const arenas: number[] = [];
  const binCount = Math.max(trainArena.sizes.length, evalArena.sizes.length, 1);
  for (let b = 0; b < binCount; b++) {
    const size = Math.max(16, trainArena.sizes[b] ?? 0, evalArena.sizes[b] ?? 0);
    arenas.push(bufs.add({ name: b === 0 ? 'arena' : `arena${b}`, size, role: 'arena' }));
  }

  // One scratch buffer serves every group's temporaries (split-K partials, reduction sums):
  // a group's scratch lives only between its own consecutive dispatches.
  const scratch = bufs.add({ name: 'scratch', size: 16, role: 'arena' });
  const kernels: PlanKernel[] = [];
  const kernelIndex = new Map<string, number>();
  const tuning: PlanTuning = { steps: Number.isFinite(runSteps) ? runSteps : null, requests: {}, tiles: {} };
  const ctx = (graph: Graph, packing: { offsets: Map<number, number>; bins: Map<number, number> }): EmitContext => ({
    cfg,
    graph,
    tileFor(r: TileRequest) {
      const key = tileKey(r);
      opts.onTile?.(r, key);
      let tile: MatmulTile | ConvTile;
      if (r.family === 'matmul' && opts.tile) tile = opts.tile;
      else if (r.family === 'conv' && opts.convTile) tile = opts.convTile;
      else {
        const lanes = limits.subgroupSize;
        tile = opts.tiles?.[key] ?? defaultTile(r, limits.adapterClass ?? 'gpu', runSteps, lanes);
        // A recorded broadcast tile needs the subgroups this device may not have.
        if ((tile as ConvTile).broadcast && !broadcastApplies(r, limits.adapterClass ?? 'gpu', lanes)) tile = defaultTile(r, limits.adapterClass ?? 'gpu', runSteps, lanes);
      }
      tuning.requests[key] = r;
      tuning.tiles[key] = tile;
      return tile;
    },
    bufs,
    scratch(bytes: number): BufferRange {
      bufs.list[scratch].size = Math.max(bufs.list[scratch].size, Math.ceil(bytes / 4) * 4);
      return { buffer: scratch, offset: 0, size: bytes };
    },
    thrIndex: new Map(masked.map((w, i) => [w.info.layer, i])),
    cpu: limits.adapterClass === 'cpu',
    range(t: number): BufferRange {
      const tensor = graph.tensors[graph.tensors[t].aliasOf ?? t];
      if (tensor.kind === 'param' || tensor.kind === 'state') return persistent.byName.get(tensor.name)!.range;
      const off = packing.offsets.get(tensor.id);
      if (off === undefined) throw new Error(`internal: ${tensor.name} has no place`);
      return { buffer: arenas[packing.bins.get(tensor.id)!], offset: off, size: tensorBytes(graph.tensors[t]) };
    },
    thr: bufs.whole(thr),
    hist: bufs.whole(hist),
    metrics,
    data,
    kernel(k): number {
      const have = kernelIndex.get(k.wgsl);
      if (have !== undefined) return have;
      kernels.push(k);
      kernelIndex.set(k.wgsl, kernels.length - 1);
      return kernels.length - 1;
    },
  });
  const trainCtx = ctx(train, trainArena);
  const evalCtx = ctx(evalG, evalArena);
  const trainStep = trainGroups.flatMap((g) => emitGroup(trainCtx, g));
  const evalStep = evalGroups.flatMap((g) => emitGroup(evalCtx, g));
  const init = initDispatches(cfg, train, persistent, bufs, trainCtx.kernel);

  const tensors: PlanTensor[] = [...persistent.byName.values()];
  if (opts.exposeTransients) {
    for (const id of trainArena.offsets.keys()) {
      const t = train.tensors[id];
      tensors.push({ name: t.name, shape: t.shape, dtype: t.dtype, range: trainCtx.range(id), kind: 'arena', layer: t.layer });
    }
  }
  masked.forEach((w, i) =>
    tensors.push({ name: `${w.info.layer}.threshold`, shape: [4], dtype: 'u32', range: { buffer: thr, offset: 16 * i, size: 16 }, kind: 'state', layer: w.info.layer }),
  );
  const plan: Plan = {
    format: 1,
    runId,
    config: cfg,
    target: limits,
    buffers: bufs.list,
    kernels,
    phases: { init, trainStep, evalStep },
    tensors,
    data,
    metrics,
    schedule: stepSchedule(cfg),
    weightLayers: weightLayers(cfg.model.layers),
    tuning,
    stats: stats(cfg, train, trainStep, evalStep, trainArena, bufs),
  };
  return plan;
}

function initDispatches(cfg: RunConfig, train: Graph, persistent: Persistent, bufs: Buffers, kernel: EmitContext['kernel']): PlanDispatch[] {
  const k = initKernel();
  const ki = kernel({ name: 'init', family: 'init', wgsl: k.wgsl, workgroupSize: k.workgroupSize, layout: k.layout });
  const recordBytes = Math.max(32, bufs.align);
  const records: number[] = [];
  const jobs: ({ tensor: number; w: GraphWeight; role: 'weight' | 'score' } | { tensor: number; value: number })[] = [];
  for (const w of train.weights) {
    jobs.push({ tensor: w.weight, w, role: 'weight' });
    if (w.score !== undefined) jobs.push({ tensor: w.score, w, role: 'score' });
  }
  // Other persistent tensors start at zero, except those with an initial value (running
  // variance and γ start at 1, as in PyTorch).
  for (const t of train.tensors) if (t.kind === 'param' && t.initValue !== undefined && t.initValue !== 0) jobs.push({ tensor: t.id, value: t.initValue });
  const table = bufs.add({ name: 'init_table', size: Math.max(16, jobs.length * recordBytes), role: 'table' });
  const out: PlanDispatch[] = [];
  jobs.forEach((j, n) => {
    const t = train.tensors[j.tensor];
    const count = numel(t.shape);
    let rec: number[];
    if ('value' in j) {
      rec = initRecord({ kind: 'constant', scale: Math.fround(j.value) }, 0, 0, count, cfg.seed);
    } else {
      const i = j.w.info;
      const keep = i.mask.kind === 'edge_popup' ? i.mask.keep : 1;
      const p = j.role === 'weight' ? weightDraw(i.init, i.fanIn, i.fanOut, keep) : scoreDraw(i.scoreInit, i.fanIn);
      rec = initRecord(p, i.index, j.role === 'weight' ? Stream.weights : Stream.scores, count, cfg.seed);
    }
    const base = (n * recordBytes) / 4;
    for (let q = 0; q < rec.length; q++) records[base + q] = rec[q];
    out.push({
      kernel: ki,
      bindings: [persistent.byName.get(t.name)!.range, { buffer: table, offset: n * recordBytes, size: 32 }],
      workgroups: initWorkgroups(count),
      flops: 0,
      ops: [`init ${t.name}`],
    });
  });
  const words = bufs.list[table].size / 4;
  bufs.list[table].data = Array.from({ length: words }, (_, q) => records[q] ?? 0);
  return out;
}

function stats(
  cfg: RunConfig,
  train: Graph,
  trainStep: PlanDispatch[],
  evalStep: PlanDispatch[],
  arena: { size: number; peakLive: number },
  bufs: Buffers,
): Plan['stats'] {
  const layers: LayerStats[] = [];
  let params = 0;
  let kept = 0;
  let flops = 0;
  const byLayer = new Map(train.weights.map((w) => [w.info.layer, w]));
  for (const l of weightLayers(cfg.model.layers)) {
    const w = byLayer.get(l.name)!;
    const n = numel(train.tensors[w.weight].shape);
    const k = l.mask.kind === 'edge_popup' ? keptCount(n, l.mask.keep) : n;
    const outN = numel(l.outShape);
    const f = l.kind === 'linear' ? 2 * l.inFeatures * l.outFeatures : 2 * outN * l.inChannels * l.kernel * l.kernel;
    params += n;
    kept += k;
    flops += f;
    layers.push({ name: l.name, kind: l.kind, inShape: l.inShape, outShape: l.outShape, params: n, kept: k, mask: maskLabel(l.mask), flopsPerExample: f });
  }
  return {
    dispatchesPerTrainStep: trainStep.length,
    dispatchesPerEvalStep: evalStep.length,
    unfusedDispatchesPerTrainStep: unfusedDispatches(train),
    // Every transient byte: the liveness-packed arena plus the scratch of split-K and reductions.
    arenaBytes: bufs.list.filter((b) => b.role === 'arena').reduce((a, b) => a + b.size, 0),
    arenaPeakLiveBytes: arena.peakLive,
    paramBytes: bufs.list.filter((b) => b.role === 'param').reduce((a, b) => a + b.size, 0),
    flopsPerExample: flops,
    trainFlopsPerExample: trainStep.reduce((a, d) => a + d.flops, 0) / cfg.train.batch,
    layers,
    params,
    keptParams: kept,
  };
}

/** The mask column as `subnet plan` prints it. */
export function maskLabel(m: LayerMask): string {
  switch (m.kind) {
    case 'edge_popup':
      return `edge_popup ${+(m.keep * 100).toFixed(4)}%`;
    case 'fixed':
      return `fixed ${m.run}`;
    default:
      return m.kind;
  }
}
