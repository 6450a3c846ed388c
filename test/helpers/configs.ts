// Hand-built RunConfigs for back-end tests, independent of the language front end.
import type { DataConfig, InitSpec, Layer, LayerMask, RunConfig } from '../../compiler/config.js';

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
