// The run directory: runs/<run_id>/ with the resolved configuration (canonical JSON, the text
// whose hash is the run id, and that hash), metrics.jsonl (one record per epoch), a TensorBoard
// event file, summary.json and the checkpoint. Every write replaces its file atomically; the
// metrics and event files are rewritten whole from the run's history, so after a resume they
// hold exactly the epochs the checkpoint had finished, never a duplicate.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../../compiler/plan/config.js';
import { canonicalJson, idText, sha256Hex } from '../../compiler/index.js';
import { eventFileBytes, runEvents } from '../tensorboard.js';
import type { EpochRecord } from './epoch.js';
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
  /** Streamed image data: bad images skipped (on_bad: skip), grayscale/CMYK images converted. */
  data_skipped?: number;
  data_converted?: number;
}

export { idText };

/** SHA-256 of idText: the program hash checkpoints are checked against; run id = its first 12 digits. */
export function programHash(config: RunConfig): string {
  return sha256Hex(idText(config));
}

export const RUN_FILES = {
  config: 'config.json',
  configHash: 'config.sha256',
  source: 'source.subnet',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
} as const;

export class RunDir {
  readonly metrics: EpochRecord[] = [];
  constructor(readonly dir: string) {}

  writeConfig(cfg: RunConfig, source: string): void {
    writeFileAtomic(join(this.dir, RUN_FILES.config), canonicalJson(cfg) + '\n');
    writeFileAtomic(join(this.dir, RUN_FILES.configHash), `${programHash(cfg)}\n`);
    writeFileAtomic(join(this.dir, RUN_FILES.source), source);
  }

  appendEpoch(rec: EpochRecord): void {
    this.metrics.push(rec);
    this.writeMetrics(this.metrics);
  }

  writeMetrics(records: EpochRecord[]): void {
    writeFileAtomic(join(this.dir, RUN_FILES.metrics), records.map((m) => JSON.stringify(m) + '\n').join(''));
  }

  writeEvents(file: string, startWallTime: number, epochs: { record: EpochRecord; wall_time: number }[]): void {
    const events = runEvents(
      startWallTime,
      epochs.map((h) => ({ ...h.record, wallTime: h.wall_time })),
    );
    writeFileAtomic(join(this.dir, file), eventFileBytes(events));
  }

  writeSummary(s: Summary): void {
    writeJsonAtomic(join(this.dir, RUN_FILES.summary), s);
  }

  /** Event files in the directory (a run writes one; a fresh start removes the old ones). */
  eventFiles(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => f.startsWith('events.out.tfevents.'));
  }

  /** Removes what a previous attempt left (a fresh start must not mix with it). */
  clearResults(keep: readonly string[] = []): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) {
      const stale = f === RUN_FILES.metrics || f === RUN_FILES.summary || f === 'checkpoint.safetensors' || f === 'checkpoint.prev.safetensors' || f.startsWith('events.out.tfevents.');
      if (stale && !keep.includes(f)) rmSync(join(this.dir, f), { force: true });
    }
  }

  static readSummary(dir: string): Summary | undefined {
    const p = join(dir, RUN_FILES.summary);
    if (!existsSync(p)) return undefined;
    return JSON.parse(readFileSync(p, 'utf8')) as Summary;
  }
}
