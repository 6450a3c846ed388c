// The standalone runner: what `subnet compile FILE -o runner.mjs` bundles with one program's
// plans. It needs only the `webgpu` package next to it. It loads the data the plans were made
// for, trains each run into `<out>/<run id>/` exactly as `subnet run` does (the same
// executeRun), and prints the same lines. Options: --out DIR, --epochs N (the run id follows the
// changed configuration, as `subnet run --set train.epochs=N` would), --data DIR, --resume,
// --json.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataConfig } from '../../compiler/plan/config.js';
import type { Plan } from '../../compiler/plan/plan.js';
import { DataError } from '../data/idx.js';
import { CheckpointError } from '../checkpoint.js';
import { closeDevice } from '../device.js';
import { programHash } from '../results/rundir.js';
import { CliError } from '../session/errors.js';
import { datasetLoader, openDeviceOrExplain } from '../session/resources.js';
import { runPlans } from '../session/run-plans.js';

export interface RunnerPayload {
  /** subnet version that compiled the runner. */
  version: string;
  source: string;
  file: string;
  runs: { experiment: string; plan: Plan }[];
}

interface Args {
  out: string;
  epochs?: number;
  data?: string;
  resume: boolean;
  json: boolean;
}

const USAGE = `usage: node runner.mjs [--out DIR] [--epochs N] [--data DIR] [--resume] [--json]

  --out DIR     directory for the run directories (default: runs)
  --epochs N    train N epochs instead of the program's (a different run id)
  --data DIR    the dataset directory, when it is not where the program said
  --resume      continue each run from its checkpoint
  --json        print the last run's summary as the last line of stdout`;

class UsageError extends Error {}

function parseArgs(argv: string[]): Args | 'help' {
  const a: Args = { out: 'runs', resume: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${k} needs a value`);
      return v;
    };
    if (k === '--help' || k === '-h') return 'help';
    else if (k === '--out') a.out = value();
    else if (k === '--data') a.data = value();
    else if (k === '--resume') a.resume = true;
    else if (k === '--json') a.json = true;
    else if (k === '--epochs') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--epochs wants a positive whole number, got \`${v}\``);
      a.epochs = n;
    } else throw new UsageError(`unknown option \`${k}\``);
  }
  return a;
}

/** The plan with its configuration changed as the options say; the run id follows the config. */
function adjust(plan: Plan, args: Args): Plan {
  let config = plan.config;
  if (args.epochs !== undefined) config = { ...config, train: { ...config.train, epochs: args.epochs } };
  if (args.data !== undefined && 'dir' in config.data) config = { ...config, data: { ...config.data, dir: args.data } as DataConfig };
  if (config === plan.config) return plan;
  const schedule = { ...plan.schedule, lr: { ...plan.schedule.lr, epochs: config.train.epochs } };
  return { ...plan, config, schedule, runId: programHash(config).slice(0, 12) };
}

export async function runnerMain(payload: RunnerPayload, argv: string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n${USAGE}\n`);
    return 1;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n\nCompiled by subnet ${payload.version} from ${payload.file}: ${payload.runs.length} run(s).\n`);
    return 0;
  }
  if (!process.env.XDG_RUNTIME_DIR) {
    // Dawn (through Vulkan) wants a runtime directory; give it a private one.
    const dir = join(tmpdir(), `subnet-xdg-${process.getuid?.() ?? 'user'}`);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const opts = args;
  const runs = payload.runs.map((r) => ({ experiment: r.experiment, plan: adjust(r.plan, opts) }));
  let result;
  try {
    const dataFor = datasetLoader();
    const planned = runs.map((r) => ({ experiment: r.experiment, id: r.plan.runId, config: r.plan.config, plan: () => r.plan, dataset: dataFor(r.plan.config) }));
    const ctx = await openDeviceOrExplain('error: no WebGPU adapter (the runner needs a Vulkan driver: a GPU driver, or Mesa lavapipe ≥ 24 on a CPU)');
    const log = (s: string) => (opts.json ? process.stderr : process.stdout).write(s + '\n');
    try {
      result = await runPlans(ctx, planned, { out: opts.out, source: payload.source, log, resume: opts.resume });
    } finally {
      closeDevice(ctx);
    }
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof CheckpointError || e instanceof DataError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (result.kind === 'interrupted') {
    process.stderr.write(`${result.message}\nresume with: node ${process.argv[1] ?? 'runner.mjs'} ${argv.filter((x) => x !== '--resume').join(' ')} --resume\n`);
    return result.exitCode;
  }
  if (opts.json && result.last) process.stdout.write(JSON.stringify(result.last) + '\n');
  return 0;
}

/** Entry used by the bundle: run, then exit (a live GPU handle must not keep the process up). */
export function start(payload: RunnerPayload): void {
  runnerMain(payload, process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`runner: internal error: ${e.message}\n`);
      if (process.env.SUBNET_DEBUG) process.stderr.write(`${e.stack}\n`);
      process.exit(70);
    },
  );
}
