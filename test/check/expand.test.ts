// Sweep expansion and run identity: grid order, zip, seeds innermost, axes as source text,
// `--set`, and ids that depend on the configuration only.
import { test } from 'uvu';
import { createHash } from 'node:crypto';
import * as assert from 'uvu/assert';
import { runId } from '../../compiler/expand/expand.js';
import { canonicalJson, sha256Hex } from '../../compiler/expand/hash.js';
import { compileText, experiment, messages } from './virtual.js';

const runsOf = (src: string, opts = {}) => {
  const r = compileText(src, opts);
  assert.equal(messages(r), []);
  return r.experiments[0]!.runs;
};

test('grid product in file order, seeds innermost', () => {
  const runs = runsOf(experiment({ seeds: '2' }, '').replace(/\}\n$/, '  sweep mask.keep in [10%, 90%]\n  sweep model.width in [1, 2]\n}\n'));
  assert.equal(
    runs.map((r) => `${r.config.axes['mask.keep']} ${r.config.axes['model.width']} ${r.config.seed}`),
    ['10% 1 0', '10% 1 1', '10% 2 0', '10% 2 1', '90% 1 0', '90% 1 1', '90% 2 0', '90% 2 1'],
  );
  assert.equal(runs.map((r) => r.config.mask.kind === 'edge_popup' && r.config.mask.keep), [0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9]);
  assert.equal(runs.map((r) => r.config.model.args.width), [1, 1, 2, 2, 1, 1, 2, 2]);
  assert.is(runs[0]!.config.axes.seed, '0', 'seeds are an axis when `seeds` is given');
});

test('zip pairs values; axes keep the source text', () => {
  const src = experiment({}).replace(/\}\n$/, '  sweep zip(model.width in [1, 2], mask.keep in [80%, 2 * 10%])\n}\n');
  const runs = runsOf(src);
  assert.equal(runs.map((r) => r.config.axes), [
    { 'model.width': '1', 'mask.keep': '80%' },
    { 'model.width': '2', 'mask.keep': '2 * 10%' },
  ]);
  assert.equal(runs.map((r) => (r.config.mask as { keep: number }).keep), [0.8, 0.2]);
});

test('seed, seeds as a count, seeds as a list', () => {
  assert.equal(runsOf(experiment({ seed: '7' })).map((r) => [r.config.seed, r.config.axes]), [[7, {}]]);
  assert.equal(runsOf(experiment({ seeds: '3' })).map((r) => r.config.seed), [0, 1, 2]);
  assert.equal(runsOf(experiment({ seeds: '[5, 1]' })).map((r) => r.config.seed), [5, 1]);
  assert.equal(runsOf(experiment({})).map((r) => r.config.seed), [0], 'seed defaults to 0');
});

test('sweeping whole fields and positional arguments', () => {
  const src = experiment({ scores: 'constant(1)' }).replace(/\}\n$/, '  sweep weights in [kaiming_normal(), signed_kaiming_constant(scaled: true)]\n  sweep scores.value in [0.5, 2]\n}\n');
  const runs = runsOf(src);
  assert.equal(runs.map((r) => `${r.config.weights.kind} ${(r.config.scores as { value: number }).value}`), [
    'kaiming_normal 0.5',
    'kaiming_normal 2',
    'signed_kaiming_constant 0.5',
    'signed_kaiming_constant 2',
  ]);
  const positional = runsOf(experiment({ model: 'FC(3)' }).replace(/\}\n$/, '  sweep model.width in [0.5]\n}\n'));
  assert.is(positional[0]!.config.model.args.width, 0.5, 'the positional argument is the one replaced');
});

test('sweeping into records and nested calls', () => {
  const src = experiment({ optimizer: 'sgd(lr: 0.1, schedule: step(every: 10))' }).replace(
    /\}\n$/,
    '  sweep train.epochs in [1, 2]\n  sweep optimizer.schedule.gamma in [0.5]\n}\n',
  );
  const runs = runsOf(src);
  assert.equal(runs.map((r) => r.config.train.epochs), [1, 2]);
  assert.equal(runs[0]!.config.optimizer.schedule, { kind: 'step', every: 10, gamma: 0.5 });
});

test('--set overrides values, replaces sweeps, and is checked', () => {
  const src = experiment({ seeds: '2' }).replace(/\}\n$/, '  sweep mask.keep in [10%, 90%]\n}\n');
  const r = compileText(src, { overrides: ['mask.keep=30%', 'train.epochs=3', 'seed=4'] });
  assert.equal(messages(r), ['W0502 `--set mask.keep` replaces the sweep over `mask.keep`', 'W0503 `--set seed` replaces `seeds`']);
  const runs = r.experiments[0]!.runs;
  assert.is(runs.length, 1);
  assert.equal(runs[0]!.config.mask, { kind: 'edge_popup', keep: 0.3 });
  assert.is(runs[0]!.config.train.epochs, 3);
  assert.is(runs[0]!.config.seed, 4);
  const weights = runsOf(experiment({}), { overrides: ['weights.scaled=true'] })[0]!.config.weights;
  assert.equal(weights, { kind: 'kaiming_normal', mode: 'fan_in', scaled: true }, 'reaches into a default field');
});

test('--experiment selects one experiment', () => {
  const src = experiment({}) + experiment({}).replace(/^import.*\n/gm, '').replace('experiment e', 'experiment f');
  const r = compileText(src, { experiment: 'f' });
  assert.equal(messages(r), []);
  assert.equal(r.experiments.map((x) => x.name), ['f']);
});

test('run ids: sha256 of the canonical config, without positions or axis labels', () => {
  const a = runsOf(experiment({ mask: 'edge_popup(keep: 30%)' }))[0]!;
  const b = runsOf('// a comment moves every offset\n' + experiment({ mask: 'edge_popup( keep : 30.0% )' }))[0]!;
  assert.is(a.id, b.id, 'formatting and spelling do not change the id');
  assert.ok(/^[0-9a-f]{12}$/.test(a.id));
  const c = runsOf(experiment({ mask: 'edge_popup(keep: 31%)' }))[0]!;
  assert.is.not(a.id, c.id);
  assert.is(runId(a.config), a.id);
  assert.is(runId({ ...a.config, axes: { 'mask.keep': 'x' } }), a.id);
  assert.is.not(runId({ ...a.config, seed: 1 }), a.id);
});

test('sha256 and canonical JSON', () => {
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(sha256Hex('a'.repeat(1000)), '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
  for (const t of ['é€😀', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64)]) {
    assert.is(sha256Hex(t), createHash('sha256').update(t, 'utf8').digest('hex'), `length ${t.length}`);
  }
  assert.is(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }], e: 'x' }), '{"a":[{"d":2}],"b":1,"e":"x"}');
});

test('duplicate points are dropped with a warning', () => {
  const r = compileText(experiment({}).replace(/\}\n$/, '  sweep mask.keep in [50%, 0.5 * 100%, 60%]\n}\n'));
  assert.equal(messages(r), ['W0501 runs (mask.keep=50%) and (mask.keep=0.5 * 100%) of `e` are identical; the second is dropped']);
  assert.is(r.experiments[0]!.runs.length, 2);
});

test('a program with any error produces no runs', () => {
  const src = experiment({}) + experiment({ mask: 'edge_popup(keep: 0.5)' }).replace(/^import.*\n/gm, '').replace('experiment e', 'experiment bad');
  const r = compileText(src);
  assert.ok(messages(r).some((m) => m.startsWith('E0302')));
  assert.equal(r.experiments.map((x) => x.runs.length), [0, 0]);
});

test.run();
