// The results store in Redis, reachable from every machine that reaches the queue: per run its
// summary, configuration and per-epoch metrics (small JSON; checkpoints and event files stay on
// disk), failures with their error, and two counters per run, starts and completions, which make
// "every run completed exactly once" checkable after the fact.
import type { Redis } from 'ioredis';
import type { RunConfig } from '../../compiler/plan/config.js';
import type { Summary } from '../results/rundir.js';
import type { Failure } from '../sweep/failure.js';
import type { EpochRecord } from '../results/epoch.js';

export interface StoredResult {
  summary: Summary;
  config: RunConfig;
  metrics: EpochRecord[];
  /** `host:pid` of the worker that stored it. */
  worker: string;
  stored_at: string;
}

export class ResultsStore {
  private readonly key: (what: string) => string;

  constructor(
    private readonly redis: Redis,
    queueName: string,
  ) {
    this.key = (what) => `subnet:${queueName}:${what}`;
  }

  async hasComplete(runId: string): Promise<boolean> {
    return (await this.redis.hexists(this.key('results'), runId)) === 1;
  }

  async get(runId: string): Promise<StoredResult | undefined> {
    const v = await this.redis.hget(this.key('results'), runId);
    return v ? (JSON.parse(v) as StoredResult) : undefined;
  }

  /** Stores a completed run and counts the completion; a stale failure of it is dropped. */
  async putResult(r: StoredResult): Promise<void> {
    const id = r.summary.run_id;
    await this.redis
      .multi()
      .hset(this.key('results'), id, JSON.stringify(r))
      .hincrby(this.key('completions'), id, 1)
      .hdel(this.key('failures'), id)
      .exec();
  }

  async putFailure(f: Failure): Promise<void> {
    await this.redis.hset(this.key('failures'), f.run_id, JSON.stringify(f));
  }

  async countStart(runId: string): Promise<number> {
    return this.redis.hincrby(this.key('starts'), runId, 1);
  }

  async results(): Promise<StoredResult[]> {
    const all = await this.redis.hvals(this.key('results'));
    return all.map((v) => JSON.parse(v) as StoredResult);
  }

  async failures(): Promise<Failure[]> {
    return (await this.redis.hvals(this.key('failures'))).map((v) => JSON.parse(v) as Failure);
  }

  async counts(which: 'starts' | 'completions'): Promise<Record<string, number>> {
    const h = await this.redis.hgetall(this.key(which));
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }
}
