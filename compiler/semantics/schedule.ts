// Learning-rate schedules of a configuration, and the Plan's step schedule built from it. The
// closed forms live with the Plan (compiler/plan/schedule.ts): the runtime evaluates them there.
import type { OptimizerConfig, RunConfig } from '../plan/config.js';
import type { StepSchedule } from '../plan/plan.js';
import { learningRate } from '../plan/schedule.js';
import { Stream } from './philox.js';

export { adamCorrections } from '../plan/schedule.js';

export function lrAt(opt: OptimizerConfig, epoch: number, epochs: number): number {
  return learningRate({ base: opt.lr, warmup: opt.warmup, epochs, decay: opt.schedule }, epoch);
}

/** The Plan's step schedule for a run: what the host writes besides the kernels. */
export function stepSchedule(cfg: RunConfig): StepSchedule {
  const o = cfg.optimizer;
  return {
    lr: { base: o.lr, warmup: o.warmup, epochs: cfg.train.epochs, decay: o.schedule },
    ...(o.kind === 'adam' ? { adam: { beta1: o.beta1, beta2: o.beta2 } } : {}),
    shuffle: { algorithm: 'philox-fisher-yates', seed: cfg.seed, stream: Stream.shuffle },
    seed: cfg.seed,
  };
}
