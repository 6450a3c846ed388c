// The CLI's compile step shared by plan/run/…: front end (diagnostics rendered to stderr), then
// lowering of each run to a Plan for the given adapter limits. Failures become diagnostics from
// the catalog; a bad program never ends in a stack trace.
import type { Diagnostic } from '../../diagnostics/diagnostics.js';
import { compileProgram, hasErrors, type ExpandedRun, LowerError, lower, type LowerOptions, UnsupportedError } from '../../compiler/index.js';
import { makeDiagnostic } from '../../diagnostics/messages.js';
import type { Plan, TargetLimits } from '../../compiler/plan/plan.js';
import { CliError } from './errors.js';
import { nodeHost } from './host.js';
import { renderDiagnostic, summary } from './render.js';

export interface CompiledRun {
  experiment: string;
  run: ExpandedRun;
}

export interface CompileCliOptions {
  overrides?: string[];
  experiment?: string;
  color: boolean;
}

function report(file: string, diags: Diagnostic[], sources: Record<string, string>, color: boolean): void {
  for (const d of diags) process.stderr.write(renderDiagnostic(d, sources, { color }) + '\n\n');
  if (diags.length) process.stderr.write(`${file}: ${summary(diags)}\n`);
}

/** Front end only: the expanded runs of a file, or a CliError after printing diagnostics. */
export function compileRuns(file: string, opts: CompileCliOptions): { runs: CompiledRun[]; sources: Record<string, string> } {
  const r = compileProgram(file, nodeHost(), { overrides: opts.overrides, experiment: opts.experiment });
  if (r.diagnostics.length) report(file, r.diagnostics, r.sources, opts.color);
  if (hasErrors(r.diagnostics)) throw new CliError('', 1);
  const runs = r.experiments.flatMap((e) => e.runs.map((run) => ({ experiment: e.name, run })));
  if (runs.length === 0) throw new CliError(`${file}: no experiment to run (the file defines only networks)`, 1);
  return { runs, sources: r.sources };
}

/** Lowers one run; back-end limits and unsupported constructs are reported as diagnostics. */
export function planRun(run: ExpandedRun, limits: TargetLimits, sources: Record<string, string>, color: boolean, tiles?: LowerOptions['tiles']): Plan {
  try {
    return lower(run.config, run.id, limits, { tiles });
  } catch (e) {
    let d: Diagnostic;
    if (e instanceof LowerError) {
      d = makeDiagnostic('E0601', {}, undefined);
      d.message = e.message;
    } else if (e instanceof UnsupportedError) {
      const o = e.layer?.origin;
      d = makeDiagnostic('E0602', { feature: e.feature }, o ? { file: o.file, offset: o.offset, length: o.length } : undefined);
    } else throw e;
    report('plan', [d], sources, color);
    throw new CliError('', 1);
  }
}
