// A queue job is one run: its resolved configuration (the front end's output, plain JSON), the
// program text for the record, and names for messages. Workers lower the configuration for their
// own adapter, whose limits (storage offset alignment) may differ from the submitting machine's.
import type { RunConfig } from '../../compiler/plan/config.js';

export interface RunJob {
  run_id: string;
  experiment: string;
  config: RunConfig;
  source: string;
  file: string;
  submitted_at: string;
}

export const JOB_NAME = 'run';

/**
 * The BullMQ job id of a run: the run id itself, so that adding a run twice adds nothing. BullMQ
 * refuses integer-looking custom ids, and a 12-hex-digit run id is all decimal digits about once
 * in 280 runs; those get an `r` in front (still one id per run, still deduplicated).
 */
export function jobIdOf(runId: string): string {
  return `${parseInt(runId, 10)}` === runId ? `r${runId}` : runId;
}
