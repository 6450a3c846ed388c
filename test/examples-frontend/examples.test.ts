// Every example program checks cleanly, expands to a pinned number of runs, and its run ids are
// stable: the same across compilations, unique within an experiment, and pinned by a digest so a
// change to what any run means (and hence to its id) is noticed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileProgram } from '../../compiler/frontend/frontend.js';
import { sha256Hex } from '../../compiler/expand/hash.js';
import { nodeHost } from '../../runtime/session/host.js';
import { ROOT } from '../check/fixtures.js';

// file → experiment → number of runs
const EXPECTED: Record<string, Record<string, number>> = {
  'quickstart.subnet': { quickstart: 1 },
  'quickstart-dense.subnet': { quickstart_dense: 1 },
  'fig3-keep.subnet': { keep: 216, dense: 12 },
  'fig4-width.subnet': { width: 90, dense: 30 },
  'fig5-fixed-params.subnet': { fixed_params: 30 },
  'fig6-policies.subnet': { edge_popup: 12, supermask: 12, dense: 12 },
  'fig7-distributions.subnet': { distributions: 180 },
  'imagenet.subnet': { imagenet: 6 },
  'fig8-10-imagenet.subnet': { keep: 12, width: 4, dense: 3 },
  'mnist-fc.subnet': { fc: 60, dense: 3 },
  'fashion-mnist.subnet': { edge_popup: 6, dense: 6 },
  'fmnist-trends.subnet': { fc_keep: 15, fc_supermask: 3, fc_distributions: 12, fc_width: 9, fc_dense: 9, conv_keep: 15, conv_supermask: 3, conv_dense: 3 },
};

// A fixed environment: data directories come from env(), and though they do not enter the ids,
// the pinned configuration below states the default directory.
const host = nodeHost({});

test('every example is listed here', () => {
  const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.subnet')).sort();
  assert.equal(files, Object.keys(EXPECTED).sort());
});

const digests: Record<string, string> = {};

for (const [file, experiments] of Object.entries(EXPECTED)) {
  test(`${file} checks and expands`, () => {
    const r = compileProgram(join(ROOT, 'examples', file), host);
    assert.equal(r.diagnostics.map((d) => `${d.code} ${d.message}`), []);
    const counts = Object.fromEntries(r.experiments.map((x) => [x.name, x.runs.length]));
    assert.equal(counts, experiments);
    for (const x of r.experiments) {
      const ids = x.runs.map((run) => run.id);
      assert.is(new Set(ids).size, ids.length, `ids unique in ${x.name}`);
      assert.ok(x.runs.every((run) => run.config.experiment === x.name && run.config.format === 1));
    }
    const again = compileProgram(join(ROOT, 'examples', file), host);
    assert.equal(again.experiments.map((x) => x.runs.map((run) => run.id)), r.experiments.map((x) => x.runs.map((run) => run.id)));
    digests[file] = sha256Hex(r.experiments.map((x) => `${x.name}:${x.runs.map((run) => run.id).join(',')}`).join(';')).slice(0, 16);
  });
}

test('the quickstart run is pinned', () => {
  const r = compileProgram(join(ROOT, 'examples', 'quickstart.subnet'), host);
  const run = r.experiments[0]!.runs[0]!;
  assert.is(run.id, QUICKSTART_ID);
  assert.equal(run.config.mask, { kind: 'edge_popup', keep: 0.5 });
  assert.equal(run.config.weights, { kind: 'signed_kaiming_constant', mode: 'fan_in', scaled: false });
  assert.equal(run.config.optimizer, {
    kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-4, scoreDecay: true, schedule: { kind: 'cosine' }, warmup: 0,
  });
  assert.equal(run.config.train, { epochs: 10, batch: 128, evalBatch: 128, labelSmoothing: 0 });
  assert.equal(run.config.data.kind === 'fashion_mnist' && run.config.data.dir, '/usr/share/datasets/fashion-mnist');
  const widths = run.config.model.layers.flatMap((l) => (l.kind === 'linear' ? [`${l.inFeatures}-${l.outFeatures}`] : []));
  assert.equal(widths, ['784-300', '300-100', '100-10']);
});

test('ids do not depend on where the data lives', () => {
  const moved = compileProgram(join(ROOT, 'examples', 'quickstart.subnet'), nodeHost({ FASHION_MNIST_DIR: '/elsewhere' }));
  const run = moved.experiments[0]!.runs[0]!;
  assert.is((run.config.data as { dir: string }).dir, '/elsewhere');
  assert.is(run.id, QUICKSTART_ID);
});

test('run ids are pinned per example', () => {
  assert.equal(digests, PINNED_DIGESTS);
});

const QUICKSTART_ID = 'b1f50916d63d';
// sha256 of "experiment:id,id,…;…", first 16 hex digits. Update deliberately: a change here means
// the meaning (and so the id) of some run changed.
const PINNED_DIGESTS: Record<string, string> = {
  'quickstart.subnet': 'a3064b125cecda84',
  'quickstart-dense.subnet': 'd2e780ea314a266f',
  'fig3-keep.subnet': '14daf44900d44e06',
  'fig4-width.subnet': 'f3e09834314cb7fb',
  'fig5-fixed-params.subnet': 'bebbd3350621e79c',
  'fig6-policies.subnet': 'a87609218bfa356e',
  'fig7-distributions.subnet': 'e537de91f0ee3d0a',
  'imagenet.subnet': 'e3c481c952da8af4',
  'fig8-10-imagenet.subnet': 'bad788e93f430bd6',
  'mnist-fc.subnet': '7a5f70332793ba0d',
  'fashion-mnist.subnet': 'e4cd56fae02e418c',
  'fmnist-trends.subnet': 'f05f0382b8855071',
};

test.run();
