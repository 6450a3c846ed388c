// Weight distributions (`weights = ...`, a layer's `init:`) and score initialisations
// (`scores = ...`). docs/language.md §4.1; the formulas are the reference's (research N1.4/N1.5).
import type { FanMode, InitSpec, ScoreInitSpec } from '../plan/config.js';
import { listOptions } from '../../diagnostics/messages.js';
import { arg, asCall, bindArgs, readBool, readNum, readOption, unexpected } from './args.js';
import type { Ctx } from './context.js';
import { SCORE_SIGNATURES, SIGNATURES } from './signatures.js';
import { didYouMean } from './suggest.js';
import type { Value } from './values.js';

export const DISTRIBUTIONS = [
  'kaiming_normal',
  'kaiming_uniform',
  'xavier_normal',
  'xavier_uniform',
  'signed_kaiming_constant',
  'unsigned_constant',
] as const;

const WITH_MODE = new Set<string>(['kaiming_normal', 'kaiming_uniform', 'signed_kaiming_constant', 'unsigned_constant']);
const FAN_MODES = ['fan_in', 'fan_out'] as const;

/** Reports an unknown constructor name for a field: E0308 with did-you-mean. */
export function unknownOption(ctx: Ctx, name: string, span: Value['span'], what: string, options: readonly string[]): undefined {
  const hint = didYouMean(name, options) ?? `expected one of ${listOptions(options)}`;
  ctx.report('E0308', { value: name, what, options: listOptions(options) }, span, { hint });
  return undefined;
}

export function readInit(ctx: Ctx, v: Value, what: string): InitSpec | undefined {
  const call = asCall(v);
  if (!call) return unexpected(ctx, v, what, `a distribution such as \`kaiming_normal()\``);
  if (!(DISTRIBUTIONS as readonly string[]).includes(call.name)) return unknownOption(ctx, call.name, call.nameSpan, what, DISTRIBUTIONS);
  const kind = call.name as InitSpec['kind'];
  const hasMode = WITH_MODE.has(kind);
  const b = bindArgs(ctx, call, { callee: kind, params: SIGNATURES[kind]! });
  const scaled = arg(b, 'scaled', (x, w) => readBool(ctx, x, w), false);
  if (!hasMode) {
    if (!b.ok || scaled === undefined) return undefined;
    return { kind: kind as 'xavier_normal' | 'xavier_uniform', scaled };
  }
  const mode = arg<FanMode>(b, 'mode', (x, w) => readOption(ctx, x, w, FAN_MODES), 'fan_in');
  if (!b.ok || scaled === undefined || mode === undefined) return undefined;
  return { kind: kind as Exclude<InitSpec['kind'], 'xavier_normal' | 'xavier_uniform'>, mode, scaled };
}

export const SCORE_INITS = ['kaiming_uniform', 'constant'] as const;

export function readScores(ctx: Ctx, v: Value): ScoreInitSpec | undefined {
  const what = '`scores`';
  const call = asCall(v);
  if (!call) return unexpected(ctx, v, what, '`kaiming_uniform(a: x)` or `constant(x)`');
  if (call.name === 'kaiming_uniform') {
    const b = bindArgs(ctx, call, { callee: 'kaiming_uniform', params: SCORE_SIGNATURES.kaiming_uniform! });
    const a = arg(b, 'a', (x, w) => readNum(ctx, x, w, { min: 0 }), Math.sqrt(5));
    return b.ok && a !== undefined ? { kind: 'kaiming_uniform', a } : undefined;
  }
  if (call.name === 'constant') {
    const b = bindArgs(ctx, call, { callee: 'constant', params: SCORE_SIGNATURES.constant!, required: ['value'] });
    const value = arg(b, 'value', (x, w) => readNum(ctx, x, w), 0);
    return b.ok && value !== undefined ? { kind: 'constant', value } : undefined;
  }
  return unknownOption(ctx, call.name, call.nameSpan, what, SCORE_INITS);
}

export const DEFAULT_INIT: InitSpec = { kind: 'kaiming_normal', mode: 'fan_in', scaled: false };
export const DEFAULT_SCORES: ScoreInitSpec = { kind: 'kaiming_uniform', a: Math.sqrt(5) };
