// A run directory read back: its stored configuration and its checkpoint, for eval, export,
// fixed masks taken from a run, and resumes. Reading only: restore.ts puts it on a device.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../../compiler/plan/config.js';
import { CHECKPOINT_FILE, readCheckpoint, type Checkpoint } from '../checkpoint.js';
import { programHash, RUN_FILES } from './rundir.js';

export class RunDirError extends Error {}

export interface StoredRun {
  dir: string;
  config: RunConfig;
  runId: string;
  checkpointPath: string;
  checkpoint: Checkpoint;
}

/** "; it holds the run directories …" when `dir` is their parent (`runs/` given for `runs/<id>/`). */
function runDirsInside(dir: string): string {
  const runs = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, RUN_FILES.config)))
    .map((e) => e.name)
    .sort();
  if (runs.length === 0) return '';
  const shown = runs.slice(0, 5).map((r) => join(dir, r));
  const more = runs.length > 5 ? ` and ${runs.length - 5} more` : '';
  return `; it holds ${runs.length === 1 ? 'a run directory, give it' : `${runs.length} run directories, give one of them`}: ${shown.join(', ')}${more}`;
}

export function readRunDir(dir: string): StoredRun {
  if (!existsSync(dir)) throw new RunDirError(`${dir}: no such run directory`);
  if (!statSync(dir).isDirectory()) throw new RunDirError(`${dir}: not a directory (give the run directory, runs/<run id>/)`);
  const cfgPath = join(dir, RUN_FILES.config);
  if (!existsSync(cfgPath)) throw new RunDirError(`${dir}: not a run directory (no ${RUN_FILES.config})${runDirsInside(dir)}`);
  let config: RunConfig;
  try {
    config = JSON.parse(readFileSync(cfgPath, 'utf8'));
  } catch (e) {
    throw new RunDirError(`${cfgPath}: not JSON (${(e as Error).message})`);
  }
  if (!config || config.format !== 1 || !config.model || !config.data) throw new RunDirError(`${cfgPath}: not a subnet run configuration`);
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  if (!existsSync(checkpointPath)) throw new RunDirError(`${dir}: no checkpoint (${CHECKPOINT_FILE}); the run has not finished a checkpoint yet`);
  return { dir, config, runId: programHash(config).slice(0, 12), checkpointPath, checkpoint: readCheckpoint(checkpointPath) };
}

