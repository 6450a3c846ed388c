// Learning-rate schedules. The LR is set once per epoch, as the reference's utils/schedulers.py
// does, and warm-up matches its _warmup_lr: lr·(e+1)/warmup for e < warmup; after warm-up, cosine
// runs over the remaining epochs: 0.5·(1 + cos(π·(e − warmup)/(E − warmup)))·lr. multistep is the
// one the reference meant to have (its own reads undefined arguments): lr·γ^(milestones passed).
import type { OptimizerConfig } from './config.js';

export function lrAt(opt: OptimizerConfig, epoch: number, epochs: number): number {
  const base = opt.lr;
  const w = opt.warmup;
  if (w > 0 && epoch < w) return (base * (epoch + 1)) / w;
  const s = opt.schedule;
  switch (s.kind) {
    case 'constant':
      return base;
    case 'cosine': {
      const e = epoch - w;
      const es = epochs - w;
      return es <= 0 ? base : 0.5 * (1 + Math.cos((Math.PI * e) / es)) * base;
    }
    case 'step':
      return base * s.gamma ** Math.floor(epoch / s.every);
    case 'multistep':
      return base * s.gamma ** s.milestones.filter((m) => epoch >= m).length;
  }
}
