// The commands that work on what a run leaves behind, or that package a program to run
// elsewhere: eval, export, verify, compile. Registered from main.ts in one call.
import type { Command } from 'commander';
import { compileCommand } from './compile-command.js';
import { evalCommand } from './eval-command.js';
import { exportCommand } from './export-command.js';
import { verifyCommand } from './verify-command.js';

export interface ArtifactCommandHooks {
  overrides: (c: Command) => Command;
  color: () => boolean;
  done: (code: number) => void;
}

export function registerArtifactCommands(p: Command, h: ArtifactCommandHooks): void {
  p.command('eval')
    .description("re-evaluate a run's checkpoint on its test set")
    .argument('<run-dir>', 'the run directory, runs/<run id>/')
    .option('--data <dir>', 'the dataset directory, when it moved since the run')
    .option('--json', 'one JSON object on stdout')
    .action(async (dir: string, o) => h.done(await evalCommand(dir, { json: !!o.json, data: o.data, color: h.color() })));

  p.command('export')
    .description("write a run's subnetwork: safetensors (weights, scores, masks) or ONNX (the masked network)")
    .argument('<run-dir>', 'the run directory, runs/<run id>/')
    .requiredOption('--format <format>', 'safetensors or onnx')
    .requiredOption('-o, --output <file>', 'the file to write')
    .action(async (dir: string, o) => h.done(await exportCommand(dir, { format: o.format, output: o.output, color: h.color() })));

  p.command('verify')
    .description('check checkpoints, exports and run directories against the SHA-256 digests subnet wrote')
    .argument('<paths...>', 'run directories or .safetensors files (checkpoints or exports)')
    .action(async (paths: string[]) => h.done(await verifyCommand(paths)));

  h.overrides(p.command('compile').description('bundle the runtime and the plan of a program into one standalone ES module').argument('<file>'))
    .requiredOption('-o, --output <path>', 'the runner to write (runner.mjs), or with --target web the folder')
    .option('--target <target>', 'node: a standalone runner module; web: a static page that trains in the browser (WebGPU)', 'node')
    .action(async (file: string, o) =>
      h.done(await compileCommand(file, { output: o.output, target: o.target, overrides: o.set, experiment: o.experiment, color: h.color() })),
    );
}
