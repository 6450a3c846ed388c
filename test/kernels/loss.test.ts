// Fused softmax cross-entropy + gradient + metrics against the reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xentKernel } from '../../compiler/kernels/loss.js';
import * as R from '../../runtime/reference/ops.js';
import { gpu } from '../helpers/gpu.js';
import { maxAbsDiff, randomF32, runKernel, stepUniform } from '../helpers/kernel.js';

const CASES = [
  { batch: 1, classes: 10, valid: 1, eps: 0, grad: true },
  { batch: 37, classes: 3, valid: 30, eps: 0.1, grad: true },
  { batch: 300, classes: 10, valid: 300, eps: 0, grad: true }, // more rows than threads
  { batch: 64, classes: 1000, valid: 64, eps: 0.1, grad: false },
];

for (const c of CASES) {
  test(`batch ${c.batch}, ${c.classes} classes, ${c.valid} valid, smoothing ${c.eps}${c.grad ? '' : ', eval'}`, async () => {
    const ctx = await gpu();
    const z = randomF32(c.batch * c.classes, c.batch + c.classes, -4, 4);
    const labels = new Uint32Array(c.batch).map((_, i) => (i * 7 + 3) % c.classes);
    const metrics0 = new Float32Array([1.5, 2, 3, 0]); // accumulates onto what is there
    const k = xentKernel({ batch: c.batch, classes: c.classes, smoothing: c.eps, writeGrad: c.grad });
    const out = await runKernel(ctx, k, { Z: z, LABELS: labels, METRICS: metrics0, step: stepUniform({ valid: c.valid }) }, [1, 1, 1], {
      sizes: { DZ: z.byteLength },
    });
    const dz = new Float32Array(z.length);
    const m = metrics0.slice();
    R.softmaxXent(z, labels, dz, m, c.valid, c.eps);
    const got = new Float32Array(out.METRICS);
    assert.ok(Math.abs(got[0] - m[0]) < 1e-4 * c.valid, `loss sum ${got[0]} vs ${m[0]}`);
    assert.is(got[1], m[1], 'correct count');
    assert.is(got[2], m[2], 'count');
    if (c.grad) {
      const { diff, at } = maxAbsDiff(new Float32Array(out.DZ), dz);
      assert.ok(diff < 1e-6, `dlogits diff ${diff} at ${at}`);
    }
  });
}

test.run();
