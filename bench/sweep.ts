// Packed sweeps beside sequential and `--parallel 2` on one adapter, in one invocation:
//   npm run bench -- --sweep [--rounds 3] [--json]
// Each case trains R runs of one network (keeps × seeds) for one epoch on Fashion-MNIST-shaped
// synthetic data, through the same path as `subnet sweep` (executeRun per run; packed members
// behind a PackExecutor). Pipelines are created once before timing (Dawn reuses them), so the
// figures are training and evaluation, not shader compiles. runs·images/s = R × training images
// / wall seconds; the ratio is packed / sequential.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileProgram, lower } from '../compiler/index.js';
import type { RunConfig } from '../compiler/plan/config.js';
import { packPlans } from '../compiler/index.js';
import type { Plan } from '../compiler/plan/plan.js';
import { loadDataset, type Dataset } from '../runtime/data/dataset.js';
import type { GpuContext } from '../runtime/device.js';
import { Executor } from '../runtime/executor.js';
import { PackExecutor } from '../runtime/pack/pack-executor.js';
import { executeRun } from '../runtime/run.js';
import { nodeHost } from '../runtime/session/host.js';
import { median } from './rounds.js';

interface Case {
  name: string;
  model: string;
  keeps: string[];
  seeds: number;
  n: number;
}

const CASES: Case[] = [
  { name: 'FC 784-300-100-10', model: 'FC()', keeps: ['10%', '30%', '50%', '70%', '90%'], seeds: 3, n: 4096 },
  { name: 'Conv2 (width 0.25)', model: 'Conv2(width: 0.25)', keeps: ['30%', '70%'], seeds: 3, n: 1024 },
];

function configs(c: Case): RunConfig[] {
  const dir = mkdtempSync(join(tmpdir(), 'subnet-bench-sweep-'));
  const file = join(dir, 'sweep.subnet');
  writeFileSync(
    file,
    `import "std/frankle.subnet"
experiment bench {
  model     = ${c.model}
  data      = synthetic(shape: [1, 28, 28], classes: 10, n: ${c.n}, test_n: 1024)
  weights   = signed_kaiming_constant()
  mask      = edge_popup(keep: 50%)
  optimizer = sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4, schedule: cosine)
  train     = { epochs: 1, batch: 128 }
  seeds     = ${c.seeds}
  sweep mask.keep in [${c.keeps.join(', ')}]
}
`,
  );
  const r = compileProgram(file, nodeHost());
  rmSync(dir, { recursive: true, force: true });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  return r.experiments[0].runs.map((x) => x.config as RunConfig);
}

type Mode = 'sequential' | 'parallel 2' | 'packed';

async function timeMode(ctx: GpuContext, mode: Mode, cfgs: RunConfig[], plans: Plan[], ds: Dataset): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'subnet-bench-sweep-'));
  const req = (i: number) => ({ run: { id: `r${i}`, config: cfgs[i] }, experiment: 'bench', plan: plans[i], dataset: ds, outRoot: out, source: '' });
  const t0 = performance.now();
  if (mode === 'sequential') {
    for (let i = 0; i < cfgs.length; i++) await executeRun(ctx, req(i));
  } else if (mode === 'parallel 2') {
    let next = 0;
    const lane = async () => {
      while (next < cfgs.length) await executeRun(ctx, req(next++));
    };
    await Promise.all([lane(), lane()]);
  } else {
    const pack = await PackExecutor.create(ctx, packPlans(plans), plans);
    await Promise.all(cfgs.map((_, i) => executeRun(ctx, { ...req(i), open: async () => pack.members[i] }).finally(() => pack.members[i].destroy())));
  }
  const s = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  return s;
}

export interface SweepRow {
  network: string;
  runs: number;
  images_per_run: number;
  seconds: Record<Mode, number>;
  runs_images_per_second: Record<Mode, number>;
  packed_over_sequential: number;
  parallel_over_sequential: number;
  /** Each round's seconds per mode; `seconds` holds their medians. */
  rounds: Record<Mode, number[]>;
}

export async function sweepBench(ctx: GpuContext, o: { json: boolean; header: string; rounds: number }): Promise<SweepRow[]> {
  const out = (s: string) => process.stdout.write(s + '\n');
  if (!o.json) out(o.header);
  const rows: SweepRow[] = [];
  for (const c of CASES) {
    const cfgs = configs(c);
    const plans = cfgs.map((cfg, i) => lower(cfg, `r${i}`, ctx.limits));
    const ds = loadDataset(cfgs[0].data);
    // Pipelines once, untimed: Dawn hands the timed runs the same compiled pipelines.
    (await Executor.create(ctx, plans[0])).destroy();
    (await PackExecutor.create(ctx, packPlans(plans), plans)).ex.destroy();
    // Rounds rotate the order of the modes, and each mode's median is taken: on a shared machine
    // one round of a mode swings by ±25% (measured), which a single pass reported as the ratio.
    const modes: Mode[] = ['sequential', 'parallel 2', 'packed'];
    const rounds: Record<Mode, number[]> = { sequential: [], 'parallel 2': [], packed: [] };
    for (let r = 0; r < o.rounds; r++) {
      for (let k = 0; k < modes.length; k++) {
        const mode = modes[(k + r) % modes.length]!;
        rounds[mode].push(await timeMode(ctx, mode, cfgs, plans, ds));
      }
    }
    const seconds = Object.fromEntries(modes.map((m) => [m, median(rounds[m])])) as Record<Mode, number>;
    const rate = (m: Mode) => Math.round((cfgs.length * c.n) / seconds[m]);
    const row: SweepRow = {
      network: c.name,
      runs: cfgs.length,
      images_per_run: c.n,
      seconds,
      runs_images_per_second: { sequential: rate('sequential'), 'parallel 2': rate('parallel 2'), packed: rate('packed') },
      packed_over_sequential: +(seconds.sequential / seconds.packed).toFixed(2),
      parallel_over_sequential: +(seconds.sequential / seconds['parallel 2']).toFixed(2),
      rounds,
    };
    rows.push(row);
    if (!o.json) {
      out(`\n${c.name}: ${cfgs.length} runs (keep ${c.keeps.join(', ')} × ${c.seeds} seeds), 1 epoch of ${c.n} images + 1,024 test, batch 128`);
      for (const m of modes) out(`  ${m.padEnd(11)} ${seconds[m].toFixed(2).padStart(7)} s  ${String(row.runs_images_per_second[m]).padStart(7)} runs·images/s  (rounds ${rounds[m].map((x) => x.toFixed(1)).join(', ')} s)`);
      out(`  packed / sequential: ${row.packed_over_sequential}×   parallel 2 / sequential: ${row.parallel_over_sequential}×   (medians of ${o.rounds} rounds, modes in rotating order)`);
    }
  }
  if (o.json) out(JSON.stringify({ header: o.header, sweep: rows }));
  return rows;
}
