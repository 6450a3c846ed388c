// `subnet eval RUN_DIR`: re-evaluates a run's checkpoint on its test set. The plan is rebuilt
// from the stored configuration, the weights regenerated from the seed, the scores (and all
// other state) loaded from the checkpoint; the accuracy equals the one the run reported for
// that epoch. --data points at the dataset when it moved.
import type { DataConfig } from '../../compiler/plan/config.js';
import { CheckpointError } from '../checkpoint.js';
import { closeDevice } from '../device.js';
import { checkpointPosition, restoreRun } from '../restore.js';
import { readRunDir, RunDirError, type StoredRun } from '../results/stored-run.js';
import { evaluate } from '../train.js';
import { recordedTiles } from '../autotune.js';
import { planRun } from '../session/compile.js';
import { CliError } from '../session/errors.js';
import { datasetLoader, openDeviceOrExplain } from '../session/resources.js';

export interface EvalOptions {
  json: boolean;
  data?: string;
  color: boolean;
}

/** The stored run, with the data directory replaced when the user moved the dataset. */
export function openStoredRun(dir: string, dataDir?: string): StoredRun {
  let run: StoredRun;
  try {
    run = readRunDir(dir);
  } catch (e) {
    if (e instanceof RunDirError || e instanceof CheckpointError) throw new CliError(`error: ${e.message}`);
    throw e;
  }
  if (dataDir !== undefined) {
    if (!('dir' in run.config.data)) throw new CliError(`error: --data: this run's data is ${run.config.data.kind}, which has no directory`);
    run.config = { ...run.config, data: { ...run.config.data, dir: dataDir } as DataConfig };
  }
  return run;
}

export async function evalCommand(dir: string, opts: EvalOptions): Promise<number> {
  const run = openStoredRun(dir, opts.data);
  const ds = datasetLoader()(run.config);
  const ctx = await openDeviceOrExplain();
  try {
    const plan = planRun({ id: run.runId, config: run.config }, ctx.limits, {}, opts.color, recordedTiles(run.dir));
    let ex;
    try {
      ex = await restoreRun(ctx, plan, run, ds);
    } catch (e) {
      if (e instanceof CheckpointError) throw new CliError(`error: ${e.message}`);
      throw e;
    }
    const r = await evaluate(ex, ds);
    ex.destroy();
    const m = run.checkpoint.meta;
    if (opts.json) {
      process.stdout.write(
        JSON.stringify({ run_id: run.runId, epoch: m.epoch, next_step: m.next_step, test_accuracy: r.accuracy, test_loss: r.loss, examples: ds.test.n }) + '\n',
      );
    } else {
      process.stdout.write(
        `run ${run.runId}  checkpoint ${checkpointPosition(run.checkpoint)}\ntest accuracy ${(100 * r.accuracy).toFixed(2)}%  loss ${r.loss.toFixed(4)}  (${ds.test.n} examples)\n`,
      );
    }
  } finally {
    closeDevice(ctx);
  }
  return 0;
}
