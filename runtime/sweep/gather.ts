// Packing where runs arrive one by one (queue workers, `subnet worker --pack`): each run is
// planned as it arrives and waits a moment for runs that share its pack key and start point;
// then the group trains as one pack (runtime/sweep/packs.ts). Every run keeps its own job: its
// promise settles with its own summary or error, so retries, failures and hand-backs stay per run.
// A worker fetching N jobs at once (--concurrency N) gathers them in the first window.
import { isStreamed, packKey } from '../../compiler/index.js';
import type { Plan } from '../../compiler/plan/plan.js';
import type { Summary } from '../results/rundir.js';
import { executeTask, planTask, type ExecuteOptions, type RunTask } from './execute.js';
import { effectivePack, executeUnit, packCap, startPoint, type PackSetting } from './packs.js';

interface Waiting {
  task: RunTask;
  plan: Plan;
  options: ExecuteOptions;
  settle: (r: PromiseSettledResult<Summary>) => void;
}

interface Batch {
  key: string;
  cap: number;
  members: Waiting[];
  timer: NodeJS.Timeout;
}

export class PackGatherer {
  private readonly open = new Map<string, Batch>();

  constructor(
    private readonly setting: PackSetting,
    /** How long a run waits for company before it trains. */
    private readonly windowMs = 1500,
  ) {}

  /** Trains the task, packed with runs that arrive within the window and share its key. */
  async run(task: RunTask, o: ExecuteOptions): Promise<Summary> {
    const setting = effectivePack(this.setting, o.ctx.limits);
    if (setting === 'off' || isStreamed(task.run.config.data)) return executeTask(task, o);
    let plan: Plan;
    try {
      plan = await planTask(task, o);
    } catch {
      return executeTask(task, o); // plans again and records why it cannot
    }
    const key = `${packKey(plan)}|${startPoint(o.outRoot, task.run.id)}`;
    const result = new Promise<PromiseSettledResult<Summary>>((settle) => {
      let b = this.open.get(key);
      if (!b) {
        b = { key, cap: packCap(plan, setting, o.ctx.limits), members: [], timer: setTimeout(() => this.launch(key), this.windowMs) };
        this.open.set(key, b);
      }
      b.members.push({ task, plan, options: o, settle });
      if (b.members.length >= b.cap) this.launch(key);
    });
    const r = await result;
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  }

  private launch(key: string): void {
    const b = this.open.get(key);
    if (!b) return;
    this.open.delete(key);
    clearTimeout(b.timer);
    const m = b.members;
    const byId = new Map(m.map((w) => [w.task.run.id, w]));
    const first = m[0].options;
    if (m.length === 1) {
      void executeTask(m[0].task, first, m[0].plan).then(
        (value) => m[0].settle({ status: 'fulfilled', value }),
        (reason) => m[0].settle({ status: 'rejected', reason }),
      );
      return;
    }
    first.log?.(`packing ${m.length} runs as one program: ${m.map((w) => w.task.run.id).join(' ')}`);
    void executeUnit({ tasks: m.map((w) => w.task), plans: m.map((w) => w.plan) }, first, {
      options: (task) => byId.get(task.run.id)!.options,
      settled: (task, r) => byId.get(task.run.id)!.settle(r),
    }).catch((e) => {
      for (const w of m) w.settle({ status: 'rejected', reason: e });
    });
  }
}
