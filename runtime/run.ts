// Executing one expanded run into its run directory: the unit that `subnet run`, sweeps, queue
// workers and standalone runners all call. The caller owns the device and the dataset (shared
// across runs).
//
// Checkpoints are written at the end of every epoch, every N steps or S seconds inside an epoch,
// and when the caller's signal asks the run to stop (at the next step boundary). With `resume`,
// the run continues from its checkpoint: the init phase regenerates the weights from the seed,
// the checkpoint restores everything else, and the epoch goes on at the step it stopped at.
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { ExpandedRun } from '../compiler/index.js';
import type { Plan } from '../compiler/plan/plan.js';
import {
  checkCompatible,
  DamagedCheckpointError,
  findCheckpoint,
  PREVIOUS_CHECKPOINT_FILE,
  readCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
  type Checkpoint,
  type CheckpointMeta,
  type HistoryEntry,
  CHECKPOINT_FORMAT,
} from './checkpoint.js';
import type { Dataset } from './data/dataset.js';
import type { GpuContext } from './device.js';
import { withPreviousAdvice } from './results/previous-checkpoint.js';
import { programHash, RunDir, type Summary } from './results/rundir.js';
import { eventFileName } from './tensorboard.js';
import type { EpochRecord } from './results/epoch.js';
import { Executor, type RunExecutor } from './executor.js';
import { EpochStopped, setUp, stepsPerEpoch, trainEpoch, type Running } from './train.js';
import { SUBNET_VERSION } from './version.js';

export interface CheckpointPolicy {
  /** Checkpoint inside an epoch every this many steps (0: never by count). */
  everySteps?: number;
  /** … and at least every this many seconds (default 30; 0: never by time). */
  everySeconds?: number;
}

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
  /** Called every few steps: (epoch 0-based, step in epoch, steps per epoch, and with `running` the epoch's loss so far). */
  onProgress?: (epoch: number, step: number, steps: number, running?: Running) => void;
  /** Pass onProgress the running loss and accuracy (a display wants them; a progress bar reads them anyway). */
  running?: boolean;
  /** Draw a progress bar on this stream (a terminal). */
  progressStream?: NodeJS.WriteStream;
  /** Stop at the next step boundary, checkpoint, and throw RunInterrupted. */
  signal?: AbortSignal;
  /** Continue from the run directory's checkpoint when there is one. */
  resume?: boolean;
  checkpoint?: CheckpointPolicy;
  /** The run's memory when it is not an Executor of its own: a member of a pack (runtime/pack/). */
  open?: (plan: Plan) => Promise<RunExecutor>;
}

export function runDirOf(outRoot: string, id: string): string {
  return resolve(join(outRoot, id));
}

export function epochLine(r: EpochRecord, epochs: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  loss ${r.train_loss.toFixed(4)}  ` +
    `train ${pct(r.train_accuracy)}  test ${pct(r.test_accuracy)}  ${Math.round(r.train_images_per_second)} img/s  ` +
    `lr ${r.lr.toPrecision(3)}  (${(r.train_seconds + r.eval_seconds).toFixed(1)} s)` +
    (r.data_images_per_second !== undefined ? `  data ${Math.round(r.data_images_per_second)} img/s, waited ${(r.data_wait_seconds ?? 0).toFixed(1)} s` : '')
  );
}

export class RunAborted extends Error {
  constructor(readonly epochsDone: number) {
    super('run aborted');
  }
}

/** The run stopped on request after writing a checkpoint at (epoch, step). */
export class RunInterrupted extends RunAborted {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly stepsPerEpoch: number,
    readonly checkpoint: string,
  ) {
    super(epoch);
    this.message = `interrupted in epoch ${epoch + 1} at step ${step}/${stepsPerEpoch}; checkpoint ${checkpoint}`;
  }
}

/** The training loss stopped being finite: the run is recorded as failed, its epochs kept. */
export class RunDiverged extends Error {
  constructor(
    readonly epoch: number,
    loss: number,
  ) {
    super(`the run diverged: training loss ${loss} in epoch ${epoch} (metrics.jsonl keeps its epochs; a lower learning rate may help)`);
  }
}

const DEFAULT_CHECKPOINT_SECONDS = 30;

export async function executeRun(ctx: GpuContext, req: RunRequest): Promise<Summary> {
  const { plan, dataset: ds, run } = req;
  const cfg = plan.config;
  const dir = new RunDir(runDirOf(req.outRoot, run.id));
  const log = req.log ?? (() => {});
  const epochs = cfg.train.epochs;
  const steps = stepsPerEpoch(plan, ds.train.n);

  // Resume position, or a fresh start that clears what an earlier attempt left.
  const ckptPath = req.resume ? findCheckpoint(dir.dir) : undefined;
  let ckpt: Checkpoint | undefined;
  try {
    ckpt = ckptPath ? readCheckpoint(ckptPath) : undefined;
  } catch (e) {
    throw e instanceof DamagedCheckpointError ? withPreviousAdvice(e) : e;
  }
  if (ckpt) checkCompatible(ckpt, plan, ckptPath!);
  else {
    if (!req.resume && findCheckpoint(dir.dir)) log(`starting over: the checkpoint in ${dir.dir} is replaced (--resume continues from it)`);
    dir.clearResults();
  }
  dir.writeConfig(cfg, req.source);
  const history: HistoryEntry[] = ckpt ? ckpt.meta.history.slice(0, ckpt.meta.epoch) : [];
  const startedAt = ckpt?.meta.started_at ?? Date.now() / 1000;
  const eventFile = ckpt?.meta.event_file ?? eventFileName(startedAt, hostname());
  let epoch = ckpt?.meta.epoch ?? 0;
  let nextStep = ckpt?.meta.next_step ?? 0;
  if (ckpt) {
    // The derived files say exactly what the checkpoint finished (an epoch that ended after it
    // was written is run again and must not appear twice).
    dir.clearResults([eventFile, 'checkpoint.safetensors', PREVIOUS_CHECKPOINT_FILE, 'summary.json']);
    writeDerived(dir, history, eventFile, startedAt);
    log(`resuming from ${ckptPath} at epoch ${epoch + 1}${nextStep ? `, step ${nextStep}/${steps}` : ''}`);
  }

  const ex = req.open ? await req.open(plan) : await Executor.create(ctx, plan);
  try {
    await setUp(ex, ds);
  } catch (e) {
    ex.destroy();
    throw e;
  }
  if (ckpt) restoreCheckpoint(ex, ckpt);
  const meta = (e: number, step: number): CheckpointMeta => ({
    format: 'subnet-checkpoint',
    version: CHECKPOINT_FORMAT,
    subnet_version: SUBNET_VERSION,
    run_id: plan.runId,
    config_sha256: programHash(cfg),
    epoch: e,
    next_step: step,
    steps_per_epoch: steps,
    epochs,
    rng: { generator: 'philox4x32-10', seed: cfg.seed, epoch: e, step: e * steps + step },
    history,
    event_file: eventFile,
    started_at: startedAt,
    written_at: new Date().toISOString(),
  });
  const policy = req.checkpoint ?? {};
  const everySteps = policy.everySteps ?? 0;
  const everyMs = (policy.everySeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000;
  let lastCheckpoint = performance.now();
  const checkpoint = async (e: number, step: number) => {
    const p = await saveCheckpoint(ex, dir.dir, meta(e, step));
    lastCheckpoint = performance.now();
    return p;
  };

  const bar = req.progressStream
    ? new cliProgress.SingleBar(
        { format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps{running}{data}', stream: req.progressStream, clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    for (; epoch < epochs; epoch++, nextStep = 0) {
      if (req.signal?.aborted) throw new RunInterrupted(epoch, nextStep, steps, await checkpoint(epoch, nextStep));
      bar?.start(steps, nextStep, { epoch: epoch + 1, epochs, data: dataProgress(ds), running: '' });
      let rec: EpochRecord;
      try {
        rec = await trainEpoch(ex, ds, epoch, {
          startStep: nextStep,
          running: !!bar || !!req.running,
          onProgress: (ep, step, total, running) => {
            bar?.update(step, { epoch: epoch + 1, epochs, data: dataProgress(ds), running: runningText(running) });
            req.onProgress?.(ep, step, total, running);
          },
          afterStep: async (e, done) => {
            if (req.signal?.aborted) return true;
            const due = (everySteps > 0 && done % everySteps === 0) || (everyMs > 0 && performance.now() - lastCheckpoint >= everyMs);
            if (due && done < steps) await checkpoint(e, done);
            return false;
          },
        });
      } catch (e) {
        if (e instanceof EpochStopped) throw new RunInterrupted(e.epoch, e.done, steps, await checkpoint(e.epoch, e.done));
        throw e;
      }
      bar?.stop();
      history.push({ record: rec, wall_time: Date.now() / 1000 });
      await checkpoint(epoch + 1, 0);
      writeDerived(dir, history, eventFile, startedAt);
      log(epochLine(rec, epochs));
      if (!Number.isFinite(rec.train_loss)) throw new RunDiverged(rec.epoch, rec.train_loss);
    }
  } finally {
    bar?.stop();
    ex.destroy();
  }
  const summary = summarize(ctx, req, dir.dir, history.map((h) => h.record));
  const feed = ds.feed?.stats;
  if (feed) {
    summary.data_skipped = feed.skipped.size;
    summary.data_converted = feed.converted.size;
    if (feed.skipped.size || feed.converted.size) log(`data: ${feed.skipped.size} bad images skipped, ${feed.converted.size} grayscale/CMYK images converted to RGB`);
  }
  dir.writeSummary(summary);
  return summary;
}

/** The epoch's loss and accuracy so far, for the progress line. */
function runningText(r: Running | undefined): string {
  return r ? `  loss ${r.loss.toFixed(4)}  train ${(100 * r.accuracy).toFixed(1)}%` : '';
}

/** The data side of the progress line for streamed images: decode rate and time spent waiting. */
function dataProgress(ds: Dataset): string {
  const f = ds.feed?.stats;
  if (!f) return '';
  const rate = f.decodeSeconds > 0 ? f.decoded / f.decodeSeconds : 0;
  return `  data ${rate.toFixed(0)} img/s, waited ${f.waitSeconds.toFixed(1)} s${f.skipped.size ? `, ${f.skipped.size} skipped` : ''}`;
}

function writeDerived(dir: RunDir, history: HistoryEntry[], eventFile: string, startedAt: number): void {
  dir.writeMetrics(history.map((h) => h.record));
  dir.writeEvents(eventFile, startedAt, history);
}

function summarize(ctx: GpuContext, req: RunRequest, outDir: string, records: EpochRecord[]): Summary {
  const { plan, run } = req;
  const cfg = plan.config;
  const last = records[records.length - 1];
  const best = records.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
  const s = plan.stats;
  return {
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
    out_dir: outDir,
    finished_at: new Date().toISOString(),
  };
}
