// What a run compiles to, as one object: the layer table, kernels, dispatches and memory of a
// Plan. `subnet plan --json` prints it; the web page draws its layer table from it.
import type { Plan } from '../compiler/plan/plan.js';

export function planSummary(plan: Plan, experiment: string) {
  const s = plan.stats;
  const counts = new Map<number, number>();
  for (const d of plan.phases.trainStep) counts.set(d.kernel, (counts.get(d.kernel) ?? 0) + 1);
  return {
    run_id: plan.runId,
    experiment,
    axes: plan.config.axes,
    seed: plan.config.seed,
    layers: s.layers.map((l) => ({
      name: l.name,
      kind: l.kind,
      in_shape: l.inShape,
      out_shape: l.outShape,
      params: l.params,
      kept: l.kept,
      mask: l.mask,
      flops_per_example: l.flopsPerExample,
    })),
    params: s.params,
    kept_params: s.keptParams,
    kernels: plan.kernels.map((k, i) => ({ name: k.name, family: k.family, dispatches_per_train_step: counts.get(i) ?? 0 })),
    dispatches_per_train_step: s.dispatchesPerTrainStep,
    dispatches_per_eval_step: s.dispatchesPerEvalStep,
    unfused_dispatches_per_train_step: s.unfusedDispatchesPerTrainStep,
    arena_bytes: s.arenaBytes,
    arena_peak_live_bytes: s.arenaPeakLiveBytes,
    param_bytes: s.paramBytes,
    flops_per_example: s.flopsPerExample,
    train_flops_per_example: s.trainFlopsPerExample,
  };
}
