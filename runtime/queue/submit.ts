// `subnet sweep FILE --queue URL`: one BullMQ job per run, job id = run id. A run already in the
// results store, or whose job is waiting, running or finished, is not added again, so submitting
// the same sweep twice adds nothing. Jobs that failed for good stay failed unless retryFailed.
import { Queue } from 'bullmq';
import type { CompiledRun } from '../session/compile.js';
import { closeRedis, connectRedis } from './connection.js';
import { JOB_NAME, jobIdOf, type RunJob } from './jobs.js';
import { ResultsStore } from './store.js';

export interface SubmitOptions {
  url: string;
  queueName: string;
  file: string;
  source: string;
  /** Attempts per job for errors thrown by a run (a worker that dies is recovered separately). */
  attempts: number;
  retryFailed: boolean;
}

export interface SubmitResult {
  enqueued: string[];
  /** Waiting, delayed or running already. */
  pending: string[];
  complete: string[];
  failed: string[];
  retried: string[];
}

export async function submitRuns(runs: readonly CompiledRun[], opts: SubmitOptions): Promise<SubmitResult> {
  const redis = await connectRedis(opts.url);
  const queue = new Queue(opts.queueName, { connection: redis });
  const store = new ResultsStore(redis, opts.queueName);
  const res: SubmitResult = { enqueued: [], pending: [], complete: [], failed: [], retried: [] };
  try {
    const fresh: CompiledRun[] = [];
    for (const r of runs) {
      const id = r.run.id;
      if (await store.hasComplete(id)) {
        res.complete.push(id);
        continue;
      }
      const state = await queue.getJobState(jobIdOf(id));
      if (state === 'unknown') fresh.push(r);
      else if (state === 'completed') res.complete.push(id);
      else if (state === 'failed') {
        if (opts.retryFailed) {
          await (await queue.getJob(jobIdOf(id)))?.retry('failed');
          res.retried.push(id);
        } else res.failed.push(id);
      } else res.pending.push(id);
    }
    const now = new Date().toISOString();
    const jobs = fresh.map((r) => ({
      name: JOB_NAME,
      data: { run_id: r.run.id, experiment: r.experiment, config: r.run.config, source: opts.source, file: opts.file, submitted_at: now } satisfies RunJob,
      // Finished jobs are kept: their ids are what makes a resubmission add nothing.
      opts: { jobId: jobIdOf(r.run.id), attempts: opts.attempts, removeOnComplete: false, removeOnFail: false },
    }));
    // Added in sweep order; adding an id that another submitter added meanwhile is a no-op.
    for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
    res.enqueued = fresh.map((r) => r.run.id);
  } finally {
    await queue.close();
    await closeRedis(redis);
  }
  return res;
}
