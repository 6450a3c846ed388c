// Whether a run directory holds a finished run, verified: a summary that reads whole and says
// `complete` for this run, and a checkpoint (when one is kept) that passes its digest and stands
// at the end of training. `subnet run --resume`, sweeps and queue workers skip only such runs;
// everything else is resumed, which rewrites what was damaged from the checkpoint, or refused
// with the reason.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, CheckpointError, readCheckpoint, type Checkpoint } from '../checkpoint.js';
import type { Summary } from './rundir.js';
import { readSummaryChecked, RunFileError } from './run-files.js';

export type RunState =
  /** Finished; nothing to do. */
  | { kind: 'complete'; summary: Summary }
  /** No finished summary (nothing yet, interrupted, or another run's). */
  | { kind: 'unfinished' }
  /** summary.json is truncated or invalid: a resume from the checkpoint rewrites it. */
  | { kind: 'bad-summary'; problem: string }
  /** The summary says complete but the checkpoint is damaged (or not a checkpoint of ours). */
  | { kind: 'damaged-checkpoint'; summary: Summary; error: CheckpointError }
  /** The summary says complete but the checkpoint is older (a previous one put back): resume. */
  | { kind: 'checkpoint-behind'; summary: Summary; checkpoint: Checkpoint };

export function runState(dir: string, runId: string, epochs?: number): RunState {
  let summary: Summary | undefined;
  try {
    summary = readSummaryChecked(dir);
  } catch (e) {
    if (e instanceof RunFileError) return { kind: 'bad-summary', problem: e.message };
    throw e;
  }
  if (!summary || summary.status !== 'complete' || summary.run_id !== runId) return { kind: 'unfinished' };
  if (epochs !== undefined && summary.epochs !== epochs) return { kind: 'unfinished' };
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return { kind: 'complete', summary }; // removed to save space: the results stand
  let checkpoint: Checkpoint;
  try {
    checkpoint = readCheckpoint(path);
  } catch (e) {
    if (e instanceof CheckpointError) return { kind: 'damaged-checkpoint', summary, error: e };
    throw e;
  }
  const m = checkpoint.meta;
  if (m.next_step !== 0 || m.epoch < summary.epochs) return { kind: 'checkpoint-behind', summary, checkpoint };
  return { kind: 'complete', summary };
}
