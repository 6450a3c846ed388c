// Data constructors (docs/language.md §4.3): what a dataset feeds the network (shape, classes)
// and how it is prepared (subset, padding, augmentation, normalisation). The normalisation
// presets are the reference's (research N1.9).
import type { Augment, DataConfig, Normalize, Shape } from '../plan/config.js';
import { arg, asCall, bindArgs, readList, readNum, readOption, readRecord, readStr, unexpected, type Bound } from './args.js';
import type { Ctx } from './context.js';
import { SIGNATURES } from './signatures.js';
import { unknownOption } from './inits.js';
import type { Value } from './values.js';

export const DATASETS = ['fashion_mnist', 'mnist', 'cifar10', 'synthetic', 'imagenet_synthetic'] as const;

export const NORMALIZE_PRESETS: Record<string, Normalize | null> = {
  none: null, // identity for any channel count
  mnist: { mean: [0.1307], std: [0.3081] },
  fashion_mnist: { mean: [0.286], std: [0.353] },
  cifar10: { mean: [0.491, 0.482, 0.447], std: [0.247, 0.243, 0.262] },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

export interface DecodedData {
  config: DataConfig;
  shape: Shape;
  classes: number;
}

const count = { int: true, min: 0 };
const positive = { int: true, min: 1 };

function readNormalize(ctx: Ctx, v: Value, channels: number): Normalize | undefined {
  const what = '`normalize`';
  if (v.k === 'rec') {
    const r = readRecord(ctx, v, what, ['mean', 'std'], ['mean', 'std']);
    if (!r || !r.has('mean') || !r.has('std')) return undefined;
    const vec = (key: 'mean' | 'std'): number[] | undefined => {
      const items = readList(ctx, r.get(key)!, `\`${key}\``);
      if (!items) return undefined;
      const nums = items.map((x) => readNum(ctx, x, `a \`${key}\` entry`, key === 'std' ? { min: 0, minEx: true } : {}));
      if (nums.some((n) => n === undefined)) return undefined;
      if (nums.length !== channels) {
        ctx.report('E0507', { preset: key, presetChannels: nums.length, channels }, r.get(key)!.span);
        return undefined;
      }
      return nums as number[];
    };
    const mean = vec('mean');
    const std = vec('std');
    return mean && std ? { mean, std } : undefined;
  }
  const preset = readOption(ctx, v, what, Object.keys(NORMALIZE_PRESETS));
  if (preset === undefined) return undefined;
  const stats = NORMALIZE_PRESETS[preset];
  if (!stats) return { mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
  if (stats.mean.length !== channels) {
    ctx.report('E0507', { preset, presetChannels: stats.mean.length, channels }, v.span);
    return undefined;
  }
  return { mean: [...stats.mean], std: [...stats.std] };
}

function readAugment(ctx: Ctx, v: Value): Augment[] | undefined {
  const items = readList(ctx, v, '`augment`');
  if (!items) return undefined;
  const out: Augment[] = [];
  let ok = true;
  for (const item of items) {
    const call = asCall(item);
    if (!call) {
      ok = unexpected(ctx, item, 'an augmentation', '`random_crop(pad: 4)` or `hflip`') ?? false;
      continue;
    }
    if (call.name === 'random_crop') {
      const b = bindArgs(ctx, call, { callee: 'random_crop', params: SIGNATURES.random_crop!, required: ['pad'] });
      const pad = arg(b, 'pad', (x, w) => readNum(ctx, x, w, positive), 4);
      if (!b.ok || pad === undefined) ok = false;
      else out.push({ kind: 'random_crop', pad });
    } else if (call.name === 'hflip') {
      const b = bindArgs(ctx, call, { callee: 'hflip', params: SIGNATURES.hflip! });
      if (!b.ok) ok = false;
      else out.push({ kind: 'hflip' });
    } else {
      unknownOption(ctx, call.name, call.nameSpan, 'an augmentation', ['random_crop', 'hflip']);
      ok = false;
    }
  }
  return ok ? out : undefined;
}

function readShape(ctx: Ctx, v: Value, what: string): Shape | undefined {
  const items = readList(ctx, v, what);
  if (!items) return undefined;
  if (items.length !== 1 && items.length !== 3) {
    ctx.report('E0411', { found: `a list of ${items.length}` }, v.span);
    return undefined;
  }
  const dims = items.map((x) => readNum(ctx, x, 'a dimension', positive));
  return dims.some((d) => d === undefined) ? undefined : (dims as number[]);
}

export function readData(ctx: Ctx, v: Value): DecodedData | undefined {
  const what = '`data`';
  const call = asCall(v);
  if (!call) return unexpected(ctx, v, what, 'a data constructor such as `cifar10(dir: "...")`');
  switch (call.name) {
    case 'fashion_mnist':
    case 'mnist': {
      const kind = call.name;
      const b = bindArgs(ctx, call, { callee: kind, params: SIGNATURES[kind]!, required: ['dir'] });
      const padTo = arg(b, 'pad_to', (x, w) => readNum(ctx, x, w, { int: true, min: 0 }), 0);
      const padBad = padTo !== undefined && padTo !== 0 && padTo < 28;
      if (padBad) ctx.report('E0304', { what: '`pad_to`', range: '0 or at least 28', value: `\`${padTo}\`` }, b.args.get('pad_to')!.value.span);
      const side = padTo || 28;
      const common = readCommon(ctx, b, kind, 1, []);
      if (!b.ok || !common || padTo === undefined || padBad) return undefined;
      return { config: { kind, ...common, padTo }, shape: [1, side, side], classes: 10 };
    }
    case 'cifar10': {
      const b = bindArgs(ctx, call, { callee: 'cifar10', params: SIGNATURES.cifar10!, required: ['dir'] });
      const common = readCommon(ctx, b, 'cifar10', 3, [{ kind: 'random_crop', pad: 4 }, { kind: 'hflip' }]);
      if (!b.ok || !common) return undefined;
      return { config: { kind: 'cifar10', ...common, padTo: 0 }, shape: [3, 32, 32], classes: 10 };
    }
    case 'synthetic':
    case 'imagenet_synthetic': {
      const imagenet = call.name === 'imagenet_synthetic';
      const b = bindArgs(ctx, call, { callee: call.name, params: SIGNATURES[call.name]! });
      const shape = imagenet ? [3, 224, 224] : arg(b, 'shape', (x, w) => readShape(ctx, x, w), [3, 32, 32]);
      const classes = imagenet ? 1000 : arg(b, 'classes', (x, w) => readNum(ctx, x, w, { int: true, min: 2 }), 10);
      const n = arg(b, 'n', (x, w) => readNum(ctx, x, w, positive), imagenet ? 64 : 1024);
      const testN = arg(b, 'test_n', (x, w) => readNum(ctx, x, w, positive), imagenet ? 64 : 256);
      const channels = shape?.[0] ?? 1;
      const normalize = arg(b, 'normalize', (x) => readNormalize(ctx, x, channels), defaultNorm(channels));
      const augment = arg(b, 'augment', (x) => readAugment(ctx, x), []);
      if (!b.ok || !shape || !classes || !n || !testN || !normalize || !augment) return undefined;
      return {
        config: { kind: 'synthetic', shape, classes, trainSize: n, testSize: testN, normalize, augment, trainSubset: 0, testSubset: 0, padTo: 0 },
        shape,
        classes,
      };
    }
    default:
      return unknownOption(ctx, call.name, call.nameSpan, what, DATASETS);
  }
}

function defaultNorm(channels: number): Normalize {
  return { mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
}

function readCommon(
  ctx: Ctx,
  b: Bound,
  preset: string,
  channels: number,
  defaultAugment: Augment[],
): { dir: string; normalize: Normalize; augment: Augment[]; trainSubset: number; testSubset: number } | undefined {
  const dir = arg(b, 'dir', (x, w) => readStr(ctx, x, w), '');
  const trainSubset = arg(b, 'subset', (x, w) => readNum(ctx, x, w, count), 0);
  const testSubset = arg(b, 'test_subset', (x, w) => readNum(ctx, x, w, count), 0);
  const normalize = arg(b, 'normalize', (x) => readNormalize(ctx, x, channels), NORMALIZE_PRESETS[preset]!);
  const augment = arg(b, 'augment', (x) => readAugment(ctx, x), defaultAugment);
  if (dir === undefined || trainSubset === undefined || testSubset === undefined || !normalize || !augment) return undefined;
  return { dir, normalize: { mean: [...normalize.mean], std: [...normalize.std] }, augment, trainSubset, testSubset };
}
