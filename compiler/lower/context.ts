// What every emitter needs: the graph, placement of tensors, the shared state buffers, and a
// kernel table that deduplicates identical WGSL into one pipeline.
import type { RunConfig } from '../plan/config.js';
import type { ConvTile } from '../kernels/conv.js';
import type { Graph } from '../ir/graph.js';
import type { MatmulTile } from '../kernels/matmul.js';
import type { TileRequest } from '../kernels/tiles.js';
import type { BufferRange, Plan, PlanDispatch, PlanKernel } from '../plan/plan.js';
import type { Buffers } from './alloc.js';

export interface EmitContext {
  cfg: RunConfig;
  graph: Graph;
  /** The tile of a matmul or convolution kernel (tuned, or the adapter class's default). */
  tileFor(r: TileRequest): MatmulTile | ConvTile;
  bufs: Buffers;
  /** Index of each edge-popup layer in the thresholds and histograms buffers. */
  thrIndex: Map<string, number>;
  range(t: number): BufferRange;
  thr: BufferRange;
  hist: BufferRange;
  metrics: { train: BufferRange; test: BufferRange };
  data: Plan['data'];
  kernel(k: PlanKernel): number;
  /** Temporary space used within one group's dispatches (split-K partials, reduction sums). */
  scratch(bytes: number): BufferRange;
  /** The plan is for a CPU adapter (kernel variants shaped for lavapipe). */
  cpu: boolean;
}

export type Generated = { wgsl: string; bindings: string[]; layout: PlanKernel['layout']; workgroupSize: [number, number, number] };

export function dispatch(
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
