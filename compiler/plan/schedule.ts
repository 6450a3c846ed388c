// The closed forms of a Plan's step schedule: pure functions of the Plan's constants, read by the
// runtime each epoch and step (and by the compiler's own checks). Nothing here looks at a
// program or a configuration: a runner that changes the epoch count changes `lr.epochs` only.
//
// The LR is set once per epoch, as the reference's utils/schedulers.py does, and warm-up matches
// its _warmup_lr: lr·(e+1)/warmup for e < warmup; after warm-up, cosine runs over the remaining
// epochs: 0.5·(1 + cos(π·(e − warmup)/(E − warmup)))·lr. multistep is the one the reference
// meant to have (its own reads undefined arguments): lr·γ^(milestones passed).
import type { LrSchedule, StepSchedule } from './plan.js';

export function learningRate(s: LrSchedule, epoch: number): number {
  const base = s.base;
  const w = s.warmup;
  if (w > 0 && epoch < w) return (base * (epoch + 1)) / w;
  const d = s.decay;
  switch (d.kind) {
    case 'constant':
      return base;
    case 'cosine': {
      const e = epoch - w;
      const es = s.epochs - w;
      return es <= 0 ? base : 0.5 * (1 + Math.cos((Math.PI * e) / es)) * base;
    }
    case 'step':
      return base * d.gamma ** Math.floor(epoch / d.every);
    case 'multistep':
      return base * d.gamma ** d.milestones.filter((m) => epoch >= m).length;
  }
}

/** Adam's bias corrections for optimiser step t (1-based), in double; SGD: 1 and 1. */
export function adamCorrections(adam: StepSchedule['adam'], t: number): { c1: number; c2: number } {
  if (!adam) return { c1: 1, c2: 1 };
  return { c1: 1 / (1 - adam.beta1 ** t), c2: 1 / (1 - adam.beta2 ** t) };
}
