// The run directory: runs/<run_id>/ with the resolved configuration (canonical JSON, the text
// whose hash is the run id), metrics.jsonl (one record per epoch) and summary.json. Every write
// replaces its file atomically.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../../compiler/config.js';
import { canonicalJson } from '../../compiler/hash.js';
import type { EpochRecord } from '../train.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

export interface Summary {
  run_id: string;
  experiment: string;
  axes: Record<string, string>;
  seed: number;
  status: 'complete' | 'failed';
  epochs: number;
  final_test_accuracy: number;
  best_test_accuracy: number;
  best_epoch: number;
  final_train_accuracy: number;
  final_train_loss: number;
  final_test_loss: number;
  train_images_per_second: number;
  seconds_per_epoch: number;
  params: number;
  kept_params: number;
  dispatches_per_train_step: number;
  adapter: string;
  out_dir: string;
  finished_at: string;
}

export class RunDir {
  readonly metrics: EpochRecord[] = [];
  constructor(readonly dir: string) {}

  writeConfig(cfg: RunConfig, source: string): void {
    writeFileAtomic(join(this.dir, 'config.json'), canonicalJson(cfg) + '\n');
    writeFileAtomic(join(this.dir, 'source.subnet'), source);
  }

  appendEpoch(rec: EpochRecord): void {
    this.metrics.push(rec);
    writeFileAtomic(join(this.dir, 'metrics.jsonl'), this.metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
  }

  writeSummary(s: Summary): void {
    writeJsonAtomic(join(this.dir, 'summary.json'), s);
  }

  static readSummary(dir: string): Summary | undefined {
    const p = join(dir, 'summary.json');
    if (!existsSync(p)) return undefined;
    return JSON.parse(readFileSync(p, 'utf8')) as Summary;
  }
}
