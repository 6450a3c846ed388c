// Autotuning of kernel tiles: on first use of a kernel shape on an adapter, time each candidate
// tile (compiler/kernels/tiles.ts) on the device and keep the fastest, in a cache per adapter in
// the user's cache directory (`subnet doctor` prints its path). Kernels that take under half a
// millisecond with the default tile are not worth the compile time and keep the default.
// SUBNET_AUTOTUNE=0 turns tuning off (the defaults are used; the test suite does this).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from '../compiler/config.js';
import { chooseSplitK, convKernel, type ConvTile } from '../compiler/kernels/conv.js';
import { matmulKernel, type MatmulTile } from '../compiler/kernels/matmul.js';
import { defaultTile, repaysLargeTile, tileCandidates, type TileRequest } from '../compiler/kernels/tiles.js';
import { lower, trainSteps } from '../compiler/lower/index.js';
import type { GpuContext } from './device.js';
import { writeJsonAtomic } from './results/atomic.js';

export type Tile = MatmulTile | ConvTile;
export type TileMap = Record<string, Tile>;

const CACHE_VERSION = 1;
/** Below this (ms, default tile), a kernel is not worth tuning. */
const WORTH_MS = 0.5;

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

/** Every tile request a run's plan makes. */
export function tileRequests(cfg: RunConfig, ctx: GpuContext): Map<string, TileRequest> {
  const reqs = new Map<string, TileRequest>();
  lower(cfg, 'tiles', ctx.limits, { onTile: (r, key) => reqs.set(key, r) });
  return reqs;
}

function kernelFor(r: TileRequest, tile: Tile) {
  if (r.family === 'matmul') return matmulKernel({ ...r.spec, tile: tile as MatmulTile });
  const probe = convKernel({ ...r.spec, tile: tile as ConvTile });
  const splits = r.spec.pass === 'dw' ? chooseSplitK(probe.M, probe.N, probe.K, tile as ConvTile) : 1;
  return splits > 1 ? convKernel({ ...r.spec, tile: tile as ConvTile, splitK: splits }) : probe;
}

/** Bytes big enough for any binding of the kernel (over-allocation is harmless here). */
function bindingBytes(r: TileRequest): number {
  if (r.family === 'matmul') {
    const { M, N, K } = r.spec;
    return 4 * Math.max(M * K, N * K, M * N, 64);
  }
  const s = r.spec.shape;
  const KK = s.K * s.K;
  return 4 * Math.max(s.B * s.Ci * s.H * s.W, s.B * s.Co * s.OH * s.OW, s.Co * s.Ci * KK * 64, 64);
}

async function timeKernel(ctx: GpuContext, r: TileRequest, tile: Tile, reps = 3): Promise<number> {
  const { device } = ctx;
  const k = kernelFor(r, tile);
  const size = bindingBytes(r);
  const bufs = k.layout.map((type) =>
    type === 'uniform'
      ? device.createBuffer({ size: 64, usage: GPUBufferUsage.UNIFORM })
      : device.createBuffer({ size: Math.ceil(size / 16) * 16, usage: GPUBufferUsage.STORAGE }),
  );
  const layout = device.createBindGroupLayout({ entries: k.layout.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })) });
  const pipeline = await device.createComputePipelineAsync({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module: device.createShaderModule({ code: k.wgsl }), entryPoint: 'main' },
  });
  const bindGroup = device.createBindGroup({ layout, entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const run = async (n: number) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    for (let i = 0; i < n; i++) pass.dispatchWorkgroups(...k.workgroups);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(1); // the JIT compile happens here on lavapipe
  const t0 = performance.now();
  await run(reps);
  const ms = (performance.now() - t0) / reps;
  for (const b of bufs) b.destroy();
  return ms;
}

/**
 * Tiles for every kernel of a run: from the cache, else measured now (and cached). `log` hears
 * one line per tuned kernel.
 */
export async function tuneTiles(ctx: GpuContext, cfg: RunConfig, log: (s: string) => void = () => {}, steps = trainSteps(cfg)): Promise<TileMap> {
  const reqs = tileRequests(cfg, ctx);
  const cache = readCache();
  const id = adapterId(ctx);
  const known = (cache.adapters[id] ??= {});
  const cls = ctx.limits.adapterClass ?? 'gpu';
  let changed = false;
  for (const [key, r] of reqs) {
    if (known[key]) continue;
    // A short run keeps the small default: tuning would compile every candidate for nothing.
    if (cls === 'cpu' && !repaysLargeTile(r, steps)) continue;
    const def = defaultTile(r, cls);
    let best = { tile: def, ms: await timeKernel(ctx, r, def) };
    if (best.ms >= WORTH_MS) {
      for (const tile of tileCandidates(r, cls).slice(1)) {
        const ms = await timeKernel(ctx, r, tile);
        if (ms < best.ms) best = { tile, ms };
      }
      log(`tuned ${key}: ${JSON.stringify(best.tile)} ${best.ms.toFixed(2)} ms`);
    }
    known[key] = best.tile;
    changed = true;
  }
  if (changed) {
    try {
      writeJsonAtomic(cachePath(), cache);
    } catch {
      // A read-only home: tuning still applies to this process.
    }
  }
  return Object.fromEntries([...reqs.keys()].map((k) => [k, known[k]]));
}

/** The tiles a run uses: tuned (or cached) when enabled, else the defaults (an empty map). */
export async function tilesFor(ctx: GpuContext, cfg: RunConfig, log?: (s: string) => void, steps?: number): Promise<TileMap> {
  if (!tuningEnabled()) return {};
  return tuneTiles(ctx, cfg, log, steps);
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

/**
 * The tiles of a run: those its directory recorded (a resumed run computes exactly as before),
 * else tuned now and recorded there.
 */
export async function runTiles(ctx: GpuContext, cfg: RunConfig, runDir: string, log?: (s: string) => void): Promise<TileMap> {
  const have = recordedTiles(runDir);
  if (have) return have;
  const tiles = await tilesFor(ctx, cfg, log);
  writeJsonAtomic(join(runDir, TILES_FILE), tiles);
  return tiles;
}
