// Values and the expression evaluator. Expressions are evaluated eagerly; a name that is not
// bound (a parameter, a `repeat` index, `channels`) becomes a *symbol*, which only the consumer
// can judge: `cosine` is fine as a schedule, `widht` inside `300 * widht` is a typo. A value that
// already produced an error is `err`, and every consumer passes it through silently, so one
// mistake gives one diagnostic.
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../diagnostics/diagnostics.js';
import type { Ctx } from './context.js';
import { didYouMean } from './suggest.js';

export interface ValueArg {
  name?: string;
  nameSpan?: Span;
  value: Value;
  span: Span;
}

export interface RecordEntry {
  key: string;
  keySpan: Span;
  value: Value;
}

export type Value =
  | { k: 'num'; v: number; pct: boolean; span: Span }
  | { k: 'str'; v: string; span: Span }
  | { k: 'bool'; v: boolean; span: Span }
  | { k: 'list'; items: Value[]; span: Span }
  | { k: 'rec'; fields: RecordEntry[]; span: Span }
  | { k: 'sym'; name: string; span: Span }
  | { k: 'call'; name: string; nameSpan: Span; args: ValueArg[]; span: Span }
  | { k: 'err'; span: Span };

export type Num = Extract<Value, { k: 'num' }>;
export type Call = Extract<Value, { k: 'call' }>;

export function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  const s = String(Number(v.toPrecision(12)));
  return s;
}

export function formatPercent(fraction: number): string {
  return `${formatNumber(Number((fraction * 100).toPrecision(12)))}%`;
}

/** A short phrase for messages: "a string", "the percentage `50%`", "the name `cosine`". */
export function describeValue(v: Value): string {
  switch (v.k) {
    case 'num':
      return v.pct ? `the percentage \`${formatPercent(v.v)}\`` : `the number \`${formatNumber(v.v)}\``;
    case 'str':
      return 'a string';
    case 'bool':
      return `\`${v.v}\``;
    case 'list':
      return 'a list';
    case 'rec':
      return 'a record';
    case 'sym':
      return `the name \`${v.name}\``;
    case 'call':
      return `a call of \`${v.name}\``;
    case 'err':
      return 'an invalid value';
  }
}

/** Names bound while evaluating: network parameters, repeat indices, `channels`. */
export interface Scope {
  lookup(name: string): Value | undefined;
  names(): string[];
  /** True inside a network body, where `channels` has a meaning. */
  inNetwork: boolean;
}

export const emptyScope: Scope = { lookup: () => undefined, names: () => [], inNetwork: false };

const BUILTIN_FUNCTIONS = ['int', 'floor', 'ceil', 'round', 'min', 'max', 'sqrt', 'env'];
export const builtinFunctionNames: readonly string[] = BUILTIN_FUNCTIONS;

export class Evaluator {
  constructor(
    readonly ctx: Ctx,
    readonly scope: Scope,
  ) {}

  eval(e: A.Expr): Value {
    switch (e.kind) {
      case 'num':
        return { k: 'num', v: e.value, pct: false, span: e.span };
      case 'pct':
        return { k: 'num', v: e.value, pct: true, span: e.span };
      case 'str':
        return { k: 'str', v: e.value, span: e.span };
      case 'bool':
        return { k: 'bool', v: e.value, span: e.span };
      case 'ident':
        return this.ident(e);
      case 'paren': {
        const v = this.eval(e.inner);
        return { ...v, span: e.span } as Value;
      }
      case 'list':
        return { k: 'list', items: e.items.map((x) => this.eval(x)), span: e.span };
      case 'record':
        return {
          k: 'rec',
          fields: e.fields.map((f) => ({ key: f.key.text, keySpan: f.key.span, value: this.eval(f.value) })),
          span: e.span,
        };
      case 'call':
        return this.call(e);
      case 'unary':
        return this.unary(e);
      case 'binary':
        return this.binary(e);
      case 'error':
        return { k: 'err', span: e.span };
    }
  }

  private ident(e: A.IdentExpr): Value {
    const bound = this.scope.lookup(e.name);
    if (bound) return { ...bound, span: e.span } as Value;
    if (e.name === 'channels' && !this.scope.inNetwork) {
      this.ctx.report('E0119', { name: 'channels' }, e.span);
      return { k: 'err', span: e.span };
    }
    return { k: 'sym', name: e.name, span: e.span };
  }

  /** A symbol used where a number/bool is computed is an unknown name. */
  unknownName(v: Extract<Value, { k: 'sym' }>): Value {
    const hint = didYouMean(v.name, this.scope.names());
    this.ctx.report('E0102', { name: v.name }, v.span, hint ? { hint } : {});
    return { k: 'err', span: v.span };
  }

  private operand(v: Value): Value {
    return v.k === 'sym' ? this.unknownName(v) : v;
  }

  private unary(e: A.UnaryExpr): Value {
    const v = this.operand(this.eval(e.operand));
    if (v.k === 'err') return { k: 'err', span: e.span };
    if (e.op === '-') {
      if (v.k === 'num') return { k: 'num', v: -v.v, pct: v.pct, span: e.span };
      this.ctx.report('E0309', { op: '-', expected: 'a number', found: describeValue(v) }, v.span);
    } else {
      if (v.k === 'bool') return { k: 'bool', v: !v.v, span: e.span };
      this.ctx.report('E0309', { op: '!', expected: '`true` or `false`', found: describeValue(v) }, v.span);
    }
    return { k: 'err', span: e.span };
  }

  private binary(e: A.BinaryExpr): Value {
    const l = this.operand(this.eval(e.left));
    const r = this.operand(this.eval(e.right));
    const span = e.span;
    if (l.k === 'err' || r.k === 'err') return { k: 'err', span };
    const bad = (expected: string, v: Value): Value => {
      this.ctx.report('E0309', { op: e.op, expected, found: describeValue(v) }, v.span);
      return { k: 'err', span };
    };
    switch (e.op) {
      case '&&':
      case '||':
        if (l.k !== 'bool') return bad('`true` or `false`', l);
        if (r.k !== 'bool') return bad('`true` or `false`', r);
        return { k: 'bool', v: e.op === '&&' ? l.v && r.v : l.v || r.v, span };
      case '==':
      case '!=': {
        const eq = scalarEquals(l, r);
        if (eq === undefined) return bad(`two values of the same kind`, r);
        return { k: 'bool', v: e.op === '==' ? eq : !eq, span };
      }
      default: {
        if (e.op === '+' && l.k === 'str' && r.k === 'str') return { k: 'str', v: l.v + r.v, span };
        if (l.k !== 'num') return bad('numbers', l);
        if (r.k !== 'num') return bad('numbers', r);
        return this.arith(e.op, l, r, span);
      }
    }
  }

  private arith(op: A.BinaryOp, l: Num, r: Num, span: Span): Value {
    const num = (v: number, pct: boolean): Value => ({ k: 'num', v, pct, span });
    switch (op) {
      case '+':
      case '-':
        if (l.pct !== r.pct) {
          this.ctx.report('E0305', { op: op === '+' ? 'add' : 'subtract' }, span);
          return { k: 'err', span };
        }
        return num(op === '+' ? l.v + r.v : l.v - r.v, l.pct);
      case '*':
        if (l.pct && r.pct) return num(l.v * r.v, true);
        return num(l.v * r.v, l.pct || r.pct);
      case '/':
        if (r.v === 0) {
          this.ctx.report('E0306', {}, r.span);
          return { k: 'err', span };
        }
        if (!l.pct && r.pct) {
          this.ctx.report('E0305', { op: 'divide' }, span, { hint: 'divide a percentage by a number, not the reverse' });
          return { k: 'err', span };
        }
        return num(l.v / r.v, l.pct && !r.pct);
      default: {
        if (l.pct !== r.pct) {
          this.ctx.report('E0305', { op: 'compare' }, span);
          return { k: 'err', span };
        }
        const v = op === '<' ? l.v < r.v : op === '<=' ? l.v <= r.v : op === '>' ? l.v > r.v : l.v >= r.v;
        return { k: 'bool', v, span };
      }
    }
  }

  private call(e: A.CallExpr): Value {
    const name = e.callee.text;
    const args: ValueArg[] = e.args.map((a) => {
      const va: ValueArg = { value: this.eval(a.value), span: a.span };
      if (a.name) {
        va.name = a.name.text;
        va.nameSpan = a.name.span;
      }
      return va;
    });
    if (!BUILTIN_FUNCTIONS.includes(name) || this.scope.lookup(name)) {
      return { k: 'call', name, nameSpan: e.callee.span, args, span: e.span };
    }
    return this.builtin(name, e, args);
  }

  private builtin(name: string, e: A.CallExpr, args: ValueArg[]): Value {
    const span = e.span;
    const err: Value = { k: 'err', span };
    for (const a of args) {
      if (a.name && a.nameSpan) {
        this.ctx.report('E0201', { name: a.name, callee: name }, a.nameSpan, { hint: `\`${name}\` takes positional arguments only` });
        return err;
      }
    }
    const vals = args.map((a) => this.operand(a.value));
    if (vals.some((v) => v.k === 'err')) return err;
    const arity = (min: number, max: number, missing = 'x'): boolean => {
      if (vals.length > max) {
        this.ctx.report('E0203', { callee: name, max, got: vals.length }, args[max]!.span);
        return false;
      }
      if (vals.length < min) {
        this.ctx.report('E0202', { name: missing, callee: name }, span);
        return false;
      }
      return true;
    };
    const needNum = (v: Value): v is Num => {
      if (v.k === 'num') return true;
      this.ctx.report('E0301', { what: `the argument of \`${name}\``, expected: 'a number', found: describeValue(v) }, v.span);
      return false;
    };
    if (name === 'env') {
      if (!arity(1, 2, 'name')) return err;
      for (const v of vals) {
        if (v.k !== 'str') {
          this.ctx.report('E0301', { what: 'the argument of `env`', expected: 'a string', found: describeValue(v) }, v.span);
          return err;
        }
      }
      const varName = (vals[0] as { v: string }).v;
      const got = this.ctx.env[varName];
      if (got !== undefined) return { k: 'str', v: got, span };
      if (vals[1]) return { k: 'str', v: (vals[1] as { v: string }).v, span };
      this.ctx.report('E0113', { name: varName }, span);
      return err;
    }
    if (name === 'min' || name === 'max') {
      if (!arity(1, Infinity)) return err;
      if (!vals.every(needNum)) return err;
      const nums = vals as Num[];
      if (nums.some((n) => n.pct !== nums[0]!.pct)) {
        this.ctx.report('E0305', { op: 'compare' }, span);
        return err;
      }
      const pick = name === 'min' ? Math.min(...nums.map((n) => n.v)) : Math.max(...nums.map((n) => n.v));
      return { k: 'num', v: pick, pct: nums[0]!.pct, span };
    }
    if (!arity(1, 1)) return err;
    const x = vals[0]!;
    if (!needNum(x)) return err;
    let v: number;
    switch (name) {
      case 'int':
        v = Math.trunc(x.v);
        break;
      case 'floor':
        v = Math.floor(x.v);
        break;
      case 'ceil':
        v = Math.ceil(x.v);
        break;
      case 'round':
        v = Math.round(x.v);
        break;
      default:
        if (x.v < 0) {
          this.ctx.report('E0304', { what: 'the argument of `sqrt`', range: 'at least 0', value: `\`${formatNumber(x.v)}\`` }, x.span);
          return err;
        }
        v = Math.sqrt(x.v);
    }
    // Rounding a percentage rounds its fraction: keep the unit but that is rarely meant; allow it.
    return { k: 'num', v: Object.is(v, -0) ? 0 : v, pct: x.pct, span };
  }
}

/** Equality of two scalar values, or undefined when they are not comparable. */
function scalarEquals(a: Value, b: Value): boolean | undefined {
  if (a.k === 'num' && b.k === 'num') return a.pct === b.pct ? a.v === b.v : undefined;
  if (a.k === 'str' && b.k === 'str') return a.v === b.v;
  if (a.k === 'bool' && b.k === 'bool') return a.v === b.v;
  return undefined;
}

/** Structural equality of values, ignoring spans (for duplicate sweep points). */
export function valueKey(v: Value): string {
  switch (v.k) {
    case 'num':
      return `${v.pct ? 'p' : 'n'}${v.v}`;
    case 'str':
      return JSON.stringify(v.v);
    case 'bool':
      return String(v.v);
    case 'list':
      return `[${v.items.map(valueKey).join(',')}]`;
    case 'rec':
      return `{${v.fields.map((f) => `${f.key}:${valueKey(f.value)}`).join(',')}}`;
    case 'sym':
      return `#${v.name}`;
    case 'call':
      return `${v.name}(${v.args.map((a) => `${a.name ?? ''}=${valueKey(a.value)}`).join(',')})`;
    case 'err':
      return '!';
  }
}
