// `subnet run FILE`: compile, load the data (checked before any GPU work), then train every run
// of the file in turn (runtime/run.ts). A progress bar on stderr (terminal only), one line per
// epoch, and the run directory. With --json the last stdout line is the last run's summary.
//
// SIGINT and SIGTERM stop the run at the next step boundary: it writes a checkpoint, says how
// to resume, and exits 130 (SIGINT) or 143 (SIGTERM). `--resume` continues each run from its
// checkpoint; runs that finished are not trained again.
import { join } from 'node:path';
import { CHECKPOINT_FILE, CheckpointError } from '../checkpoint.js';
import { loadDataset, DataError, type Dataset } from '../data/dataset.js';
import { closeDevice, openDevice, NoAdapterError, type GpuContext } from '../device.js';
import { runState } from '../results/complete.js';
import { previousCheckpointAdvice } from '../results/previous-checkpoint.js';
import type { Summary } from '../results/rundir.js';
import { executeRun, runDirOf, RunInterrupted } from '../run.js';
import { CliError, compileRuns, planRun, type CompileCliOptions } from './compile.js';
import { runTiles } from '../autotune.js';
import { stopOnSignals } from '../signals.js';
import { stderrIsTTY, ttyStderr } from './tty.js';

export interface RunOptions extends CompileCliOptions {
  out: string;
  json: boolean;
  resume?: boolean;
  /** Checkpoint every N training steps (besides every 30 s and every epoch end). */
  checkpointEvery?: number;
}

/** Loads each distinct dataset once; a data problem is a CliError naming the file. */
export function datasetLoader(): (cfg: { data: Parameters<typeof loadDataset>[0] }) => Dataset {
  const cache = new Map<string, Dataset>();
  return (cfg) => {
    const key = JSON.stringify(cfg.data);
    let ds = cache.get(key);
    if (!ds) {
      try {
        ds = loadDataset(cfg.data);
      } catch (e) {
        if (e instanceof DataError) throw new CliError(`error: ${e.message}`);
        throw e;
      }
      cache.set(key, ds);
    }
    return ds;
  };
}

export async function openDeviceOrExplain(): Promise<GpuContext> {
  try {
    return await openDevice();
  } catch (e) {
    if (e instanceof NoAdapterError) throw new CliError('error: no WebGPU adapter; run `subnet doctor` to see what to install', 2);
    throw e;
  }
}

function resumeCommand(file: string, opts: RunOptions): string {
  const q = (s: string) => (/^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const args = ['subnet', 'run', file, ...(opts.overrides ?? []).flatMap((o) => ['--set', o])];
  if (opts.experiment) args.push('--experiment', opts.experiment);
  if (opts.out !== 'runs') args.push('--out', opts.out);
  args.push('--resume');
  return args.map(q).join(' ');
}

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const { runs, sources } = compileRuns(file, opts);
  if (opts.checkpointEvery !== undefined && !(Number.isInteger(opts.checkpointEvery) && opts.checkpointEvery > 0)) {
    throw new CliError(`error: --checkpoint-every wants a positive whole number of steps, got \`${opts.checkpointEvery}\``);
  }
  const dataFor = datasetLoader();
  for (const r of runs) dataFor(r.run.config);
  const ctx = await openDeviceOrExplain();
  const log = (s: string) => (opts.json ? process.stderr : process.stdout).write(s + '\n');
  const bar = stderrIsTTY() && !process.env.CI;
  const stop = stopOnSignals();
  let last: Summary | undefined;
  try {
    for (const r of runs) {
      const out = runDirOf(opts.out, r.run.id);
      const plan = planRun(r.run, ctx.limits, sources, opts.color, await runTiles(ctx, r.run.config, out, (s) => process.stderr.write(`${s}\n`)));
      const axes = Object.entries(r.run.config.axes).map(([k, v]) => `${k}=${v}`).join(' ');
      // A finished run is skipped only when its summary reads whole and its checkpoint verifies.
      const state = opts.resume ? runState(out, r.run.id, r.run.config.train.epochs) : undefined;
      if (state?.kind === 'complete') {
        log(`run ${r.run.id}  already complete (${(100 * state.summary.final_test_accuracy).toFixed(2)}% test accuracy) → ${out}`);
        last = state.summary;
        continue;
      }
      if (state?.kind === 'damaged-checkpoint') {
        const acc = (100 * state.summary.final_test_accuracy).toFixed(2);
        throw new CliError(
          `error: run ${r.run.id} finished (${acc}% test accuracy), but its checkpoint is refused: ${state.error.message}\n` +
            `${previousCheckpointAdvice(join(out, CHECKPOINT_FILE))}\n(run without --resume to start this run over)`,
        );
      }
      if (state?.kind === 'bad-summary') log(`warning: ${state.problem}; resuming from the checkpoint rewrites it`);
      log(`run ${r.run.id}  ${r.experiment}${axes ? `  ${axes}` : ''}  seed ${r.run.config.seed}  → ${out}`);
      try {
        last = await executeRun(ctx, {
          run: r.run,
          experiment: r.experiment,
          plan,
          dataset: dataFor(r.run.config),
          outRoot: opts.out,
          source: sources[file] ?? '',
          log,
          progressStream: bar ? ttyStderr() : undefined,
          signal: stop.signal,
          resume: opts.resume,
          checkpoint: opts.checkpointEvery ? { everySteps: opts.checkpointEvery } : undefined,
        });
      } catch (e) {
        if (e instanceof CheckpointError) throw new CliError(`error: ${e.message}\n(run without --resume to start this run over)`);
        if (e instanceof RunInterrupted) {
          process.stderr.write(`${e.message}\nresume with: ${resumeCommand(file, opts)}\n`);
          return stop.which() === 'SIGTERM' ? 143 : 130;
        }
        throw e;
      }
      log(`final test accuracy ${(100 * last.final_test_accuracy).toFixed(2)}% (best ${(100 * last.best_test_accuracy).toFixed(2)}% at epoch ${last.best_epoch})`);
    }
  } finally {
    stop.dispose();
    closeDevice(ctx);
  }
  if (opts.json && last) process.stdout.write(JSON.stringify(last) + '\n');
  return 0;
}
