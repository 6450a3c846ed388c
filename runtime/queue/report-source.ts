// `subnet report --queue`: the runs of a queue's results store as a RunSet. Completed runs come
// with their summaries, configurations and metrics; failed runs with their errors; jobs still
// waiting or running are listed as unfinished. A run directory is linked when the worker's
// --out is visible from here (a shared directory), with its TensorBoard event files.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Queue } from 'bullmq';
import type { RunSet } from '../report/records.js';
import { closeRedis, connectRedis, QueueError, redactUrl } from './connection.js';
import type { RunJob } from './jobs.js';
import { ResultsStore } from './store.js';

function localLinks(dir: string, base: string): { dir?: string; tensorboard: string[] } {
  if (!dir || !existsSync(dir)) return { tensorboard: [] };
  const tb = readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.'));
  return { dir: relative(base, dir) || '.', tensorboard: tb.map((f) => relative(base, join(dir, f))) };
}

export async function loadQueueResults(url: string, queueName: string, outDir: string): Promise<RunSet> {
  const redis = await connectRedis(url);
  const store = new ResultsStore(redis, queueName);
  const queue = new Queue(queueName, { connection: redis });
  const set: RunSet = { source: `queue ${queueName} at ${redactUrl(url)}`, complete: [], failed: [], incomplete: [], warnings: [] };
  try {
    for (const r of await store.results()) {
      set.complete.push({ summary: r.summary, config: r.config, metrics: r.metrics, ...localLinks(r.summary.out_dir, outDir) });
    }
    const done = new Set(set.complete.map((r) => r.summary.run_id));
    for (const f of await store.failures()) if (!done.has(f.run_id)) set.failed.push(f);
    const failedIds = new Set(set.failed.map((f) => f.run_id));
    const pending = await queue.getJobs(['wait', 'active', 'delayed', 'prioritized', 'failed']);
    for (const j of pending) {
      const d = j.data as RunJob | undefined;
      if (!d || done.has(d.run_id) || failedIds.has(d.run_id)) continue;
      if (j.failedReason) set.failed.push({ run_id: d.run_id, experiment: d.experiment, axes: d.config.axes, error: j.failedReason });
      else set.incomplete.push({ run_id: d.run_id, experiment: d.experiment, axes: d.config.axes });
    }
  } finally {
    await queue.close().catch(() => {});
    await closeRedis(redis);
  }
  if (set.complete.length + set.failed.length + set.incomplete.length === 0) {
    throw new QueueError(`queue \`${queueName}\` at ${redactUrl(url)}: no runs (submit some with \`subnet sweep FILE --queue URL\`)`);
  }
  return set;
}
