// `subnet fmt FILE…`: print the canonical form of each file to stdout, or with --write replace
// the files (atomically: write a temporary file beside it, then rename). With --check, print the
// names of files that are not formatted and exit 1 if there are any. Files with syntax errors are
// left alone and their diagnostics printed; they also make the exit code 1.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { formatSource } from '../../compiler/index.js';
import { renderDiagnostic } from '../session/render.js';

export interface FmtOptions {
  write: boolean;
  check: boolean;
  color?: boolean;
}

export async function fmtCommand(files: string[], opts: FmtOptions): Promise<number> {
  let status = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`${file}: cannot read: ${(e as Error).message}\n`);
      status = 1;
      continue;
    }
    const r = formatSource(file, text);
    if (r.text === undefined) {
      for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(d, { [file]: text }, { color: opts.color ?? false }) + '\n\n');
      status = 1;
      continue;
    }
    if (opts.check) {
      if (r.text !== text) {
        process.stdout.write(`${file}\n`);
        status = 1;
      }
      continue;
    }
    if (opts.write) {
      if (r.text === text) continue;
      const tmp = `${file}.${process.pid}.fmt.tmp`;
      writeFileSync(tmp, r.text);
      renameSync(tmp, file);
      continue;
    }
    process.stdout.write(r.text);
  }
  return status;
}
