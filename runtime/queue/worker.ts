// `subnet worker`: pulls run jobs from the BullMQ queue and trains them on this machine's
// adapter, N at a time (--concurrency), into a run directory under --out. Each finished run's
// summary, configuration and metrics go to the results store in Redis. A worker that dies
// mid-run loses its job lock; another worker's stalled-job check puts the job back in the queue
// and the run starts again, resuming from its checkpoint when --out is shared. A worker asked to
// stop (SIGINT/SIGTERM) stops its runs at a step boundary and hands their jobs back.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunConfig } from '../../compiler/plan/config.js';
import type { Dataset } from '../data/dataset.js';
import type { GpuContext } from '../device.js';
import { readMetricsOrRepair } from '../results/run-files.js';
import type { Summary } from '../results/rundir.js';
import { runDirOf } from '../run.js';
import { isAbort, PlanError } from '../sweep/execute.js';
import { PackGatherer } from '../sweep/gather.js';
import type { PackSetting } from '../sweep/packs.js';
import { errorText } from '../sweep/failure.js';
import { axesText } from '../sweep/progress.js';
import { completeSummary } from '../sweep/status.js';
import { closeRedis, connectRedis } from './connection.js';
import type { RunJob } from './jobs.js';
import { ResultsStore } from './store.js';

export interface WorkerOptions {
  url: string;
  queueName: string;
  concurrency: number;
  out: string;
  /** Job lock time; a dead worker's job is retried about this long after it died. */
  lockMs: number;
  /** Exit once the queue has nothing waiting, delayed or running. */
  untilEmpty: boolean;
  ctx: GpuContext;
  dataset: (config: RunConfig) => Dataset;
  log: (line: string) => void;
  signal: AbortSignal;
  /** Jobs fetched together that share kernels train as one pack (default off). */
  pack?: PackSetting;
}

export interface WorkerResult {
  completed: number;
  failed: number;
  handedBack: number;
}

export async function runWorker(o: WorkerOptions): Promise<WorkerResult> {
  const name = `${hostname()}:${process.pid}`;
  const log = (s: string) => o.log(`[${name}] ${s}`);
  const redis = await connectRedis(o.url, { onError: log });
  const blocking: Redis = await connectRedis(o.url, { onError: log });
  const store = new ResultsStore(redis, o.queueName);
  const queue = new Queue(o.queueName, { connection: redis });
  const result: WorkerResult = { completed: 0, failed: 0, handedBack: 0 };
  // Jobs fetched together (--concurrency N) that share kernels train as one pack (--pack).
  const gatherer = new PackGatherer(o.pack ?? 'off');

  const storeFromDisk = async (s: Summary, config: RunConfig) => {
    const dir = runDirOf(o.out, s.run_id);
    await store.putResult({ summary: s, config, metrics: readMetricsOrRepair(dir, log), worker: name, stored_at: new Date().toISOString() });
  };

  const process_ = async (job: Job<RunJob>, token?: string) => {
    const d = job.data;
    const id = d.run_id;
    await store.countStart(id);
    if (await store.hasComplete(id)) {
      log(`skip  ${id} (already in the results store)`);
      return { run_id: id, skipped: true };
    }
    // A worker that died after writing the summary but before storing it: store, don't retrain.
    const onDisk = completeSummary(o.out, id);
    if (onDisk) {
      await storeFromDisk(onDisk, d.config);
      log(`store ${id} (complete on disk)`);
      return { run_id: id, final_test_accuracy: onDisk.final_test_accuracy };
    }
    log(`start ${id}  ${d.experiment}  ${axesText(d.config.axes)}  (attempt ${job.attemptsStarted})`.trimEnd());
    try {
      const s = await gatherer.run(
        { experiment: d.experiment, run: { id, config: d.config }, source: d.source },
        {
          ctx: o.ctx,
          outRoot: o.out,
          dataset: o.dataset,
          signal: o.signal,
          log: (l) => {
            log(`${id}  ${l}`);
            void job.updateProgress({ line: l }).catch(() => {});
          },
        },
      );
      await storeFromDisk(s, d.config);
      result.completed++;
      log(`done  ${id}  final test ${(100 * s.final_test_accuracy).toFixed(2)}%`);
      return { run_id: id, final_test_accuracy: s.final_test_accuracy };
    } catch (e) {
      if (isAbort(e, o.signal)) {
        // Not a failure: the job goes back to the queue for this or another worker.
        await job.moveToWait(token);
        result.handedBack++;
        log(`stop  ${id} (back in the queue)`);
        throw new WaitingError();
      }
      const last = e instanceof PlanError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last) await store.putFailure({ run_id: id, experiment: d.experiment, axes: d.config.axes, error: errorText(e), failed_at: new Date().toISOString() });
      result.failed++;
      log(`FAILED ${id}: ${errorText(e)}${last ? '' : ' (will retry)'}`);
      // A run that cannot be lowered on this adapter fails the same way on the next attempt.
      if (e instanceof PlanError) throw new UnrecoverableError(e.message);
      throw e;
    }
  };

  const worker = new Worker<RunJob>(o.queueName, process_, {
    connection: blocking,
    name,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.lockMs,
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('error', (e) => log(`queue error: ${e.message}`));

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= worker.close());
  o.signal.addEventListener('abort', () => {
    log('stopping: active runs stop at a step boundary and go back to the queue');
    void close();
  });
  let timer: NodeJS.Timeout | undefined;
  if (o.untilEmpty) {
    // Nothing waiting, delayed or running anywhere (a dead worker's job counts as running until
    // the stalled check returns it), twice in a row: the sweep is done.
    let idleChecks = 0;
    timer = setInterval(() => {
      void (async () => {
        const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized').catch(() => undefined);
        if (!c) return;
        idleChecks = Object.values(c).every((n) => n === 0) ? idleChecks + 1 : 0;
        if (idleChecks >= 2) void close();
      })();
    }, 500);
  }
  log(`waiting for runs on queue \`${o.queueName}\` (concurrency ${o.concurrency}, adapter ${o.ctx.facts.description || o.ctx.facts.device})`);
  try {
    await worker.run(); // resolves once the worker is closed
    await close();
  } finally {
    if (timer) clearInterval(timer);
    await queue.close().catch(() => {});
    await closeRedis(redis);
    await closeRedis(blocking);
  }
  return result;
}
