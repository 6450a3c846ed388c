// One run of a sweep, as both the local sweep and queue workers execute it: lower the resolved
// configuration for this adapter, train it with executeRun (resuming from the run's checkpoint
// when there is one), and turn every failure into one line of text for failure.json.
import { type ExpandedRun, UnsupportedError, LowerError, lower } from '../../compiler/index.js';
import type { Plan } from '../../compiler/plan/plan.js';
import { tunedPlan, type TileMap } from '../autotune.js';
import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../device.js';
import type { Summary } from '../results/rundir.js';
import type { Running } from '../train.js';
import { executeRun, RunAborted, runDirOf, type RunRequest } from '../run.js';
import { clearFailure, errorText, writeFailure } from './failure.js';

export interface RunTask {
  experiment: string;
  run: ExpandedRun;
  /** The program text, kept in the run directory. */
  source: string;
}

export interface ExecuteOptions {
  ctx: GpuContext;
  outRoot: string;
  dataset: (config: ExpandedRun['config']) => Dataset;
  signal?: AbortSignal;
  onProgress?: (epoch: number, step: number, steps: number, running?: Running) => void;
  log?: (line: string) => void;
}

/** A run that could not be lowered for this adapter (not worth retrying elsewhere as is). */
export class PlanError extends Error {}

export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return e instanceof RunAborted || (!!signal?.aborted && e instanceof Error && /abort/i.test(e.name + e.message));
}

export function planFor(task: RunTask, ctx: GpuContext, tiles?: TileMap) {
  try {
    return lower(task.run.config, task.run.id, ctx.limits, { tiles });
  } catch (e) {
    if (e instanceof LowerError || e instanceof UnsupportedError) throw new PlanError(e.message);
    throw e;
  }
}

/** The run's plan for this adapter: tiles recorded in its run directory (a resumed run computes exactly as before), or tuned. */
export function planTask(task: RunTask, o: ExecuteOptions): Promise<Plan> {
  return tunedPlan(o.ctx, (tiles) => planFor(task, o.ctx, tiles), { runDir: runDirOf(o.outRoot, task.run.id) });
}

/**
 * Trains the run into `<outRoot>/<id>/`. On success a stale failure.json is removed; on failure
 * one is written (unless the run was stopped on purpose, which is not a failure) and the error
 * rethrown for the caller to count. `plan` and `open` come from a pack (runtime/sweep/packs.ts).
 */
export async function executeTask(task: RunTask, o: ExecuteOptions, planned?: Plan, open?: RunRequest['open']): Promise<Summary> {
  const dir = runDirOf(o.outRoot, task.run.id);
  try {
    const plan = planned ?? (await planTask(task, o));
    // A run interrupted earlier (Ctrl-C, a dead worker) continues from its checkpoint.
    const req: RunRequest = {
      run: task.run,
      experiment: task.experiment,
      plan,
      dataset: o.dataset(task.run.config),
      outRoot: o.outRoot,
      source: task.source,
      log: o.log,
      onProgress: o.onProgress,
      signal: o.signal,
      resume: true,
      open,
    };
    const summary = await executeRun(o.ctx, req);
    clearFailure(dir);
    return summary;
  } catch (e) {
    if (!isAbort(e, o.signal)) {
      writeFailure(dir, {
        run_id: task.run.id,
        experiment: task.experiment,
        axes: task.run.config.axes,
        error: errorText(e),
        failed_at: new Date().toISOString(),
      });
    }
    throw e;
  }
}
