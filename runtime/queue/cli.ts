// The queue side of `subnet sweep --queue`: option checks and the submission summary. Kept out
// of sweep-command.ts so that local sweeps never load BullMQ.
import { type CompiledRun } from '../session/compile.js';
import { CliError } from '../session/errors.js';
import { checkQueueName, checkQueueUrl, QueueError, redactUrl } from './connection.js';
import { submitRuns } from './submit.js';

export function queueError(e: unknown): never {
  if (e instanceof QueueError) throw new CliError(`error: ${e.message}`);
  throw e;
}

export function checkQueueOptions(o: { queue?: string; queueName: string; attempts: string }): void {
  try {
    checkQueueUrl(o.queue ?? '');
    checkQueueName(o.queueName);
  } catch (e) {
    queueError(e);
  }
  if (!/^\d+$/.test(o.attempts) || Number(o.attempts) < 1) throw new CliError(`error: --attempts must be an integer ≥ 1, got \`${o.attempts}\``);
}

export async function submitSweep(
  runs: CompiledRun[],
  o: { queue?: string; queueName: string; attempts: string; retryFailed: boolean; file: string; source: string; json: boolean },
): Promise<number> {
  const url = o.queue!;
  let r;
  try {
    r = await submitRuns(runs, { url, queueName: o.queueName, file: o.file, source: o.source, attempts: Number(o.attempts), retryFailed: o.retryFailed });
  } catch (e) {
    queueError(e);
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({ total: runs.length, enqueued: r.enqueued, pending: r.pending, complete: r.complete, failed: r.failed, retried: r.retried }) + '\n');
  } else {
    const parts = [`${r.enqueued.length} enqueued`, `${r.pending.length} already queued or running`, `${r.complete.length} complete`];
    if (r.failed.length) parts.push(`${r.failed.length} failed (--retry-failed retries them)`);
    if (r.retried.length) parts.push(`${r.retried.length} failed and retried`);
    process.stdout.write(`${runs.length} runs on queue \`${o.queueName}\` at ${redactUrl(url)}: ${parts.join(', ')}\n`);
    process.stderr.write(`workers: subnet worker --queue ${redactUrl(url)}${o.queueName !== 'subnet' ? ` --queue-name ${o.queueName}` : ''}; results: subnet report --queue ${redactUrl(url)} --out DIR\n`);
  }
  return 0;
}
