// The augmenting batch loader on the device against runtime/reference/batch.ts: random crop with
// padding and horizontal flip from Philox (seed, epoch, image), across image shards, with padTo,
// on a few images; the draws depend on the image, not on the batch row it lands in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Augment, RunConfig } from '../../compiler/plan/config.js';
import { loadBatchKernel, shardBinding, shardImages, shardLayout } from '../../compiler/kernels/data.js';
import { DEFAULT_LIMITS, type Plan, type PlanBuffer } from '../../compiler/plan/plan.js';
import type { Split } from '../../runtime/data/idx.js';
import { augmentDraws, referenceBatch } from '../../runtime/reference/batch.js';
import { shardWords } from '../../runtime/train.js';
import { mlp, synthetic } from '../helpers/configs.js';
import { gpu } from '../helpers/gpu.js';
import { maxAbsDiff, runKernel, stepUniform } from '../helpers/kernel.js';

function split(n: number, pixels: number): Split {
  const images = new Uint8Array(n * pixels);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37 + 11) & 255;
  return { images, labels: new Uint32Array(n).map((_, i) => (i * 3) % 7), n };
}

function uniform(f: { epoch: number; batch_start: number; valid: number; seed: number }): Uint32Array {
  return stepUniform(f);
}

function config(input: number[], stored: number[], augment: Augment[], seed: number): RunConfig {
  const data = { ...synthetic(stored, 7, 8, 4), augment, normalize: { mean: stored[0] === 3 ? [0.4, 0.5, 0.6] : [0.3], std: stored[0] === 3 ? [0.2, 0.25, 0.3] : [0.35] } };
  return mlp({ input, hidden: [4], classes: 7, data, seed });
}

async function deviceBatch(cfg: RunConfig, s: Split, perm: Uint32Array, start: number, batch: number, epoch: number, shards: number) {
  const stored = (cfg.data as { shape: number[] }).shape;
  const pixels = stored.reduce((a, b) => a * b, 1);
  const imagesPerShard = Math.ceil(s.n / shards);
  const k = loadBatchKernel({ batch, stored, out: cfg.model.input, normalize: cfg.data.normalize, shuffled: true, shards, imagesPerShard, augment: cfg.data.augment });
  const data: Record<string, Uint32Array> = { LABELS_IN: s.labels, PERM: perm, step: uniform({ epoch, batch_start: start, valid: Math.min(batch, s.n - start), seed: cfg.seed }) };
  for (let i = 0; i < shards; i++) data[shardBinding(i)] = shardWords(s, pixels, { buffers: [], imagesPerShard }, i);
  const outN = cfg.model.input.reduce((a, b) => a * b, 1);
  const out = await runKernel(await gpu(), k, data, k.workgroups, { sizes: { X: batch * outN * 4, LABELS: batch * 4 } });
  return { x: new Float32Array(out.X), labels: new Uint32Array(out.LABELS) };
}

function assertClose(got: Float32Array, want: Float32Array, what: string) {
  const { diff, at } = maxAbsDiff(got, want);
  assert.ok(diff <= 1e-6 * Math.max(1, Math.abs(want[at] ?? 0)), `${what}: max diff ${diff} at ${at} (got ${got[at]}, want ${want[at]})`);
}

test('RGB crop(pad 2) + hflip over 3 image shards, a seed above 2^32, matches the reference', async () => {
  const seed = 2 ** 33 + 12345;
  const cfg = config([3, 8, 8], [3, 8, 8], [{ kind: 'random_crop', pad: 2 }, { kind: 'hflip' }], seed);
  const s = split(8, 192);
  const perm = new Uint32Array([5, 2, 7, 0, 3, 6, 1, 4]);
  const epoch = 5;
  for (const start of [0, 4]) {
    const got = await deviceBatch(cfg, s, perm, start, 5, epoch, 3);
    const want = referenceBatch(cfg, s, [3, 8, 8], perm, start, 5, { epoch });
    assertClose(got.x, want.x, `batch at ${start}`);
    assert.equal([...got.labels.subarray(0, 5)], [...want.labels]);
  }
  // The test has power: the draws of these eight images flip some and not others and move them.
  const draws = [...perm].map((i) => augmentDraws(seed, epoch, i, 2));
  assert.ok(draws.some((d) => d.flip) && draws.some((d) => !d.flip), 'both flip outcomes occur');
  assert.ok(draws.some((d) => d.dy !== 2 || d.dx !== 2), 'some crop is off-centre');
  const plain = referenceBatch(cfg, s, [3, 8, 8], perm, 0, 5);
  assert.not.equal([...plain.x], [...referenceBatch(cfg, s, [3, 8, 8], perm, 0, 5, { epoch }).x], 'augmentation changes the batch');
});

test('grayscale padTo 5→7 with crop(pad 1), one shard, matches the reference; draws follow the image, not the row', async () => {
  const cfg = config([1, 7, 7], [1, 5, 5], [{ kind: 'random_crop', pad: 1 }], 99);
  const s = split(6, 25);
  const a = new Uint32Array([3, 0, 1, 2, 4, 5]);
  const b = new Uint32Array([0, 1, 2, 3, 4, 5]);
  const got = await deviceBatch(cfg, s, a, 0, 6, 2, 1);
  const want = referenceBatch(cfg, s, [1, 5, 5], a, 0, 6, { epoch: 2 });
  assertClose(got.x, want.x, 'padded batch');
  const moved = await deviceBatch(cfg, s, b, 0, 6, 2, 1);
  assert.equal([...got.x.subarray(0, 49)], [...moved.x.subarray(3 * 49, 4 * 49)], 'image 3 is augmented the same in row 0 and row 3');
  const other = await deviceBatch(cfg, s, a, 0, 6, 3, 1);
  assert.not.equal([...got.x], [...other.x], 'another epoch draws other crops');
});

test('shard layout: whole images per binding, even shards, and an error when one image is too large', () => {
  const limits = { ...DEFAULT_LIMITS, maxStorageBufferBindingSize: 1000 };
  assert.equal(shardLayout(10, 300, limits), { shards: 4, imagesPerShard: 3 });
  assert.equal(shardLayout(3, 300, limits), { shards: 1, imagesPerShard: 3 });
  // CIFAR-10's training set under WebGPU's default 128 MiB binding: two shards.
  assert.equal(shardLayout(50000, 3072, DEFAULT_LIMITS), { shards: 2, imagesPerShard: 25000 });
  assert.throws(() => shardLayout(1, 1001, limits), /one image of 1001 bytes/);
});

test('shardImages: the plan\'s image buffer becomes shard 0, more buffers follow, each within the binding limit', () => {
  const limits = { ...DEFAULT_LIMITS, maxStorageBufferBindingSize: 1000, maxStorageBuffersPerShaderStage: 8 };
  const list: PlanBuffer[] = [{ name: 'train_images', size: 3000, role: 'data' }, { name: 'test_images', size: 900, role: 'data' }];
  const bufs = { list, limits, add: (b: PlanBuffer) => list.push(b) - 1 };
  const data = { trainImages: 0, testImages: 1 } as Plan['data'];
  const train = shardImages(bufs, data, 'train', 10, 300, 4);
  assert.equal(train, { buffers: [0, 2, 3, 4], imagesPerShard: 3 });
  assert.equal(list.map((b) => b.size), [900, 900, 900, 900, 300]);
  assert.equal(list.slice(2).map((b) => b.name), ['train_images1', 'train_images2', 'train_images3']);
  assert.is(data.trainImageShards, train);
  assert.is(shardImages(bufs, data, 'train', 10, 300, 4), train, 'idempotent');
  assert.equal(shardImages(bufs, data, 'test', 3, 300, 3), { buffers: [1], imagesPerShard: 3 });
  assert.is(list.length, 5);
  const tight = { list: [{ name: 'train_images', size: 3000, role: 'data' as const }], limits: { ...limits, maxStorageBuffersPerShaderStage: 6 }, add: () => 0 };
  assert.throws(() => shardImages(tight, { trainImages: 0 } as Plan['data'], 'train', 10, 300, 4), /need 4 bindings of at most 1000 bytes; this adapter allows 2 besides the loader's other 4/);
});

test.run();
