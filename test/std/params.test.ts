// The standard library's networks have exactly the reference's parameter counts (research N1.2)
// and torchvision's (total = conv/fc weights + affine batch-norm γ, β + fc bias, as torchvision
// counts them), and the names and shapes a checkpoint would use.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { batchNormChannels, flatLayers, instantiate, weightCount } from './helpers.js';

const cifar = [3, 32, 32];
const imagenet = [3, 224, 224];

test('Frankle & Carbin networks match the reference counts', () => {
  assert.is(weightCount(instantiate('FC()', [1, 28, 28], 10).model.layers), 266_200);
  assert.is(weightCount(instantiate('Conv2()', cifar, 10).model.layers), 4_300_992);
  assert.is(weightCount(instantiate('Conv4()', cifar, 10).model.layers), 2_425_024);
  assert.is(weightCount(instantiate('Conv6()', cifar, 10).model.layers), 2_261_184);
  assert.is(weightCount(instantiate('Conv8()', cifar, 10).model.layers), 5_275_840);
});

test('width multiplies every hidden width, truncated toward zero', () => {
  const wide = instantiate('Conv4(width: 2)', cifar, 10).model.layers;
  const widths = flatLayers(wide).flatMap((l) => (l.kind === 'conv' ? [l.outChannels] : l.kind === 'linear' ? [l.outFeatures] : []));
  assert.equal(widths, [128, 128, 256, 256, 512, 512, 10]);
  const odd = instantiate('FC(width: 0.333)', [1, 28, 28], 10).model.layers;
  assert.equal(flatLayers(odd).flatMap((l) => (l.kind === 'linear' ? [l.outFeatures] : [])), [99, 33, 10]);
});

// torchvision's totals: resnet18 11,689,512; resnet50 25,557,032; resnet101 44,549,160;
// wide_resnet50_2 68,883,240 (1000 classes). The CIFAR ResNet-18 (3x3 stem) has 11,173,962.
const torchvision: [string, number[], number, number, number][] = [
  ['CifarResNet18()', cifar, 10, 11_164_352, 11_173_962],
  ['ResNet18()', imagenet, 1000, 11_678_912, 11_689_512],
  ['ResNet50()', imagenet, 1000, 25_502_912, 25_557_032],
  ['ResNet101()', imagenet, 1000, 44_442_816, 44_549_160],
  ['WideResNet50_2()', imagenet, 1000, 68_814_016, 68_883_240],
];

for (const [model, shape, classes, weights, total] of torchvision) {
  test(`${model} has torchvision's parameters`, () => {
    const layers = instantiate(model, shape, classes).model.layers;
    assert.is(weightCount(layers), weights);
    assert.is(weightCount(layers) + 2 * batchNormChannels(layers) + classes, total);
  });
}

test('ResNet-50 names and shapes follow the torchvision layout', () => {
  const layers = flatLayers(instantiate('ResNet50()', imagenet, 1000).model.layers);
  const byName = new Map(layers.map((l) => [l.name, l]));
  assert.equal(byName.get('conv1')!.outShape, [64, 112, 112]);
  assert.equal(byName.get('maxpool1')!.outShape, [64, 56, 56]);
  const proj = byName.get('layer2.0.shortcut.conv1')!;
  assert.ok(proj.kind === 'conv' && proj.stride === 2 && proj.kernel === 1 && proj.outChannels === 512);
  // The stride is on the 3x3 convolution (v1.5), not on the first 1x1.
  const c1 = byName.get('layer2.0.conv1')!;
  const c2 = byName.get('layer2.0.conv2')!;
  assert.ok(c1.kind === 'conv' && c1.stride === 1 && c2.kind === 'conv' && c2.stride === 2);
  assert.ok(!byName.has('layer2.1.shortcut.conv1'), 'identity shortcut after the first block');
  assert.equal(byName.get('layer4.2.residual1')!.outShape, [2048, 7, 7]);
  assert.equal(byName.get('fc')!.inShape, [2048]);
  assert.is(layers.filter((l) => l.kind === 'conv').length, 53);
  assert.is(new Set(layers.map((l) => l.name)).size, layers.length, 'names are unique');
});

test('batch norm in the standard networks is the paper\'s non-affine kind', () => {
  const layers = flatLayers(instantiate('ResNet18()', imagenet, 1000).model.layers);
  const bns = layers.filter((l) => l.kind === 'batchnorm');
  assert.ok(bns.length > 0 && bns.every((l) => l.kind === 'batchnorm' && !l.affine && l.momentum === 0.1 && l.eps === 1e-5));
});

test('affine: true gives the learned batch norm of the dense baselines', () => {
  const layers = flatLayers(instantiate('ResNet50(affine: true)', imagenet, 1000).model.layers);
  assert.ok(layers.filter((l) => l.kind === 'batchnorm').every((l) => l.kind === 'batchnorm' && l.affine));
});

test('Wide ResNet-50-2 doubles only the bottleneck width', () => {
  const byName = new Map(flatLayers(instantiate('WideResNet50_2()', imagenet, 1000).model.layers).map((l) => [l.name, l]));
  const inner = byName.get('layer1.0.conv2')!;
  const out = byName.get('layer1.0.conv3')!;
  assert.ok(inner.kind === 'conv' && inner.outChannels === 128 && out.kind === 'conv' && out.outChannels === 256);
});

test('ResNet width multiplier scales the channels', () => {
  const layers = instantiate('ResNet18(width: 0.5, classes: 10)', [3, 64, 64], 10).model.layers;
  const byName = new Map(flatLayers(layers).map((l) => [l.name, l]));
  assert.equal(byName.get('conv1')!.outShape[0], 32);
  assert.equal(byName.get('fc')!.inShape, [256]);
});

test.run();
