// Binding call arguments to parameters, and typed readers with units. Every reader reports its
// own error and returns undefined; an `err` value (already reported) is passed over silently.
import type { Span } from '../../diagnostics/diagnostics.js';
import { listOptions } from '../../diagnostics/messages.js';
import type { Ctx } from './context.js';
import { closest, didYouMean } from './suggest.js';
import { SCORE_SIGNATURES, SIGNATURES } from './signatures.js';
import { builtinFunctionNames, describeValue, formatNumber, formatPercent, type Call, type Value, type ValueArg } from './values.js';

export interface Signature {
  /** Shown in messages: `edge_popup`, `conv`, `FC`. */
  callee: string;
  /** Parameter names in positional order. */
  params: readonly string[];
  required?: readonly string[];
  /** How many leading parameters may be given by position (default: all). */
  positional?: number;
}

export interface Bound {
  callee: string;
  span: Span;
  args: Map<string, ValueArg>;
  ok: boolean;
}

/** A bare name used where a call is expected (`dense`, `cosine`, `hflip`) is a call without arguments. */
export function asCall(v: Value): Call | undefined {
  if (v.k === 'call') return v;
  if (v.k === 'sym') return { k: 'call', name: v.name, nameSpan: v.span, args: [], span: v.span };
  return undefined;
}

export function bindArgs(ctx: Ctx, call: Call, sig: Signature): Bound {
  const args = new Map<string, ValueArg>();
  let ok = true;
  let positional = 0;
  let sawNamed = false;
  for (const a of call.args) {
    if (a.name === undefined) {
      if (sawNamed) {
        ctx.report('E0205', {}, a.span);
        ok = false;
        continue;
      }
      const max = sig.positional ?? sig.params.length;
      const p = positional < max ? sig.params[positional] : undefined;
      positional++;
      if (p === undefined) {
        if (positional === max + 1) {
          const hint = max < sig.params.length ? `the others are named: ${listOptions(sig.params.slice(max).map((n) => `${n}: ...`), 'or')}` : null;
          ctx.report('E0203', { callee: sig.callee, max, got: call.args.filter((x) => !x.name).length }, a.span, { hint });
        }
        ok = false;
        continue;
      }
      args.set(p, a);
      continue;
    }
    sawNamed = true;
    if (!sig.params.includes(a.name)) {
      const hint = didYouMean(a.name, sig.params) ?? (sig.params.length ? `\`${sig.callee}\` takes ${listOptions(sig.params, 'and')}` : `\`${sig.callee}\` takes no arguments`);
      ctx.report('E0201', { name: a.name, callee: sig.callee }, a.nameSpan ?? a.span, { hint });
      ok = false;
      continue;
    }
    if (args.has(a.name)) {
      ctx.report('E0204', { name: a.name }, a.nameSpan ?? a.span);
      ok = false;
      continue;
    }
    args.set(a.name, a);
  }
  for (const r of sig.required ?? []) {
    if (!args.has(r)) {
      ctx.report('E0202', { name: r, callee: sig.callee }, call.span);
      ok = false;
    }
  }
  return { callee: sig.callee, span: call.span, args, ok };
}

export interface NumRule {
  int?: boolean;
  /** 'plain' (default): a percentage is an error; 'percent': a bare number is an error; 'any'. */
  unit?: 'plain' | 'percent' | 'any';
  min?: number;
  /** true: min is exclusive. */
  minEx?: boolean;
  max?: number;
  maxEx?: boolean;
  /** For E0302's hint: "kept" or "pruned". */
  meaning?: string;
  /** Names in scope, for "unknown name" with did-you-mean when a symbol is found. */
  scopeNames?: () => string[];
}

function rangeText(r: NumRule, pct: boolean): string {
  const f = (x: number): string => (pct ? formatPercent(x) : formatNumber(x));
  if (r.min !== undefined && r.max !== undefined) return `in ${r.minEx ? '(' : '['}${f(r.min)}, ${f(r.max)}${r.maxEx ? ')' : ']'}`;
  if (r.min !== undefined) return r.min === 0 && r.minEx ? 'positive' : r.minEx ? `greater than ${f(r.min)}` : `at least ${f(r.min)}`;
  if (r.max !== undefined) return r.maxEx ? `less than ${f(r.max)}` : `at most ${f(r.max)}`;
  return 'valid';
}

/** A symbol where a value was expected: an unknown name inside networks, a wrong type elsewhere. */
export function unexpected(ctx: Ctx, v: Value, what: string, expected: string, scopeNames?: () => string[]): undefined {
  if (v.k === 'err') return undefined;
  if (v.k === 'call' && !(v.name in SIGNATURES) && !(v.name in SCORE_SIGNATURES)) {
    const hint = didYouMean(v.name, builtinFunctionNames);
    ctx.report('E0109', { name: v.name }, v.nameSpan, hint ? { hint } : {});
    return undefined;
  }
  if (v.k === 'sym' && scopeNames) {
    const hint = didYouMean(v.name, scopeNames());
    ctx.report('E0102', { name: v.name }, v.span, hint ? { hint } : {});
    return undefined;
  }
  ctx.report('E0301', { what, expected, found: describeValue(v) }, v.span);
  return undefined;
}

export function readNum(ctx: Ctx, v: Value, what: string, rule: NumRule = {}): number | undefined {
  const unit = rule.unit ?? 'plain';
  if (v.k !== 'num') return unexpected(ctx, v, what, unit === 'percent' ? 'a percentage' : rule.int ? 'an integer' : 'a number', rule.scopeNames);
  if (unit === 'plain' && v.pct) {
    ctx.report('E0301', { what, expected: rule.int ? 'an integer' : 'a plain number', found: describeValue(v) }, v.span);
    return undefined;
  }
  if (unit === 'percent' && !v.pct) {
    const text = ctx.text(v.span) || formatNumber(v.v);
    // `0.3` most likely means 30%; `30` most likely means 30%.
    const suggest = v.v > 0 && v.v <= 1 ? formatPercent(v.v) : `${formatNumber(v.v)}%`;
    const name = what.replace(/`/g, '');
    ctx.report('E0302', { name, text, suggest, meaning: rule.meaning ?? 'kept' }, v.span);
    return undefined;
  }
  if (!Number.isFinite(v.v)) return undefined;
  if (rule.int && !Number.isInteger(v.v)) {
    ctx.report('E0303', { what, value: `\`${formatNumber(v.v)}\`` }, v.span);
    return undefined;
  }
  const lowOk = rule.min === undefined || (rule.minEx ? v.v > rule.min : v.v >= rule.min);
  const highOk = rule.max === undefined || (rule.maxEx ? v.v < rule.max : v.v <= rule.max);
  if (!lowOk || !highOk) {
    ctx.report('E0304', { what, range: rangeText(rule, v.pct), value: `\`${v.pct ? formatPercent(v.v) : formatNumber(v.v)}\`` }, v.span);
    return undefined;
  }
  return v.v;
}

export function readBool(ctx: Ctx, v: Value, what: string, scopeNames?: () => string[]): boolean | undefined {
  if (v.k === 'bool') return v.v;
  return unexpected(ctx, v, what, '`true` or `false`', scopeNames);
}

export function readStr(ctx: Ctx, v: Value, what: string): string | undefined {
  if (v.k === 'str') return v.v;
  return unexpected(ctx, v, what, 'a string');
}

/** A bare option name such as `fan_in` or `cosine`. */
export function readOption<T extends string>(ctx: Ctx, v: Value, what: string, options: readonly T[]): T | undefined {
  if (v.k === 'sym') {
    if ((options as readonly string[]).includes(v.name)) return v.name as T;
    const hint = didYouMean(v.name, options) ?? `expected one of ${listOptions(options)}`;
    ctx.report('E0308', { value: v.name, what, options: listOptions(options) }, v.span, { hint });
    return undefined;
  }
  return unexpected(ctx, v, what, `one of ${listOptions(options)}`);
}

export function readList(ctx: Ctx, v: Value, what: string): Value[] | undefined {
  if (v.k === 'list') return v.items;
  return unexpected(ctx, v, what, 'a list');
}

/** Reads an argument if present, else returns the default. */
export function arg<T>(b: Bound, name: string, read: (v: Value, what: string) => T | undefined, dflt: T): T | undefined {
  const a = b.args.get(name);
  if (!a) return dflt;
  return read(a.value, `\`${name}\``);
}

/** Known-key record reading with unknown-field errors (E0206) and required fields (E0207). */
export function readRecord(
  ctx: Ctx,
  v: Value,
  what: string,
  keys: readonly string[],
  required: readonly string[] = [],
): Map<string, Value> | undefined {
  if (v.k !== 'rec') return unexpected(ctx, v, what, 'a record `{ key: value }`');
  const out = new Map<string, Value>();
  // A misspelt required key is reported once, as unknown (with its suggestion), not also as missing.
  const suggested = new Set<string>();
  for (const f of v.fields) {
    if (!keys.includes(f.key)) {
      const near = closest(f.key, keys);
      if (near) suggested.add(near);
      const hint = didYouMean(f.key, keys) ?? `valid fields: ${listOptions(keys, 'and')}`;
      ctx.report('E0206', { name: f.key, what }, f.keySpan, { hint });
      continue;
    }
    if (out.has(f.key)) {
      ctx.report('E0204', { name: f.key }, f.keySpan);
      continue;
    }
    out.set(f.key, f.value);
  }
  for (const r of required) if (!out.has(r) && !suggested.has(r)) ctx.report('E0207', { name: r, what }, v.span);
  return out;
}
