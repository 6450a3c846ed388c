// Hand-built RunConfigs for back-end tests, independent of the language front end.
import type { DataConfig, InitSpec, Layer, LayerMask, RunConfig } from '../../compiler/plan/config.js';

export interface MlpOptions {
  input?: number[];
  hidden?: number[];
  classes?: number;
  mask?: LayerMask;
  init?: InitSpec;
  batch?: number;
  evalBatch?: number;
  data?: DataConfig;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
  seed?: number;
  epochs?: number;
  scoreInit?: RunConfig['scores'];
  labelSmoothing?: number;
}

export function synthetic(shape: number[], classes: number, trainSize: number, testSize: number): DataConfig {
  return {
    kind: 'synthetic',
    shape,
    classes,
    trainSize,
    testSize,
    normalize: { mean: shape.length === 3 ? Array(shape[0]).fill(0.5) : [0.5], std: shape.length === 3 ? Array(shape[0]).fill(0.25) : [0.25] },
    augment: [],
    trainSubset: 0,
    testSubset: 0,
    padTo: 0,
  };
}

/** flatten → (linear relu)* → linear, with the given mask on every weight layer. */
export function mlp(o: MlpOptions = {}): RunConfig {
  const input = o.input ?? [1, 28, 28];
  const hidden = o.hidden ?? [300, 100];
  const classes = o.classes ?? 10;
  const mask: LayerMask = o.mask ?? { kind: 'edge_popup', keep: 0.5 };
  const init: InitSpec = o.init ?? { kind: 'signed_kaiming_constant', mode: 'fan_in', scaled: false };
  const layers: Layer[] = [];
  const flat = input.reduce((a, b) => a * b, 1);
  layers.push({ kind: 'flatten', name: 'flatten1', inShape: input, outShape: [flat] });
  let prev = flat;
  const widths = [...hidden, classes];
  widths.forEach((w, i) => {
    layers.push({ kind: 'linear', name: `linear${i + 1}`, inShape: [prev], outShape: [w], inFeatures: prev, outFeatures: w, mask, init });
    if (i < widths.length - 1) layers.push({ kind: 'relu', name: `relu${i + 1}`, inShape: [w], outShape: [w] });
    prev = w;
  });
  return {
    format: 1,
    experiment: 'test',
    model: { network: 'MLP', args: {}, input, classes, layers },
    data: o.data ?? synthetic(input, classes, 512, 256),
    weights: init,
    scores: o.scoreInit ?? { kind: 'kaiming_uniform', a: Math.sqrt(5) },
    mask: mask.kind === 'edge_popup' ? { kind: 'edge_popup', keep: mask.keep } : { kind: 'dense' },
    optimizer: {
      kind: 'sgd',
      lr: o.lr ?? 0.1,
      momentum: o.momentum ?? 0.9,
      nesterov: o.nesterov ?? false,
      weightDecay: o.weightDecay ?? 1e-4,
      scoreDecay: true,
      schedule: { kind: 'cosine' },
      warmup: 0,
    },
    train: { epochs: o.epochs ?? 1, batch: o.batch ?? 32, evalBatch: o.evalBatch ?? 64, labelSmoothing: o.labelSmoothing ?? 0 },
    seed: o.seed ?? 0,
    axes: {},
  };
}

// ---------------------------------------------------------------------------------------------
// Small convolutional networks, with shapes inferred here (the front end does it for programs).

export type LayerSpec =
  | ['conv', number, number, number?, number?] // out, kernel, stride = 1, pad = kernel/2
  | ['linear', number]
  | ['relu']
  | ['flatten']
  | ['maxpool' | 'avgpool', number, number?, number?] // kernel, stride = kernel, pad = 0
  | ['gap']
  | ['bn', boolean?] // affine
  | ['residual', LayerSpec[], LayerSpec[]];

export function buildLayers(specs: LayerSpec[], input: number[], mask: LayerMask, init: InitSpec, prefix = ''): { layers: Layer[]; out: number[] } {
  const layers: Layer[] = [];
  let shape = input;
  const count: Record<string, number> = {};
  const name = (k: string) => `${prefix}${k}${(count[k] = (count[k] ?? 0) + 1)}`;
  for (const s of specs) {
    const inShape = shape;
    switch (s[0]) {
      case 'conv': {
        const [, out, k, stride = 1, pad = Math.floor(k / 2)] = s;
        const [C, H, W] = shape;
        shape = [out, Math.floor((H + 2 * pad - k) / stride) + 1, Math.floor((W + 2 * pad - k) / stride) + 1];
        layers.push({ kind: 'conv', name: name('conv'), inShape, outShape: shape, inChannels: C, outChannels: out, kernel: k, stride, padding: pad, mask, init });
        break;
      }
      case 'linear':
        shape = [s[1]];
        layers.push({ kind: 'linear', name: name('linear'), inShape, outShape: shape, inFeatures: inShape[0], outFeatures: s[1], mask, init });
        break;
      case 'relu':
        layers.push({ kind: 'relu', name: name('relu'), inShape, outShape: shape });
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        layers.push({ kind: 'flatten', name: name('flatten'), inShape, outShape: shape });
        break;
      case 'maxpool':
      case 'avgpool': {
        const [kind, k, stride = k, pad = 0] = s;
        const [C, H, W] = shape;
        shape = [C, Math.floor((H + 2 * pad - k) / stride) + 1, Math.floor((W + 2 * pad - k) / stride) + 1];
        layers.push({ kind, name: name(kind), inShape, outShape: shape, kernel: k, stride, padding: pad });
        break;
      }
      case 'gap':
        shape = [shape[0]];
        layers.push({ kind: 'global_avgpool', name: name('gap'), inShape, outShape: shape });
        break;
      case 'bn':
        layers.push({ kind: 'batchnorm', name: name('bn'), inShape, outShape: shape, channels: shape[0], affine: !!s[1], momentum: 0.1, eps: 1e-5 });
        break;
      case 'residual': {
        const n = name('block');
        const body = buildLayers(s[1], shape, mask, init, `${n}.body.`);
        const sc = buildLayers(s[2], shape, mask, init, `${n}.shortcut.`);
        shape = body.out;
        layers.push({ kind: 'residual', name: n, inShape, outShape: shape, body: body.layers, shortcut: sc.layers });
        break;
      }
    }
  }
  return { layers, out: shape };
}

/** An mlp() config whose model is replaced by the given layer specs. */
export function convnet(specs: LayerSpec[], o: MlpOptions & { input: number[] }): RunConfig {
  const base = mlp(o);
  const mask: LayerMask = o.mask ?? { kind: 'edge_popup', keep: 0.5 };
  const init: InitSpec = o.init ?? { kind: 'signed_kaiming_constant', mode: 'fan_in', scaled: false };
  const { layers, out } = buildLayers(specs, o.input, mask, init);
  if (out.length !== 1 || out[0] !== (o.classes ?? 10)) throw new Error(`test network ends in [${out}]`);
  return { ...base, model: { ...base.model, layers } };
}
