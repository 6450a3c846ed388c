// `subnet check FILE…`: compile each file and report. Diagnostics go to stderr (rendered) or, with
// --json, to stdout as one JSON record per line; the exit code is 1 when any file has an error.
import { compileProgram, hasErrors, type CompileOptions } from '../../compiler/index.js';
import { nodeHost } from '../session/host.js';
import { diagnosticRecord, renderDiagnostic, summary } from '../session/render.js';

export interface CheckOptions extends CompileOptions {
  color: boolean;
  json?: boolean;
}

export async function checkCommand(files: string[], opts: CheckOptions): Promise<number> {
  const host = nodeHost();
  let failed = false;
  for (const file of files) {
    const r = compileProgram(file, host, { overrides: opts.overrides, experiment: opts.experiment });
    if (opts.json) {
      for (const d of r.diagnostics) process.stdout.write(JSON.stringify(diagnosticRecord(d, r.sources)) + '\n');
    } else {
      for (const d of r.diagnostics) process.stderr.write(renderDiagnostic(d, r.sources, { color: opts.color }) + '\n\n');
      if (r.diagnostics.length) process.stderr.write(`${file}: ${summary(r.diagnostics)}\n`);
      else {
        const runs = r.experiments.reduce((n, x) => n + x.runs.length, 0);
        const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
        // Networks: those of this file, apart from what its imports bring (std/ holds dozens).
        const here = r.networks.filter((n) => n.span.file === file).length;
        const imported = r.networks.length - here;
        const networks = `${plural(here, 'network')} defined here${imported ? `, ${imported} imported` : ''}`;
        process.stderr.write(`${file}: ok (${plural(r.experiments.length, 'experiment')}, ${plural(runs, 'run')}; ${networks})\n`);
      }
    }
    if (hasErrors(r.diagnostics)) failed = true;
  }
  return failed ? 1 : 0;
}
