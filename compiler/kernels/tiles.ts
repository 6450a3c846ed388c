// Tile choices for the matmul and convolution kernels: a key per kernel shape, the candidates an
// autotuner tries, and defaults per adapter class. CPU adapters (lavapipe) run each workgroup as
// SIMD loops with 16 vector registers and pay for every storage load, so they want a few threads
// with large register tiles (scalar accumulators); GPUs want many threads with small tiles. The
// defaults were measured on lavapipe (docs/performance.md); the autotuner (runtime/autotune.ts)
// replaces them per shape and caches the result per adapter.
import { chooseSplitK, convDims, convKernel, type ConvSpec, type ConvTile } from './conv.js';
import { LANES, rowConvApplies } from './conv-row.js';
import { MATMUL_LANES, matmulKernel, type MatmulSpec, type MatmulTile } from './matmul.js';
import type { BindingType } from '../plan/plan.js';

export type AdapterClass = 'cpu' | 'gpu';

export type TileRequest = { family: 'matmul'; spec: Omit<MatmulSpec, 'tile'> } | { family: 'conv'; spec: Omit<ConvSpec, 'tile' | 'splitK'> };

/** Everything that changes the best tile, and nothing else. */
export function tileKey(r: TileRequest): string {
  if (r.family === 'matmul') {
    const s = r.spec;
    return `matmul ${s.M}x${s.N}x${s.K} ${s.a}${s.b} mask:${s.mask?.kind ?? 'none'} ep:${s.epilogue.kind}`;
  }
  const s = r.spec;
  const g = s.shape;
  return `conv ${s.pass} B${g.B} ${g.Ci}x${g.H}x${g.W}->${g.Co} k${g.K}s${g.stride}p${g.pad} mask:${s.mask?.kind ?? 'none'} ep:${s.epilogue.kind}`;
}

/** Multiply-adds of the kernel: small ones keep small tiles (large unrolled tiles cost seconds of JIT). */
function work(r: TileRequest): number {
  if (r.family === 'matmul') return r.spec.M * r.spec.N * r.spec.K;
  const { M, N, K } = convDims(r.spec.pass, r.spec.shape);
  return M * N * K;
}

const SMALL_WORK = 4 * 2 ** 20;
// A large register tile costs lavapipe's LLVM ~10 s more to compile than a small one (a cold
// Mesa shader cache: a fresh machine, CI) and saves ~0.7 ns per multiply-add (0.8 against
// 1.9 GMAC/s on a Conv4 dx kernel, two cores). Below ~1.1e10 multiply-adds over the whole run
// the compile costs more than it saves: a short run (a test, a smoke run) keeps small tiles.
const RUN_WORK = 2 ** 34;

/** Whether a large tile can repay its compile over `steps` dispatches (a run's training steps). */
export function repaysLargeTile(r: TileRequest, steps: number): boolean {
  return work(r) >= SMALL_WORK && work(r) * steps >= RUN_WORK;
}

// Tuning compiles every candidate tile of a kernel: on lavapipe with a cold Mesa shader cache that
// is 20-80 s per large kernel (measured: the quickstart's two tuned kernels held its first step
// for 69 s), while the best candidate saves ~10-30% of the kernel's time over the default. At
// ~2.5 GMAC/s a kernel must run ~2^40 multiply-adds (~7 min) over the run before that repays: the
// quickstart (2^37 in its largest kernel) starts at once with the measured defaults; a long Conv
// or ImageNet run tunes.
const TUNE_WORK = 2 ** 40;

/** Whether tuning a kernel on a CPU adapter can repay its compiles over `steps` dispatches. */
export function repaysTuning(r: TileRequest, steps: number): boolean {
  return repaysLargeTile(r, steps) && work(r) * steps >= TUNE_WORK;
}

/**
 * Whether a CPU adapter's convolution takes the subgroup-broadcast kernels: its subgroups are 8
 * lanes (`lanes`: TargetLimits.subgroupSize), as the workgroup of those kernels.
 */
export function broadcastConv(r: TileRequest, cls: AdapterClass, lanes: number | undefined): boolean {
  return cls === 'cpu' && r.family === 'conv' && lanes === LANES;
}

/**
 * Whether a CPU adapter's matmul takes the subgroup-broadcast tiles (A loaded once per subgroup):
 * its subgroups are 8 lanes, as the workgroup of those tiles.
 */
export function broadcastMatmul(r: TileRequest, cls: AdapterClass, lanes: number | undefined): boolean {
  return cls === 'cpu' && r.family === 'matmul' && lanes === MATMUL_LANES;
}

/** Whether a tile with `broadcast` can run for this request on this device (else: the default). */
export function broadcastApplies(r: TileRequest, cls: AdapterClass, lanes: number | undefined): boolean {
  return broadcastConv(r, cls, lanes) || broadcastMatmul(r, cls, lanes);
}

/**
 * `steps`: how many times the run dispatches the kernel (its training steps), when known.
 * `lanes`: the device's fixed subgroup size, if it has subgroups.
 */
export function defaultTile(r: TileRequest, cls: AdapterClass, steps = Infinity, lanes?: number): MatmulTile | ConvTile {
  if (r.family === 'matmul' && broadcastMatmul(r, cls, lanes) && work(r) * steps >= RUN_WORK) {
    // Measured on FC's matmuls at batch 128 (docs/performance.md, 2026-12-03, fourth session):
    // with A broadcast, 32 × 4 forward (nk) runs 3.4-5.4× the unbroadcast 8 × 4, 16 × 4 dX and
    // dW 1.7 and 1.1-2.5× the old defaults (dW: 16 × 4 compiles in ~2.5 s against ~19 s for
    // 8 × 16). Kernels under SMALL_WORK in a long run (FC's second layer) take a broadcast tile
    // cheap to compile, 2-6× the small tile; their dW keeps the small one (its optimiser
    // epilogue compiles for seconds).
    const s = r.spec;
    const b = { wx: MATMUL_LANES, wy: 1, broadcast: true };
    if (work(r) >= SMALL_WORK) {
      // 32 × 4 forward is ~1.2× 16 × 4 but costs ~1 s more of cold LLVM: a run too short to
      // tune (the quickstart's cold first step, bench --first-step) keeps 16 × 4.
      if (s.b === 'nk') return { tm: work(r) * steps >= TUNE_WORK ? 32 : 16, tn: 4, ...b, acc: 'scalar' };
      return { tm: 16, tn: 4, ...b };
    }
    if (s.b === 'nk') return { tm: 16, tn: 4, ...b, acc: 'scalar' };
    if (s.a === 'mk') return { tm: 8, tn: 4, ...b };
  }
  if (cls === 'gpu' || !repaysLargeTile(r, steps)) return r.family === 'matmul' ? { tm: 4, tn: 4, wx: 8, wy: 8 } : { tm: 4, tn: 4, wx: 16, wy: 4 };
  if (r.family === 'conv' && broadcastConv(r, cls, lanes)) {
    // Measured on Conv4's convolutions at batch 16 (docs/performance.md, 2026-12-03, third
    // session): the row kernel at 16×8 is 2.3-2.4× the implicit GEMM's 8×16 in fwd and dx, the
    // broadcast dw 2-2.7×.
    if (rowConvApplies(r.spec)) return { tm: 16, tn: 8, wx: 8, wy: 1, row: true, broadcast: true };
    // The row dw beat the broadcast implicit GEMM by 1.15-1.3× on Conv4's 32- and 16-wide rows
    // at batch 16 on a quiet machine (under load the 16-wide case measured the other way).
    if (r.spec.pass === 'dw') return r.spec.shape.stride === 1 ? { tm: 8, tn: 2 * r.spec.shape.K, wx: 8, wy: 1, row: true, broadcast: true } : { tm: 16, tn: 8, wx: 8, wy: 1, broadcast: true };
  }
  if (r.family === 'conv') return { tm: 8, tn: 16, wx: 8, wy: 1 };
  const s = r.spec;
  // Measured on lavapipe (AVX-512 and AVX2, 8 lanes): a dot-style (nk) or mk×kn kernel wants 8
  // rows by 4 columns per lane, lanes along n; 16 rows spill (32 accumulators and operands past
  // the vector registers) and run 2× slower. The outer-product dW (km×kn) is fastest at 8×16, but
  // that tile costs ~8 s of LLVM on a cold shader cache against ~3 s for 16×4 (FC's first dW:
  // 4.9 against 6.2 ms a step): over a run shorter than a tuned one the two even out, and 16×4
  // keeps the quickstart's first step under 10 s on a fresh machine (bench --first-step).
  if (s.b === 'nk') return { tm: 8, tn: 4, wx: 8, wy: 1, acc: 'scalar' };
  if (s.a === 'km') return work(r) * steps >= TUNE_WORK ? { tm: 8, tn: 16, wx: 8, wy: 1 } : { tm: 16, tn: 4, wx: 8, wy: 1 };
  return { tm: 8, tn: 4, wx: 8, wy: 1 };
}

/** The tiles an autotuner tries (the default first), all within 256 invocations per workgroup. */
export function tileCandidates(r: TileRequest, cls: AdapterClass, lanes?: number): (MatmulTile | ConvTile)[] {
  const out: (MatmulTile | ConvTile)[] = [defaultTile(r, cls, Infinity, lanes)];
  const add = (t: MatmulTile | ConvTile) => {
    if (!out.some((x) => JSON.stringify(x) === JSON.stringify(t))) out.push(t);
  };
  if (r.family === 'conv' && broadcastConv(r, cls, lanes) && (rowConvApplies(r.spec) || r.spec.pass === 'dw')) {
    // The broadcast kernels beat every implicit-GEMM tile measured: only their own tiles compete,
    // few of them (a large dw tile with its optimiser epilogue compiles for 40-120 s).
    const row = rowConvApplies(r.spec);
    for (const [tm, tn] of [[16, 8], [8, 16], [8, 8]]) add({ tm, tn, wx: LANES, wy: 1, ...(row ? { row: true } : {}), broadcast: true });
    if (r.spec.pass === 'dw' && r.spec.shape.stride === 1) add({ tm: 16, tn: r.spec.shape.K, wx: LANES, wy: 1, row: true, broadcast: true });
    return out;
  }
  if (r.family === 'matmul' && broadcastMatmul(r, cls, lanes)) {
    // The broadcast tiles beat every unbroadcast one measured: only their own tiles compete, the
    // best few of the scratch measurements (a dW tile with its optimiser epilogue compiles for
    // 2-19 s on a loaded machine).
    const s = r.spec;
    const tiles = s.b === 'nk' ? [[32, 4], [16, 4], [32, 2], [24, 4]] : s.a === 'mk' ? [[16, 4], [8, 4], [32, 4]] : [[16, 4], [8, 4], [16, 8]];
    for (const [tm, tn] of tiles) add({ tm, tn, wx: MATMUL_LANES, wy: 1, broadcast: true, ...(s.b === 'nk' ? { acc: 'scalar' as const } : {}) });
    return out;
  }
  const grid =
    cls === 'cpu'
      ? [
          [8, 16, 8, 1],
          [16, 4, 8, 1],
          [8, 4, 8, 1],
          [4, 4, 8, 1],
          [8, 4, 16, 1],
          [16, 8, 8, 1],
          [8, 8, 8, 2],
          [8, 8, 4, 4],
          [16, 4, 8, 1],
          [4, 16, 16, 1],
          [8, 4, 8, 4],
          [4, 8, 8, 4],
        ]
      : [
          [4, 4, 8, 8],
          [4, 4, 16, 16],
          [4, 8, 16, 8],
          [8, 4, 8, 16],
          [2, 4, 16, 16],
          [4, 4, 32, 4],
          [8, 8, 8, 8],
        ];
  for (const [tm, tn, wx, wy] of grid) {
    if (r.family === 'matmul') {
      if (tn % 4 !== 0) continue;
      add({ tm, tn, wx, wy });
      if (r.spec.b === 'nk') add({ tm, tn, wx, wy, acc: 'scalar' });
    } else add({ tm, tn, wx, wy });
  }
  return out;
}

/** A candidate's kernel on its own, for an autotuner to time: WGSL, layout, grid, binding bytes. */
export interface TileProbe {
  wgsl: string;
  layout: BindingType[];
  workgroups: [number, number, number];
  /** Bytes enough for any binding (over-allocation is harmless for timing). */
  bindingBytes: number;
}

export function tileProbe(r: TileRequest, tile: MatmulTile | ConvTile): TileProbe {
  if (r.family === 'matmul') {
    const k = matmulKernel({ ...r.spec, tile: tile as MatmulTile });
    const { M, N, K } = r.spec;
    return { wgsl: k.wgsl, layout: k.layout, workgroups: k.workgroups, bindingBytes: 4 * Math.max(M * K, N * K, M * N, 64) };
  }
  const probe = convKernel({ ...r.spec, tile: tile as ConvTile });
  const splits = r.spec.pass === 'dw' ? chooseSplitK(probe.M, probe.N, probe.K, tile as ConvTile) : 1;
  const k = splits > 1 ? convKernel({ ...r.spec, tile: tile as ConvTile, splitK: splits }) : probe;
  const g = r.spec.shape;
  const KK = g.K * g.K;
  const bytes = 4 * Math.max(g.B * g.Ci * g.H * g.W, g.B * g.Co * g.OH * g.OW, g.Co * g.Ci * KK * 64, 64);
  return { wgsl: k.wgsl, layout: k.layout, workgroups: k.workgroups, bindingBytes: bytes };
}
