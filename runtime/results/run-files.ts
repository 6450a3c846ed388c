// Reading a run directory's summary.json and metrics.jsonl whole or not at all. subnet writes
// both atomically, but a copy cut short, a full disk under rsync or a crash of an older version
// can leave a file that ends mid-record; half-reading it would put wrong numbers in a report.
// A summary is parsed and its fields checked; metrics.jsonl line by line, where a damaged line
// (typically a partial last one) is repaired from the checkpoint when it holds the history
// (metrics.jsonl is derived from it, as a resume rewrites it) and refused otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, CheckpointError, readCheckpoint } from '../checkpoint.js';
import type { EpochRecord } from './epoch.js';
import { writeFileAtomic } from './atomic.js';
import { RUN_FILES, type Summary } from './rundir.js';

/** A summary.json or metrics.jsonl that cannot be read whole; the message names the file. */
export class RunFileError extends Error {}

const SUMMARY_FIELDS: [keyof Summary, (v: unknown) => boolean, string][] = [
  ['run_id', (v) => typeof v === 'string' && v.length > 0, 'a string'],
  ['experiment', (v) => typeof v === 'string', 'a string'],
  ['axes', (v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object'],
  ['seed', (v) => Number.isInteger(v), 'an integer'],
  ['status', (v) => v === 'complete' || v === 'failed', '"complete" or "failed"'],
  ['epochs', (v) => Number.isInteger(v), 'an integer'],
  ['final_test_accuracy', (v) => typeof v === 'number', 'a number'],
  ['best_test_accuracy', (v) => typeof v === 'number', 'a number'],
  ['params', (v) => typeof v === 'number', 'a number'],
  ['kept_params', (v) => typeof v === 'number', 'a number'],
];


/** The run's summary, undefined when there is none yet; a truncated or invalid one is a RunFileError. */
export function readSummaryChecked(dir: string): Summary | undefined {
  const p = join(dir, RUN_FILES.summary);
  if (!existsSync(p)) return undefined;
  const text = readFileSync(p, 'utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // An error at the very end of the text means the JSON stops early: the file was cut short.
    const at = /position (\d+)/.exec((e as Error).message);
    const truncated = /end of (JSON )?input/i.test((e as Error).message) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    throw new RunFileError(`${p}: ${truncated ? `truncated (${text.length} bytes, the JSON ends early)` : `not JSON (${(e as Error).message})`}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RunFileError(`${p}: not a run summary (a JSON ${Array.isArray(v) ? 'array' : typeof v}, not an object)`);
  const o = v as Record<string, unknown>;
  const bad = SUMMARY_FIELDS.filter(([k, ok]) => !ok(o[k])).map(([k, , want]) => (o[k] === undefined ? `${k} is missing` : `${k} is ${JSON.stringify(o[k])}, not ${want}`));
  if (bad.length) {
    const more = bad.length > 3 ? `; and ${bad.length - 3} more` : '';
    throw new RunFileError(`${p}: not a valid run summary: ${bad.slice(0, 3).join('; ')}${more}`);
  }
  return o as unknown as Summary;
}

/** metrics.jsonl, every line parsed; [] when there is none; a damaged line is a RunFileError. */
export function readMetricsChecked(dir: string): EpochRecord[] {
  const p = join(dir, RUN_FILES.metrics);
  if (!existsSync(p)) return [];
  const text = readFileSync(p, 'utf8');
  const lines = text.split('\n');
  const out: EpochRecord[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const last = i === lines.length - 1; // no newline after it
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new RunFileError(`${p}: line ${i + 1} is ${last ? 'cut off (the file ends mid-record)' : 'not JSON'}`);
    }
    if (typeof rec !== 'object' || rec === null || !Number.isInteger((rec as EpochRecord).epoch) || typeof (rec as EpochRecord).test_accuracy !== 'number') {
      throw new RunFileError(`${p}: line ${i + 1} is not an epoch record (no epoch or test_accuracy)`);
    }
    out.push(rec as EpochRecord);
  }
  return out;
}

/**
 * metrics.jsonl, repaired from the checkpoint's history when it is damaged (`note` says so);
 * refused when there is no intact checkpoint to rebuild it from.
 */
export function readMetricsOrRepair(dir: string, note: (line: string) => void = () => {}): EpochRecord[] {
  try {
    return readMetricsChecked(dir);
  } catch (e) {
    if (!(e instanceof RunFileError)) throw e;
    const ckptPath = join(dir, CHECKPOINT_FILE);
    let history: EpochRecord[];
    try {
      if (!existsSync(ckptPath)) throw new CheckpointError('no checkpoint');
      const c = readCheckpoint(ckptPath);
      history = c.meta.history.slice(0, c.meta.epoch).map((h) => h.record);
    } catch (c) {
      if (!(c instanceof CheckpointError)) throw c;
      throw new RunFileError(`${e.message}; it cannot be rebuilt (${existsSync(ckptPath) ? c.message : `no ${CHECKPOINT_FILE}`})`);
    }
    writeFileAtomic(join(dir, RUN_FILES.metrics), history.map((m) => JSON.stringify(m) + '\n').join(''));
    note(`${e.message}; rewritten from the checkpoint's history (${history.length} epoch${history.length === 1 ? '' : 's'})`);
    return history;
  }
}
