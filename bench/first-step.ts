// Cold-cache start-up of examples/quickstart.subnet: the seconds from process start to the end of
// its first training step, with an empty Mesa shader cache and an empty tile cache (a fresh
// machine, CI). The measurement runs in a child process so that the caches are the child's own:
// MESA_SHADER_CACHE_DIR and XDG_CACHE_HOME point at new temporary directories.
//
//   npm run bench -- --first-step [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileProgram, lower } from '../compiler/index.js';
import type { RunConfig } from '../compiler/plan/config.js';
import { tunedPlan } from '../runtime/autotune.js';
import { loadDataset } from '../runtime/data/dataset.js';
import { closeDevice, openDevice } from '../runtime/device.js';
import { nodeHost } from '../runtime/session/host.js';
import { epochOrder, prepare } from '../runtime/train.js';

const started = performance.now();
const QUICKSTART = 'examples/quickstart.subnet';

export interface FirstStep {
  program: string;
  /** Seconds from process start, cumulative. */
  compiled_s: number;
  tuned_s: number;
  pipelines_s: number;
  first_step_s: number;
  dispatches: number;
  /** The dispatches whose first run (the JIT compile on lavapipe) took longest, seconds. */
  slowest: { kernel: string; s: number }[];
}

/** In the child: the phases of `subnet run`'s start, timed. */
export async function measureFirstStep(): Promise<FirstStep> {
  const at = () => +((performance.now() - started) / 1000).toFixed(2);
  const r = compileProgram(resolve(QUICKSTART), nodeHost());
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  const run = r.experiments[0].runs[0];
  const cfg = run.config as RunConfig;
  const ctx = await openDevice();
  try {
    const compiled_s = at();
    const plan = await tunedPlan(ctx, (tiles) => lower(cfg, run.id, ctx.limits, { tiles }));
    const tuned_s = at();
    const ds = loadDataset(cfg.data);
    const ex = await prepare(ctx, plan, ds);
    await ex.sync();
    const pipelines_s = at();
    ex.writeBuffer(plan.data.permutation, epochOrder(plan, 0, ds.train.n));
    ex.setStep({ step: 0, epoch: 0, batch_start: 0, valid: cfg.train.batch, lr: 0.1 });
    // One submit per dispatch: on lavapipe a shader is compiled at its first dispatch.
    const times = plan.phases.trainStep.map((d) => ({ kernel: plan.kernels[d.kernel].name, s: 0 }));
    for (let i = 0; i < times.length; i++) {
      const t0 = performance.now();
      ex.runRange('trainStep', i, i + 1);
      await ex.sync();
      times[i].s = +((performance.now() - t0) / 1000).toFixed(2);
    }
    const first_step_s = at();
    const slowest = times.sort((a, b) => b.s - a.s).slice(0, 3);
    ex.destroy();
    return { program: QUICKSTART, compiled_s, tuned_s, pipelines_s, first_step_s, dispatches: plan.stats.dispatchesPerTrainStep, slowest };
  } finally {
    closeDevice(ctx);
  }
}

/** In the parent: one child with empty caches; prints its phases. */
export function firstStepBench(opts: { json: boolean; script: string }): void {
  const mesa = mkdtempSync(join(tmpdir(), 'subnet-cold-mesa-'));
  const cache = mkdtempSync(join(tmpdir(), 'subnet-cold-cache-'));
  try {
    const r = spawnSync(process.execPath, [opts.script, '--first-step-child'], {
      env: { ...process.env, MESA_SHADER_CACHE_DIR: mesa, XDG_CACHE_HOME: cache },
      encoding: 'utf8',
    });
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) throw new Error(`first-step child failed: ${(r.stderr ?? '').trim().split('\n').pop()}`);
    const f = JSON.parse(line) as FirstStep;
    if (opts.json) process.stdout.write(`${JSON.stringify({ bench: 'first-step', cold_cache: true, ...f })}\n`);
    else
      process.stdout.write(
        `cold-cache start of ${f.program} (empty Mesa shader cache, empty tile cache): first training step done at ${f.first_step_s} s ` +
          `(compiled ${f.compiled_s} s, tiles ${f.tuned_s} s, ${f.dispatches} pipelines built ${f.pipelines_s} s; ` +
          `slowest first dispatches: ${f.slowest.map((k) => `${k.kernel} ${k.s} s`).join(', ')})\n`,
      );
  } finally {
    rmSync(mesa, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
}
