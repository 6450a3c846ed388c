// Sweeps → concrete runs (docs/language.md §4.5–4.6). Axes combine as a grid product in file
// order (the first sweep is the outermost loop), a `zip` is one axis of paired lists, and seeds
// are the innermost loop. `--set` overrides are applied to the field values first and replace any
// sweep over the same path. Each run's id is the first 12 hex digits of the SHA-256 of its
// canonical configuration (sorted keys), leaving out source positions, the `axes` labels and the
// data directory, so reformatting a file, respelling `30%` as `30.0%` or moving the dataset keeps
// every id.
import type * as A from '../../grammar/ast.js';
import { pathText } from '../../grammar/ast.js';
import type { RunConfig } from '../plan/config.js';
import type { Span } from '../../diagnostics/diagnostics.js';
import { listOptions } from '../../diagnostics/messages.js';
import { asCall } from '../check/args.js';
import type { Ctx, Note } from '../check/context.js';
import { collectFields, defaultFieldValue, FIELDS, readSeeds, REQUIRED_FIELDS, RunDecoder, type FieldName, type FieldValue } from '../check/experiment.js';
import type { NetworkTable } from '../check/network.js';
import { SCORE_SIGNATURES, SIGNATURES } from '../check/signatures.js';
import { didYouMean } from '../check/suggest.js';
import { describeValue, Evaluator, emptyScope, type Value, type ValueArg } from '../check/values.js';
import { idText, sha256Hex } from './hash.js';

export interface ExpandedRun {
  id: string;
  config: RunConfig;
}

export const MAX_RUNS = 10_000;

/**
 * Runs of a sweep share the parts of their configuration that do not vary (the layer tree of one
 * model, say), so every RunConfig is deeply frozen: a consumer that wants to change one copies it.
 */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

interface Axis {
  path: A.Name[];
  key: string;
  pathSpan: Span;
  values: Value[];
}

interface Dim {
  axes: Axis[];
  length: number;
}

const SWEEPABLE = FIELDS.filter((f) => f !== 'seed' && f !== 'seeds');

export { idText };

export function runId(config: RunConfig): string {
  return sha256Hex(idText(config)).slice(0, 12);
}

/** Parameter order of a callee, to find an argument that was written positionally. */
function paramOrder(table: NetworkTable, field: FieldName, depth: number, callee: string): readonly string[] {
  if (depth === 1 && field === 'model') return (table.get(callee)?.params ?? []).map((p) => p.name.text);
  if (depth === 1 && field === 'scores') return SCORE_SIGNATURES[callee] ?? [];
  return SIGNATURES[callee] ?? [];
}

/** Replaces (or adds) the value at `path[depth..]` inside `base`. */
function substitute(ctx: Ctx, table: NetworkTable, field: FieldName, base: Value, path: A.Name[], depth: number, value: Value): Value | undefined {
  if (depth === path.length) return value;
  if (base.k === 'err') return base;
  const seg = path[depth]!;
  const more = depth + 1 < path.length;
  const fail = (hint: string): undefined => {
    ctx.report('E0501', { path: pathText(path) }, seg.span, { hint });
    return undefined;
  };
  const call = asCall(base);
  if (call) {
    const order = paramOrder(table, field, depth, call.name);
    let idx = call.args.findIndex((a) => a.name === seg.text);
    if (idx < 0) {
      const p = order.indexOf(seg.text);
      const positional = call.args.map((a, i) => (a.name === undefined ? i : -1)).filter((i) => i >= 0);
      if (p >= 0 && p < positional.length) idx = positional[p]!;
    }
    if (idx >= 0) {
      const inner = substitute(ctx, table, field, call.args[idx]!.value, path, depth + 1, value);
      if (!inner) return undefined;
      const args = call.args.slice();
      args[idx] = { ...args[idx]!, value: inner };
      return { ...call, args };
    }
    if (more) return fail(`\`${call.name}\` has no argument \`${seg.text}\` written out to reach into`);
    const added: ValueArg = { name: seg.text, nameSpan: seg.span, value, span: seg.span };
    return { ...call, args: [...call.args, added] };
  }
  if (base.k === 'rec') {
    const idx = base.fields.findIndex((f) => f.key === seg.text);
    if (idx >= 0) {
      const inner = substitute(ctx, table, field, base.fields[idx]!.value, path, depth + 1, value);
      if (!inner) return undefined;
      const fields = base.fields.slice();
      fields[idx] = { ...fields[idx]!, value: inner };
      return { ...base, fields };
    }
    if (more) return fail(`the record has no field \`${seg.text}\` to reach into`);
    return { ...base, fields: [...base.fields, { key: seg.text, keySpan: seg.span, value }] };
  }
  return fail(`\`${pathText(path.slice(0, depth))}\` is ${describeValue(base)}, which has no \`${seg.text}\``);
}

function checkRoot(ctx: Ctx, path: A.Name[], allowed: readonly string[]): FieldName | undefined {
  const root = path[0]!;
  if (allowed.includes(root.text)) return root.text as FieldName;
  const seedHint = root.text === 'seed' || root.text === 'seeds' ? 'seeds are not swept with `sweep`; write `seeds = [1, 2, 3]` (always the innermost axis)' : undefined;
  const hint = seedHint ?? didYouMean(root.text, allowed) ?? `a path starts with ${listOptions(allowed)}`;
  ctx.report('E0501', { path: pathText(path) }, root.span, { hint });
  return undefined;
}

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(b + '.') || b.startsWith(a + '.');

/**
 * Expands one experiment into runs. `damaged`: the experiment contains a syntax error, so fields
 * may have been lost in recovery and "missing field" errors would be noise.
 */
export function expandExperiment(
  ctx: Ctx,
  table: NetworkTable,
  decl: A.ExperimentDecl,
  overrides: readonly A.Override[],
  damaged = false,
): ExpandedRun[] {
  const before = ctx.errorCount();
  const ev = new Evaluator(ctx, emptyScope);
  const { fields, misspelt } = collectFields(ctx, decl, (e) => ev.eval(e));

  // ---- --set overrides, in order (a later one wins)
  const overridden: { key: string; span: Span }[] = [];
  for (const o of overrides) {
    const root = checkRoot(ctx, o.path, FIELDS);
    if (!root) continue;
    const value = ev.eval(o.value);
    const key = pathText(o.path);
    overridden.push({ key, span: o.pathSpan });
    if (o.path.length === 1) {
      const other = root === 'seed' ? 'seeds' : root === 'seeds' ? 'seed' : undefined;
      if (other && fields.has(other)) {
        ctx.report('W0503', { path: root, other }, o.pathSpan);
        fields.delete(other);
      }
      fields.set(root, { value, span: o.span, nameSpan: o.pathSpan });
      continue;
    }
    const current: FieldValue | undefined = fields.get(root);
    const base = current?.value ?? defaultFieldValue(root, o.span);
    if (!base) {
      ctx.report('E0501', { path: key }, o.path[0]!.span, { hint: `experiment \`${decl.name.text}\` has no \`${root}\` to reach into` });
      continue;
    }
    const replaced = substitute(ctx, table, root, base, o.path, 1, value);
    if (replaced) fields.set(root, { value: replaced, span: current?.span ?? o.span, nameSpan: current?.nameSpan ?? o.pathSpan });
  }

  // ---- sweeps
  const dims: Dim[] = [];
  const swept = new Map<string, Span>();
  for (const item of decl.items) {
    if (item.kind !== 'sweep') continue;
    const axes: Axis[] = [];
    for (const ax of item.axes) {
      const root = checkRoot(ctx, ax.path, SWEEPABLE);
      const key = pathText(ax.path);
      const valuesV = ev.eval(ax.values);
      if (!root) continue;
      const first = swept.get(key);
      if (first) {
        ctx.report('E0502', { path: key }, ax.pathSpan, { notes: [{ message: 'first swept here', span: first }] });
        continue;
      }
      swept.set(key, ax.pathSpan);
      if (valuesV.k === 'err') continue;
      if (valuesV.k !== 'list') {
        ctx.report('E0504', { found: describeValue(valuesV) }, valuesV.span);
        continue;
      }
      if (valuesV.items.length === 0) {
        ctx.report('E0505', { path: key }, valuesV.span);
        continue;
      }
      const over = overridden.find((o) => overlaps(o.key, key));
      if (over) {
        ctx.report('W0502', { path: key }, over.span);
        continue;
      }
      if (!fields.has(root) && !defaultFieldValue(root, ax.pathSpan)) continue; // E0116 below
      axes.push({ path: ax.path, key, pathSpan: ax.pathSpan, values: valuesV.items });
    }
    if (axes.length === 0) continue;
    const lengths = axes.map((a) => a.values.length);
    if (item.zip && lengths.some((n) => n !== lengths[0])) {
      ctx.report('E0503', { lengths: axes.map((a) => `\`${a.key}\` has ${a.values.length}`).join(', ') }, item.span);
      continue;
    }
    dims.push({ axes, length: lengths[0]! });
  }

  for (const f of REQUIRED_FIELDS) {
    if (!fields.has(f) && !misspelt.has(f) && !damaged) ctx.report('E0116', { experiment: decl.name.text, field: f }, decl.name.span);
  }
  const seeds = readSeeds(ctx, fields);
  const points = dims.reduce((n, d) => n * d.length, 1);
  const total = points * (seeds?.length ?? 1);
  if (total > MAX_RUNS) {
    ctx.report('E0506', { name: decl.name.text, count: total, limit: MAX_RUNS }, decl.name.span);
    return [];
  }
  if (ctx.errorCount() > before || !seeds) {
    // Still decode the base point: its errors (types, units, shapes) are worth reporting now.
    decodePoints(ctx, table, decl, fields, dims, seeds ?? [0]);
    return [];
  }
  const runs = decodePoints(ctx, table, decl, fields, dims, seeds);
  return ctx.errorCount() > before ? [] : runs;
}

function decodePoints(ctx: Ctx, table: NetworkTable, decl: A.ExperimentDecl, fields: Map<FieldName, FieldValue>, dims: Dim[], seeds: number[]): ExpandedRun[] {
  const decoder = new RunDecoder(ctx, table, decl.name.text);
  const runs: ExpandedRun[] = [];
  const ids = new Map<string, string>();
  const index = dims.map(() => 0);
  const seedSwept = fields.has('seeds');
  for (;;) {
    const values = new Map<FieldName, Value>();
    for (const [k, f] of fields) values.set(k, f.value);
    const notes = new Map<FieldName, Note[]>();
    const axes: Record<string, string> = {};
    let ok = true;
    dims.forEach((d, di) => {
      for (const ax of d.axes) {
        const root = ax.path[0]!.text as FieldName;
        const v = ax.values[index[di]!]!;
        const text = ctx.text(v.span);
        axes[ax.key] = text;
        const base = values.get(root) ?? defaultFieldValue(root, ax.pathSpan)!;
        const next = substitute(ctx, table, root, base, ax.path, 1, v);
        if (!next) {
          ok = false;
          continue;
        }
        values.set(root, next);
        const list = notes.get(root) ?? [];
        list.push({ message: `with \`${ax.key} = ${text}\``, span: v.span });
        notes.set(root, list);
      }
    });
    // Decode even when a path failed, so the point's other errors are reported too.
    const decoded = decoder.decode({ values, notes });
    const config = ok ? decoded : undefined;
    if (config) {
      // Keys are sorted, so the seed's place in the canonical text is fixed: serialise once per point.
      const template = idText({ ...config, seed: -1 });
      for (const seed of seeds) {
        const runAxes = seedSwept ? { ...axes, seed: String(seed) } : { ...axes };
        const full: RunConfig = deepFreeze({ ...config, seed, axes: runAxes });
        const id = sha256Hex(template.replace('"seed":-1', `"seed":${seed}`)).slice(0, 12);
        const label = Object.entries(runAxes)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        const first = ids.get(id);
        if (first !== undefined) {
          ctx.report('W0501', { first: `(${first})`, second: `(${label})`, experiment: decl.name.text }, decl.name.span);
          continue;
        }
        ids.set(id, label);
        runs.push({ id, config: full });
      }
    }
    // Advance the index vector: the last dimension fastest.
    let d = dims.length - 1;
    while (d >= 0) {
      index[d]!++;
      if (index[d]! < dims[d]!.length) break;
      index[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return runs;
}
