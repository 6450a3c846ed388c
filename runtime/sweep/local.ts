// The local sweep: every run not yet complete, on one adapter. Runs whose plans pack train as one
// program (runtime/sweep/packs.ts); units (packs, or runs that train alone) go N at a time
// (--parallel), sharing the device and interleaving at their GPU waits. A failing run is recorded
// and the others go on; when the signal fires no new unit starts and the active runs stop at their
// next step boundary (checkpointing, where runtime/run.ts supports it).
import type { Plan } from '../../compiler/plan/plan.js';
import { errorText } from './failure.js';
import { isAbort, planTask, type ExecuteOptions, type RunTask } from './execute.js';
import { CPU_AUTO_NOTE, effectivePack, executeUnit, groupPacks, startPoint, type PackSetting, type Unit } from './packs.js';
import type { RunProgress, SweepProgress } from './progress.js';

export interface LocalSweepOptions extends Omit<ExecuteOptions, 'onProgress' | 'log'> {
  parallel: number;
  progress: SweepProgress;
  /** Default: off (one run per unit). */
  pack?: PackSetting;
}

export interface LocalSweepResult {
  completed: string[];
  failed: { id: string; error: string }[];
  /** Started and stopped by the signal: they resume on the next sweep. */
  stopped: string[];
  notStarted: string[];
  /** Packs trained (two or more runs each), by their members' ids. */
  packs: string[][];
}

/** The units a sweep trains: packs where the setting and the plans allow. */
export async function sweepUnits(tasks: readonly RunTask[], o: Omit<LocalSweepOptions, 'progress' | 'parallel'>): Promise<Unit[]> {
  const setting = effectivePack(o.pack ?? 'off', o.ctx.limits);
  if (setting === 'off' || tasks.length < 2) return tasks.map((t) => ({ tasks: [t] }));
  const plans: (Plan | undefined)[] = [];
  for (const t of tasks) plans.push(await planTask(t, o).catch(() => undefined));
  return groupPacks(tasks, plans, setting, o.ctx.limits, (t) => startPoint(o.outRoot, t.run.id));
}

export async function runLocalSweep(tasks: readonly RunTask[], o: LocalSweepOptions): Promise<LocalSweepResult> {
  const res: LocalSweepResult = { completed: [], failed: [], stopped: [], notStarted: [], packs: [] };
  if (o.pack === 'auto' && effectivePack('auto', o.ctx.limits) === 'off' && tasks.length > 1) o.progress.log(CPU_AUTO_NOTE);
  const units = await sweepUnits(tasks, o);
  const bars = new Map<string, RunProgress>();
  let next = 0;
  const lane = async () => {
    while (next < units.length && !o.signal?.aborted) {
      const unit = units[next++];
      if (unit.plans) res.packs.push(unit.tasks.map((t) => t.run.id));
      for (const task of unit.tasks) {
        bars.set(task.run.id, o.progress.start({ id: task.run.id, experiment: task.experiment, axes: task.run.config.axes, epochs: task.run.config.train.epochs }));
      }
      if (unit.plans) bars.get(unit.tasks[0].run.id)!.line(`training ${unit.tasks.length} runs packed as one program`);
      await executeUnit(unit, o, {
        options: (task) => {
          const p = bars.get(task.run.id)!;
          return { ...o, onProgress: (e, st, n) => p.step(e, st, n), log: (l) => p.line(l) };
        },
        settled: (task, r) => {
          const p = bars.get(task.run.id)!;
          if (r.status === 'fulfilled') {
            res.completed.push(task.run.id);
            p.done(r.value);
          } else if (isAbort(r.reason, o.signal)) {
            res.stopped.push(task.run.id);
            p.stopped();
          } else {
            res.failed.push({ id: task.run.id, error: errorText(r.reason) });
            p.failed(errorText(r.reason));
          }
        },
      });
      // Members a stop left unstarted count as not started.
      for (const t of unit.tasks) {
        const id = t.run.id;
        if (!res.completed.includes(id) && !res.stopped.includes(id) && !res.failed.some((f) => f.id === id)) res.notStarted.push(id);
      }
    }
  };
  const lanes = Math.max(1, Math.min(o.parallel, units.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  res.notStarted.push(...units.slice(next).flatMap((u) => u.tasks.map((t) => t.run.id)));
  return res;
}
