// A run that fails is recorded beside its other files as failure.json (the error message, when),
// so that a report lists it and a resumed sweep knows to try it again. A later success removes it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../results/atomic.js';

export interface Failure {
  run_id: string;
  experiment: string;
  axes: Record<string, string>;
  error: string;
  failed_at: string;
}

export const FAILURE_FILE = 'failure.json';

export function writeFailure(runDir: string, f: Failure): void {
  writeJsonAtomic(join(runDir, FAILURE_FILE), f);
}

export function readFailure(runDir: string): Failure | undefined {
  const p = join(runDir, FAILURE_FILE);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as Failure;
}

export function clearFailure(runDir: string): void {
  rmSync(join(runDir, FAILURE_FILE), { force: true });
}

/** One line for an error: the message of an Error, never its stack. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
