// `subnet plan FILE`: what each run compiles to: the resolved layer table (shapes, params, kept,
// FLOPs), the kernels, dispatches per training step (fused, and op-per-kernel for comparison),
// arena and parameter bytes. --json prints one summary object per run; --full the whole Plan.
import type { Plan, TargetLimits } from '../../compiler/plan/plan.js';
import { DEFAULT_LIMITS } from '../../compiler/plan/plan.js';
import { closeDevice, openDevice } from '../device.js';
import { compileRuns, planRun, type CompileCliOptions } from '../session/compile.js';
import { planSummary } from '../plan-summary.js';
import { packPlans } from '../../compiler/index.js';
import { groupPacks, packSummary, parsePack } from '../sweep/packs.js';

export { planSummary };

const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((x, c) => (c >= 3 ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  ').trimEnd()).join('\n');
}

export function renderPlan(plan: Plan, experiment: string): string {
  const s = planSummary(plan, experiment);
  const axes = Object.entries(s.axes).map(([k, v]) => `${k}=${v}`).join(' ');
  const out: string[] = [`run ${s.run_id}  experiment ${experiment}${axes ? `  ${axes}` : ''}  seed ${s.seed}`];
  const rows = [['layer', 'kind', 'shape', 'params', 'kept', 'mask', 'MFLOP/ex']];
  for (const l of s.layers) {
    rows.push([l.name, l.kind, `[${l.in_shape.join(',')}]→[${l.out_shape.join(',')}]`, fmtInt(l.params), fmtInt(l.kept), l.mask, (l.flops_per_example / 1e6).toFixed(3)]);
  }
  rows.push(['total', '', '', fmtInt(s.params), fmtInt(s.kept_params), `${((100 * s.kept_params) / s.params).toFixed(1)}% kept`, (s.flops_per_example / 1e6).toFixed(3)]);
  out.push(table(rows));
  out.push('');
  out.push(`kernels: ${s.kernels.length} pipelines`);
  for (const k of s.kernels) out.push(`  ${k.name.padEnd(34)} ${k.family.padEnd(7)} ${k.dispatches_per_train_step ? `×${k.dispatches_per_train_step} per train step` : ''}`);
  out.push(`dispatches per train step: ${s.dispatches_per_train_step} fused (${s.unfused_dispatches_per_train_step} with one kernel per IR op)`);
  out.push(`dispatches per eval step:  ${s.dispatches_per_eval_step}`);
  out.push(`arena: ${fmtBytes(s.arena_bytes)} (${fmtInt(s.arena_bytes)} bytes; peak live ${fmtBytes(s.arena_peak_live_bytes)})`);
  out.push(`params and optimiser state: ${fmtBytes(s.param_bytes)}`);
  out.push(`FLOPs per example: ${(s.flops_per_example / 1e6).toFixed(3)} M forward, ${(s.train_flops_per_example / 1e6).toFixed(3)} M per training example`);
  return out.join('\n');
}

export async function adapterLimits(): Promise<{ limits: TargetLimits; adapter: string | null }> {
  try {
    const ctx = await openDevice();
    const r = { limits: ctx.limits, adapter: ctx.facts.description || ctx.facts.device };
    closeDevice(ctx);
    return r;
  } catch {
    return { limits: DEFAULT_LIMITS, adapter: null };
  }
}

function renderPack(p: ReturnType<typeof packSummary>): string {
  return [
    `pack of ${p.runs} runs: ${p.pack.join(' ')}`,
    `  kernels: ${p.kernels} pipelines; dispatches per train step: ${p.dispatches_per_train_step} for all ${p.runs} (${p.dispatches_per_train_step_one_at_a_time} one at a time)`,
    `  arena: ${fmtBytes(p.arena_bytes)}; device memory: ${fmtBytes(p.device_bytes)} (${fmtBytes(p.bytes_per_run)} a run); interleave ${p.interleave_bytes} bytes`,
  ].join('\n');
}

export async function planCommand(file: string, opts: CompileCliOptions & { json: boolean; full: boolean; pack?: string }): Promise<number> {
  const { runs, sources } = compileRuns(file, opts);
  const { limits, adapter } = await adapterLimits();
  if (!adapter) process.stderr.write('note: no WebGPU adapter; planning for WebGPU\'s default limits\n');
  const out: string[] = [];
  const plans: Plan[] = [];
  for (const { experiment, run } of runs) {
    const plan = planRun(run, limits, sources, opts.color);
    plans.push(plan);
    if (opts.full) out.push(JSON.stringify(plan));
    else if (opts.json) out.push(JSON.stringify(planSummary(plan, experiment)));
    else out.push(renderPlan(plan, experiment));
  }
  if (opts.pack !== undefined) {
    // `auto` here packs as a GPU would: the plan is the question, not this adapter's choice.
    const setting = parsePack(opts.pack);
    const tasks = runs.map((r) => ({ experiment: r.experiment, run: r.run, source: '' }));
    for (const u of groupPacks(tasks, plans, setting, limits, () => '0:0')) {
      if (!u.plans) continue;
      const packed = packPlans(u.plans);
      if (opts.full) out.push(JSON.stringify(packed));
      else if (opts.json) out.push(JSON.stringify(packSummary(packed, u.plans[0])));
      else out.push(renderPack(packSummary(packed, u.plans[0])));
    }
  }
  process.stdout.write(out.join(opts.json || opts.full ? '\n' : '\n\n') + '\n');
  return 0;
}
