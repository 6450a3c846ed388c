// Mask policies (`mask = ...`, docs/language.md §4.2) and their resolution per weight layer.
// keep is always the fraction KEPT, written as a percentage: the reference code's `prune_rate`
// means "kept" in GetSubnet and "pruned" in scale_fan/FixedSubnetConv (research N1.3).
import type { LayerMask, MaskSpec, SupermaskEval } from '../plan/config.js';
import type { Span } from '../../diagnostics/diagnostics.js';
import { arg, asCall, bindArgs, readNum, readOption, readStr, unexpected, type Bound } from './args.js';
import type { Ctx } from './context.js';
import { SIGNATURES } from './signatures.js';
import { unknownOption } from './inits.js';
import type { Value } from './values.js';

export const MASK_POLICIES = ['edge_popup', 'supermask', 'dense', 'fixed'] as const;
const EVAL_MODES = ['sample', 'expected', 'threshold'] as const;

export interface DecodedMask {
  spec: MaskSpec;
  /** `fixed(run:, keep:)`: the kept fraction of the loaded mask (for scaled inits). */
  fixedKeep?: number;
}

const keepRule = { unit: 'percent' as const, min: 0, minEx: true, max: 1, meaning: 'kept' };
const pruneRule = { unit: 'percent' as const, min: 0, max: 1, maxEx: true, meaning: 'pruned' };

/** `keep: P%` or `prune: P%` (never both), as the kept fraction. */
export function readKeepOrPrune(ctx: Ctx, b: Bound, required: boolean): number | undefined | null {
  const keep = b.args.get('keep');
  const prune = b.args.get('prune');
  if (keep && prune) {
    ctx.report('E0307', {}, prune.nameSpan ?? prune.span, { hint: 'write only `keep`; `prune: P%` means `keep: (100 - P)%`' });
    return undefined;
  }
  if (keep) return readNum(ctx, keep.value, '`keep`', keepRule);
  if (prune) {
    const p = readNum(ctx, prune.value, '`prune`', pruneRule);
    return p === undefined ? undefined : 1 - p;
  }
  if (required) {
    ctx.report('E0202', { name: 'keep', callee: b.callee }, b.span, { hint: 'write e.g. `keep: 50%` (the fraction of weights kept)' });
    return undefined;
  }
  return null;
}

function readFirstLast(ctx: Ctx, v: Value, what: string, percentAllowed: boolean): 'dense' | number | undefined {
  if (v.k === 'sym' && v.name === 'dense') return 'dense';
  if (percentAllowed && v.k === 'num') return readNum(ctx, v, what, keepRule);
  return unexpected(ctx, v, what, percentAllowed ? '`dense` or a percentage' : '`dense`');
}

export function readMask(ctx: Ctx, v: Value): DecodedMask | undefined {
  const what = '`mask`';
  const call = asCall(v);
  if (!call) return unexpected(ctx, v, what, 'a mask policy such as `edge_popup(keep: 50%)`');
  switch (call.name) {
    case 'edge_popup': {
      const b = bindArgs(ctx, call, { callee: 'edge_popup', params: SIGNATURES.edge_popup! });
      const keep = readKeepOrPrune(ctx, b, true);
      const first = arg<'dense' | number | null>(b, 'first', (x, w) => readFirstLast(ctx, x, w, true), null);
      const last = arg<'dense' | number | null>(b, 'last', (x, w) => readFirstLast(ctx, x, w, true), null);
      if (!b.ok || keep === undefined || keep === null || first === undefined || last === undefined) return undefined;
      const spec: MaskSpec = { kind: 'edge_popup', keep };
      if (first !== null) spec.first = first;
      if (last !== null) spec.last = last;
      return { spec };
    }
    case 'supermask': {
      const b = bindArgs(ctx, call, { callee: 'supermask', params: SIGNATURES.supermask! });
      const ev = arg<SupermaskEval>(b, 'eval', (x, w) => readOption(ctx, x, w, EVAL_MODES), 'sample');
      const first = arg<'dense' | number | null>(b, 'first', (x, w) => readFirstLast(ctx, x, w, false), null);
      const last = arg<'dense' | number | null>(b, 'last', (x, w) => readFirstLast(ctx, x, w, false), null);
      if (!b.ok || ev === undefined || first === undefined || last === undefined) return undefined;
      const spec: MaskSpec = { kind: 'supermask', eval: ev };
      if (first === 'dense') spec.first = 'dense';
      if (last === 'dense') spec.last = 'dense';
      return { spec };
    }
    case 'dense': {
      const b = bindArgs(ctx, call, { callee: 'dense', params: SIGNATURES.dense! });
      return b.ok ? { spec: { kind: 'dense' } } : undefined;
    }
    case 'fixed': {
      const b = bindArgs(ctx, call, { callee: 'fixed', params: SIGNATURES.fixed!, required: ['run'] });
      const run = arg(b, 'run', (x, w) => readStr(ctx, x, w), '');
      const keep = arg(b, 'keep', (x, w) => readNum(ctx, x, w, keepRule), 1);
      if (!b.ok || run === undefined || keep === undefined) return undefined;
      return { spec: { kind: 'fixed', run }, fixedKeep: keep };
    }
    default:
      return unknownOption(ctx, call.name, call.nameSpan, what, MASK_POLICIES);
  }
}

/** The per-layer overrides written on a `linear`/`conv` statement. */
export interface LayerOverrides {
  dense?: Span;
  keep?: { value: number; span: Span };
}

/**
 * The mask of one weight layer. Precedence: the layer's own `mask: dense`/`keep:` beat the
 * policy's `first:`/`last:`, which beat the policy's `keep`.
 */
export function resolveLayerMask(
  ctx: Ctx,
  m: DecodedMask,
  ov: LayerOverrides,
  pos: { first: boolean; last: boolean },
  layer: string,
): LayerMask {
  const spec = m.spec;
  const policy = spec.kind;
  const unused = (argName: string, span: Span): void => ctx.report('W0401', { arg: argName, layer, policy }, span);
  switch (spec.kind) {
    case 'dense':
      if (ov.keep) unused('keep', ov.keep.span);
      return { kind: 'dense' };
    case 'fixed':
      if (ov.keep) unused('keep', ov.keep.span);
      if (ov.dense) return { kind: 'frozen' };
      return { kind: 'fixed', run: spec.run, keep: m.fixedKeep ?? 1 };
    case 'supermask':
      if (ov.keep) unused('keep', ov.keep.span);
      if (ov.dense) return { kind: 'frozen' };
      if ((pos.first && spec.first === 'dense') || (pos.last && spec.last === 'dense')) return { kind: 'frozen' };
      return { kind: 'supermask', eval: spec.eval };
    case 'edge_popup': {
      if (ov.dense) return { kind: 'frozen' };
      if (ov.keep) return { kind: 'edge_popup', keep: ov.keep.value };
      const edge = pos.first && spec.first !== undefined ? spec.first : pos.last && spec.last !== undefined ? spec.last : undefined;
      if (edge === 'dense') return { kind: 'frozen' };
      return { kind: 'edge_popup', keep: edge ?? spec.keep };
    }
  }
}
