// What to say when a run's newest checkpoint is damaged: checkpoints are written keeping the one
// before (runtime/results/keep-previous.ts), so a damaged newest checkpoint need not cost the
// run. We never switch to the previous one silently: it is older, and the user decides.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHECKPOINT_FILE, CheckpointError, DamagedCheckpointError, PREVIOUS_CHECKPOINT_FILE, readCheckpoint } from '../checkpoint.js';
import { checkpointPosition } from '../restore.js';

/** One or two lines on the previous checkpoint beside a damaged one: intact (and how to use it) or not. */
export function previousCheckpointAdvice(damaged: string): string {
  const dir = dirname(damaged);
  const prev = join(dir, PREVIOUS_CHECKPOINT_FILE);
  if (!existsSync(prev)) return `no previous checkpoint is kept in ${dir}`;
  try {
    const c = readCheckpoint(prev);
    return (
      `the previous checkpoint ${prev} is intact (${checkpointPosition(c)}); to continue from it, move it over the damaged one:\n` +
      `  mv ${prev} ${join(dir, CHECKPOINT_FILE)}\nand resume again (the steps after it are trained again, to the same numbers)`
    );
  } catch (e) {
    if (e instanceof CheckpointError) return `the previous checkpoint is no good either: ${e.message}`;
    throw e;
  }
}

/** A DamagedCheckpointError whose message ends with the advice on the previous checkpoint. */
export function withPreviousAdvice(e: DamagedCheckpointError): DamagedCheckpointError {
  return new DamagedCheckpointError(e.path, `${e.message}\n${previousCheckpointAdvice(e.path)}`, e.tensor);
}
