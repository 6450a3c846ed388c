// The distributed queue end to end on a real redis-server: a 12-run sweep of tiny MLPs enqueued
// once (job id = run id), three `subnet worker` processes training on this adapter, one killed
// with SIGKILL in the middle of a run. The stalled job goes back to the queue and another worker
// resumes it from its checkpoint in the shared directory. Every run completes exactly once, a
// resubmission enqueues nothing, and `subnet report --queue` gathers the results. A worker asked
// to stop (SIGTERM) hands its run back instead of failing it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jobIdOf } from '../../runtime/queue/jobs.js';
import { ResultsStore } from '../../runtime/queue/store.js';
import { subnet } from '../helpers/cli.js';
import { startSubnet, tinyProgram, type Proc } from '../sweep/proc.js';
import { startRedis } from './redis.js';

const LOCK_MS = '3000'; // a dead worker's job is back in the queue about 2 × this after it died
const dir = mkdtempSync(join(tmpdir(), 'subnet-queue-'));
const shared = join(dir, 'shared');

function program(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function worker(url: string, queue: string, extra: string[] = []): Proc {
  // `direct`: SIGKILL must reach the process that trains, not the launcher in front of it.
  return startSubnet(['worker', '--queue', url, '--queue-name', queue, '--out', shared, '--lock-ms', LOCK_MS, ...extra], { direct: true });
}

async function withQueue<T>(url: string, name: string, f: (q: Queue, store: ResultsStore) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const q = new Queue(name, { connection: redis });
  try {
    return await f(q, new ResultsStore(redis, name));
  } finally {
    await q.close();
    redis.disconnect();
  }
}

test('12 runs, 3 workers, one killed mid-run: every run completes exactly once', async () => {
  const redis = await startRedis();
  const workers: Proc[] = [];
  const guard = setTimeout(() => {
    for (const w of workers) w.kill('SIGKILL');
  }, 150_000);
  try {
    const file = program('grid.subnet', tinyProgram({ n: 1024, epochs: 3, sweeps: ['sweep mask.keep in [30%, 50%, 70%]', 'sweep model.width in [1, 2]'] }));
    const submit = subnet(['sweep', file, '--queue', redis.url, '--queue-name', 'grid', '--json'], {}, 60_000);
    assert.is(submit.code, 0, submit.stderr);
    const first = JSON.parse(submit.stdout);
    assert.is(first.enqueued.length, 12);
    const ids: string[] = first.enqueued;

    for (let i = 0; i < 3; i++) workers.push(worker(redis.url, 'grid', ['--until-empty']));
    // Kill the first worker once it is inside a run (an epoch done, the next under way).
    const m = await workers[0].waitFor(/\] ([0-9a-f]{12})  epoch 1\/3/, 90_000);
    const victim = m[1];
    workers[0].kill('SIGKILL');
    assert.is(await workers[0].exited(10_000), null, 'killed by a signal');
    for (const w of workers.slice(1)) assert.is(await w.exited(120_000), 0, w.output());

    await withQueue(redis.url, 'grid', async (q, store) => {
      const counts = await q.getJobCounts('completed', 'failed', 'wait', 'active', 'delayed');
      assert.equal(counts, { completed: 12, failed: 0, wait: 0, active: 0, delayed: 0 });
      const jobs = await q.getJobs(['completed']);
      assert.equal(jobs.map((j) => j.id).sort(), ids.map(jobIdOf).sort(), 'job id = run id');
      const completions = await store.counts('completions');
      assert.equal(Object.keys(completions).sort(), [...ids].sort());
      for (const id of ids) assert.is(completions[id], 1, `${id} completed exactly once`);
      const starts = await store.counts('starts');
      assert.is(starts[victim], 2, 'the killed run was started again');
      const r = (await store.get(victim))!;
      assert.is(r.summary.status, 'complete');
      assert.equal(r.metrics.map((e) => e.epoch), [1, 2, 3], 'every epoch once');
    });
    // The retry continued from the dead worker's checkpoint in the shared directory.
    const retried = workers.slice(1).map((w) => w.output()).join('\n');
    assert.match(retried, new RegExp(`start ${victim} .*\\(attempt 2\\)`));
    assert.match(retried, new RegExp(`${victim}  resuming from ${shared}/${victim}/checkpoint\\.safetensors at epoch [23]`));
    for (const id of ids) assert.ok(existsSync(join(shared, id, 'summary.json')), `${id} on the shared disk`);

    const again = subnet(['sweep', file, '--queue', redis.url, '--queue-name', 'grid', '--json'], {}, 60_000);
    assert.is(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout);
    assert.equal([second.enqueued.length, second.pending.length, second.complete.length], [0, 0, 12], 'a resubmission enqueues nothing');

    const out = join(dir, 'report');
    const rep = subnet(['report', '--queue', redis.url, '--queue-name', 'grid', '--out', out], {}, 60_000);
    assert.is(rep.code, 0, rep.stderr);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    assert.is(csv.length, 1 + 6);
    for (const row of csv.slice(1)) assert.match(row, /^tiny,edge_popup,(30|50|70)%,[12],2,0 1,/);
    assert.ok(existsSync(join(out, 'accuracy-vs-keep.svg')) && existsSync(join(out, 'report.html')));
  } finally {
    clearTimeout(guard);
    for (const w of workers) w.kill('SIGKILL');
    await redis.stop();
  }
});

test('SIGTERM: a worker stops its run at a step boundary and hands the job back', async () => {
  const redis = await startRedis();
  const procs: Proc[] = [];
  try {
    const file = program('one.subnet', tinyProgram({ n: 8192, epochs: 4, seeds: 1 }));
    const submit = subnet(['sweep', file, '--queue', redis.url, '--queue-name', 'one', '--json'], {}, 60_000);
    assert.is(submit.code, 0, submit.stderr);
    const [id] = JSON.parse(submit.stdout).enqueued;
    const w = worker(redis.url, 'one');
    procs.push(w);
    await w.waitFor(/epoch 1\/4/, 90_000);
    w.kill('SIGTERM');
    assert.is(await w.exited(30_000), 0, w.output());
    assert.match(w.output(), new RegExp(`stop  ${id} \\(back in the queue\\)`));
    assert.match(w.output(), /worker done: 0 runs completed, 0 failed, 1 handed back/);
    await withQueue(redis.url, 'one', async (q) => assert.is(await q.getJobState(jobIdOf(id)), 'waiting'));
    assert.ok(existsSync(join(shared, id, 'checkpoint.safetensors')));

    const next = worker(redis.url, 'one', ['--until-empty']);
    procs.push(next);
    assert.is(await next.exited(90_000), 0, next.output());
    assert.match(next.output(), new RegExp(`${id}  resuming from .* at epoch [23](, step \\d+/512)?`));
    await withQueue(redis.url, 'one', async (q, store) => {
      assert.is(await q.getJobState(jobIdOf(id)), 'completed');
      assert.equal((await store.get(id))!.metrics.map((e) => e.epoch), [1, 2, 3, 4]);
    });
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await redis.stop();
  }
});

test('--pack: jobs a worker fetches together train as one pack, each as it trains alone', async () => {
  const redis = await startRedis();
  let w: Proc | undefined;
  try {
    const file = program('packed.subnet', tinyProgram({ n: 512, epochs: 2, seeds: 2, sweeps: ['sweep mask.keep in [30%, 50%, 70%]'] }));
    const ref = join(dir, 'packed-ref');
    const local = subnet(['sweep', file, '--out', ref, '--pack', 'off', '--json'], {}, 120_000);
    assert.is(local.code, 0, local.stderr);
    const submit = subnet(['sweep', file, '--queue', redis.url, '--queue-name', 'packed', '--json'], {}, 60_000);
    assert.is(submit.code, 0, submit.stderr);
    const ids: string[] = JSON.parse(submit.stdout).enqueued;
    assert.is(ids.length, 6);
    w = worker(redis.url, 'packed', ['--until-empty', '--concurrency', '6', '--pack', '6']);
    assert.is(await w.exited(120_000), 0, w.output());
    assert.match(w.output(), /packing \d runs as one program/);
    await withQueue(redis.url, 'packed', async (q, store) => {
      assert.equal(await q.getJobCounts('completed', 'failed'), { completed: 6, failed: 0 });
      for (const id of ids) {
        const r = (await store.get(id))!;
        const strip = (m: Record<string, unknown>[]) => m.map(({ train_loss, train_accuracy, test_loss, test_accuracy }) => ({ train_loss, train_accuracy, test_loss, test_accuracy }));
        const want = readFileSync(join(ref, id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(strip(r.metrics as never), strip(want), `${id}: the packed job's metrics are its solo run's`);
      }
    });
  } finally {
    w?.kill('SIGKILL');
    await redis.stop();
  }
});

test('job ids: the run id, except integer-looking ids that BullMQ refuses', () => {
  assert.is(jobIdOf('3991dc7a67bc'), '3991dc7a67bc');
  assert.is(jobIdOf('123456789012'), 'r123456789012');
  assert.is(jobIdOf('012345678901'), '012345678901');
});

test.run();
