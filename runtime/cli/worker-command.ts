// `subnet worker --queue redis://HOST:PORT [--concurrency N] [--out DIR]`: one per machine (or per
// GPU); see runtime/queue/worker.ts and docs/scaling.md.
import { resolve } from 'node:path';
import { closeDevice } from '../device.js';
import { queueError } from '../queue/cli.js';
import { checkQueueName, checkQueueUrl } from '../queue/connection.js';
import { runWorker } from '../queue/worker.js';
import { CliError } from '../session/errors.js';
import { parsePack } from '../sweep/packs.js';
import { datasetLoader, openDeviceOrExplain } from '../session/resources.js';

export interface WorkerCommandOptions {
  queue?: string;
  queueName: string;
  concurrency: string;
  out: string;
  lockMs: string;
  untilEmpty: boolean;
  /** auto | N | off (default auto). */
  pack?: string;
}

function int(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new CliError(`error: ${flag} must be an integer ≥ ${min}, got \`${v}\``);
  return Number(v);
}

export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  if (!opts.queue) throw new CliError('error: --queue redis://HOST:PORT is required');
  try {
    checkQueueUrl(opts.queue);
    checkQueueName(opts.queueName);
  } catch (e) {
    queueError(e);
  }
  const concurrency = int('--concurrency', opts.concurrency, 1);
  const pack = parsePack(opts.pack);
  const lockMs = int('--lock-ms', opts.lockMs, 1000);
  const ctx = await openDeviceOrExplain();
  const ac = new AbortController();
  let signals = 0;
  const onSignal = () => {
    // The launcher forwards a terminal's Ctrl-C as well, so the first two count as one.
    if (++signals > 2) process.exit(130);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const log = (s: string) => process.stderr.write(s + '\n');
  try {
    const r = await runWorker({
      url: opts.queue,
      queueName: opts.queueName,
      concurrency,
      out: resolve(opts.out),
      lockMs,
      untilEmpty: opts.untilEmpty,
      ctx,
      dataset: datasetLoader(),
      log,
      signal: ac.signal,
      pack,
    });
    const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
    log(`worker done: ${runs(r.completed)} completed, ${r.failed} failed, ${r.handedBack} handed back`);
  } catch (e) {
    queueError(e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    closeDevice(ctx);
  }
  return 0;
}
