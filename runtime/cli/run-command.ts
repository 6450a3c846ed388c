// `subnet run FILE`: compile, load the data (checked before any GPU work), then train every run
// of the file in turn. A progress bar on stderr (TTY only), one line per epoch, and the run
// directory. With --json the last stdout line is the summary object (the last run's).
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Plan } from '../../compiler/plan.js';
import { loadDataset, DataError, type Dataset } from '../data/dataset.js';
import { closeDevice, openDevice, NoAdapterError, type GpuContext } from '../device.js';
import { RunDir, type Summary } from '../results/rundir.js';
import { prepare, trainEpoch, type EpochRecord } from '../train.js';
import { CliError, compileRuns, planRun, type CompileCliOptions } from './compile.js';
import { stderrIsTTY, ttyStderr } from './tty.js';

export interface RunOptions extends CompileCliOptions {
  out: string;
  json: boolean;
}

export function epochLine(r: EpochRecord, epochs: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  loss ${r.train_loss.toFixed(4)}  ` +
    `train ${pct(r.train_accuracy)}  test ${pct(r.test_accuracy)}  ${Math.round(r.train_images_per_second)} img/s  ` +
    `lr ${r.lr.toPrecision(3)}  (${(r.train_seconds + r.eval_seconds).toFixed(1)} s)`
  );
}

export async function trainRun(
  ctx: GpuContext,
  plan: Plan,
  ds: Dataset,
  dir: RunDir,
  experiment: string,
  log: (s: string) => void,
  bar: boolean,
): Promise<Summary> {
  const cfg = plan.config;
  const ex = await prepare(ctx, plan, ds);
  const epochs = cfg.train.epochs;
  const progress = bar
    ? new cliProgress.SingleBar(
        { format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps', stream: ttyStderr(), clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const records: EpochRecord[] = [];
  try {
    for (let e = 0; e < epochs; e++) {
      progress?.start(Math.ceil(ds.train.n / cfg.train.batch), 0, { epoch: e + 1, epochs });
      const rec = await trainEpoch(ex, ds, e, {
        onProgress: (_ep, step) => progress?.update(step, { epoch: e + 1, epochs }),
      });
      progress?.stop();
      records.push(rec);
      dir.appendEpoch(rec);
      log(epochLine(rec, epochs));
    }
  } finally {
    progress?.stop();
    ex.destroy();
  }
  const last = records[records.length - 1];
  const best = records.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
  const s = plan.stats;
  const summary: Summary = {
    run_id: plan.runId,
    experiment,
    axes: cfg.axes,
    seed: cfg.seed,
    status: 'complete',
    epochs: records.length,
    final_test_accuracy: last.test_accuracy,
    best_test_accuracy: best.test_accuracy,
    best_epoch: best.epoch,
    final_train_accuracy: last.train_accuracy,
    final_train_loss: last.train_loss,
    final_test_loss: last.test_loss,
    train_images_per_second: records.reduce((a, r) => a + r.train_images_per_second, 0) / records.length,
    seconds_per_epoch: records.reduce((a, r) => a + r.train_seconds + r.eval_seconds, 0) / records.length,
    params: s.params,
    kept_params: s.keptParams,
    dispatches_per_train_step: s.dispatchesPerTrainStep,
    adapter: ctx.facts.description || ctx.facts.device,
    out_dir: dir.dir,
    finished_at: new Date().toISOString(),
  };
  dir.writeSummary(summary);
  return summary;
}

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const { runs, sources } = compileRuns(file, opts);
  // Data first: a missing or corrupt file is reported before any GPU work.
  const datasets = new Map<string, Dataset>();
  const dataFor = (r: (typeof runs)[number]): Dataset => {
    const key = JSON.stringify(r.run.config.data);
    let ds = datasets.get(key);
    if (!ds) {
      try {
        ds = loadDataset(r.run.config.data);
      } catch (e) {
        if (e instanceof DataError) throw new CliError(`error: ${e.message}`);
        throw e;
      }
      datasets.set(key, ds);
    }
    return ds;
  };
  for (const r of runs) dataFor(r);
  let ctx: GpuContext;
  try {
    ctx = await openDevice();
  } catch (e) {
    if (e instanceof NoAdapterError) throw new CliError('error: no WebGPU adapter; run `subnet doctor` to see what to install', 2);
    throw e;
  }
  const log = (s: string) => (opts.json ? process.stderr : process.stdout).write(s + '\n');
  const bar = stderrIsTTY() && !process.env.CI;
  let last: Summary | undefined;
  try {
    for (const r of runs) {
      const plan = planRun(r.run, ctx.limits, sources, opts.color);
      const dir = new RunDir(resolve(join(opts.out, r.run.id)));
      dir.writeConfig(r.run.config, sources[file] ?? '');
      const axes = Object.entries(r.run.config.axes).map(([k, v]) => `${k}=${v}`).join(' ');
      log(`run ${r.run.id}  ${r.experiment}${axes ? `  ${axes}` : ''}  seed ${r.run.config.seed}  → ${dir.dir}`);
      last = await trainRun(ctx, plan, dataFor(r), dir, r.experiment, log, bar);
      log(`final test accuracy ${(100 * last.final_test_accuracy).toFixed(2)}% (best ${(100 * last.best_test_accuracy).toFixed(2)}% at epoch ${last.best_epoch})`);
    }
  } finally {
    closeDevice(ctx);
  }
  if (opts.json && last) process.stdout.write(JSON.stringify(last) + '\n');
  return 0;
}
