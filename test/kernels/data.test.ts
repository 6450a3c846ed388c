// The batch loader: permutation, per-channel normalisation, the partial last batch, padding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBatchKernel, normConstants } from '../../compiler/kernels/data.js';
import { packBytes } from '../../runtime/train.js';
import { gpu } from '../helpers/gpu.js';
import { runKernel, stepUniform } from '../helpers/kernel.js';

function images(n: number, pixels: number): Uint8Array {
  const b = new Uint8Array(n * pixels);
  for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 7) & 255;
  return b;
}

test('shuffled RGB batch, last batch partial', async () => {
  const ctx = await gpu();
  const shape = [3, 5, 7];
  const P = 105;
  const n = 9;
  const imgs = images(n, P);
  const labels = new Uint32Array(n).map((_, i) => i % 10);
  const perm = new Uint32Array([4, 8, 1, 0, 7, 2, 6, 3, 5]);
  const normalize = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] };
  const batch = 4;
  const k = loadBatchKernel({ batch, stored: shape, out: shape, normalize, shuffled: true });
  const out = await runKernel(ctx, k, { IMAGES: packBytes(imgs), LABELS_IN: labels, PERM: perm, step: stepUniform({ batch_start: 8, valid: 1 }) }, k.workgroups, {
    sizes: { X: batch * P * 4, LABELS: batch * 4 },
  });
  const x = new Float32Array(out.X);
  const l = new Uint32Array(out.LABELS);
  const { a, b } = normConstants(normalize);
  const img = perm[8];
  for (let p = 0; p < P; p++) {
    const c = Math.floor(p / 35);
    const want = Math.fround(Math.fround(imgs[img * P + p] * a[c]) + b[c]);
    assert.ok(Math.abs(x[p] - want) <= 1e-6 * Math.abs(want) + 1e-7, `pixel ${p}: ${x[p]} vs ${want}`);
  }
  assert.is(l[0], labels[img]);
  for (let e = P; e < batch * P; e++) assert.is(x[e], 0, 'rows past valid are zero');
  assert.equal([...l.subarray(1, 4)], [0, 0, 0]);
});

test('unshuffled test batch zero-padded from 28×28 to 32×32', async () => {
  const ctx = await gpu();
  const imgs = images(3, 784);
  const labels = new Uint32Array([3, 1, 4]);
  const normalize = { mean: [0.5], std: [0.5] };
  const k = loadBatchKernel({ batch: 2, stored: [1, 28, 28], out: [1, 32, 32], normalize, shuffled: false });
  const out = await runKernel(ctx, k, { IMAGES: packBytes(imgs), LABELS_IN: labels, step: stepUniform({ batch_start: 1, valid: 2 }) }, k.workgroups, {
    sizes: { X: 2 * 1024 * 4, LABELS: 8 },
  });
  const x = new Float32Array(out.X);
  const { a, b } = normConstants(normalize);
  for (let row = 0; row < 2; row++)
    for (let y = 0; y < 32; y++)
      for (let xx = 0; xx < 32; xx++) {
        const inside = y >= 2 && y < 30 && xx >= 2 && xx < 30;
        const got = x[row * 1024 + y * 32 + xx];
        if (!inside) assert.is(got, 0);
        else {
          const byte = imgs[(1 + row) * 784 + (y - 2) * 28 + (xx - 2)];
          assert.ok(Math.abs(got - (byte * a[0] + b[0])) < 1e-6);
        }
      }
  assert.equal([...new Uint32Array(out.LABELS).subarray(0, 2)], [1, 4]);
});

test.run();
