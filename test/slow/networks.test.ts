// Slow on lavapipe with a cold shader cache (hundreds of distinct kernels): run with
// `SUBNET_SLOW=1 node scripts/test.mjs slow`. The rest of the std/ networks train a step, and
// ResNet-50 at 224×224 (width 1/16) matches the reference interpreter through 53 layers.
import { test } from 'uvu';
import { networkConfig, stepMatchesReference, trainsAStep } from '../helpers/networks.js';

test('Conv2, Conv6 (width ¼) and the CIFAR ResNet-18 (width ⅛) train a step on CIFAR-shaped data', async () => {
  await trainsAStep('Conv2(width: 0.25)');
  await trainsAStep('Conv6(width: 0.25)');
  await trainsAStep('CifarResNet18(width: 0.125)', 'std/resnet.subnet');
});

// 53 layers of batch norm on 2 examples amplify rounding flips of ReLU masks toward the stem:
// relative errors grow smoothly from ~1e-4 to ~2e-2 (checked dispatch by dispatch).
test('ResNet-50 at 224×224, width 1/16: a training step equals the reference interpreter', async () => {
  const cfg = networkConfig('ResNet50(width: 0.0625, classes: 10)', 'synthetic(shape: [3, 224, 224], classes: 10, n: 4, test_n: 2)', 2, 'std/resnet.subnet');
  await stepMatchesReference(cfg, 'rn50-small', 5e-2, 1e-2);
});

test.run();
