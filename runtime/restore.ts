// A finished (or interrupted) run, brought back from its directory: the stored configuration,
// the plan rebuilt from it, the weights regenerated from the seed by the init phase and every
// other tensor loaded from the checkpoint. `subnet eval` and `subnet export` start here.
import type { Plan } from '../compiler/plan/plan.js';
import { checkCompatible, restoreCheckpoint, type Checkpoint } from './checkpoint.js';
import type { Dataset } from './data/dataset.js';
import type { GpuContext } from './device.js';
import type { Executor } from './executor.js';
import type { StoredRun } from './results/stored-run.js';
import { prepare } from './train.js';

/** Executor with the run's state: init regenerates the weights, the checkpoint the rest. */
export async function restoreRun(ctx: GpuContext, plan: Plan, run: StoredRun, ds?: Dataset): Promise<Executor> {
  checkCompatible(run.checkpoint, plan, run.checkpointPath);
  const ex = await prepare(ctx, plan, ds);
  restoreCheckpoint(ex, run.checkpoint);
  await ex.sync();
  return ex;
}

/** Where the checkpoint stands, in words: "epoch 3 of 3 (finished)" or "epoch 2, step 40/250". */
export function checkpointPosition(c: Checkpoint): string {
  const m = c.meta;
  return m.next_step === 0 ? `after epoch ${m.epoch} of ${m.epochs}${m.epoch === m.epochs ? ' (finished)' : ''}` : `epoch ${m.epoch + 1}, step ${m.next_step}/${m.steps_per_epoch}`;
}
