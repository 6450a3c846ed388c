// Packing a local sweep (`subnet sweep --pack`): runs whose plans share a pack key, start from the
// same point (fresh, or checkpoints at the same epoch and step) and hold their dataset on the
// device train as one packed program (compiler/pack/pack.ts, runtime/pack/). Anything that
// cannot pack trains alone, as before; a pack the compiler or the device refuses falls back to
// its members one by one, with the reason logged.
import { bytesPerRun, isStreamed, maxPackRuns, packKey, packPlans, PackError, type PackedPlan } from '../../compiler/index.js';
import type { Plan, TargetLimits } from '../../compiler/plan/plan.js';
import { findCheckpoint, readCheckpoint } from '../checkpoint.js';
import { PlanError as DevicePlanError } from '../executor.js';
import { PackExecutor } from '../pack/pack-executor.js';
import { runDirOf } from '../run.js';
import { CliError } from '../session/errors.js';
import type { Summary } from '../results/rundir.js';
import { executeTask, type ExecuteOptions, type RunTask } from './execute.js';

/** `auto`: as many runs as limits and the memory budget allow; a number: at most that many; `off`: one run at a time. */
export type PackSetting = 'auto' | 'off' | number;

/** `--pack` of `subnet sweep`, `subnet worker` and `subnet plan`. */
export function parsePack(v: string | undefined): PackSetting {
  const t = (v ?? 'auto').trim();
  if (t === 'auto' || t === 'off') return t;
  if (/^\d+$/.test(t) && Number(t) >= 1) return Number(t) === 1 ? 'off' : Number(t);
  throw new CliError(`error: --pack must be auto, off or a number of runs ≥ 1, got \`${v}\``);
}

/** A packed plan beside its runs one at a time: what `subnet plan --pack` and `subnet sweep --dry-run` show. */
export function packSummary(packed: PackedPlan, solo: Plan) {
  const R = packed.pack.runs;
  return {
    pack: packed.pack.members,
    runs: R,
    kernels: packed.kernels.length,
    dispatches_per_train_step: packed.phases.trainStep.length,
    dispatches_per_train_step_one_at_a_time: R * solo.phases.trainStep.length,
    arena_bytes: packed.stats.arenaBytes,
    device_bytes: packed.buffers.reduce((a, b) => a + b.size, 0),
    bytes_per_run: bytesPerRun(solo),
    interleave_bytes: packed.pack.chunk,
  };
}

/** Per-run bytes a pack may hold in all under `auto` (the adapter's memory is not queryable in WebGPU). */
export const AUTO_PACK_BYTES = 1 << 30;
/** More runs than this in one pack stop paying back on any adapter we measured. */
export const AUTO_PACK_RUNS = 64;

export interface Unit {
  tasks: RunTask[];
  /** The members' plans, when the unit is a pack of two or more. */
  plans?: Plan[];
}

/**
 * What `auto` means on this adapter. On a CPU adapter (lavapipe) one run already keeps every core
 * busy, the runs share no arithmetic, and a pack's larger working set makes each run's share of a
 * packed step slower than its solo step (0.94× at 2 runs, 0.75× at 15; docs/performance.md,
 * "Packed sweeps"), so auto trains one run at a time there; `--pack N` still packs.
 */
export function effectivePack(setting: PackSetting, limits: TargetLimits): PackSetting {
  return setting === 'auto' && limits.adapterClass === 'cpu' ? 'off' : setting;
}

export const CPU_AUTO_NOTE = 'a CPU adapter: --pack auto trains runs one at a time here (packed kernels are slower on lavapipe); --pack N packs anyway';

/** Where a run starts: fresh, or its checkpoint's (epoch, step). Unreadable: a key of its own. */
export function startPoint(outRoot: string, id: string): string {
  const path = findCheckpoint(runDirOf(outRoot, id));
  if (!path) return '0:0';
  try {
    const m = readCheckpoint(path).meta;
    return `${m.epoch}:${m.next_step}`;
  } catch {
    return `unreadable:${id}`;
  }
}

/** The most runs one pack of this plan may hold under the setting. */
export function packCap(plan: Plan, setting: PackSetting, limits: TargetLimits): number {
  if (setting === 'off') return 1;
  const fit = maxPackRuns(plan, limits);
  if (setting !== 'auto') return Math.min(setting, fit);
  return Math.max(1, Math.min(fit, AUTO_PACK_RUNS, Math.floor(AUTO_PACK_BYTES / Math.max(1, bytesPerRun(plan)))));
}

/**
 * Tasks in packs, in the order of their first member. `plans[i]` is task i's plan (undefined:
 * it could not be planned; it runs alone and reports why).
 */
export function groupPacks(tasks: readonly RunTask[], plans: (Plan | undefined)[], setting: PackSetting, limits: TargetLimits, start: (t: RunTask) => string): Unit[] {
  const units: Unit[] = [];
  const open = new Map<string, Unit>();
  tasks.forEach((task, i) => {
    const plan = plans[i];
    if (!plan || setting === 'off' || isStreamed(task.run.config.data)) {
      units.push({ tasks: [task] });
      return;
    }
    const key = `${packKey(plan)}|${start(task)}`;
    let u = open.get(key);
    if (!u || u.tasks.length >= packCap(plan, setting, limits)) {
      u = { tasks: [], plans: [] };
      units.push(u);
      open.set(key, u);
    }
    u.tasks.push(task);
    u.plans!.push(plan);
  });
  return units.map((u) => (u.tasks.length < 2 ? { tasks: u.tasks } : u));
}

export interface MemberHooks {
  options(task: RunTask): ExecuteOptions;
  settled(task: RunTask, r: PromiseSettledResult<Summary>): void;
}

/** Trains a unit: a pack in lockstep, or its members one by one when it cannot pack. */
export async function executeUnit(unit: Unit, o: ExecuteOptions, hooks: MemberHooks): Promise<void> {
  let pack: PackExecutor | undefined;
  if (unit.plans) {
    try {
      pack = await PackExecutor.create(o.ctx, packPlans(unit.plans), unit.plans);
    } catch (e) {
      if (!(e instanceof PackError || e instanceof DevicePlanError)) throw e;
      o.log?.(`packing ${unit.tasks.length} runs failed (${e.message}); they train one at a time`);
    }
  }
  if (!pack) {
    for (const [i, task] of unit.tasks.entries()) {
      if (o.signal?.aborted) return;
      const r = await settle(executeTask(task, hooks.options(task), unit.plans?.[i]));
      hooks.settled(task, r);
    }
    return;
  }
  const p = pack;
  await Promise.all(
    unit.tasks.map(async (task, i) => {
      const member = p.members[i];
      const r = await settle(executeTask(task, hooks.options(task), unit.plans![i], async () => member).finally(() => member.destroy()));
      hooks.settled(task, r);
    }),
  );
}

async function settle<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: 'fulfilled', value: await p };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}
