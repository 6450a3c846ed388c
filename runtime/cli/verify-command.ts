// `subnet verify PATH…`: checks files subnet wrote against what it wrote, without a device. A
// checkpoint or an exported safetensors file is verified against its SHA-256 digest
// (runtime/results/integrity.ts); a run directory is its checkpoint (and the previous one, when
// kept), summary.json and metrics.jsonl. One line per file, `ok` or the problem; exit 1 on any.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, PREVIOUS_CHECKPOINT_FILE } from '../checkpoint.js';
import { EXPORT_FORMAT } from '../export/safetensors-export.js';
import { decodeFile, IntegrityError, verifyDecoded } from '../results/integrity.js';
import { RUN_FILES } from '../results/rundir.js';
import { readMetricsChecked, readSummaryChecked, RunFileError } from '../results/run-files.js';
import { CliError } from '../session/errors.js';

/** What kind of subnet file this is, verified; an IntegrityError when it is damaged or foreign. */
export function verifySafetensorsFile(path: string): string {
  const d = decodeFile(path, 'safetensors file');
  let what: string;
  if (d.metadata.subnet !== undefined) what = 'checkpoint';
  else if (d.metadata.format === EXPORT_FORMAT) what = 'export';
  else if (d.metadata.subnet_sha256 !== undefined) what = 'file';
  else throw new IntegrityError(path, `${path}: not a checkpoint or export of subnet (no "subnet" or "format": "${EXPORT_FORMAT}" metadata)`);
  verifyDecoded(path, what, d);
  return `${what}, ${d.tensors.size} tensors, SHA-256 verified`;
}

/** One safetensors file's verdict: what it holds, or why it is refused. */
function verifyFile(p: string, report: (ok: boolean, line: string) => void): void {
  try {
    report(true, `${p}: ${verifySafetensorsFile(p)}`);
  } catch (e) {
    if (!(e instanceof IntegrityError)) throw e;
    report(false, e.message);
  }
}

function verifyRunDir(dir: string, report: (ok: boolean, line: string) => void): void {
  for (const name of [CHECKPOINT_FILE, PREVIOUS_CHECKPOINT_FILE]) {
    const p = join(dir, name);
    if (!existsSync(p)) {
      if (name === CHECKPOINT_FILE) report(true, `${p}: none (the run has not written a checkpoint, or it was removed)`);
      continue;
    }
    verifyFile(p, report);
  }
  const summary = join(dir, RUN_FILES.summary);
  const metrics = join(dir, RUN_FILES.metrics);
  try {
    const s = readSummaryChecked(dir);
    report(true, s ? `${summary}: ${s.status}, ${s.epochs} epochs` : `${summary}: none (the run has not finished)`);
  } catch (e) {
    if (!(e instanceof RunFileError)) throw e;
    report(false, e.message);
  }
  try {
    const m = readMetricsChecked(dir);
    report(true, `${metrics}: ${m.length} epoch record${m.length === 1 ? '' : 's'}`);
  } catch (e) {
    if (!(e instanceof RunFileError)) throw e;
    report(false, e.message);
  }
}

export async function verifyCommand(paths: string[]): Promise<number> {
  let bad = 0;
  const report = (ok: boolean, line: string) => {
    if (ok) process.stdout.write(`ok     ${line}\n`);
    else {
      bad++;
      process.stderr.write(`error: ${line}\n`);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new CliError(`error: ${p}: no such file or directory`);
    if (statSync(p).isDirectory()) {
      if (!existsSync(join(p, RUN_FILES.config))) throw new CliError(`error: ${p}: not a run directory (no ${RUN_FILES.config}); give a run directory or a .safetensors file`);
      verifyRunDir(p, report);
      continue;
    }
    verifyFile(p, report);
  }
  return bad ? 1 : 0;
}
