// Which runs of a sweep still need doing. A run is done when its directory holds a summary whose
// status is `complete`; anything else (nothing yet, a failure, an interrupted run with only a
// config or a checkpoint) is run (or resumed) again. The run id is the hash of the resolved
// configuration, so a complete summary under that id is the result of exactly this run.
import { RunDir, type Summary } from '../results/rundir.js';
import { runDirOf } from '../run.js';

export function completeSummary(outRoot: string, id: string): Summary | undefined {
  let s: Summary | undefined;
  try {
    s = RunDir.readSummary(runDirOf(outRoot, id));
  } catch {
    return undefined; // an unreadable summary is as good as none: the run is done again
  }
  return s?.status === 'complete' && s.run_id === id ? s : undefined;
}

export function partition<T extends { run: { id: string } }>(outRoot: string, runs: T[]): { todo: T[]; done: T[] } {
  const todo: T[] = [];
  const done: T[] = [];
  for (const r of runs) (completeSummary(outRoot, r.run.id) ? done : todo).push(r);
  return { todo, done };
}
