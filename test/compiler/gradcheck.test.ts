// Finite differences against the gradients of the training graph (autodiff + the reference
// ops): every weight of a tiny dense network, with label smoothing and a partial batch; and
// for edge-popup, the gradient reaching the masked weight plus the straight-through score rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTrainGraph } from '../../compiler/autodiff/autodiff.js';
import type { RunConfig } from '../../compiler/plan/config.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { RefState, initState, runGraph, type RefBatch } from '../../runtime/reference/interpreter.js';
import { convnet, mlp } from '../helpers/configs.js';
import { randomF32 } from '../helpers/kernel.js';

function setup(cfg: RunConfig) {
  const graph = buildTrainGraph(cfg);
  const state = new RefState();
  initState(graph, state, cfg.seed);
  const B = cfg.train.batch;
  const n = cfg.model.input.reduce((a, b) => a * b, 1);
  const batch: RefBatch = { x: randomF32(B * n, 5), labels: new Uint32Array(B).map((_, i) => (i * 2 + 1) % cfg.model.classes), valid: B - 1 };
  batch.x.fill(0, (B - 1) * n); // rows past valid are zero, as the loader makes them
  return { graph, state, batch };
}

/** Mean loss of one step with lr = 0 (parameters unchanged), and every tensor's value. */
function step(graph: Graph, state: RefState, batch: RefBatch) {
  (state.tensors.get('metrics.train') as Float32Array).fill(0);
  const vals = runGraph(graph, state, { batch, lr: 0 });
  const m = state.tensors.get('metrics.train') as Float32Array;
  return { loss: m[0] / m[2], vals };
}

const byName = (graph: Graph, name: string) => graph.tensors.find((t) => t.name === name)!.id;

test('dense: dL/dW of every layer equals central differences', () => {
  const cfg = mlp({ input: [1, 3, 3], hidden: [6, 5], classes: 4, batch: 5, mask: { kind: 'dense' }, init: { kind: 'kaiming_normal', mode: 'fan_in', scaled: false }, momentum: 0, weightDecay: 0, labelSmoothing: 0.1 });
  const { graph, state, batch } = setup(cfg);
  const { vals } = step(graph, state, batch);
  const h = 1e-3;
  let checked = 0;
  for (const layer of ['linear1', 'linear2', 'linear3']) {
    const analytic = vals[byName(graph, `${layer}.weight_eff.grad`)] as Float32Array;
    const w = state.tensors.get(`${layer}.weight`) as Float32Array;
    for (let i = 0; i < w.length; i++) {
      const w0 = w[i];
      w[i] = w0 + h;
      const up = step(graph, state, batch).loss;
      w[i] = w0 - h;
      const down = step(graph, state, batch).loss;
      w[i] = w0;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - analytic[i]) < 2e-3 * Math.abs(fd) + 2e-4, `${layer}[${i}]: fd ${fd} vs analytic ${analytic[i]}`);
      checked++;
    }
  }
  assert.is(checked, 9 * 6 + 6 * 5 + 5 * 4);
});

test('edge-popup: dL/dW_eff matches differences on kept weights; dS = dW_eff ⊙ W ⊙ sign(S)', () => {
  const cfg = mlp({ input: [1, 3, 3], hidden: [7], classes: 3, batch: 4, mask: { kind: 'edge_popup', keep: 0.6 }, init: { kind: 'kaiming_normal', mode: 'fan_in', scaled: false }, momentum: 0, weightDecay: 0 });
  const { graph, state, batch } = setup(cfg);
  const { vals } = step(graph, state, batch);
  const h = 1e-3;
  for (const layer of ['linear1', 'linear2']) {
    const dweff = vals[byName(graph, `${layer}.weight_eff.grad`)] as Float32Array;
    const ds = vals[byName(graph, `${layer}.scores.grad`)] as Float32Array;
    const weff = vals[byName(graph, `${layer}.weight_eff`)] as Float32Array;
    const w = state.tensors.get(`${layer}.weight`) as Float32Array;
    const s = state.tensors.get(`${layer}.scores`) as Float32Array;
    let kept = 0;
    for (let i = 0; i < w.length; i++) {
      assert.is(ds[i], Math.fround(dweff[i] * w[i] * Math.sign(s[i])), `${layer} score grad ${i}`);
      if (weff[i] === 0) continue; // pruned: W_eff does not depend on w here
      kept++;
      const w0 = w[i];
      w[i] = w0 + h;
      const up = step(graph, state, batch).loss;
      w[i] = w0 - h;
      const down = step(graph, state, batch).loss;
      w[i] = w0;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - dweff[i]) < 2e-3 * Math.abs(fd) + 2e-4, `${layer}[${i}]: fd ${fd} vs ${dweff[i]}`);
    }
    assert.ok(kept > 0);
  }
});

test('conv net with batch norm (affine) and a residual block: every gradient equals differences', () => {
  const cfg = convnet(
    [
      ['conv', 3, 3, 1, 1],
      ['bn', true],
      ['relu'],
      ['residual', [['conv', 3, 3], ['bn', true], ['relu'], ['conv', 3, 3]], []],
      ['relu'],
      ['maxpool', 2],
      ['residual', [['conv', 4, 3, 2, 1], ['bn']], [['conv', 4, 1, 2, 0]]],
      ['gap'],
      ['linear', 3],
    ],
    { input: [2, 5, 5], classes: 3, batch: 4, mask: { kind: 'dense' }, init: { kind: 'kaiming_normal', mode: 'fan_in', scaled: false }, momentum: 0, weightDecay: 0 },
  );
  const { graph, state, batch } = setup(cfg);
  const { vals } = step(graph, state, batch);
  // ReLU and max-pool kinks lie within 1e-3 of some weights here; 1e-4 stays clear of them and
  // is still far above the f32 noise of the loss (~1e-7).
  const h = 1e-4;
  let checked = 0;
  const gradName = (p: string) => (p.endsWith('.weight') ? p.replace('.weight', '.weight_eff.grad') : `${p}.grad`);
  const params = graph.tensors.filter((t) => t.role === 'weight' || t.role === 'bn_gamma' || t.role === 'bn_beta');
  for (const t of params) {
    const analytic = vals[byName(graph, gradName(t.name))] as Float32Array;
    const p = state.tensors.get(t.name) as Float32Array;
    // Every element of small tensors, a spread sample of larger ones.
    const stride = Math.max(1, Math.floor(p.length / 12));
    for (let i = 0; i < p.length; i += stride) {
      const p0 = p[i];
      p[i] = p0 + h;
      const up = step(graph, state, batch).loss;
      p[i] = p0 - h;
      const down = step(graph, state, batch).loss;
      p[i] = p0;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - analytic[i]) < 1e-2 * Math.abs(fd) + 2e-3, `${t.name}[${i}]: fd ${fd} vs analytic ${analytic[i]}`);
      checked++;
    }
  }
  assert.ok(checked > 60, `${checked} checked`);
});

test.run();
