// Which runs of a sweep still need doing. A run is done when its directory holds a summary whose
// status is `complete` and a checkpoint that verifies; anything else (nothing yet, a failure, an interrupted run with only a
// config or a checkpoint) is run (or resumed) again. The run id is the hash of the resolved
// configuration, so a complete summary under that id is the result of exactly this run.
import { runState } from '../results/complete.js';
import type { Summary } from '../results/rundir.js';
import { runDirOf } from '../run.js';

/**
 * The run's summary when it is complete and verified (runtime/results/complete.ts); a truncated
 * summary or a damaged checkpoint makes it a run to do again: its resume rewrites the summary from
 * the checkpoint, or fails naming the damaged file.
 */
export function completeSummary(outRoot: string, id: string): Summary | undefined {
  const s = runState(runDirOf(outRoot, id), id);
  return s.kind === 'complete' ? s.summary : undefined;
}

export function partition<T extends { run: { id: string } }>(outRoot: string, runs: T[]): { todo: T[]; done: T[] } {
  const todo: T[] = [];
  const done: T[] = [];
  for (const r of runs) (completeSummary(outRoot, r.run.id) ? done : todo).push(r);
  return { todo, done };
}
