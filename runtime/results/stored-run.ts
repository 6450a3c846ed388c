// A run directory read back: its stored configuration and its checkpoint, for eval, export,
// fixed masks taken from a run, and resumes. Reading only: restore.ts puts it on a device.
import { existsSync, readFileSync, statSync } from 'node:fs';
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

export function readRunDir(dir: string): StoredRun {
  if (!existsSync(dir)) throw new RunDirError(`${dir}: no such run directory`);
  if (!statSync(dir).isDirectory()) throw new RunDirError(`${dir}: not a directory (give the run directory, runs/<run id>/)`);
  const cfgPath = join(dir, RUN_FILES.config);
  if (!existsSync(cfgPath)) throw new RunDirError(`${dir}: not a run directory (no ${RUN_FILES.config})`);
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

