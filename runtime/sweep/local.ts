// The local sweep: every run not yet complete, N at a time on one adapter. Runs share the device
// (each has its own buffers and pipelines) and interleave at their GPU waits. A failing run is
// recorded and the others go on; when the signal fires no new run starts and the active ones stop
// at their next step boundary (checkpointing, where runtime/run.ts supports it).
import { errorText } from './failure.js';
import { executeTask, isAbort, type ExecuteOptions, type RunTask } from './execute.js';
import type { SweepProgress } from './progress.js';

export interface LocalSweepOptions extends Omit<ExecuteOptions, 'onProgress' | 'log'> {
  parallel: number;
  progress: SweepProgress;
}

export interface LocalSweepResult {
  completed: string[];
  failed: { id: string; error: string }[];
  /** Started and stopped by the signal: they resume on the next sweep. */
  stopped: string[];
  notStarted: string[];
}

export async function runLocalSweep(tasks: readonly RunTask[], o: LocalSweepOptions): Promise<LocalSweepResult> {
  const res: LocalSweepResult = { completed: [], failed: [], stopped: [], notStarted: [] };
  let next = 0;
  const lane = async () => {
    while (next < tasks.length && !o.signal?.aborted) {
      const task = tasks[next++];
      const p = o.progress.start({ id: task.run.id, experiment: task.experiment, axes: task.run.config.axes, epochs: task.run.config.train.epochs });
      try {
        const s = await executeTask(task, { ...o, onProgress: (e, st, n) => p.step(e, st, n), log: (l) => p.line(l) });
        res.completed.push(task.run.id);
        p.done(s);
      } catch (e) {
        if (isAbort(e, o.signal)) {
          res.stopped.push(task.run.id);
          p.stopped();
        } else {
          res.failed.push({ id: task.run.id, error: errorText(e) });
          p.failed(errorText(e));
        }
      }
    }
  };
  const lanes = Math.max(1, Math.min(o.parallel, tasks.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  res.notStarted = tasks.slice(next).map((t) => t.run.id);
  return res;
}
