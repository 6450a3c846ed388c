// Network elaboration: a network call plus an input shape → the Layer tree of config.ts, with
// every layer named and its shapes inferred (docs/language.md §3). Parameters, `repeat` indices
// and `channels` are bound here; sub-networks are inlined; `if` picks one branch; residual
// branches must agree on their output shape.
import type * as A from '../../grammar/ast.js';
import type { Layer, ResidualLayer, Shape } from '../plan/config.js';
import type { Span } from '../../diagnostics/diagnostics.js';
import { bindArgs, readBool, readNum } from './args.js';
import type { Ctx } from './context.js';
import { buildLayer, isBuiltinLayer, shapeText, BUILTIN_LAYERS, type WeightInfo } from './layers.js';
import { didYouMean } from './suggest.js';
import { describeValue, Evaluator, formatNumber, type Call, type Scope, type Value } from './values.js';

export interface NetworkTable {
  get(name: string): A.NetworkDecl | undefined;
  names(): string[];
}

export interface ElaboratedModel {
  network: string;
  args: Record<string, number | string | boolean>;
  layers: Layer[];
  weights: WeightInfo[];
  outShape: Shape;
}

/** Limits that keep a hostile or mistyped program from exhausting time or memory. */
export const MAX_LAYERS = 100_000;
const MAX_STEPS = 400_000;
const MAX_REPEAT = 10_000;

interface NameScope {
  prefix: string;
  counters: Map<string, number>;
  copies: number;
}

const newScope = (prefix: string): NameScope => ({ prefix, counters: new Map(), copies: 0 });

class Aborted extends Error {}

export const PARAM_TYPES = ['int', 'float', 'bool'] as const;

class Elaborator {
  readonly layerNames = new Map<string, Span>();
  readonly weights: WeightInfo[] = [];
  private layerCount = 0;
  private steps = 0;
  private readonly stack: string[] = [];

  constructor(
    readonly ctx: Ctx,
    readonly table: NetworkTable,
  ) {}

  private tick(span: Span, layers = 0): void {
    this.steps++;
    this.layerCount += layers;
    if (this.layerCount > MAX_LAYERS || this.steps > MAX_STEPS) {
      this.ctx.report('E0410', { limit: MAX_LAYERS }, span);
      throw new Aborted();
    }
  }

  private scopeOf(env: Map<string, Value>, shape: Shape | null): Scope {
    return {
      inNetwork: true,
      lookup: (name) => {
        const v = env.get(name);
        if (v) return v;
        if (name === 'channels') {
          // Unknown after an earlier error: an `err` value stays silent.
          return shape ? { k: 'num', v: shape[0]!, pct: false, span: { file: '', offset: 0, length: 0 } } : { k: 'err', span: { file: '', offset: 0, length: 0 } };
        }
        return undefined;
      },
      names: () => [...env.keys(), 'channels'],
    };
  }

  /** Binds a network's parameters: positional or named, typed, defaults evaluated in order. */
  bindNetwork(decl: A.NetworkDecl, call: Call, shape: Shape | null): Map<string, Value> | undefined {
    const params = decl.params ?? [];
    const b = bindArgs(this.ctx, call, {
      callee: decl.name.text,
      params: params.map((p) => p.name.text),
      required: params.filter((p) => !p.default).map((p) => p.name.text),
    });
    const env = new Map<string, Value>();
    let ok = b.ok;
    for (const p of params) {
      const given = b.args.get(p.name.text);
      let v: Value | undefined = given?.value;
      if (!v && p.default) v = new Evaluator(this.ctx, this.scopeOf(env, shape)).eval(p.default);
      if (!v) {
        ok = false;
        continue;
      }
      const checked = this.checkParam(p, v);
      if (checked === undefined) ok = false;
      else env.set(p.name.text, checked);
    }
    return ok ? env : undefined;
  }

  private checkParam(p: A.Param, v: Value): Value | undefined {
    const what = `\`${p.name.text}\``;
    switch (p.type.text) {
      case 'int':
        return readNum(this.ctx, v, what, { int: true }) === undefined ? undefined : v;
      case 'float':
        return readNum(this.ctx, v, what) === undefined ? undefined : v;
      case 'bool':
        return readBool(this.ctx, v, what) === undefined ? undefined : v;
      default:
        return undefined; // E0111, reported by the declaration check
    }
  }

  /** Elaborates `decl` applied to an already bound environment. */
  network(decl: A.NetworkDecl, env: Map<string, Value>, shape: Shape | null, scope: NameScope, out: Layer[]): Shape | null {
    this.stack.push(decl.name.text);
    try {
      return this.stmts(decl, decl.body, env, shape, scope, out);
    } finally {
      this.stack.pop();
    }
  }

  private stmts(decl: A.NetworkDecl, stmts: A.Stmt[], env: Map<string, Value>, shape: Shape | null, scope: NameScope, out: Layer[]): Shape | null {
    for (const s of stmts) shape = this.stmt(decl, s, env, shape, scope, out);
    return shape;
  }

  private stmt(decl: A.NetworkDecl, s: A.Stmt, env: Map<string, Value>, shape: Shape | null, scope: NameScope, out: Layer[]): Shape | null {
    this.tick(s.span);
    const ev = new Evaluator(this.ctx, this.scopeOf(env, shape));
    const scopeNames = (): string[] => [...env.keys(), 'channels'];
    switch (s.kind) {
      case 'input': {
        const declared = this.readShape(ev.eval(s.shape));
        if (declared && shape && shapeText(declared) !== shapeText(shape)) {
          this.ctx.report('E0405', { name: decl.name.text, declared: shapeText(declared), actual: shapeText(shape) }, s.span);
          return null;
        }
        return shape;
      }
      case 'block':
        return this.stmts(decl, s.body, env, shape, newScope(`${scope.prefix}${s.label.text}.`), out);
      case 'if': {
        const cond = ev.eval(s.cond);
        if (cond.k === 'err') return null;
        if (cond.k !== 'bool') {
          if (cond.k === 'sym') ev.unknownName(cond);
          else this.ctx.report('E0409', { found: describeValue(cond) }, cond.span);
          return null;
        }
        if (cond.v) return this.stmts(decl, s.then, env, shape, scope, out);
        if (!s.else) return shape;
        return Array.isArray(s.else) ? this.stmts(decl, s.else, env, shape, scope, out) : this.stmt(decl, s.else, env, shape, scope, out);
      }
      case 'repeat': {
        const countV = ev.eval(s.count);
        const count = countV.k === 'num' && !countV.pct && Number.isInteger(countV.v) && countV.v >= 0 ? countV.v : undefined;
        if (count === undefined) {
          if (countV.k === 'sym') ev.unknownName(countV);
          else if (countV.k !== 'err') this.ctx.report('E0408', { value: describeValue(countV) }, countV.span);
          return null;
        }
        if (count > MAX_REPEAT) {
          this.ctx.report('E0304', { what: 'a repeat count', range: `at most ${MAX_REPEAT}`, value: `\`${formatNumber(count)}\`` }, countV.span);
          return null;
        }
        const base = s.label ? `${scope.prefix}${s.label.text}.` : scope.prefix;
        for (let i = 0; i < count; i++) {
          const copy = s.label ? i : scope.copies++;
          const inner = new Map(env);
          if (s.index) inner.set(s.index.text, { k: 'num', v: i, pct: false, span: s.index.span });
          shape = this.stmts(decl, s.body, inner, shape, newScope(`${base}${copy}.`), out);
        }
        return shape;
      }
      case 'residual':
        return this.residual(decl, s, env, shape, scope, out);
      case 'layer': {
        const callee = s.callee.text;
        const call: Call = {
          k: 'call',
          name: callee,
          nameSpan: s.callee.span,
          args: (s.args ?? []).map((a) => {
            const va = { value: ev.eval(a.value), span: a.span } as { name?: string; nameSpan?: Span; value: Value; span: Span };
            if (a.name) {
              va.name = a.name.text;
              va.nameSpan = a.name.span;
            }
            return va;
          }),
          span: s.span,
        };
        if (isBuiltinLayer(callee)) {
          const name = this.nameFor(scope, s.label?.text ?? this.next(scope, callee), s.span);
          this.tick(s.span, 1);
          const built = buildLayer({ ctx: this.ctx, name, span: s.span, scopeNames }, callee, call, shape);
          if (built.layer) out.push(built.layer);
          if (built.weight) this.weights.push(built.weight);
          return built.out;
        }
        const sub = this.table.get(callee);
        if (!sub) {
          reportUnknownLayer(this.ctx, s.callee, this.table);
          return null;
        }
        if (this.stack.includes(callee)) {
          this.ctx.report('E0118', { name: callee }, s.callee.span);
          return null;
        }
        const inner = s.label ? newScope(`${scope.prefix}${s.label.text}.`) : scope;
        return this.ctx.within({ message: `in \`${callee}\`, used here`, span: s.span }, () => {
          const subEnv = this.bindNetwork(sub, call, shape);
          if (!subEnv) return null;
          return this.network(sub, subEnv, shape, inner, out);
        });
      }
    }
  }

  private residual(decl: A.NetworkDecl, s: A.ResidualStmt, env: Map<string, Value>, shape: Shape | null, scope: NameScope, out: Layer[]): Shape | null {
    const n = this.next(scope, 'residual');
    const name = this.nameFor(scope, s.label?.text ?? n, s.span);
    const bodyScope = s.label ? newScope(`${scope.prefix}${s.label.text}.`) : scope;
    const ordinal = scope.counters.get('residual')!;
    const shortcutPrefix = s.label ? `${bodyScope.prefix}shortcut.` : `${scope.prefix}shortcut${ordinal > 1 ? ordinal : ''}.`;
    const body: Layer[] = [];
    const shortcut: Layer[] = [];
    const bodyOut = this.stmts(decl, s.body, env, shape, bodyScope, body);
    const shortOut = s.shortcut ? this.stmts(decl, s.shortcut, env, shape, newScope(shortcutPrefix), shortcut) : shape;
    if (!shape || !bodyOut || !shortOut) return null;
    if (shapeText(bodyOut) !== shapeText(shortOut)) {
      this.ctx.report('E0404', { name, body: shapeText(bodyOut), shortcut: shapeText(shortOut) }, s.span);
      return null;
    }
    const layer: ResidualLayer = { kind: 'residual', name, inShape: shape, outShape: bodyOut, body, shortcut, origin: { ...s.span } };
    out.push(layer);
    return bodyOut;
  }

  private next(scope: NameScope, kind: string): string {
    const n = (scope.counters.get(kind) ?? 0) + 1;
    scope.counters.set(kind, n);
    return `${kind}${n}`;
  }

  private nameFor(scope: NameScope, local: string, span: Span): string {
    const full = scope.prefix + local;
    const first = this.layerNames.get(full);
    if (first) {
      this.ctx.report('E0112', { name: full }, span, { notes: [{ message: 'first named here', span: first }] });
    } else {
      this.layerNames.set(full, span);
    }
    return full;
  }

  readShape(v: Value): Shape | undefined {
    if (v.k === 'err') return undefined;
    const items = v.k === 'list' ? v.items : undefined;
    const dims = items?.map((x) => (x.k === 'num' && !x.pct && Number.isInteger(x.v) && x.v >= 1 ? x.v : undefined));
    if (!items || (items.length !== 1 && items.length !== 3) || dims!.some((d) => d === undefined)) {
      this.ctx.report('E0411', { found: describeValue(v) }, v.span);
      return undefined;
    }
    return dims as number[];
  }
}

export function reportUnknownLayer(ctx: Ctx, callee: A.Name, table: NetworkTable): void {
  const hint = didYouMean(callee.text, [...BUILTIN_LAYERS, ...table.names()]);
  ctx.report('E0101', { name: callee.text }, callee.span, hint ? { hint } : {});
}

/**
 * Elaborates `model = Net(args)` for an input shape. Returns undefined when any error was
 * reported (the diagnostics say why).
 */
export function elaborateModel(ctx: Ctx, table: NetworkTable, call: Call, input: Shape | null): ElaboratedModel | undefined {
  const decl = table.get(call.name);
  if (!decl) {
    const hint = didYouMean(call.name, table.names());
    ctx.report('E0103', { name: call.name }, call.nameSpan, hint ? { hint } : {});
    return undefined;
  }
  const before = ctx.errorCount();
  const el = new Elaborator(ctx, table);
  const env = el.bindNetwork(decl, call, input);
  if (!env) return undefined;
  const layers: Layer[] = [];
  let outShape: Shape | null = null;
  try {
    outShape = el.network(decl, env, input, newScope(''), layers);
  } catch (e) {
    if (!(e instanceof Aborted)) throw e;
    return undefined;
  }
  // Without an input shape (broken data) the body was still checked for names and arguments.
  if (ctx.errorCount() > before || !outShape || !input) return undefined;
  if (el.weights.length === 0) {
    ctx.report('E0412', { name: decl.name.text }, decl.name.span);
    return undefined;
  }
  const args: Record<string, number | string | boolean> = {};
  for (const [k, v] of env) if (v.k === 'num' || v.k === 'str' || v.k === 'bool') args[k] = v.v;
  return { network: decl.name.text, args, layers, weights: el.weights, outShape };
}

/** Elaborates a network on its own declared input (for `subnet check` of a library file). */
export function elaborateStandalone(ctx: Ctx, table: NetworkTable, decl: A.NetworkDecl): void {
  if ((decl.params ?? []).some((p) => !p.default)) return;
  const inputStmt = decl.body.find((s): s is A.InputStmt => s.kind === 'input');
  if (!inputStmt) return;
  const el = new Elaborator(ctx, table);
  const shape = el.readShape(new Evaluator(ctx, { inNetwork: true, lookup: () => undefined, names: () => [] }).eval(inputStmt.shape));
  if (!shape) return;
  const call: Call = { k: 'call', name: decl.name.text, nameSpan: decl.name.span, args: [], span: decl.name.span };
  elaborateModel(ctx, table, call, shape);
}
