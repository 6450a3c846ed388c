// Reads a directory of run directories (what `subnet run`/`subnet sweep` write, or a shared
// results directory of queue workers) into a RunSet. A file that cannot be parsed becomes a
// warning naming it; a missing directory, or one where no run could be read, is an error (and
// then names every unreadable file, so the reason is never hidden behind "no runs").
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunConfig } from '../../compiler/plan/config.js';
import type { Summary } from '../results/rundir.js';
import { readMetricsOrRepair, readSummaryChecked, RunFileError } from '../results/run-files.js';
import { FAILURE_FILE, readFailure } from '../sweep/failure.js';
import type { EpochRecord } from '../results/epoch.js';
import type { RunSet } from './records.js';

export class ReportInputError extends Error {}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readMetrics(path: string): EpochRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochRecord);
}

const EVENTS = /^events\.out\.tfevents\./;

/** TensorBoard event files in a run directory or one level below it (a `tb/` folder, say). */
function eventFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (EVENTS.test(name)) out.push(p);
    else if (statSync(p).isDirectory()) for (const sub of readdirSync(p)) if (EVENTS.test(sub)) out.push(join(p, sub));
  }
  return out.sort();
}

/**
 * Every subdirectory with a summary, a failure or a configuration is a run. `linkBase` is the
 * directory the report will be written to; links are made relative to it.
 */
export function loadRunDirectory(root: string, linkBase: string = root): RunSet {
  if (!existsSync(root)) throw new ReportInputError(`${root}: no such directory`);
  if (!statSync(root).isDirectory()) throw new ReportInputError(`${root}: not a directory`);
  const set: RunSet = { source: root, complete: [], failed: [], incomplete: [], warnings: [] };
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const cfgPath = join(dir, 'config.json');
    const hasSummary = existsSync(join(dir, 'summary.json'));
    if (!hasSummary && !existsSync(cfgPath) && !existsSync(join(dir, FAILURE_FILE))) continue; // not a run directory
    const link = relative(linkBase, dir) || '.';
    try {
      const config = existsSync(cfgPath) ? readJson<RunConfig>(cfgPath) : undefined;
      const summary: Summary | undefined = readSummaryChecked(dir);
      if (summary?.status === 'complete') {
        if (!config) {
          set.warnings.push(`${cfgPath}: missing; run skipped`);
          continue;
        }
        set.complete.push({
          summary,
          config,
          metrics: readMetricsOrRepair(dir, (note) => set.warnings.push(note)),
          dir: link,
          tensorboard: eventFiles(dir).map((f) => relative(linkBase, f)),
        });
        continue;
      }
      const failure = readFailure(dir);
      if (failure) {
        set.failed.push({ ...failure, dir: link });
        continue;
      }
      if (config) set.incomplete.push({ run_id: name, experiment: config.experiment, axes: config.axes, dir: link });
    } catch (e) {
      if (e instanceof RunFileError) set.warnings.push(`${e.message}; run skipped`);
      else set.warnings.push(`${dir}: unreadable (${e instanceof Error ? e.message : String(e)}); run skipped`);
    }
  }
  if (set.complete.length + set.failed.length + set.incomplete.length === 0) {
    if (set.warnings.length) throw new ReportInputError(`${root}: no readable runs:\n${set.warnings.map((w) => `  ${w}`).join('\n')}`);
    throw new ReportInputError(`${root}: no run directories (expected <run id>/summary.json from \`subnet run\` or \`subnet sweep\`)`);
  }
  return set;
}
