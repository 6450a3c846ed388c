// `subnet sweep FILE --emit slurm`: an sbatch array script with one array task per run (or per
// pack of runs, below). Task I
// runs `subnet sweep FILE --index I --expect-id ID` with the same overrides: the index is the
// position in the expanded sweep (grid order, seeds innermost), and the expected id makes a task
// refuse to run a different run if the program changed after the script was written. Runs that
// are already complete are skipped, so resubmitting the script finishes only what is missing.
import { fileURLToPath } from 'node:url';
import type { CompiledRun } from '../session/compile.js';
import { axesText } from './progress.js';

export interface SlurmOptions {
  file: string; // absolute
  out: string; // absolute
  cwd: string;
  overrides: string[];
  experiment?: string;
  /** At most this many array tasks at once (`%N`); 0 = no limit. */
  parallel: number;
  jobName: string;
  /** The command that runs subnet on the compute nodes (the SUBNET variable overrides it). */
  subnet?: string;
  /** Run indexes by array task: one each, or the packs of `--pack` (default: one run a task). */
  tasks?: number[][];
}

/** POSIX shell single quoting. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** This installation's launcher, for compute nodes that share its file system. */
export function defaultSubnetCommand(): string {
  const bin = fileURLToPath(new URL('../../../bin/subnet.mjs', import.meta.url));
  return `${shq(process.execPath)} ${shq(bin)}`;
}

/** The `subnet sweep` arguments every task repeats. */
function sweepArgs(o: SlurmOptions, extra: string[] = []): string {
  return ['sweep', o.file, '--out', o.out, ...o.overrides.flatMap((s) => ['--set', s]), ...(o.experiment ? ['--experiment', o.experiment] : []), ...extra].map(shq).join(' ');
}

/** The #SBATCH block of an array of n tasks. */
function sbatch(o: SlurmOptions, n: number): string {
  return `#SBATCH --job-name=${o.jobName}
#SBATCH --array=0-${n - 1}${o.parallel > 0 ? `%${o.parallel}` : ''}
#SBATCH --output=${o.out}/slurm-%A_%a.out
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --gres=gpu:1`;
}

/** Reads the array index into `v`, refusing one outside 0..n−1; then the launcher and directory. */
function taskPrelude(o: SlurmOptions, v: string, n: number): string {
  return `${v}=\${SLURM_ARRAY_TASK_ID:?run this script with sbatch, or set SLURM_ARRAY_TASK_ID}
if [ "$${v}" -lt 0 ] || [ "$${v}" -ge ${n} ]; then
  echo "array index $${v} is outside 0-${n - 1}" >&2
  exit 1
fi
SUBNET=\${SUBNET:-${o.subnet ?? defaultSubnetCommand()}}
cd ${shq(o.cwd)}`;
}

export function slurmScript(runs: readonly CompiledRun[], o: SlurmOptions): string {
  if (o.tasks && o.tasks.some((t) => t.length > 1)) return packedScript(runs, o, o.tasks);
  const n = runs.length;
  const table = runs.map((r, i) => `#   ${String(i).padStart(String(n - 1).length)}  ${r.run.id}  ${r.experiment}  ${axesText(r.run.config.axes)}`.trimEnd());
  return `#!/bin/bash
# A Slurm job array for the sweep of ${o.file}: ${n} runs, one array task each.
# Written by \`subnet sweep --emit slurm\`. Submit with \`sbatch ${shq(o.jobName)}.sbatch\` (or this file's name);
# each task trains one run into ${o.out}/<run id>/. Complete runs are skipped, so submitting
# again runs only what is missing. Then: subnet report ${shq(o.out)}
#
${sbatch(o, n)}
#
# Index → run (position in the expanded sweep, run id, experiment, swept values):
${table.join('\n')}
set -euo pipefail

IDS=(${runs.map((r) => r.run.id).join(' ')})
${taskPrelude(o, 'INDEX', n)}
exec $SUBNET ${sweepArgs(o)} --index "$INDEX" --expect-id "\${IDS[$INDEX]}" "$@"
`;
}

/**
 * One array task per pack: task T runs `subnet sweep FILE --index I,J,… --expect-id A,B,… --pack N`,
 * the runs a GPU node trains as one program (runtime/sweep/packs.ts). A task whose runs no longer
 * start at one point (some finished, some checkpointed) trains them in smaller packs.
 */
function packedScript(runs: readonly CompiledRun[], o: SlurmOptions, tasks: number[][]): string {
  const n = tasks.length;
  const largest = Math.max(...tasks.map((t) => t.length));
  const w = String(n - 1).length;
  const table = tasks.flatMap((t, k) => t.map((i, j) => `#   ${(j === 0 ? String(k) : '').padStart(w)}  ${String(i).padStart(String(runs.length - 1).length)}  ${runs[i].run.id}  ${runs[i].experiment}  ${axesText(runs[i].run.config.axes)}`.trimEnd()));
  return `#!/bin/bash
# A Slurm job array for the sweep of ${o.file}: ${runs.length} runs in ${n} array tasks, each a pack of
# runs that train as one program on its GPU (docs/scaling.md, "Packed sweeps").
# Written by \`subnet sweep --emit slurm\`. Submit with \`sbatch ${shq(o.jobName)}.sbatch\` (or this file's name);
# each run trains into ${o.out}/<run id>/. Complete runs are skipped, so submitting again runs
# only what is missing. Then: subnet report ${shq(o.out)}
#
${sbatch(o, n)}
#
# Task → runs (task, position in the expanded sweep, run id, experiment, swept values):
${table.join('\n')}
set -euo pipefail

RUNS=(${tasks.map((t) => t.join(',')).join(' ')})
IDS=(${tasks.map((t) => t.map((i) => runs[i].run.id).join(',')).join(' ')})
${taskPrelude(o, 'TASK', n)}
exec $SUBNET ${sweepArgs(o, ['--pack', String(largest)])} --index "\${RUNS[$TASK]}" --expect-id "\${IDS[$TASK]}" "$@"
`;
}
