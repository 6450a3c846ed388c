// The `subnet` command line. Data goes to stdout, diagnostics and progress to stderr; bad input
// exits non-zero with a message, never a stack trace (an unexpected internal error prints one
// line and asks for a bug report, with the trace only under SUBNET_DEBUG=1).
import { Command, Option } from 'commander';
import { registerArtifactCommands } from './artifact-commands.js';
import { checkCommand } from './check-command.js';
import { CliError } from '../session/errors.js';
import { DataError } from '../data/idx.js';
import { FixedMaskError } from '../fixed-mask.js';
import { RunDiverged } from '../run.js';
import { doctorCommand } from './doctor.js';
import { fmtCommand } from './fmt-command.js';
import { planCommand } from './plan-command.js';
import { runCommand } from './run-command.js';
import { profileCommand } from './profile-command.js';
import { registerSweepCommands } from './sweep-commands.js';
import { stderrIsTTY } from './tty.js';

const collect = (v: string, prev: string[]) => [...prev, v];

function colorWanted(opts: { color?: boolean }): boolean {
  if (opts.color === false || process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stderrIsTTY();
}

export function program(): Command {
  const p = new Command('subnet')
    .description('A language and compiler for subnetwork (edge-popup) experiments on WebGPU')
    .version('0.1.0')
    .option('--no-color', 'no colour in diagnostics')
    .addHelpText(
      'after',
      `
Examples:
  subnet run examples/quickstart.subnet
  subnet check examples/*.subnet
  subnet plan examples/quickstart.subnet --json
  subnet run examples/fig3-keep.subnet --set train.epochs=1`,
    );
  const overrides = (c: Command) =>
    c.option('--set <path=value>', 'override a value, checked like source (repeatable)', collect, []).option('--experiment <name>', 'only this experiment');

  p.command('doctor')
    .description('print the WebGPU adapter and the limits and features subnet uses')
    .option('--json', 'one JSON object')
    .action(async (o) => done(await doctorCommand({ json: !!o.json })));

  overrides(p.command('check').description('check programs: names, types, units, shapes').argument('<files...>'))
    .option('--json', 'one JSON record per diagnostic on stdout')
    .action(async (files: string[], o) => done(await checkCommand(files, { color: colorWanted(p.opts()), json: !!o.json, overrides: o.set, experiment: o.experiment })));

  p.command('fmt')
    .description('print a program in canonical layout')
    .argument('<files...>')
    .option('-w, --write', 'rewrite the files in place')
    .option('--check', 'exit 1 if a file is not formatted')
    .action(async (files: string[], o) => done(await fmtCommand(files, { write: !!o.write, check: !!o.check })));

  overrides(p.command('plan').description('show what each run compiles to: layers, kernels, dispatches, memory').argument('<file>'))
    .option('--json', 'one JSON summary per run')
    .option('--full', 'the whole Plan (WGSL included) as JSON')
    .option('--pack <n>', 'also the packed plans of runs that train as one program (N runs a pack at most, or auto)')
    .action(async (file: string, o) =>
      done(await planCommand(file, { color: colorWanted(p.opts()), json: !!o.json, full: !!o.full, overrides: o.set, experiment: o.experiment, pack: o.pack })),
    );

  overrides(p.command('run').description('train every run of a program').argument('<file>'))
    .addOption(new Option('--out <dir>', 'directory that holds the run directories').default('runs'))
    .option('--json', 'print the summary as the last line of stdout')
    .option('--resume', 'continue each run from its checkpoint (finished runs are skipped)')
    .option('--checkpoint-every <steps>', 'also checkpoint every N training steps (default: every 30 s and every epoch)', Number)
    .action(async (file: string, o) =>
      done(
        await runCommand(file, {
          color: colorWanted(p.opts()),
          json: !!o.json,
          out: o.out,
          overrides: o.set,
          experiment: o.experiment,
          resume: !!o.resume,
          checkpointEvery: o.checkpointEvery,
        }),
      ),
    );
  registerSweepCommands(p, { overrides, color: () => colorWanted(p.opts()), done });
  registerArtifactCommands(p, { overrides, color: () => colorWanted(p.opts()), done });
  overrides(p.command('profile').description('time every kernel of a training step').argument('<file>'))
    .option('--steps <n>', 'steps to average over', '10')
    .option('--eval', 'profile the evaluation step instead')
    .option('--json', 'one JSON object')
    .action(async (file: string, o) =>
      done(await profileCommand(file, { color: colorWanted(p.opts()), json: !!o.json, eval: !!o.eval, steps: Math.max(1, Number(o.steps) || 10), overrides: o.set, experiment: o.experiment })),
    );
  p.command('lsp')
    .description('the Language Server Protocol server for editors (docs/editors.md)')
    .option('--stdio', 'talk JSON-RPC over stdin/stdout (the default)')
    .action(async () => {
      // Loaded on demand: the other commands do not pay for the server's modules.
      const { startServer } = await import('../../lsp/server.js');
      startServer();
      // The server ends the process itself (on `exit`, or when the client closes stdin).
      await new Promise<never>(() => {});
    });
  return p;
}

function done(code: number): void {
  process.exitCode = code;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CliError) {
      if (e.message) process.stderr.write(e.message + '\n');
      process.exitCode = e.exitCode;
      return;
    }
    if (e instanceof DataError) {
      // A bad image met during training (on_bad: stop): one line naming the file.
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof FixedMaskError || e instanceof RunDiverged) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    const err = e as Error;
    process.stderr.write(`subnet: internal error: ${err.message}\n`);
    if (process.env.SUBNET_DEBUG) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('(set SUBNET_DEBUG=1 for the stack trace; please report it)\n');
    process.exitCode = 70;
  }
}
