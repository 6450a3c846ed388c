// The built-in layers: their arguments and their shape rules (docs/language.md §3.2). A shape of
// `null` means "unknown because of an earlier error": rules then skip their checks, so one bad
// layer does not cascade into errors for every layer after it.
import type { BatchNormLayer, ConvLayer, InitSpec, Layer, LinearLayer, PoolLayer, Shape, SimpleLayer } from '../plan/config.js';
import type { Span } from '../../diagnostics/diagnostics.js';
import { arg, bindArgs, readBool, readNum, readOption, type Bound } from './args.js';
import type { Ctx } from './context.js';
import { readInit } from './inits.js';
import { readKeepOrPrune, type LayerOverrides } from './masks.js';
import { formatNumber, type Call, type Value } from './values.js';

export const BUILTIN_LAYERS = ['linear', 'conv', 'relu', 'maxpool', 'avgpool', 'global_avgpool', 'flatten', 'batchnorm'] as const;
export type BuiltinLayer = (typeof BUILTIN_LAYERS)[number];

export const isBuiltinLayer = (name: string): name is BuiltinLayer => (BUILTIN_LAYERS as readonly string[]).includes(name);

// Only the leading shape arguments may be positional; options are always named.
export const LAYER_SIGNATURES: Record<BuiltinLayer, { params: string[]; required?: string[]; positional: number }> = {
  linear: { params: ['out', 'mask', 'keep', 'prune', 'init'], required: ['out'], positional: 1 },
  conv: { params: ['out', 'kernel', 'stride', 'padding', 'mask', 'keep', 'prune', 'init'], required: ['out', 'kernel'], positional: 2 },
  relu: { params: [], positional: 0 },
  maxpool: { params: ['kernel', 'stride', 'padding'], required: ['kernel'], positional: 1 },
  avgpool: { params: ['kernel', 'stride', 'padding'], required: ['kernel'], positional: 1 },
  global_avgpool: { params: [], positional: 0 },
  flatten: { params: [], positional: 0 },
  batchnorm: { params: ['affine', 'momentum', 'eps'], positional: 0 },
};

export interface WeightInfo {
  layer: LinearLayer | ConvLayer;
  overrides: LayerOverrides;
  init?: InitSpec;
}

export interface BuiltLayer {
  layer?: Layer;
  weight?: WeightInfo;
  out: Shape | null;
}

export const shapeText = (s: Shape): string => `[${s.join(', ')}]`;

export interface LayerEnv {
  ctx: Ctx;
  /** Full dotted name the layer will get. */
  name: string;
  span: Span;
  scopeNames: () => string[];
}

/** Placeholder until the experiment's mask policy and distribution are known (resolveModel). */
const UNRESOLVED_MASK = { kind: 'dense' } as const;
const UNRESOLVED_INIT: InitSpec = { kind: 'kaiming_normal', mode: 'fan_in', scaled: false };

export function buildLayer(env: LayerEnv, kind: BuiltinLayer, call: Call, inShape: Shape | null): BuiltLayer {
  const { ctx } = env;
  const b = bindArgs(ctx, call, { callee: kind, ...LAYER_SIGNATURES[kind] });
  const int = (name: string, min: number, dflt: number): number | undefined =>
    arg(b, name, (x, w) => readNum(ctx, x, w, { int: true, min, scopeNames: env.scopeNames }), dflt);
  const base = (out: Shape): { name: string; inShape: Shape; outShape: Shape; origin: Span } => ({
    name: env.name,
    inShape: inShape!,
    outShape: out,
    origin: { ...env.span },
  });

  switch (kind) {
    case 'linear': {
      const out = readWidth(env, b);
      const ov = readOverrides(env, b);
      if (!inShape || out === undefined || !ov || !b.ok) return { out: out !== undefined && inShape ? [out] : null };
      if (inShape.length !== 1) {
        ctx.report('E0401', { layer: env.name, shape: shapeText(inShape) }, env.span);
        return { out: null };
      }
      const layer: LinearLayer = { kind: 'linear', ...base([out]), inFeatures: inShape[0]!, outFeatures: out, mask: UNRESOLVED_MASK, init: UNRESOLVED_INIT };
      return { layer, weight: { layer, overrides: ov.overrides, init: ov.init }, out: [out] };
    }
    case 'conv': {
      const out = readWidth(env, b);
      const kernel = int('kernel', 1, 1);
      const stride = int('stride', 1, 1);
      const padding = int('padding', 0, kernel === undefined ? 0 : Math.floor(kernel / 2));
      const ov = readOverrides(env, b);
      if (!inShape || out === undefined || kernel === undefined || stride === undefined || padding === undefined || !ov || !b.ok) return { out: null };
      if (!imageInput(env, inShape)) return { out: null };
      const o = spatial(env, inShape, kernel, stride, padding);
      if (!o) return { out: null };
      const outShape = [out, o[0], o[1]];
      const layer: ConvLayer = {
        kind: 'conv',
        ...base(outShape),
        inChannels: inShape[0]!,
        outChannels: out,
        kernel,
        stride,
        padding,
        mask: UNRESOLVED_MASK,
        init: UNRESOLVED_INIT,
      };
      return { layer, weight: { layer, overrides: ov.overrides, init: ov.init }, out: outShape };
    }
    case 'maxpool':
    case 'avgpool': {
      const kernel = int('kernel', 1, 1);
      const stride = int('stride', 1, kernel ?? 1);
      const padding = int('padding', 0, 0);
      if (!inShape || kernel === undefined || stride === undefined || padding === undefined || !b.ok) return { out: null };
      if (padding > Math.floor(kernel / 2)) {
        const at = b.args.get('padding')!.value.span;
        ctx.report('E0304', { what: '`padding`', range: `at most half the kernel (${Math.floor(kernel / 2)})`, value: `\`${padding}\`` }, at);
        return { out: null };
      }
      if (!imageInput(env, inShape)) return { out: null };
      const o = spatial(env, inShape, kernel, stride, padding);
      if (!o) return { out: null };
      const outShape = [inShape[0]!, o[0], o[1]];
      const layer: PoolLayer = { kind, ...base(outShape), kernel, stride, padding };
      return { layer, out: outShape };
    }
    case 'relu':
    case 'flatten':
    case 'global_avgpool': {
      if (!inShape || !b.ok) return { out: null };
      let out: Shape = inShape;
      if (kind === 'flatten') out = [inShape.reduce((a, x) => a * x, 1)];
      if (kind === 'global_avgpool') {
        if (!imageInput(env, inShape)) return { out: null };
        out = [inShape[0]!];
      }
      const layer: SimpleLayer = { kind, ...base(out) };
      return { layer, out };
    }
    case 'batchnorm': {
      const affine = arg(b, 'affine', (x, w) => readBool(ctx, x, w, env.scopeNames), false);
      const momentum = arg(b, 'momentum', (x, w) => readNum(ctx, x, w, { min: 0, max: 1, scopeNames: env.scopeNames }), 0.1);
      const eps = arg(b, 'eps', (x, w) => readNum(ctx, x, w, { min: 0, minEx: true, scopeNames: env.scopeNames }), 1e-5);
      if (!inShape || affine === undefined || momentum === undefined || eps === undefined || !b.ok) return { out: null };
      if (inShape.length !== 1 && inShape.length !== 3) return { out: null };
      const layer: BatchNormLayer = { kind: 'batchnorm', ...base(inShape), channels: inShape[0]!, affine, momentum, eps };
      return { layer, out: inShape };
    }
  }
}

/** `out` of linear/conv: truncated toward zero like the reference's int(c * width_mult). */
function readWidth(env: LayerEnv, b: Bound): number | undefined {
  const a = b.args.get('out');
  if (!a) return undefined;
  const raw = readNum(env.ctx, a.value, '`out`', { scopeNames: env.scopeNames });
  if (raw === undefined) return undefined;
  const w = Math.trunc(raw);
  if (w < 1) {
    env.ctx.report('E0406', { layer: env.name, value: formatNumber(raw) }, a.value.span);
    return undefined;
  }
  return w;
}

function readOverrides(env: LayerEnv, b: Bound): { overrides: LayerOverrides; init?: InitSpec } | undefined {
  const { ctx } = env;
  const overrides: LayerOverrides = {};
  let ok = true;
  const mask = b.args.get('mask');
  if (mask) {
    if (readOption(ctx, mask.value, '`mask`', ['dense']) === undefined) ok = false;
    else overrides.dense = mask.value.span;
  }
  const keep = readKeepOrPrune(ctx, b, false);
  if (keep === undefined) ok = false;
  else if (keep !== null) {
    const at = (b.args.get('keep') ?? b.args.get('prune'))!;
    overrides.keep = { value: keep, span: at.span };
  }
  if (overrides.dense && overrides.keep) {
    ctx.report('E0414', { layer: env.name }, overrides.keep.span);
    ok = false;
  }
  let init: InitSpec | undefined;
  const initArg = b.args.get('init');
  if (initArg) {
    init = readInit(ctx, initArg.value, '`init`');
    if (!init) ok = false;
  }
  if (!ok) return undefined;
  return init ? { overrides, init } : { overrides };
}

function imageInput(env: LayerEnv, s: Shape): boolean {
  if (s.length === 3) return true;
  env.ctx.report('E0402', { layer: env.name, shape: shapeText(s) }, env.span);
  return false;
}

function spatial(env: LayerEnv, s: Shape, kernel: number, stride: number, padding: number): [number, number] | undefined {
  const h = Math.floor((s[1]! + 2 * padding - kernel) / stride) + 1;
  const w = Math.floor((s[2]! + 2 * padding - kernel) / stride) + 1;
  if (h >= 1 && w >= 1) return [h, w];
  const detail = `kernel ${kernel}, stride ${stride}, padding ${padding} on a ${s[1]}×${s[2]} input`;
  env.ctx.report('E0403', { layer: env.name, detail }, env.span);
  return undefined;
}

export type { Value };
