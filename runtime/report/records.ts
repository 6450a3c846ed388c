// What a report is made of: one record per run, wherever the runs were stored (a directory of run
// directories, or the queue's results store in Redis). Loaders produce these; everything after
// (aggregation, tables, figures, HTML) works on them alone.
import type { RunConfig } from '../../compiler/plan/config.js';
import type { Summary } from '../results/rundir.js';
import type { EpochRecord } from '../results/epoch.js';

export interface CompleteRun {
  summary: Summary;
  config: RunConfig;
  metrics: EpochRecord[];
  /** Where the run directory is, as a link target for the HTML report (relative or absolute). */
  dir?: string;
  /** TensorBoard event files in the run directory, as link targets. */
  tensorboard: string[];
}

export interface FailedRun {
  run_id: string;
  experiment: string;
  axes: Record<string, string>;
  error: string;
  failed_at?: string;
  dir?: string;
}

/** A run directory with a configuration but neither a summary nor a failure: running or stopped. */
export interface IncompleteRun {
  run_id: string;
  experiment: string;
  axes: Record<string, string>;
  dir?: string;
}

export interface RunSet {
  /** Where the runs came from, for titles and messages. */
  source: string;
  complete: CompleteRun[];
  failed: FailedRun[];
  incomplete: IncompleteRun[];
  /** Files that could not be read (shown as warnings, never fatal). */
  warnings: string[];
}

/** The mask policy of a run as the report names it: `dense` marks the learned baseline. */
export function policyOf(config: RunConfig): string {
  return config.mask.kind;
}

export const DENSE = 'dense';
