// `subnet run FILE`: compile, load the data (checked before any GPU work), then train every run
// of the file in turn (runtime/run.ts). A progress bar on stderr (terminal only), one line per
// epoch, and the run directory. With --json the last stdout line is the last run's summary.
import { loadDataset, DataError, type Dataset } from '../data/dataset.js';
import { closeDevice, openDevice, NoAdapterError, type GpuContext } from '../device.js';
import type { Summary } from '../results/rundir.js';
import { executeRun, runDirOf } from '../run.js';
import { CliError, compileRuns, planRun, type CompileCliOptions } from './compile.js';
import { stderrIsTTY, ttyStderr } from './tty.js';

export interface RunOptions extends CompileCliOptions {
  out: string;
  json: boolean;
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

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const { runs, sources } = compileRuns(file, opts);
  const dataFor = datasetLoader();
  for (const r of runs) dataFor(r.run.config);
  const ctx = await openDeviceOrExplain();
  const log = (s: string) => (opts.json ? process.stderr : process.stdout).write(s + '\n');
  const bar = stderrIsTTY() && !process.env.CI;
  let last: Summary | undefined;
  try {
    for (const r of runs) {
      const plan = planRun(r.run, ctx.limits, sources, opts.color);
      const axes = Object.entries(r.run.config.axes).map(([k, v]) => `${k}=${v}`).join(' ');
      log(`run ${r.run.id}  ${r.experiment}${axes ? `  ${axes}` : ''}  seed ${r.run.config.seed}  → ${runDirOf(opts.out, r.run.id)}`);
      last = await executeRun(ctx, {
        run: r.run,
        experiment: r.experiment,
        plan,
        dataset: dataFor(r.run.config),
        outRoot: opts.out,
        source: sources[file] ?? '',
        log,
        progressStream: bar ? ttyStderr() : undefined,
      });
      log(`final test accuracy ${(100 * last.final_test_accuracy).toFixed(2)}% (best ${(100 * last.best_test_accuracy).toFixed(2)}% at epoch ${last.best_epoch})`);
    }
  } finally {
    closeDevice(ctx);
  }
  if (opts.json && last) process.stdout.write(JSON.stringify(last) + '\n');
  return 0;
}
