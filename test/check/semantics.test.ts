// What programs mean: layer naming and shapes, `channels`, `if`/`repeat`/`residual`, per-layer
// mask and init resolution (first/last, overrides), data presets, optimiser defaults, `env()`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Layer, LinearLayer, RunConfig } from '../../compiler/plan/config.js';
import { flatLayers } from '../std/helpers.js';
import { compileText, experiment, messages } from './virtual.js';

function config(fields: Record<string, string>, networks = '', env: Record<string, string> = {}): RunConfig {
  const r = compileText(experiment(fields, networks), {}, env);
  assert.equal(messages(r), []);
  return r.experiments[0]!.runs[0]!.config;
}

const names = (layers: Layer[]): string[] => flatLayers(layers).map((l) => l.name);

test('layer names: per kind, blocks, labels, repeats, residual shortcuts', () => {
  const net = `
network Named(n: int = 2) {
  stem: { conv(8, 3) relu }
  repeat n { conv(8, 3) }
  stage: repeat 2 { relu }
  residual { conv(8, 3) } shortcut { conv(8, 1) }
  blk: residual { relu }
  residual { relu } shortcut { }
  flatten
  head: linear(10)
}`;
  const c = config({ model: 'Named()', data: 'synthetic(shape: [3, 8, 8])', mask: 'dense' }, net);
  assert.equal(names(c.model.layers), [
    'stem.conv1', 'stem.relu1', '0.conv1', '1.conv1', 'stage.0.relu1', 'stage.1.relu1',
    'residual1', 'conv1', 'shortcut.conv1',
    'blk', 'blk.relu1',
    'residual3', 'relu1',
    'flatten1', 'head',
  ]);
});

test('`channels`, repeat indices and if/else pick what is built', () => {
  const net = `
network Pick(planes: int = 8) {
  conv(channels * 2, 3)
  repeat i in 3 {
    if i == 0 { conv(planes, 3, stride: 2) } else if i == 1 { relu } else { conv(channels + 1, 1) }
  }
  flatten linear(10)
}`;
  const c = config({ model: 'Pick()', data: 'synthetic(shape: [3, 8, 8])', mask: 'dense' }, net);
  const convs = flatLayers(c.model.layers).filter((l) => l.kind === 'conv');
  assert.equal(convs.map((l) => [l.name, l.outShape]), [
    ['conv1', [6, 8, 8]],
    ['0.conv1', [8, 4, 4]],
    ['2.conv1', [9, 4, 4]],
  ]);
});

test('conv and pool arithmetic: default padding is kernel / 2, pools default stride = kernel', () => {
  const net = `network P { conv(4, 5) conv(4, 3, stride: 2, padding: 0) maxpool(3, stride: 2, padding: 1) avgpool(2) global_avgpool linear(10) }`;
  const c = config({ model: 'P', data: 'synthetic(shape: [1, 33, 33])', mask: 'dense' }, net);
  assert.equal(flatLayers(c.model.layers).map((l) => l.outShape), [[4, 33, 33], [4, 16, 16], [4, 8, 8], [4, 4, 4], [4], [10]]);
  const conv = c.model.layers[0]!;
  assert.ok(conv.kind === 'conv' && conv.padding === 2 && conv.inChannels === 1);
});

test('residual without shortcut is the identity and keeps the shape', () => {
  const net = `network R { residual { conv(3, 3) relu conv(3, 3) } flatten linear(10) }`;
  const c = config({ model: 'R', data: 'synthetic(shape: [3, 4, 4])', mask: 'dense' }, net);
  const res = c.model.layers[0]!;
  assert.ok(res.kind === 'residual' && res.shortcut.length === 0 && res.body.length === 3);
  assert.equal(res.outShape, [3, 4, 4]);
});

test('masks per layer: keep, first/last, and layer overrides (which win)', () => {
  const net = `network M { flatten linear(20) linear(20, keep: 10%) linear(20, mask: dense) linear(20) linear(10) }`;
  const c = config({ model: 'M', mask: 'edge_popup(prune: 70%, first: dense, last: 80%)' }, net);
  const masks = flatLayers(c.model.layers).flatMap((l) => (l.kind === 'linear' ? [l.mask] : []));
  assert.equal(masks, [
    { kind: 'frozen' },
    { kind: 'edge_popup', keep: 0.1 },
    { kind: 'frozen' },
    { kind: 'edge_popup', keep: 0.30000000000000004 },
    { kind: 'edge_popup', keep: 0.8 },
  ]);
  assert.equal(c.mask, { kind: 'edge_popup', keep: 0.30000000000000004, first: 'dense', last: 0.8 });
});

test('a layer override beats first/last', () => {
  const net = `network F { flatten linear(20, keep: 40%) linear(10) }`;
  const c = config({ model: 'F', mask: 'edge_popup(keep: 50%, first: dense)' }, net);
  const first = flatLayers(c.model.layers).find((l) => l.kind === 'linear') as LinearLayer;
  assert.equal(first.mask, { kind: 'edge_popup', keep: 0.4 });
});

test('supermask, dense and fixed policies', () => {
  const sm = config({ mask: 'supermask(eval: threshold, last: dense)', scores: 'constant(3)' });
  const lin = flatLayers(sm.model.layers).filter((l): l is LinearLayer => l.kind === 'linear');
  assert.equal(lin.map((l) => l.mask.kind), ['supermask', 'supermask', 'frozen']);
  assert.equal(sm.scores, { kind: 'constant', value: 3 });
  assert.equal(config({ mask: 'supermask' }).mask, { kind: 'supermask', eval: 'sample' });
  const dense = config({ mask: 'dense' });
  assert.ok(flatLayers(dense.model.layers).every((l) => l.kind !== 'linear' || l.mask.kind === 'dense'));
  const fixed = config({ mask: 'fixed(run: "runs/abc", keep: 30%)' });
  assert.equal((flatLayers(fixed.model.layers)[1] as LinearLayer).mask, { kind: 'fixed', run: 'runs/abc', keep: 0.3 });
  assert.equal(fixed.mask, { kind: 'fixed', run: 'runs/abc' });
});

test('inits: experiment default, per-layer override, every distribution', () => {
  const net = `network I { flatten linear(20, init: xavier_uniform(scaled: true)) linear(10) }`;
  const c = config({ model: 'I', weights: 'unsigned_constant(mode: fan_out)' }, net);
  const lin = flatLayers(c.model.layers).filter((l): l is LinearLayer => l.kind === 'linear');
  assert.equal(lin.map((l) => l.init), [
    { kind: 'xavier_uniform', scaled: true },
    { kind: 'unsigned_constant', mode: 'fan_out', scaled: false },
  ]);
  assert.equal(config({}).weights, { kind: 'kaiming_normal', mode: 'fan_in', scaled: false });
  assert.equal(config({}).scores, { kind: 'kaiming_uniform', a: Math.sqrt(5) });
  for (const d of ['kaiming_normal', 'kaiming_uniform', 'signed_kaiming_constant', 'unsigned_constant']) {
    assert.equal(config({ weights: `${d}(scaled: true)` }).weights, { kind: d, mode: 'fan_in', scaled: true });
  }
  assert.equal(config({ weights: 'xavier_normal' }).weights, { kind: 'xavier_normal', scaled: false });
});

test('data constructors, presets and shapes', () => {
  const fm = config({ data: 'fashion_mnist(dir: "/d", subset: 1000, test_subset: 100)' });
  assert.equal(fm.data, {
    kind: 'fashion_mnist', dir: '/d', normalize: { mean: [0.286], std: [0.353] }, augment: [], trainSubset: 1000, testSubset: 100, padTo: 0,
  });
  assert.equal(config({ data: 'mnist(dir: "/d")' }).data.normalize, { mean: [0.1307], std: [0.3081] });
  const padded = config({ model: 'Conv2()', data: 'mnist(dir: "/d", pad_to: 32, normalize: none)' });
  assert.equal(padded.model.input, [1, 32, 32]);
  assert.equal(padded.data.normalize, { mean: [0], std: [1] });
  const cifar = config({ model: 'Conv4()', data: 'cifar10(dir: "/c")' });
  assert.equal(cifar.data, {
    kind: 'cifar10', dir: '/c', normalize: { mean: [0.491, 0.482, 0.447], std: [0.247, 0.243, 0.262] },
    augment: [{ kind: 'random_crop', pad: 4 }, { kind: 'hflip' }], trainSubset: 0, testSubset: 0, padTo: 0,
  });
  assert.equal(config({ model: 'Conv4()', data: 'cifar10(dir: "/c", augment: [])' }).data.augment, []);
  const inet = config({ model: 'ResNet18()', data: 'imagenet_synthetic(n: 8, normalize: imagenet)' });
  assert.equal(inet.data, {
    kind: 'synthetic', shape: [3, 224, 224], classes: 1000, trainSize: 8, testSize: 64,
    normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, augment: [], trainSubset: 0, testSubset: 0, padTo: 0,
  });
  assert.is(inet.model.classes, 1000);
  const custom = config({ data: 'synthetic(shape: [1, 28, 28], normalize: { mean: [0.5], std: [0.25] })' });
  assert.equal(custom.data.normalize, { mean: [0.5], std: [0.25] });
});

test('optimisers and schedules with their defaults', () => {
  assert.equal(config({ optimizer: 'sgd' }).optimizer, {
    kind: 'sgd', lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0, scoreDecay: true, schedule: { kind: 'constant' }, warmup: 0,
  });
  assert.equal(config({ optimizer: 'adam(weight_decay: 1e-4, score_decay: false, schedule: multistep(milestones: [30, 60]), warmup: 2)' }).optimizer, {
    kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4, scoreDecay: false,
    schedule: { kind: 'multistep', milestones: [30, 60], gamma: 0.1 }, warmup: 2,
  });
  const sgd = config({ optimizer: 'sgd(lr: 0.256, momentum: 0.875, nesterov: true, schedule: step(every: 30, gamma: 0.5))' }).optimizer;
  assert.ok(sgd.kind === 'sgd' && sgd.nesterov && sgd.momentum === 0.875);
  assert.equal(sgd.schedule, { kind: 'step', every: 30, gamma: 0.5 });
  assert.equal(config({ train: '{ epochs: 3, batch: 32, eval_batch: 500, label_smoothing: 0.1 }' }).train, {
    epochs: 3, batch: 32, evalBatch: 500, labelSmoothing: 0.1,
  });
});

test('env() reads the host environment, with a default', () => {
  const src = 'mnist(dir: env("MNIST_DIR", "/fallback"))';
  assert.is((config({ data: src }).data as { dir: string }).dir, '/fallback');
  assert.is((config({ data: src }, '', { MNIST_DIR: '/set' }).data as { dir: string }).dir, '/set');
  assert.is((config({ data: 'mnist(dir: env("HOME_X", "/a") + "/mnist")' }).data as { dir: string }).dir, '/a/mnist');
});

test('expressions: arithmetic, built-in functions, percentages', () => {
  const c = config({ model: 'FC(width: max(0.5, min(2, sqrt(4))) / floor(2.7) + ceil(0.1) - round(0.4) + int(-0.9))' });
  assert.is(c.model.args.width, 2);
  assert.equal(config({ mask: 'edge_popup(keep: 100% - 25% * 2)' }).mask, { kind: 'edge_popup', keep: 0.5 });
  assert.equal(config({ mask: 'edge_popup(keep: 60% / 2)' }).mask, { kind: 'edge_popup', keep: 0.3 });
});

test('model records the network, its arguments, input and classes', () => {
  const c = config({ model: 'FC(2)' });
  assert.equal([c.model.network, c.model.args, c.model.input, c.model.classes], ['FC', { width: 2, classes: 10 }, [1, 28, 28], 10]);
  const l = c.model.layers[1]!;
  assert.ok(l.origin && l.origin.file.endsWith('std/frankle.subnet'), 'layers say where they were written');
});

test.run();
