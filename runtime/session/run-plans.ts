// "Run these plans": the loop that `subnet run` and a standalone runner share. Each run gets
// its header line, trains into `<out>/<run id>/` (runtime/run.ts), and ends with its accuracy
// line; SIGINT/SIGTERM stop the current run at a step boundary after a checkpoint. On resume a
// run that finished (its summary whole and complete, its checkpoint verified) is not trained
// again; one whose checkpoint is damaged is refused with the way back.
import { join } from 'node:path';
import type { Plan } from '../../compiler/plan/plan.js';
import type { RunConfig } from '../../compiler/plan/config.js';
import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../device.js';
import { CHECKPOINT_FILE } from '../checkpoint.js';
import { runState } from '../results/complete.js';
import { previousCheckpointAdvice } from '../results/previous-checkpoint.js';
import type { Summary } from '../results/rundir.js';
import type { Running } from '../train.js';
import { executeRun, runDirOf, RunInterrupted, type CheckpointPolicy } from '../run.js';
import { stopOnSignals } from '../signals.js';
import { CliError } from './errors.js';

export interface PlannedRun {
  experiment: string;
  id: string;
  config: RunConfig;
  /** The run's plan; called once the run is due (the CLI tunes tiles into its run directory first). */
  plan(outDir: string): Plan | Promise<Plan>;
  dataset: Dataset;
}

export interface RunPlansOptions {
  out: string;
  /** The program text, kept beside each run. */
  source: string;
  log: (line: string) => void;
  progressStream?: NodeJS.WriteStream;
  /** Called every few steps of a run, with its running loss (the web page's progress, images/s and curves). */
  onProgress?: (epoch: number, step: number, steps: number, running?: Running, run?: string) => void;
  resume?: boolean;
  checkpoint?: CheckpointPolicy;
}

export type RunPlansResult =
  | { kind: 'done'; last?: Summary }
  /** A signal stopped a run after its checkpoint; `message` says where. */
  | { kind: 'interrupted'; message: string; exitCode: 130 | 143 };

export function accuracyLine(s: Summary): string {
  return `final test accuracy ${(100 * s.final_test_accuracy).toFixed(2)}% (best ${(100 * s.best_test_accuracy).toFixed(2)}% at epoch ${s.best_epoch})`;
}

/** Trains the runs in turn. Errors other than an interruption (CheckpointError, …) propagate. */
export async function runPlans(ctx: GpuContext, runs: PlannedRun[], opts: RunPlansOptions): Promise<RunPlansResult> {
  const { log } = opts;
  const stop = stopOnSignals();
  let last: Summary | undefined;
  try {
    for (const r of runs) {
      const out = runDirOf(opts.out, r.id);
      // A finished run is skipped only when its summary reads whole and its checkpoint verifies.
      const state = opts.resume ? runState(out, r.id, r.config.train.epochs) : undefined;
      if (state?.kind === 'complete') {
        log(`run ${r.id}  already complete (${(100 * state.summary.final_test_accuracy).toFixed(2)}% test accuracy) → ${out}`);
        last = state.summary;
        continue;
      }
      if (state?.kind === 'damaged-checkpoint') {
        const acc = (100 * state.summary.final_test_accuracy).toFixed(2);
        throw new CliError(
          `error: run ${r.id} finished (${acc}% test accuracy), but its checkpoint is refused: ${state.error.message}\n` +
            `${previousCheckpointAdvice(join(out, CHECKPOINT_FILE))}\n(run without --resume to start this run over)`,
        );
      }
      if (state?.kind === 'bad-summary') log(`warning: ${state.problem}; resuming from the checkpoint rewrites it`);
      const plan = await r.plan(out);
      const axes = Object.entries(r.config.axes).map(([k, v]) => `${k}=${v}`).join(' ');
      log(`run ${r.id}  ${r.experiment}${axes ? `  ${axes}` : ''}  seed ${r.config.seed}  → ${out}`);
      try {
        last = await executeRun(ctx, {
          run: { id: r.id, config: r.config },
          experiment: r.experiment,
          plan,
          dataset: r.dataset,
          outRoot: opts.out,
          source: opts.source,
          log,
          progressStream: opts.progressStream,
          onProgress: opts.onProgress && ((e, s, n, running) => opts.onProgress!(e, s, n, running, r.id)),
          running: !!opts.onProgress,
          signal: stop.signal,
          resume: opts.resume,
          checkpoint: opts.checkpoint,
        });
      } catch (e) {
        if (e instanceof RunInterrupted) return { kind: 'interrupted', message: e.message, exitCode: stop.which() === 'SIGTERM' ? 143 : 130 };
        throw e;
      }
      log(accuracyLine(last));
    }
  } finally {
    stop.dispose();
  }
  return { kind: 'done', last };
}
