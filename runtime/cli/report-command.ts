// `subnet report DIR` (a directory of run directories) or `subnet report --queue redis://…` (the
// queue's results store): aggregate over seeds, print the table, write results.csv, results.md,
// the figures (SVG) and report.html into --out (default: DIR itself, or `report/`).
import { resolve } from 'node:path';
import { loadRunDirectory, ReportInputError } from '../report/load-dir.js';
import type { RunSet } from '../report/records.js';
import { writeReport } from '../report/report.js';
import { CliError } from '../session/errors.js';

export interface ReportOptions {
  out?: string;
  queue?: string;
  queueName: string;
  json: boolean;
}

async function loadFromQueue(url: string, name: string, outDir: string): Promise<RunSet> {
  // Imported here so that reports of directories never load the Redis client.
  const { loadQueueResults } = await import('../queue/report-source.js');
  const { checkQueueName, checkQueueUrl, QueueError } = await import('../queue/connection.js');
  try {
    checkQueueUrl(url);
    checkQueueName(name);
    return await loadQueueResults(url, name, outDir);
  } catch (e) {
    if (e instanceof QueueError) throw new ReportInputError(e.message);
    throw e;
  }
}

export async function reportCommand(dir: string | undefined, opts: ReportOptions): Promise<number> {
  if (!dir && !opts.queue) throw new CliError('error: give a directory of runs (`subnet report runs/`) or `--queue redis://HOST:PORT`');
  if (dir && opts.queue) throw new CliError('error: give either a directory or --queue, not both');
  const outDir = resolve(opts.out ?? dir ?? 'report');
  let set: RunSet;
  try {
    set = opts.queue ? await loadFromQueue(opts.queue, opts.queueName, outDir) : loadRunDirectory(resolve(dir!), outDir);
  } catch (e) {
    if (e instanceof ReportInputError) throw new CliError(`error: ${e.message}`);
    throw e;
  }
  for (const w of set.warnings) process.stderr.write(`warning: ${w}\n`);
  const r = await writeReport(set, outDir);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ out_dir: outDir, files: r.files, groups: r.groups }) + '\n');
  } else {
    process.stdout.write(r.terminal + '\n');
    process.stderr.write(`wrote ${r.files.filter((f) => !f.endsWith('.vl.json')).join(', ')} to ${outDir}\n`);
  }
  return 0;
}
