// `subnet run FILE`: compile, load the data (checked before any GPU work), then train every run
// of the file in turn (runtime/run.ts). A progress bar on stderr (terminal only), one line per
// epoch, and the run directory. With --json the last stdout line is the last run's summary.
//
// SIGINT and SIGTERM stop the run at the next step boundary: it writes a checkpoint, says how
// to resume, and exits 130 (SIGINT) or 143 (SIGTERM). `--resume` continues each run from its
// checkpoint; runs that finished are not trained again.
import { CheckpointError } from '../checkpoint.js';
import { closeDevice } from '../device.js';
import { tunedPlan } from '../autotune.js';
import { compileRuns, planRun, type CompileCliOptions } from '../session/compile.js';
import { CliError } from '../session/errors.js';
import { datasetLoader, openDeviceOrExplain } from '../session/resources.js';
import { runPlans } from '../session/run-plans.js';
import { stderrIsTTY, ttyStderr } from './tty.js';

export interface RunOptions extends CompileCliOptions {
  out: string;
  json: boolean;
  resume?: boolean;
  /** Checkpoint every N training steps (besides every 30 s and every epoch end). */
  checkpointEvery?: number;
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
  const tuneLog = (s: string) => process.stderr.write(`${s}\n`);
  let result;
  try {
    result = await runPlans(
      ctx,
      runs.map((r) => ({
        experiment: r.experiment,
        id: r.run.id,
        config: r.run.config,
        dataset: dataFor(r.run.config),
        plan: (out: string) => tunedPlan(ctx, (tiles) => planRun(r.run, ctx.limits, sources, opts.color, tiles), { log: tuneLog, runDir: out }),
      })),
      {
        out: opts.out,
        source: sources[file] ?? '',
        log,
        progressStream: bar ? ttyStderr() : undefined,
        resume: opts.resume,
        checkpoint: opts.checkpointEvery ? { everySteps: opts.checkpointEvery } : undefined,
      },
    );
  } catch (e) {
    if (e instanceof CheckpointError) throw new CliError(`error: ${e.message}\n(run without --resume to start this run over)`);
    throw e;
  } finally {
    closeDevice(ctx);
  }
  if (result.kind === 'interrupted') {
    process.stderr.write(`${result.message}\nresume with: ${resumeCommand(file, opts)}\n`);
    return result.exitCode;
  }
  const last = result.last;
  if (opts.json && last) process.stdout.write(JSON.stringify(last) + '\n');
  return 0;
}
