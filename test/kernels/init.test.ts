// Weight and score init on the device against the TypeScript draw: uniform, sign and constant
// draws bit-identical; Box–Muller normals within a stated tolerance (WGSL log/cos are not
// correctly rounded); sample moments and sign balance over a large layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InitSpec } from '../../compiler/plan/config.js';
import { drawTensor, scoreDraw, weightDraw } from '../../compiler/semantics/init.js';
import { initKernel, initRecord, initWorkgroups } from '../../compiler/kernels/init.js';
import { Stream } from '../../compiler/semantics/philox.js';
import { gpu } from '../helpers/gpu.js';
import { runKernel } from '../helpers/kernel.js';

// Relative to σ, per element, on this adapter. WGSL only bounds cos to 2^-11 absolute error,
// so another adapter may differ more (docs/semantics.md).
const NORMAL_TOLERANCE = 1e-4;

async function gpuDraw(p: ReturnType<typeof weightDraw>, layer: number, stream: number, n: number, seed: number) {
  const ctx = await gpu();
  const k = initKernel();
  const out = await runKernel(ctx, k, { REC: new Uint32Array(initRecord(p, layer, stream, n, seed)) }, initWorkgroups(n), { sizes: { OUT: n * 4 } });
  return new Float32Array(out.OUT).subarray(0, n);
}

const SPECS: [string, InitSpec][] = [
  ['kaiming_uniform', { kind: 'kaiming_uniform', mode: 'fan_in', scaled: false }],
  ['xavier_uniform scaled', { kind: 'xavier_uniform', scaled: true }],
  ['signed_kaiming_constant fan_out', { kind: 'signed_kaiming_constant', mode: 'fan_out', scaled: false }],
  ['unsigned_constant scaled', { kind: 'unsigned_constant', mode: 'fan_in', scaled: true }],
];

for (const [name, spec] of SPECS) {
  test(`${name}: bit-identical to the TypeScript draw`, async () => {
    const p = weightDraw(spec, 300, 100, 0.3);
    const n = 30011;
    const got = await gpuDraw(p, 3, Stream.weights, n, 1234567891234);
    const want = drawTensor(p, 1234567891234, 3, Stream.weights, n);
    assert.equal(new Uint32Array(got.buffer, got.byteOffset, n), new Uint32Array(want.buffer), 'bits differ');
  });
}

test('score init kaiming_uniform(a=√5): bit-identical, bound 1/√fan_in', async () => {
  const p = scoreDraw({ kind: 'kaiming_uniform', a: Math.sqrt(5) }, 784);
  assert.ok(Math.abs(p.scale - 1 / Math.sqrt(784)) < 1e-7);
  const got = await gpuDraw(p, 0, Stream.scores, 5000, 7);
  const want = drawTensor(p, 7, 0, Stream.scores, 5000);
  assert.equal(new Uint32Array(got.buffer, got.byteOffset, 5000), new Uint32Array(want.buffer));
});

test('kaiming_normal: within tolerance of the TypeScript draw; variance σ²', async () => {
  const p = weightDraw({ kind: 'kaiming_normal', mode: 'fan_in', scaled: false }, 100, 50, 1);
  const n = 200000;
  const got = await gpuDraw(p, 1, Stream.weights, n, 42);
  const want = drawTensor(p, 42, 1, Stream.weights, n);
  let worst = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / p.scale);
    sum += got[i];
    sq += got[i] * got[i];
  }
  assert.ok(worst < NORMAL_TOLERANCE, `worst relative difference ${worst}`);
  const mean = sum / n;
  const variance = sq / n - mean * mean;
  const sigma2 = 2 / 100;
  assert.ok(Math.abs(mean) < 4 * Math.sqrt(sigma2 / n), `mean ${mean}`);
  assert.ok(Math.abs(variance / sigma2 - 1) < 0.01, `variance ${variance} vs σ² ${sigma2}`);
});

test('signed constant: ±σ with balanced signs', async () => {
  const p = weightDraw({ kind: 'signed_kaiming_constant', mode: 'fan_in', scaled: false }, 64, 64, 1);
  const n = 100000;
  const got = await gpuDraw(p, 2, Stream.weights, n, 9);
  let pos = 0;
  for (const v of got) {
    assert.ok(Math.abs(Math.abs(v) - p.scale) === 0, `value ${v} is not ±σ`);
    if (v > 0) pos++;
  }
  // 5σ of a fair coin over n draws
  assert.ok(Math.abs(pos - n / 2) < 5 * Math.sqrt(n / 4), `${pos} positive of ${n}`);
});

test.run();
