// Learning-rate schedules equal their formulas at every epoch; one optimiser step of the
// reference equals the closed form; distribution constants (fans, gains, scaled variants).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { OptimizerConfig } from '../../compiler/plan/config.js';
import { scoreDraw, weightDraw } from '../../compiler/semantics/init.js';
import { lrAt } from '../../compiler/semantics/schedule.js';
import * as R from '../../runtime/reference/ops.js';

const sgd = (schedule: OptimizerConfig['schedule'], warmup = 0): OptimizerConfig => ({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0, scoreDecay: true, schedule, warmup });
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('constant, cosine, step and multistep, with and without warm-up, at every epoch', () => {
  const E = 10;
  for (let e = 0; e < E; e++) {
    close(lrAt(sgd({ kind: 'constant' }), e, E), 0.1, `constant ${e}`);
    close(lrAt(sgd({ kind: 'cosine' }), e, E), 0.5 * (1 + Math.cos((Math.PI * e) / E)) * 0.1, `cosine ${e}`);
    close(lrAt(sgd({ kind: 'step', every: 3, gamma: 0.5 }), e, E), 0.1 * 0.5 ** Math.floor(e / 3), `step ${e}`);
    close(lrAt(sgd({ kind: 'multistep', milestones: [2, 7], gamma: 0.1 }), e, E), 0.1 * 0.1 ** ((e >= 2 ? 1 : 0) + (e >= 7 ? 1 : 0)), `multistep ${e}`);
    // the reference's warm-up: lr·(e+1)/w, then cosine over the remaining epochs
    const w = 3;
    const want = e < w ? (0.1 * (e + 1)) / w : 0.5 * (1 + Math.cos((Math.PI * (e - w)) / (E - w))) * 0.1;
    close(lrAt(sgd({ kind: 'cosine' }, w), e, E), want, `warm-up cosine ${e}`);
  }
  assert.is(lrAt(sgd({ kind: 'cosine' }), 0, 1), 0.1);
});

test('SGD one step: the closed form (momentum, Nesterov, weight decay)', () => {
  const p = new Float32Array([1, -2]);
  const g = new Float32Array([0.5, 0.25]);
  const v = new Float32Array([0.1, -0.2]);
  R.sgd(p, g, v, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
  // d = g + wd·p = [0.51, 0.23]; v = 0.9·v + d = [0.6, 0.05]; p -= lr·(d + 0.9·v)
  assert.ok(Math.abs(v[0] - 0.6) < 1e-6 && Math.abs(v[1] - 0.05) < 1e-6);
  assert.ok(Math.abs(p[0] - (1 - 0.1 * (0.51 + 0.54))) < 1e-6);
  assert.ok(Math.abs(p[1] - (-2 - 0.1 * (0.23 + 0.045))) < 1e-6);
});

test('Adam one step: the closed form with bias corrections and L2 weight decay', () => {
  const p = new Float32Array([0.5]);
  const g = new Float32Array([0.2]);
  const m = new Float32Array([0]);
  const v = new Float32Array([0]);
  const o = { kind: 'adam' as const, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
  R.optimStep(p, g, [m, v], o, 0.01, 1 / (1 - 0.9), 1 / (1 - 0.999));
  // t = 1: m̂ = d, v̂ = d², so p moves by lr·d/(|d| + ε) = lr·sign(d): d = 0.2 + 0.1·0.5 = 0.25
  assert.ok(Math.abs(m[0] - 0.025) < 1e-7 && Math.abs(v[0] - 0.0000625) < 1e-9);
  assert.ok(Math.abs(p[0] - (0.5 - 0.01 * (0.25 / (0.25 + 1e-8)))) < 1e-7, `${p[0]}`);
});

test('distribution constants: σ = √2/√fan, fan_out, xavier, scaled = σ/√keep, score bound 1/√fan_in', () => {
  const k = (x: Parameters<typeof weightDraw>[0], keep = 1) => weightDraw(x, 300, 100, keep);
  assert.ok(Math.abs(k({ kind: 'kaiming_normal', mode: 'fan_in', scaled: false }).scale - Math.sqrt(2 / 300)) < 1e-7);
  assert.ok(Math.abs(k({ kind: 'kaiming_normal', mode: 'fan_out', scaled: false }).scale - Math.sqrt(2 / 100)) < 1e-7);
  assert.ok(Math.abs(k({ kind: 'kaiming_uniform', mode: 'fan_in', scaled: false }).scale - Math.sqrt(6 / 300)) < 1e-7);
  assert.ok(Math.abs(k({ kind: 'xavier_normal', scaled: false }).scale - Math.sqrt(2 / 400)) < 1e-7);
  assert.ok(Math.abs(k({ kind: 'xavier_uniform', scaled: false }).scale - Math.sqrt(6 / 400)) < 1e-7);
  assert.ok(Math.abs(k({ kind: 'signed_kaiming_constant', mode: 'fan_in', scaled: true }, 0.3).scale - Math.sqrt(2 / 300) / Math.sqrt(0.3)) < 1e-7);
  assert.is(k({ kind: 'signed_kaiming_constant', mode: 'fan_in', scaled: false }).kind, 'sign');
  assert.is(k({ kind: 'unsigned_constant', mode: 'fan_in', scaled: false }).kind, 'constant');
  assert.ok(Math.abs(scoreDraw({ kind: 'kaiming_uniform', a: Math.sqrt(5) }, 300).scale - 1 / Math.sqrt(300)) < 1e-7);
  assert.equal(scoreDraw({ kind: 'constant', value: 0.25 }, 300), { kind: 'constant', scale: 0.25 });
});

test.run();
