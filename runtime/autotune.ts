// Autotuning of kernel tiles: on first use of a kernel shape on an adapter, time each candidate
// tile (compiler/kernels/tiles.ts) on the device and keep the fastest, in a cache per adapter in
// the user's cache directory (`subnet doctor` prints its path). Kernels that take under half a
// millisecond with the default tile are not worth the compile time and keep the default.
// SUBNET_AUTOTUNE=0 turns tuning off (the defaults are used; the test suite does this).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultTile, repaysTuning, tileCandidates, tileProbe, type ConvTile, type MatmulTile, type TileRequest } from '../compiler/index.js';
import type { Plan } from '../compiler/plan/plan.js';
import type { GpuContext } from './device.js';
import { quietly } from './gpu-wait.js';
import { writeJsonAtomic } from './results/atomic.js';

export type Tile = MatmulTile | ConvTile;
export type TileMap = Record<string, Tile>;

// 2: CPU adapters with 8-lane subgroups have the broadcast convolutions (kernels/conv-row.ts);
// tiles tuned before them would keep the slower implicit GEMM. 3: the same for the matmul family
// (subgroup-broadcast tiles, kernels/matmul.ts).
const CACHE_VERSION = 3;
/** Below this (ms, default tile), a kernel is not worth tuning. */
const WORTH_MS = 0.5;
/**
 * Seconds of tuning one plan may spend (SUBNET_TUNE_BUDGET_S; default 120): on lavapipe each
 * large candidate costs seconds of LLVM compile, and a Conv4 at batch 128 has a dozen kernels.
 * Kernels left when the budget runs out keep their defaults and are not cached, so a later run
 * tunes them.
 */
function tuneBudgetMs(): number {
  const s = Number(process.env.SUBNET_TUNE_BUDGET_S ?? 120);
  return (Number.isFinite(s) && s >= 0 ? s : 120) * 1000;
}

export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'subnet');
}

export function cachePath(): string {
  return join(cacheDir(), 'tiles.json');
}

function adapterId(ctx: GpuContext): string {
  const f = ctx.facts;
  return `${f.vendor}|${f.architecture}|${f.device}|${f.description}`;
}

interface CacheFile {
  version: number;
  adapters: Record<string, TileMap>;
}

function readCache(): CacheFile {
  try {
    if (existsSync(cachePath())) {
      const c = JSON.parse(readFileSync(cachePath(), 'utf8')) as CacheFile;
      if (c.version === CACHE_VERSION && c.adapters) return c;
    }
  } catch {
    // An unreadable cache is rebuilt.
  }
  return { version: CACHE_VERSION, adapters: {} };
}

export function tuningEnabled(): boolean {
  return process.env.SUBNET_AUTOTUNE !== '0';
}

async function timeKernel(ctx: GpuContext, r: TileRequest, tile: Tile, reps = 3): Promise<number> {
  const { device } = ctx;
  const k = tileProbe(r, tile);
  const size = k.bindingBytes;
  const bufs = k.layout.map((type) =>
    type === 'uniform'
      ? device.createBuffer({ size: 64, usage: GPUBufferUsage.UNIFORM })
      : device.createBuffer({ size: Math.ceil(size / 16) * 16, usage: GPUBufferUsage.STORAGE }),
  );
  const layout = device.createBindGroupLayout({ entries: k.layout.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })) });
  const pipeline = await quietly(
    device.createComputePipelineAsync({
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: device.createShaderModule({ code: k.wgsl }), entryPoint: 'main' },
    }),
  );
  const bindGroup = device.createBindGroup({ layout, entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const run = async (n: number) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    for (let i = 0; i < n; i++) pass.dispatchWorkgroups(...k.workgroups);
    pass.end();
    device.queue.submit([enc.finish()]);
    await quietly(device.queue.onSubmittedWorkDone());
  };
  await run(1); // the JIT compile happens here on lavapipe
  const t0 = performance.now();
  await run(reps);
  const ms = (performance.now() - t0) / reps;
  for (const b of bufs) b.destroy();
  return ms;
}

/** The tiles this adapter has measured, by kernel key (every shape it has tuned so far). */
export function adapterTiles(ctx: GpuContext): TileMap {
  return tuningEnabled() ? { ...(readCache().adapters[adapterId(ctx)] ?? {}) } : {};
}

/**
 * Measures the kernels of `plan` that this adapter has not tuned yet (those worth it) and caches
 * the winners. Returns the tiles for the plan's kernels, and whether any differs from the tile
 * the plan was lowered with (then the caller lowers once more with them).
 */
export async function tuneKernels(ctx: GpuContext, plan: Plan, log: (s: string) => void = () => {}): Promise<{ tiles: TileMap; changed: boolean }> {
  const keys = Object.keys(plan.tuning.requests);
  if (!tuningEnabled()) return { tiles: {}, changed: false };
  const steps = plan.tuning.steps ?? Infinity;
  const cache = readCache();
  const id = adapterId(ctx);
  const known = (cache.adapters[id] ??= {});
  const cls = ctx.limits.adapterClass ?? 'gpu';
  let measured = false;
  const deadline = performance.now() + tuneBudgetMs();
  let skipped = 0;
  for (const key of keys) {
    if (known[key]) continue;
    if (performance.now() > deadline) {
      skipped++;
      continue;
    }
    const r = plan.tuning.requests[key] as TileRequest;
    // A run too short to repay the candidates' compiles keeps the measured default (uncached).
    if (cls === 'cpu' && !repaysTuning(r, steps)) continue;
    const lanes = ctx.limits.subgroupSize;
    const def = defaultTile(r, cls, Infinity, lanes);
    let best = { tile: def, ms: await timeKernel(ctx, r, def) };
    if (best.ms >= WORTH_MS) {
      for (const tile of tileCandidates(r, cls, lanes).slice(1)) {
        // A kernel's candidates can take minutes of compiles on a loaded CPU adapter: the budget
        // stops them too, keeping the best measured so far.
        if (performance.now() > deadline) break;
        const ms = await timeKernel(ctx, r, tile);
        if (ms < best.ms) best = { tile, ms };
      }
      log(`tuned ${key}: ${JSON.stringify(best.tile)} ${best.ms.toFixed(2)} ms`);
    }
    known[key] = best.tile;
    measured = true;
  }
  if (skipped) log(`tuning budget spent (SUBNET_TUNE_BUDGET_S): ${skipped} kernel(s) keep their default tiles this time`);
  if (measured) {
    try {
      writeJsonAtomic(cachePath(), cache);
    } catch {
      // A read-only home: tuning still applies to this process.
    }
  }
  const tiles: TileMap = {};
  let changed = false;
  for (const key of keys) {
    if (!known[key]) continue;
    tiles[key] = known[key];
    if (JSON.stringify(known[key]) !== JSON.stringify(plan.tuning.tiles[key])) changed = true;
  }
  return { tiles, changed };
}

/**
 * A run's plan with tuned tiles. `lowerWith` is the run's one lowering (through the compiler's
 * entry): it runs once with the tiles already known (those the run directory recorded, else this
 * adapter's cache), and once more only when tuning measured a better tile for a kernel of it.
 */
export async function tunedPlan(
  ctx: GpuContext,
  lowerWith: (tiles: TileMap) => Plan,
  opts: { log?: (s: string) => void; runDir?: string } = {},
): Promise<Plan> {
  const recorded = opts.runDir ? recordedTiles(opts.runDir) : undefined;
  if (recorded) return lowerWith(recorded);
  let plan = lowerWith(adapterTiles(ctx));
  const { tiles, changed } = await tuneKernels(ctx, plan, opts.log);
  if (changed) plan = lowerWith(tiles);
  if (opts.runDir) writeJsonAtomic(join(opts.runDir, TILES_FILE), tiles);
  return plan;
}

export const TILES_FILE = 'tiles.json';

/** Tiles a run directory recorded (its kernels must not change on resume, eval or export). */
export function recordedTiles(runDir: string): TileMap | undefined {
  const p = join(runDir, TILES_FILE);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as TileMap;
  } catch {
    return undefined;
  }
}
