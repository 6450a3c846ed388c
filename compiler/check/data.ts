// Data constructors (docs/language.md §4.3): what a dataset feeds the network (shape, classes)
// and how it is prepared (subset, padding, augmentation, normalisation). The normalisation
// presets are the reference's (research N1.9).
import type { Augment, DataConfig, ImageSource, Normalize, Shape } from '../plan/config.js';
import { expandShards } from '../plan/shards.js';
import { arg, asCall, bindArgs, readList, readNum, readOption, readRecord, readStr, unexpected, type Bound } from './args.js';
import type { Ctx } from './context.js';
import { SIGNATURES } from './signatures.js';
import { unknownOption } from './inits.js';
import type { Call, Value } from './values.js';

export const DATASETS = ['fashion_mnist', 'mnist', 'cifar10', 'cifar100', 'imagefolder', 'synthetic', 'imagenet_synthetic'] as const;

export const NORMALIZE_PRESETS: Record<string, Normalize | null> = {
  none: null, // identity for any channel count
  mnist: { mean: [0.1307], std: [0.3081] },
  fashion_mnist: { mean: [0.286], std: [0.353] },
  cifar10: { mean: [0.491, 0.482, 0.447], std: [0.247, 0.243, 0.262] },
  cifar100: { mean: [0.507, 0.487, 0.441], std: [0.267, 0.256, 0.276] },
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

const PIXEL_AUGMENTS = ['random_crop', 'hflip'];
const IMAGE_AUGMENTS = ['random_resized_crop', 'hflip'];

function readAugment(ctx: Ctx, v: Value, allowed: readonly string[] = PIXEL_AUGMENTS): Augment[] | undefined {
  const items = readList(ctx, v, '`augment`');
  if (!items) return undefined;
  const out: Augment[] = [];
  let ok = true;
  for (const item of items) {
    const call = asCall(item);
    if (!call) {
      ok = unexpected(ctx, item, 'an augmentation', allowed.map((a) => (a === 'random_crop' ? '`random_crop(pad: 4)`' : `\`${a}\``)).join(' or ')) ?? false;
      continue;
    }
    if (!allowed.includes(call.name)) {
      unknownOption(ctx, call.name, call.nameSpan, 'an augmentation', allowed);
      ok = false;
    } else if (call.name === 'random_crop') {
      const b = bindArgs(ctx, call, { callee: 'random_crop', params: SIGNATURES.random_crop!, required: ['pad'] });
      const pad = arg(b, 'pad', (x, w) => readNum(ctx, x, w, positive), 4);
      if (!b.ok || pad === undefined) ok = false;
      else out.push({ kind: 'random_crop', pad });
    } else if (call.name === 'random_resized_crop') {
      const b = bindArgs(ctx, call, { callee: 'random_resized_crop', params: SIGNATURES.random_resized_crop! });
      const scale = arg(b, 'scale', (x, w) => readScale(ctx, x, w), [0.08, 1] as [number, number]);
      if (!b.ok || !scale) ok = false;
      else out.push({ kind: 'random_resized_crop', scale });
    } else {
      const b = bindArgs(ctx, call, { callee: 'hflip', params: SIGNATURES.hflip! });
      if (!b.ok) ok = false;
      else out.push({ kind: 'hflip' });
    }
  }
  return ok ? out : undefined;
}

/** RandomResizedCrop's area range: `[lo, hi]` with 0 < lo ≤ hi ≤ 1. */
function readScale(ctx: Ctx, v: Value, what: string): [number, number] | undefined {
  const items = readList(ctx, v, what);
  if (!items) return undefined;
  if (items.length !== 2) {
    ctx.report('E0301', { what, expected: 'a list `[low, high]`', found: `a list of ${items.length}` }, v.span);
    return undefined;
  }
  const lo = readNum(ctx, items[0]!, 'the low end of `scale`', { min: 0, minEx: true, max: 1 });
  const hi = readNum(ctx, items[1]!, 'the high end of `scale`', { min: lo ?? 0, minEx: false, max: 1 });
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
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
    case 'cifar10':
    case 'cifar100': {
      const kind = call.name;
      const b = bindArgs(ctx, call, { callee: kind, params: SIGNATURES[kind]!, required: ['dir'] });
      const common = readCommon(ctx, b, kind, 3, [{ kind: 'random_crop', pad: 4 }, { kind: 'hflip' }]);
      if (!b.ok || !common) return undefined;
      return { config: { kind, ...common, padTo: 0 }, shape: [3, 32, 32], classes: kind === 'cifar10' ? 10 : 100 };
    }
    case 'imagefolder':
      return readImageFolder(ctx, call);
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

/**
 * `imagefolder(dir:, size: 224, ...)` or `imagefolder(shards:, val_shards:, size:, ...)`. The
 * host lists the data now (class names, image counts; E0508 names what is wrong), so the model's
 * classes are checked like any other dataset's. With `fallback:`, an empty `dir` (an unset
 * environment variable) selects the fallback data instead.
 */
function readImageFolder(ctx: Ctx, call: Call): DecodedData | undefined {
  const b = bindArgs(ctx, call, { callee: 'imagefolder', params: SIGNATURES.imagefolder! });
  const dir = arg(b, 'dir', (x, w) => readStr(ctx, x, w), '');
  const shards = arg(b, 'shards', (x, w) => readStr(ctx, x, w), '');
  const valShards = arg(b, 'val_shards', (x, w) => readStr(ctx, x, w), '');
  const fallback = b.args.get('fallback');
  if (dir === undefined || shards === undefined || valShards === undefined || !b.ok) return undefined;
  if (fallback && dir === '' && shards === '') {
    const inner = asCall(fallback.value);
    if (inner?.name === 'imagefolder') {
      ctx.report('E0509', { what: 'a `fallback` that is not itself an `imagefolder`' }, fallback.value.span);
      return undefined;
    }
    return readData(ctx, fallback.value);
  }
  const size = arg(b, 'size', (x, w) => readNum(ctx, x, w, { int: true, min: 8 }), 224);
  const trainSubset = arg(b, 'subset', (x, w) => readNum(ctx, x, w, count), 0);
  const testSubset = arg(b, 'test_subset', (x, w) => readNum(ctx, x, w, count), 0);
  const normalize = arg(b, 'normalize', (x) => readNormalize(ctx, x, 3), NORMALIZE_PRESETS.imagenet!);
  const augment = arg(b, 'augment', (x) => readAugment(ctx, x, IMAGE_AUGMENTS), [{ kind: 'random_resized_crop', scale: [0.08, 1] }, { kind: 'hflip' }] as Augment[]);
  const onBad = arg(b, 'on_bad', (x, w) => readOption(ctx, x, w, ['stop', 'skip'] as const), 'stop');
  if (size === undefined || trainSubset === undefined || testSubset === undefined || !normalize || !augment || !onBad) return undefined;

  let source: ImageSource;
  let at = (b.args.get('dir') ?? b.args.get('shards'))?.value.span ?? call.span;
  if (dir !== '' && (shards !== '' || valShards !== '')) {
    ctx.report('E0509', { what: 'either `dir` or `shards`, not both' }, b.args.get('shards')?.value.span ?? b.args.get('val_shards')!.value.span);
    return undefined;
  } else if (dir !== '') source = { dir };
  else if (shards === '' && valShards === '') {
    ctx.report('E0509', { what: fallback ? 'a `dir` or `shards` (both are empty, and so is the environment variable they read)' : 'a `dir` (an ImageFolder with train/ and val/) or `shards` and `val_shards`' }, call.span);
    return undefined;
  } else if (shards === '' || valShards === '') {
    ctx.report('E0509', { what: shards === '' ? '`shards` for its training images too' : '`val_shards` for its validation images too' }, (b.args.get('shards') ?? b.args.get('val_shards'))!.value.span);
    return undefined;
  } else {
    for (const [key, pattern] of [['shards', shards], ['val_shards', valShards]] as const) {
      if (!expandShards(pattern)) {
        ctx.report('E0510', { pattern }, b.args.get(key)!.value.span);
        return undefined;
      }
    }
    source = { shards, valShards };
  }
  if (!ctx.scanImages) {
    ctx.report('E0508', { message: 'this compiler has no file system to list it' }, at);
    return undefined;
  }
  const scan = ctx.scanImages(source);
  if ('error' in scan) {
    if (/^val[: ]|val_shards|\/val\b|-val/.test(scan.error) && b.args.get('val_shards')) at = b.args.get('val_shards')!.value.span;
    ctx.report('E0508', { message: scan.error }, at);
    return undefined;
  }
  if (scan.empty.length) {
    const list = `${scan.empty.slice(0, 3).join(', ')}${scan.empty.length > 3 ? ` and ${scan.empty.length - 3} more` : ''}`;
    if (onBad === 'stop') {
      ctx.report('E0508', { message: `${list}: no images (.jpg, .jpeg, .png, …)` }, at, { hint: 'remove the empty class folders, or write `on_bad: skip` to keep them as classes without images' });
      return undefined;
    }
    ctx.report('W0504', { list }, at);
  }
  const classes = scan.classes.length;
  const config: DataConfig = {
    kind: 'imagefolder',
    dir,
    shards,
    valShards,
    size,
    classes,
    trainSize: scan.train,
    testSize: scan.test,
    normalize: { mean: [...normalize.mean], std: [...normalize.std] },
    augment,
    onBad,
    trainSubset,
    testSubset,
    padTo: 0,
  };
  return { config, shape: [3, size, size], classes };
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
