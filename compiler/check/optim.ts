// Optimisers, learning-rate schedules and the training record (docs/language.md §4, §4.4).
import type { OptimizerConfig, Schedule, TrainConfig } from '../plan/config.js';
import { arg, asCall, bindArgs, readBool, readList, readNum, readRecord, unexpected } from './args.js';
import type { Ctx } from './context.js';
import { SIGNATURES } from './signatures.js';
import { unknownOption } from './inits.js';
import type { Value } from './values.js';

export const OPTIMIZERS = ['sgd', 'adam'] as const;
export const SCHEDULES = ['constant', 'cosine', 'step', 'multistep'] as const;

const positive = { min: 0, minEx: true };
const nonNegative = { min: 0 };
const unitInterval = { min: 0, max: 1, maxEx: true };

function readSchedule(ctx: Ctx, v: Value): Schedule | undefined {
  const what = '`schedule`';
  const call = asCall(v);
  if (!call) return unexpected(ctx, v, what, `a schedule such as \`cosine\``);
  switch (call.name) {
    case 'constant':
    case 'cosine': {
      const b = bindArgs(ctx, call, { callee: call.name, params: SIGNATURES[call.name]! });
      return b.ok ? { kind: call.name } : undefined;
    }
    case 'step': {
      const b = bindArgs(ctx, call, { callee: 'step', params: SIGNATURES.step!, required: ['every'] });
      const every = arg(b, 'every', (x, w) => readNum(ctx, x, w, { int: true, min: 1 }), 30);
      const gamma = arg(b, 'gamma', (x, w) => readNum(ctx, x, w, positive), 0.1);
      return b.ok && every !== undefined && gamma !== undefined ? { kind: 'step', every, gamma } : undefined;
    }
    case 'multistep': {
      const b = bindArgs(ctx, call, { callee: 'multistep', params: SIGNATURES.multistep!, required: ['milestones'] });
      const milestones = arg(b, 'milestones', (x, w) => readMilestones(ctx, x, w), []);
      const gamma = arg(b, 'gamma', (x, w) => readNum(ctx, x, w, positive), 0.1);
      return b.ok && milestones !== undefined && gamma !== undefined ? { kind: 'multistep', milestones, gamma } : undefined;
    }
    default:
      return unknownOption(ctx, call.name, call.nameSpan, what, SCHEDULES);
  }
}

function readMilestones(ctx: Ctx, v: Value, what: string): number[] | undefined {
  const items = readList(ctx, v, what);
  if (!items) return undefined;
  const out: number[] = [];
  for (const item of items) {
    const prev = out[out.length - 1] ?? 0;
    const n = readNum(ctx, item, 'a milestone', { int: true, min: prev + 1 });
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

export function readOptimizer(ctx: Ctx, v: Value): OptimizerConfig | undefined {
  const what = '`optimizer`';
  const call = asCall(v);
  if (!call) return unexpected(ctx, v, what, 'an optimiser such as `sgd(lr: 0.1)`');
  if (call.name !== 'sgd' && call.name !== 'adam') return unknownOption(ctx, call.name, call.nameSpan, what, OPTIMIZERS);
  if (call.name === 'sgd') {
    const b = bindArgs(ctx, call, { callee: 'sgd', params: SIGNATURES.sgd! });
    const lr = arg(b, 'lr', (x, w) => readNum(ctx, x, w, positive), 0.1);
    const momentum = arg(b, 'momentum', (x, w) => readNum(ctx, x, w, unitInterval), 0);
    const nesterov = arg(b, 'nesterov', (x, w) => readBool(ctx, x, w), false);
    const weightDecay = arg(b, 'weight_decay', (x, w) => readNum(ctx, x, w, nonNegative), 0);
    const scoreDecay = arg(b, 'score_decay', (x, w) => readBool(ctx, x, w), true);
    const schedule = arg<Schedule>(b, 'schedule', (x) => readSchedule(ctx, x), { kind: 'constant' });
    const warmup = arg(b, 'warmup', (x, w) => readNum(ctx, x, w, { int: true, min: 0 }), 0);
    if (nesterov === true && momentum === 0) {
      const at = b.args.get('momentum') ?? b.args.get('nesterov')!;
      ctx.report('E0304', { what: '`momentum`', range: 'greater than 0 with `nesterov: true`', value: '`0`' }, at.value.span);
      return undefined;
    }
    if (!b.ok || [lr, momentum, nesterov, weightDecay, scoreDecay, schedule, warmup].includes(undefined)) return undefined;
    return {
      kind: 'sgd',
      lr: lr!,
      momentum: momentum!,
      nesterov: nesterov!,
      weightDecay: weightDecay!,
      scoreDecay: scoreDecay!,
      schedule: schedule!,
      warmup: warmup!,
    };
  }
  const b = bindArgs(ctx, call, { callee: 'adam', params: SIGNATURES.adam! });
  const lr = arg(b, 'lr', (x, w) => readNum(ctx, x, w, positive), 1e-3);
  const beta1 = arg(b, 'beta1', (x, w) => readNum(ctx, x, w, unitInterval), 0.9);
  const beta2 = arg(b, 'beta2', (x, w) => readNum(ctx, x, w, unitInterval), 0.999);
  const eps = arg(b, 'eps', (x, w) => readNum(ctx, x, w, positive), 1e-8);
  const weightDecay = arg(b, 'weight_decay', (x, w) => readNum(ctx, x, w, nonNegative), 0);
  const scoreDecay = arg(b, 'score_decay', (x, w) => readBool(ctx, x, w), true);
  const schedule = arg<Schedule>(b, 'schedule', (x) => readSchedule(ctx, x), { kind: 'constant' });
  const warmup = arg(b, 'warmup', (x, w) => readNum(ctx, x, w, { int: true, min: 0 }), 0);
  if (!b.ok || [lr, beta1, beta2, eps, weightDecay, scoreDecay, schedule, warmup].includes(undefined)) return undefined;
  return {
    kind: 'adam',
    lr: lr!,
    beta1: beta1!,
    beta2: beta2!,
    eps: eps!,
    weightDecay: weightDecay!,
    scoreDecay: scoreDecay!,
    schedule: schedule!,
    warmup: warmup!,
  };
}

export const TRAIN_KEYS = ['epochs', 'batch', 'eval_batch', 'label_smoothing'] as const;

export function readTrain(ctx: Ctx, v: Value): TrainConfig | undefined {
  const r = readRecord(ctx, v, '`train`', TRAIN_KEYS, ['epochs', 'batch']);
  if (!r) return undefined;
  const get = (key: string, rule: Parameters<typeof readNum>[3], dflt: number): number | undefined => {
    const x = r.get(key);
    return x ? readNum(ctx, x, `\`${key}\``, rule) : dflt;
  };
  const epochs = get('epochs', { int: true, min: 1 }, NaN);
  const batch = get('batch', { int: true, min: 1 }, NaN);
  // Evaluation batches default to the training batch: an eval arena larger than the training one
  // would only cost memory (a conv net's activations at 1000 images pass the binding limits).
  const evalBatch = get('eval_batch', { int: true, min: 1 }, batch === undefined || Number.isNaN(batch) ? 1 : batch);
  const labelSmoothing = get('label_smoothing', unitInterval, 0);
  if (epochs === undefined || batch === undefined || evalBatch === undefined || labelSmoothing === undefined) return undefined;
  if (Number.isNaN(epochs) || Number.isNaN(batch)) return undefined;
  return { epochs, batch, evalBatch, labelSmoothing };
}
