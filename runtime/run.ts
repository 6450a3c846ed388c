// Executing one expanded run into its run directory: the unit that `subnet run`, sweeps and
// queue workers all call. The caller owns the device and the dataset (shared across runs).
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { ExpandedRun } from '../compiler/frontend.js';
import type { Plan } from '../compiler/plan.js';
import type { Dataset } from './data/dataset.js';
import type { GpuContext } from './device.js';
import { RunDir, type Summary } from './results/rundir.js';
import { prepare, trainEpoch, type EpochRecord } from './train.js';

export interface RunRequest {
  run: ExpandedRun;
  experiment: string;
  plan: Plan;
  dataset: Dataset;
  /** Directory holding run directories; this run writes `<outRoot>/<run id>/`. */
  outRoot: string;
  /** The program text, kept beside the run for the record. */
  source: string;
  /** One line per epoch (and run start/end). */
  log?: (line: string) => void;
  /** Called every few steps: (epoch 0-based, step in epoch, steps per epoch). */
  onProgress?: (epoch: number, step: number, steps: number) => void;
  /** Draw a progress bar on this stream (a terminal). */
  progressStream?: NodeJS.WriteStream;
  /** Stop early (between steps); the run is left incomplete. */
  signal?: AbortSignal;
}

export function runDirOf(outRoot: string, id: string): string {
  return resolve(join(outRoot, id));
}

export function epochLine(r: EpochRecord, epochs: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  loss ${r.train_loss.toFixed(4)}  ` +
    `train ${pct(r.train_accuracy)}  test ${pct(r.test_accuracy)}  ${Math.round(r.train_images_per_second)} img/s  ` +
    `lr ${r.lr.toPrecision(3)}  (${(r.train_seconds + r.eval_seconds).toFixed(1)} s)`
  );
}

export class RunAborted extends Error {
  constructor(readonly epochsDone: number) {
    super('run aborted');
  }
}

export async function executeRun(ctx: GpuContext, req: RunRequest): Promise<Summary> {
  const { plan, dataset: ds, run } = req;
  const cfg = plan.config;
  const dir = new RunDir(runDirOf(req.outRoot, run.id));
  dir.writeConfig(cfg, req.source);
  const log = req.log ?? (() => {});
  const ex = await prepare(ctx, plan, ds);
  const epochs = cfg.train.epochs;
  const bar = req.progressStream
    ? new cliProgress.SingleBar(
        { format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps', stream: req.progressStream, clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const records: EpochRecord[] = [];
  try {
    for (let e = 0; e < epochs; e++) {
      if (req.signal?.aborted) throw new RunAborted(e);
      bar?.start(Math.ceil(ds.train.n / cfg.train.batch), 0, { epoch: e + 1, epochs });
      const rec = await trainEpoch(ex, ds, e, {
        onProgress: (ep, step, steps) => {
          bar?.update(step, { epoch: e + 1, epochs });
          req.onProgress?.(ep, step, steps);
        },
      });
      bar?.stop();
      records.push(rec);
      dir.appendEpoch(rec);
      log(epochLine(rec, epochs));
    }
  } finally {
    bar?.stop();
    ex.destroy();
  }
  const last = records[records.length - 1];
  const best = records.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
  const s = plan.stats;
  const summary: Summary = {
    run_id: run.id,
    experiment: req.experiment,
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
