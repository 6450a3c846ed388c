// `subnet sweep FILE`: expand the sweeps and run every run that is not complete yet, N at a time
// on one adapter (--parallel), with a progress bar per active run and a total; or enqueue one job
// per run on a BullMQ queue (--queue); or write a Slurm array script (--emit slurm). Ctrl-C stops
// cleanly: no new run starts, active runs stop at a step boundary, a second Ctrl-C quits at once.
import { basename, resolve } from 'node:path';
import { closeDevice, openDevice } from '../device.js';
import { writeFileAtomic } from '../results/atomic.js';
import { runState } from '../results/complete.js';
import { runDirOf } from '../run.js';
import type { RunTask } from '../sweep/execute.js';
import { readFailure } from '../sweep/failure.js';
import { runLocalSweep } from '../sweep/local.js';
import { CPU_AUTO_NOTE, effectivePack, groupPacks, packSummary, parsePack, startPoint, type PackSetting, type Unit } from '../sweep/packs.js';
import { lower, packPlans } from '../../compiler/index.js';
import { DEFAULT_LIMITS, type TargetLimits } from '../../compiler/plan/plan.js';
import { axesText, barProgress, lineProgress, writeThrough } from '../sweep/progress.js';
import { slurmScript } from '../sweep/slurm.js';
import { completeSummary, partition } from '../sweep/status.js';
import { compileRuns, type CompileCliOptions, type CompiledRun } from '../session/compile.js';
import { CliError } from '../session/errors.js';
import { datasetLoader, openDeviceOrExplain } from '../session/resources.js';
import { stderrIsTTY, ttyStderr } from './tty.js';

export interface SweepOptions extends CompileCliOptions {
  out: string;
  /** Unset: 1 here, no limit for a Slurm array. */
  parallel?: string;
  /** auto | N | off (default auto). */
  pack?: string;
  queue?: string;
  queueName: string;
  attempts: string;
  retryFailed: boolean;
  emit?: string;
  script?: string;
  index?: string;
  expectId?: string;
  dryRun: boolean;
  json: boolean;
}

function positiveInt(flag: string, v: string, min = 1): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) throw new CliError(`error: ${flag} must be an integer ≥ ${min}, got \`${v}\``);
  return n;
}

/** The units a local sweep of these runs would train on an adapter with these limits (packs planned, not built). */
function plannedUnits(runs: CompiledRun[], out: string, setting: PackSetting, limits: TargetLimits): Unit[] {
  const tasks: RunTask[] = runs.map((r) => ({ experiment: r.experiment, run: r.run, source: '' }));
  const plans = runs.map((r) => {
    try {
      return lower(r.run.config, r.run.id, limits);
    } catch {
      return undefined;
    }
  });
  return groupPacks(tasks, plans, effectivePack(setting, limits), limits, (t) => startPoint(out, t.run.id));
}

/** Pack number (1-based) of each run that packs, and a line per pack with what it costs. */
function describePacks(units: Unit[]): { ids: Map<string, number>; lines: string[] } {
  const ids = new Map<string, number>();
  const lines: string[] = [];
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  units
    .filter((u) => u.plans)
    .forEach((u, i) => {
      u.tasks.forEach((t) => ids.set(t.run.id, i + 1));
      let what: string;
      try {
        const p = packSummary(packPlans(u.plans!), u.plans![0]);
        what = `${p.dispatches_per_train_step} dispatches per training step for all ${p.runs} (${p.dispatches_per_train_step_one_at_a_time} one at a time), arena ${mb(p.arena_bytes)}, device memory ${mb(p.device_bytes)} (${mb(p.bytes_per_run)} a run)`;
      } catch (e) {
        what = `does not pack (${(e as Error).message}): one at a time`;
      }
      lines.push(`pack ${i + 1}: ${u.tasks.length} runs, ${what}`);
    });
  return { ids, lines };
}

/** The adapter's limits for planning packs in a dry run (`auto` depends on the adapter class); none: WebGPU's defaults. */
async function dryRunLimits(setting: PackSetting): Promise<TargetLimits> {
  if (setting === 'off') return DEFAULT_LIMITS;
  try {
    const ctx = await openDevice();
    const limits = ctx.limits;
    closeDevice(ctx);
    if (setting === 'auto' && effectivePack(setting, limits) === 'off') process.stderr.write(`${CPU_AUTO_NOTE}\n`);
    return limits;
  } catch {
    process.stderr.write('no WebGPU adapter here: packs are shown for WebGPU\'s default limits\n');
    return DEFAULT_LIMITS;
  }
}

function statusOf(out: string, id: string): string {
  if (completeSummary(out, id)) return 'complete';
  try {
    if (readFailure(runDirOf(out, id))) return 'failed';
  } catch {
    /* an unreadable failure.json is as good as none */
  }
  return 'to do';
}

async function listRuns(runs: CompiledRun[], out: string, json: boolean, indexes: number[], pack: PackSetting = 'off'): Promise<void> {
  const todo = runs.filter((r) => statusOf(out, r.run.id) !== 'complete');
  const { ids: packs, lines } = todo.length > 1 ? describePacks(plannedUnits(todo, out, pack, await dryRunLimits(pack))) : { ids: new Map<string, number>(), lines: [] };
  for (const [i, r] of runs.entries()) {
    const status = statusOf(out, r.run.id);
    const p = packs.get(r.run.id);
    if (json) process.stdout.write(JSON.stringify({ index: indexes[i], run_id: r.run.id, experiment: r.experiment, axes: r.run.config.axes, status, pack: p ?? null }) + '\n');
    else process.stdout.write(`${String(indexes[i]).padStart(4)}  ${r.run.id}  ${status.padEnd(8)}  ${(p ? `pack ${p}` : '').padEnd(8)}  ${r.experiment}  ${axesText(r.run.config.axes)}`.trimEnd() + '\n');
  }
  if (!json) for (const l of lines) process.stdout.write(l + '\n');
}

/** `--index I` or `--index I,J,K` (a Slurm task's pack), each checked against the sweep. */
function selectRuns(file: string, all: CompiledRun[], index: string, expectId?: string): number[] {
  if (!/^\s*\d+(\s*,\s*\d+)*\s*$/.test(index)) throw new CliError(`error: --index must be a run's position or a comma-separated list of them, got \`${index}\``);
  const indexes = index.split(',').map((x) => Number(x.trim()));
  const ids = expectId?.split(',').map((x) => x.trim());
  if (ids && ids.length !== indexes.length) throw new CliError(`error: --expect-id names ${ids.length} runs, --index ${indexes.length}`);
  indexes.forEach((i, k) => {
    if (i >= all.length) throw new CliError(`error: --index ${i} is out of range: the sweep of ${file} has ${all.length} runs (0–${all.length - 1})`);
    if (ids && all[i].run.id !== ids[k]) {
      throw new CliError(`error: run ${i} of ${file} is ${all[i].run.id}, not ${ids[k]}: the program or its overrides changed since the script was written; write it again with --emit slurm`);
    }
  });
  return indexes;
}

/** The sweep's runs by Slurm task: packs as a GPU node trains them (WebGPU's default limits), or one run a task. */
function slurmTasks(all: CompiledRun[], out: string, pack: PackSetting): number[][] {
  if (pack === 'off') return all.map((_, i) => [i]);
  const index = new Map(all.map((r, i) => [r.run.id, i]));
  return plannedUnits(all, out, pack, DEFAULT_LIMITS).map((u) => u.tasks.map((t) => index.get(t.run.id)!));
}

export async function sweepCommand(file: string, opts: SweepOptions): Promise<number> {
  const parallel = positiveInt('--parallel', opts.parallel ?? '1');
  const pack = parsePack(opts.pack);
  if (opts.emit !== undefined && opts.emit !== 'slurm') throw new CliError(`error: --emit: unknown target \`${opts.emit}\` (known: slurm)`);
  if (opts.emit && opts.queue) throw new CliError('error: --emit slurm and --queue are two ways to run a sweep elsewhere; give one');
  if (opts.index !== undefined && (opts.queue || opts.emit)) throw new CliError('error: --index runs runs here; it does not go with --queue or --emit');
  if (opts.expectId !== undefined && opts.index === undefined) throw new CliError('error: --expect-id needs --index');
  let queueMod: typeof import('../queue/cli.js') | undefined;
  if (opts.queue) {
    queueMod = await import('../queue/cli.js');
    queueMod.checkQueueOptions(opts); // before compiling: a bad URL is reported first
  }
  const { runs: all, sources } = compileRuns(file, opts);
  const out = resolve(opts.out);
  const source = sources[file] ?? '';

  let runs = all;
  if (opts.index !== undefined) {
    const indexes = selectRuns(file, all, opts.index, opts.expectId);
    runs = indexes.map((i) => all[i]);
    if (opts.dryRun) {
      await listRuns(runs, out, opts.json, indexes, pack);
      return 0;
    }
  } else if (opts.dryRun) {
    await listRuns(all, out, opts.json, all.map((_, i) => i), pack);
    return 0;
  }

  if (opts.emit === 'slurm') {
    const name = basename(file).replace(/\.subnet$/, '') || 'sweep';
    const script = resolve(opts.script ?? `${out}/${name}.sbatch`);
    const tasks = slurmTasks(all, out, pack);
    const text = slurmScript(all, { file: resolve(file), out, cwd: process.cwd(), overrides: opts.overrides ?? [], experiment: opts.experiment, parallel: opts.parallel === undefined ? 0 : parallel, jobName: `subnet-${name}`, tasks });
    writeFileAtomic(script, text);
    process.stdout.write(`${script}\n`);
    const packed = tasks.length < all.length ? ` in ${tasks.length} tasks (packs of runs that train as one program; --pack off: one run a task)` : '';
    process.stderr.write(`wrote a Slurm array of ${all.length} runs${packed}; submit it with \`sbatch ${script}\`, then \`subnet report ${out}\`\n`);
    return 0;
  }
  if (queueMod) return queueMod.submitSweep(all, { ...opts, file, source });

  const { todo, done } = partition(out, runs);
  const total = runs.length;
  if (todo.length === 0) {
    process.stderr.write(`all ${total} runs are complete in ${out}; \`subnet report ${out}\` aggregates them\n`);
    if (opts.json) process.stdout.write(JSON.stringify({ total, skipped: done.length, completed: [], failed: [], stopped: [], not_started: [] }) + '\n');
    return 0;
  }
  const dataFor = datasetLoader();
  for (const r of todo) dataFor(r.run.config); // data problems are reported before any GPU work
  const ctx = await openDeviceOrExplain();
  const tty = stderrIsTTY() && !process.env.CI;
  const progress = tty ? barProgress(writeThrough(ttyStderr()), total, done.length) : lineProgress((s) => process.stderr.write(s + '\n'), total, done.length);
  if (done.length) progress.log(`${done.length} of ${total} runs already complete in ${out}: skipped`);
  for (const r of todo) {
    const s = runState(runDirOf(out, r.run.id), r.run.id);
    if (s.kind === 'bad-summary') progress.log(`warning: ${s.problem}; the run is resumed from its checkpoint, which rewrites it`);
  }

  const ac = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!ac.signal.aborted) {
      firstSignalAt = Date.now();
      progress.log(`${sig}: stopping; active runs stop at their next step and resume on the next \`subnet sweep\` (again to quit at once)`);
      ac.abort();
    } else if (Date.now() - firstSignalAt > 1000) {
      // The launcher forwards the terminal's signal too, so one Ctrl-C can arrive twice at once.
      progress.stop();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tasks: RunTask[] = todo.map((r) => ({ experiment: r.experiment, run: r.run, source }));
  let res;
  try {
    res = await runLocalSweep(tasks, { ctx, outRoot: out, dataset: dataFor, signal: ac.signal, parallel, progress, pack });
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    closeDevice(ctx);
  }
  const parts = [`${res.completed.length + done.length} complete${done.length ? ` (${done.length} skipped)` : ''}`];
  if (res.failed.length) parts.push(`${res.failed.length} failed`);
  if (res.stopped.length) parts.push(`${res.stopped.length} stopped`);
  if (res.notStarted.length) parts.push(`${res.notStarted.length} not started`);
  const packed = res.packs.reduce((a, p) => a + p.length, 0);
  const packs = packed ? ` ${packed} trained packed, in ${res.packs.length} pack${res.packs.length > 1 ? 's' : ''}.` : '';
  process.stderr.write(`${total} runs: ${parts.join(', ')}.${packs} \`subnet report ${out}\` aggregates them.\n`);
  for (const f of res.failed) process.stderr.write(`  failed ${f.id}: ${f.error} (${runDirOf(out, f.id)}/failure.json)\n`);
  if (ac.signal.aborted) process.stderr.write('Interrupted: run the same command again to resume.\n');
  if (opts.json) {
    process.stdout.write(JSON.stringify({ total, skipped: done.length, completed: res.completed, failed: res.failed, stopped: res.stopped, not_started: res.notStarted, packs: res.packs }) + '\n');
  }
  if (ac.signal.aborted) return 130;
  return res.failed.length ? 1 : 0;
}
