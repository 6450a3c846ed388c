// Training-step benchmark: FC (LeNet-300-100) and Conv4 edge-popup steps at batch 128 on
// synthetic data resident on the device, beside the PyTorch peer with the reference's semantics
// (../shared/bench/torch_edgepopup.py) run in the same invocation on the same machine. Prints
// figures; asserts nothing about time.
//
//   npm run bench [-- --arch fc,conv4 --steps 20 --json --no-peer --device cpu|cuda]
//   npm run bench -- --data [--workers 2]   the image loader beside torchvision's (bench/data.ts)
//   npm run bench -- --first-step           the quickstart's cold-cache start (bench/first-step.ts)
//   npm run bench -- --sweep                packed sweeps beside sequential and --parallel 2 (bench/sweep.ts)
//   npm run bench -- --waits                Dawn's spinning poll beside quiet waits (bench/waits.ts)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lower } from '../compiler/index.js';
import { loadDataset } from '../runtime/data/dataset.js';
import { closeDevice, openDevice } from '../runtime/device.js';
import { byFamily, profilePhase } from '../runtime/profile.js';
import { epochOrder, prepare } from '../runtime/train.js';
import { tunedPlan } from '../runtime/autotune.js';
import { ARCHS, configFor } from './configs.js';
import { dataBench } from './data.js';
import { firstStepBench, measureFirstStep } from './first-step.js';
import { sweepBench } from './sweep.js';
import { waitsBench } from './waits.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A Python with torch: $SUBNET_PYTHON, Debian's /usr/bin/python3 (python3-torch), or python3. */
function findPython(): string | undefined {
  for (const p of [process.env.SUBNET_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    const r = spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return p;
  }
  return undefined;
}

function peerScript(): string | undefined {
  const candidates = [process.env.SUBNET_TORCH_PEER, join(ROOT, '..', 'shared', 'bench', 'torch_edgepopup.py'), join(ROOT, 'torch_edgepopup.py'), join(ROOT, '.gpu', 'torch_edgepopup.py')];
  return candidates.find((c) => c && existsSync(c));
}

interface PeerResult {
  ms_per_step: number;
  images_per_second: number;
  device: string;
  torch: string;
  threads?: number;
}

function runPeer(arch: string, batch: number, steps: number, device: string, threads: number): PeerResult | { error: string } {
  const py = findPython();
  const script = peerScript();
  if (!py) return { error: 'no python3 with torch (Debian: apt-get install python3-torch; or set SUBNET_PYTHON)' };
  if (!script) return { error: 'torch_edgepopup.py not found (set SUBNET_TORCH_PEER)' };
  const args = [script, '--arch', ARCHS[arch].peer, '--batch', String(batch), '--steps', String(steps), '--device', device];
  if (device === 'cpu') args.push('--threads', String(threads));
  const r = spawnSync(py, args, { encoding: 'utf8', timeout: 30 * 60 * 1000 });
  const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { error: `peer failed: ${(r.stderr ?? '').trim().split('\n').pop()}` };
  const j = JSON.parse(line);
  return { ms_per_step: j.ms_per_step, images_per_second: j.images_per_second, device: j.device, torch: j.torch, threads: device === 'cpu' ? threads : undefined };
}

interface TfjsResult {
  backend: string;
  ms_per_step: number;
  images_per_second: number;
  dispatches_per_step: number | null;
}

/** TensorFlow.js edge-popup on the FC network (scripts/tfjs-peer.sh prepares .peers/tfjs). */
function runTfjs(backend: 'webgpu' | 'wasm'): TfjsResult | { error: string } {
  const script = join(ROOT, '.peers', 'tfjs', 'build', 'bench.mjs');
  if (!existsSync(script)) return { error: 'not prepared (bash scripts/tfjs-peer.sh)' };
  const r = spawnSync(process.execPath, [script, '--backend', backend, '--mode', 'popup', '--warmup', '3', '--steps', '10', '--reps', '3'], {
    encoding: 'utf8',
    timeout: 30 * 60 * 1000,
    env: process.env,
  });
  const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { error: `tfjs ${backend} failed: ${(r.stderr ?? '').trim().split('\n').pop()}` };
  const j = JSON.parse(line);
  return { backend, ms_per_step: j.median_ms_per_step, images_per_second: j.img_per_s, dispatches_per_step: j.dispatches_per_step?.dispatches ?? null };
}

/**
 * The practical limit on these two cores: OpenBLAS's f32 GEMM through numpy, with as many
 * threads as the peer, in GFLOP/s (n = 1024, best of 5). OPENBLAS_CORETYPE/L2_SIZE, which this
 * workplace sets for old OpenBLAS builds, are unset for this one command so that the current
 * kernel runs.
 */
function openblasGflops(python: string | undefined, threads: number): number | null {
  if (!python) return null;
  const code =
    'import numpy as np, time\n' +
    'n=1024\na=np.random.rand(n,n).astype(np.float32)\nb=np.random.rand(n,n).astype(np.float32)\na@b\nbest=1e9\n' +
    'for _ in range(5):\n t=time.perf_counter(); a@b; best=min(best,time.perf_counter()-t)\nprint(2*n**3/best/1e9)';
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', env });
  const v = Number((r.stdout ?? '').trim());
  return r.status === 0 && Number.isFinite(v) ? +v.toFixed(1) : null;
}

function cpuFlags(): string {
  try {
    const flags = new Set((/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
    const model = /^model name\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
    return `${model}, ${['avx512f', 'avx2', 'fma'].filter((f) => flags.has(f)).join(' ') || 'no AVX2'}`;
  } catch {
    return 'unknown CPU';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      arch: { type: 'string', default: 'fc,conv4' },
      batch: { type: 'string', default: '128' },
      steps: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
      'no-peer': { type: 'boolean', default: false },
      tfjs: { type: 'boolean', default: true },
      device: { type: 'string', default: 'cpu' },
      threads: { type: 'string', default: '2' },
      data: { type: 'boolean', default: false },
      'first-step': { type: 'boolean', default: false },
      sweep: { type: 'boolean', default: false },
      waits: { type: 'boolean', default: false },
      'first-step-child': { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      batches: { type: 'string', default: '30' },
      images: { type: 'string', default: '2000' },
      rounds: { type: 'string', default: '3' },
      side: { type: 'string', default: '256' },
    },
  });
  if (values['first-step-child']) {
    process.stdout.write(`${JSON.stringify(await measureFirstStep())}\n`);
    return;
  }
  if (values['first-step']) {
    firstStepBench({ json: !!values.json, script: fileURLToPath(import.meta.url) });
    return;
  }
  if (values.data) {
    // The data loader alone (bench/data.ts): no device needed.
    const batchArg = process.argv.includes('--batch') ? Number(values.batch) : 64;
    await dataBench({ workers: Number(values.workers), batches: Number(values.batches), batch: batchArg, images: Number(values.images), rounds: Math.max(1, Number(values.rounds)), side: Number(values.side), json: !!values.json });
    return;
  }
  const batch = Number(values.batch);
  const steps = Number(values.steps);
  const ctx = await openDevice();
  const adapter = ctx.facts.description || ctx.facts.device;
  if (values.sweep || values.waits) {
    const o = { json: !!values.json, rounds: Math.max(1, Number(values.rounds)), header: `adapter: ${adapter}${ctx.facts.isCpu ? ' (CPU)' : ''}; ${cpuFlags()}; ${new Date().toISOString()}` };
    try {
      await (values.sweep ? sweepBench(ctx, o) : waitsBench(ctx, o));
    } finally {
      closeDevice(ctx);
    }
    return;
  }
  const out = (s: string) => process.stdout.write(s + '\n');
  const gemm = values['no-peer'] ? null : openblasGflops(findPython(), Number(values.threads));
  const cpu = cpuFlags();
  if (!values.json) {
    out(`adapter: ${adapter}${ctx.facts.isCpu ? ' (CPU)' : ''}; ${cpu}; batch ${batch}; ${steps} timed steps; ${new Date().toISOString()}`);
    if (gemm) out(`OpenBLAS f32 GEMM (numpy, n = 1024, ${values.threads} threads): ${gemm} GFLOP/s`);
  }
  try {
    for (const arch of values.arch!.split(',')) {
      if (!ARCHS[arch]) throw new Error(`unknown arch ${arch} (${Object.keys(ARCHS).join(', ')})`);
      const cfg = configFor(arch, batch);
      // The tiles of a long run, not of this 4-step synthetic epoch.
      const plan = await tunedPlan(ctx, (tiles) => lower(cfg, `bench-${arch}`, ctx.limits, { tiles, tileSteps: Infinity }), {
        log: (s) => process.stderr.write(`${s}\n`),
      });
      const ds = loadDataset(cfg.data);
      const ex = await prepare(ctx, plan, ds);
      ex.writeBuffer(plan.data.permutation, epochOrder(plan, 0, ds.train.n));
      ex.setStep({ step: 0, epoch: 0, batch_start: 0, valid: batch, lr: 0.1 });
      const prof = await profilePhase(ex, 'trainStep', steps);
      ex.destroy();
      const ours = { ms_per_step: prof.stepMs, images_per_second: (batch / prof.stepMs) * 1000 };
      const peer = values['no-peer'] ? { error: 'skipped' } : runPeer(arch, batch, steps, values.device!, Number(values.threads));
      const families = Object.fromEntries(byFamily(prof).map((f) => [f.family, { ms: +f.ms.toFixed(3), share: +f.share.toFixed(3), gflops: +f.gflops.toFixed(2), dispatches: f.dispatches }]));
      const row = {
        arch,
        batch,
        adapter,
        cpu,
        openblas_gemm_gflops: gemm,
        matmul_share_of_openblas: gemm && families.matmul ? +(families.matmul.gflops / gemm).toFixed(3) : null,
        ms_per_step: +ours.ms_per_step.toFixed(3),
        images_per_second: +ours.images_per_second.toFixed(1),
        dispatches_per_step: plan.stats.dispatchesPerTrainStep,
        unfused_dispatches_per_step: plan.stats.unfusedDispatchesPerTrainStep,
        arena_bytes: plan.stats.arenaBytes,
        gflops: +((plan.stats.trainFlopsPerExample * batch) / ours.ms_per_step / 1e6).toFixed(2),
        timing: prof.method,
        families,
        peer: 'error' in peer ? null : `pytorch ${peer.torch} ${peer.device}${peer.threads ? ` ${peer.threads} threads` : ''}`,
        peer_ms_per_step: 'error' in peer ? null : peer.ms_per_step,
        peer_images_per_second: 'error' in peer ? null : peer.images_per_second,
        speedup_vs_peer: 'error' in peer ? null : +(peer.ms_per_step / ours.ms_per_step).toFixed(3),
        peer_error: 'error' in peer ? peer.error : undefined,
      };
      // TensorFlow.js models the FC network only (the peer's harness).
      const tfjs = arch === 'fc' && values.tfjs && !values['no-peer'] ? (['webgpu', 'wasm'] as const).map((b) => runTfjs(b)) : [];
      const peers = tfjs.map((t) =>
        'error' in t
          ? { peer: 'tfjs', error: t.error }
          : { peer: `tfjs-${t.backend}`, ms_per_step: t.ms_per_step, images_per_second: t.images_per_second, dispatches_per_step: t.dispatches_per_step, speedup: +(t.ms_per_step / ours.ms_per_step).toFixed(3) },
      );
      Object.assign(row, { other_peers: peers });
      if (values.json) out(JSON.stringify(row));
      else {
        out(`\n${arch}: ${row.ms_per_step} ms/step, ${row.images_per_second} images/s, ${row.dispatches_per_step} dispatches/step (${row.unfused_dispatches_per_step} unfused), ${row.gflops} GFLOP/s`);
        for (const [f, v] of Object.entries(families)) out(`  ${f.padEnd(12)} ${String(v.ms).padStart(9)} ms  ${(100 * v.share).toFixed(1).padStart(5)}%  ${v.gflops ? `${v.gflops} GFLOP/s` : ''}${f === 'matmul' && gemm ? ` (${((100 * v.gflops) / gemm).toFixed(0)}% of OpenBLAS GEMM)` : ''}`);
        if (row.peer) out(`  peer ${row.peer}: ${row.peer_ms_per_step} ms/step, ${row.peer_images_per_second} images/s → ours is ${row.speedup_vs_peer}× the peer`);
        else out(`  peer: ${row.peer_error}`);
        for (const p of peers) {
          if ('error' in p) out(`  peer ${p.peer}: ${p.error}`);
          else out(`  peer ${p.peer}: ${p.ms_per_step} ms/step, ${p.images_per_second} images/s${p.dispatches_per_step ? `, ${p.dispatches_per_step} dispatches/step` : ''} → ours is ${p.speedup}× it`);
        }
      }
    }
  } finally {
    closeDevice(ctx);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
