// Registers `subnet sweep`, `subnet report` and `subnet worker` on the program (one call from
// main.ts keeps that file's edit to a line).
import { Option, type Command } from 'commander';
import { DEFAULT_QUEUE_NAME } from '../queue/connection.js';
import { reportCommand } from './report-command.js';
import { sweepCommand } from './sweep-command.js';
import { workerCommand } from './worker-command.js';

export interface Registration {
  overrides: (c: Command) => Command;
  color: () => boolean;
  done: (code: number) => void;
}

export function registerSweepCommands(p: Command, r: Registration): void {
  r.overrides(p.command('sweep').description('run every run of a sweep: here (N at a time), on a queue, or as a Slurm array').argument('<file>'))
    .addOption(new Option('--out <dir>', 'directory that holds the run directories').default('runs'))
    .option('--parallel <n>', 'runs at a time on this adapter (default 1; with --emit slurm: array tasks at a time, default no limit)')
    .addOption(new Option('--pack <n>', 'train runs whose plans agree as one packed program: auto, at most N runs a pack, or off').default('auto'))
    .option('--queue <url>', 'enqueue one job per run on BullMQ at redis://HOST:PORT instead of running here')
    .addOption(new Option('--queue-name <name>', 'BullMQ queue name').default(DEFAULT_QUEUE_NAME))
    .addOption(new Option('--attempts <n>', 'with --queue: attempts per run when it throws').default('1'))
    .option('--retry-failed', 'with --queue: retry runs whose jobs failed')
    .addOption(new Option('--emit <target>', 'write a job script instead of running').choices(['slurm']))
    .option('--script <file>', 'with --emit: where to write the script (default: <out>/<file>.sbatch)')
    .option('--index <i>', 'run only the run at this position of the expanded sweep (0-based)')
    .option('--expect-id <id>', 'with --index: refuse unless that run has this id')
    .option('--dry-run', 'list the runs (index, id, status, pack, axes) and run nothing')
    .option('--json', 'JSON on stdout: one line per run with --dry-run, else a summary')
    .action(async (file: string, o) =>
      r.done(
        await sweepCommand(file, {
          color: r.color(),
          overrides: o.set,
          experiment: o.experiment,
          out: o.out,
          parallel: o.parallel,
          pack: o.pack,
          queue: o.queue,
          queueName: o.queueName,
          attempts: o.attempts,
          retryFailed: !!o.retryFailed,
          emit: o.emit,
          script: o.script,
          index: o.index,
          expectId: o.expectId,
          dryRun: !!o.dryRun,
          json: !!o.json,
        }),
      ),
    );

  p.command('report')
    .description('aggregate runs over seeds: table, results.csv, results.md, SVG figures, report.html')
    .argument('[dir]', 'a directory of run directories')
    .option('--queue <url>', 'read the results store of the queue at redis://HOST:PORT instead')
    .addOption(new Option('--queue-name <name>', 'BullMQ queue name').default(DEFAULT_QUEUE_NAME))
    .option('--out <dir>', 'where to write the report (default: DIR, or ./report with --queue)')
    .option('--json', 'print the aggregated groups as JSON on stdout')
    .action(async (dir: string | undefined, o) => r.done(await reportCommand(dir, { out: o.out, queue: o.queue, queueName: o.queueName, json: !!o.json })));

  p.command('worker')
    .description('pull runs from a BullMQ queue and train them on this machine')
    .option('--queue <url>', 'the queue at redis://HOST:PORT (required)')
    .addOption(new Option('--queue-name <name>', 'BullMQ queue name').default(DEFAULT_QUEUE_NAME))
    .addOption(new Option('--concurrency <n>', 'runs at a time on this adapter').default('1'))
    .addOption(new Option('--out <dir>', 'run directories and checkpoints (share it between machines to resume a dead worker\'s run)').default('runs'))
    .addOption(new Option('--lock-ms <ms>', 'job lock; a dead worker\'s run is retried about this long after it died').default('30000'))
    .option('--until-empty', 'exit once nothing is waiting or running on the queue')
    .addOption(new Option('--pack <n>', 'jobs fetched together (--concurrency) that share kernels train as one packed program: auto, at most N, or off').default('auto'))
    .action(async (o) =>
      r.done(await workerCommand({ queue: o.queue, queueName: o.queueName, concurrency: o.concurrency, out: o.out, lockMs: o.lockMs, untilEmpty: !!o.untilEmpty, pack: o.pack })),
    );
}
