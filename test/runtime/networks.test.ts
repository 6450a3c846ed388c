// The paper's networks from std/ compile to plans and train on the device. The fused dispatch
// counts are pinned as upper bounds so that a fusion regression fails. Every distinct kernel costs
// lavapipe a second or more of LLVM compilation on a cold shader cache (a fresh CI machine), so
// this file trains Conv4 and Conv8 and a bottleneck ResNet in miniature; Conv2, Conv6, the CIFAR
// ResNet-18 and ResNet-50 (224 kernels at 224×224) are in test/slow/ (SUBNET_SLOW=1).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import { DEFAULT_LIMITS } from '../../compiler/plan/plan.js';
import { CIFAR, networkConfig, stepMatchesReference, trainsAStep } from '../helpers/networks.js';

test('dispatches per training step: FC ≤ 16 and Conv4 ≤ 48 fused, far fewer than op-per-kernel', () => {
  const fc = lower(networkConfig('FC()', 'synthetic(shape: [1, 28, 28], classes: 10, n: 8, test_n: 4)', 128), 'fc', DEFAULT_LIMITS).stats;
  const conv4 = lower(networkConfig('Conv4()', CIFAR, 128), 'conv4', DEFAULT_LIMITS).stats;
  assert.ok(fc.dispatchesPerTrainStep <= 16, `FC: ${fc.dispatchesPerTrainStep}`);
  assert.ok(conv4.dispatchesPerTrainStep <= 48, `Conv4: ${conv4.dispatchesPerTrainStep}`);
  assert.ok(conv4.unfusedDispatchesPerTrainStep >= 2 * conv4.dispatchesPerTrainStep, `unfused ${conv4.unfusedDispatchesPerTrainStep}`);
  assert.is(conv4.params, 2425024);
});

test('Conv4 and Conv8 (width ¼) train a step on CIFAR-shaped data', async () => {
  await trainsAStep('Conv4(width: 0.25)');
  await trainsAStep('Conv8(width: 0.25)');
});

// ResNet-50's parts at a size lavapipe compiles in seconds: the ImageNet stem (7×7/2 conv, 3×3/2
// max pool) and a bottleneck stage whose first block carries the stride and a projection
// shortcut, the second the identity.
const MINI_BOTTLENECK = `network MiniBottleneckNet() {
  ImageNetStem(width: 0.0625)
  BottleneckStage(4, 2, 2)
  global_avgpool
  linear(10)
}`;

test('a bottleneck ResNet in miniature (ImageNet stem, strided projection block, identity block): a step equals the reference', async () => {
  const cfg = networkConfig('MiniBottleneckNet()', 'synthetic(shape: [3, 32, 32], classes: 10, n: 4, test_n: 2)', 2, 'std/resnet.subnet', MINI_BOTTLENECK);
  await stepMatchesReference(cfg, 'mini-bottleneck', 1e-2, 2e-3);
});

test.run();
