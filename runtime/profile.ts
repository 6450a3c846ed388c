// Per-kernel timing of a training step. With the adapter's `timestamp-query` feature each
// dispatch runs in its own compute pass bracketed by timestamps (one submit for the whole step);
// without it, each dispatch is submitted and waited for on its own (host timing, which includes
// the submit overhead and says so).
import type { Plan, PlanDispatch } from '../compiler/plan/plan.js';
import type { Executor, PhaseName } from './executor.js';

export interface DispatchTiming {
  index: number;
  kernel: string;
  family: string;
  ms: number;
  flops: number;
  /** Bytes of every binding of the dispatch: what it may read or write (an upper bound on traffic). */
  bytes: number;
  ops: string[];
}

export interface Profile {
  method: 'timestamp-query' | 'host';
  phase: PhaseName;
  reps: number;
  /** Wall time of whole steps replayed back to back (the figure that matters). */
  stepMs: number;
  dispatches: DispatchTiming[];
}

function bytesOf(d: PlanDispatch): number {
  return d.bindings.reduce((a, b) => a + b.size, 0);
}

export async function profilePhase(ex: Executor, phase: PhaseName, reps: number, warmup = 3): Promise<Profile> {
  const plan: Plan = ex.plan;
  const list = plan.phases[phase];
  for (let i = 0; i < warmup; i++) ex.run(phase);
  await ex.sync();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) ex.run(phase);
  await ex.sync();
  const stepMs = (performance.now() - t0) / reps;

  let ms: number[];
  let method: Profile['method'];
  if (ex.ctx.hasTimestamps) {
    method = 'timestamp-query';
    ms = await ex.timeEachWithTimestamps(phase, reps);
  } else {
    method = 'host';
    ms = await ex.timeEach(phase, reps);
  }
  const dispatches = list.map((d, index) => {
    const k = plan.kernels[d.kernel];
    return { index, kernel: k.name, family: k.family, ms: ms[index], flops: d.flops, bytes: bytesOf(d), ops: d.ops };
  });
  return { method, phase, reps, stepMs, dispatches };
}

export interface FamilySummary {
  family: string;
  dispatches: number;
  ms: number;
  share: number;
  gflops: number;
  bytes: number;
}

export function byFamily(p: Profile): FamilySummary[] {
  const total = p.dispatches.reduce((a, d) => a + d.ms, 0);
  const m = new Map<string, FamilySummary>();
  for (const d of p.dispatches) {
    const f = m.get(d.family) ?? { family: d.family, dispatches: 0, ms: 0, share: 0, gflops: 0, bytes: 0 };
    f.dispatches++;
    f.ms += d.ms;
    f.gflops += d.flops;
    f.bytes += d.bytes;
    m.set(d.family, f);
  }
  return [...m.values()]
    .map((f) => ({ ...f, share: total > 0 ? f.ms / total : 0, gflops: f.ms > 0 ? f.gflops / f.ms / 1e6 : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

export function renderProfile(p: Profile, batch: number): string {
  const out: string[] = [];
  const total = p.dispatches.reduce((a, d) => a + d.ms, 0);
  out.push(`${p.phase}: ${p.dispatches.length} dispatches, ${p.stepMs.toFixed(2)} ms per step back to back (${((batch / p.stepMs) * 1000).toFixed(0)} images/s)`);
  out.push(`per-kernel times by ${p.method === 'timestamp-query' ? 'timestamp queries' : 'host timing (one submit per dispatch; includes submit overhead)'}, mean of ${p.reps}, sum ${total.toFixed(2)} ms`);
  out.push('');
  const rows = [['#', 'kernel', 'family', 'ms', 'share', 'GFLOP/s', 'MiB bound', 'ops']];
  for (const d of p.dispatches) {
    rows.push([
      String(d.index),
      d.kernel,
      d.family,
      d.ms.toFixed(3),
      `${((100 * d.ms) / total).toFixed(1)}%`,
      d.flops ? (d.flops / d.ms / 1e6).toFixed(2) : '',
      (d.bytes / 2 ** 20).toFixed(2),
      d.ops.join(' + '),
    ]);
  }
  out.push(table(rows));
  out.push('');
  const fam = [['family', 'dispatches', 'ms', 'share', 'GFLOP/s', 'MiB bound']];
  for (const f of byFamily(p)) fam.push([f.family, String(f.dispatches), f.ms.toFixed(3), `${(100 * f.share).toFixed(1)}%`, f.gflops ? f.gflops.toFixed(2) : '', (f.bytes / 2 ** 20).toFixed(2)]);
  out.push(table(fam));
  const bytes = p.dispatches.reduce((a, d) => a + d.bytes, 0);
  out.push('');
  out.push(`bytes bound per step: ${(bytes / 2 ** 20).toFixed(2)} MiB (every binding of every dispatch; an upper bound on memory traffic)`);
  return out.join('\n');
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((x, c) => (c >= 3 && c <= 6 ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  ').trimEnd()).join('\n');
}
