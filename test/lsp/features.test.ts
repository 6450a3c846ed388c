// The server's pieces in process: the completion context of half-written buffers, the reference
// text found for every built-in name, the option sets lsp/ spells itself, the sweep summary's
// counts against the Plan's, and which hints become quick fixes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { completionContext } from '../../lsp/completion.js';
import { BUILTIN_LAYERS, DATASETS, DEFAULT_LIMITS, lower, DISTRIBUTIONS, FIELDS, MASK_POLICIES, OPTIMIZERS, SCHEDULES, TRAIN_KEYS } from '../../lsp/compiler-api.js';
import { hintReplacement } from '../../lsp/diagnostics.js';
import { languageDocs } from '../../lsp/docs-index.js';
import { runStats } from '../../lsp/layer-table.js';
import { AUGMENTS, EVAL_MODES, FAN_MODES } from '../../lsp/vocabulary.js';
import { hover } from '../../lsp/hover.js';
import { Workspace } from '../../lsp/workspace.js';
import { compileProgram } from '../../compiler/frontend/frontend.js';
import { nodeHost } from '../../runtime/session/host.js';
import { ROOT } from '../check/fixtures.js';
import { compileText, experiment, messages } from '../check/virtual.js';

const at = (src: string): ReturnType<typeof completionContext> => {
  const o = src.indexOf('|');
  return completionContext(src.slice(0, o) + src.slice(o + 1), o);
};

test('completion context: where the cursor is in half-written programs', () => {
  assert.equal(at('|'), { kind: 'top' });
  assert.equal(at('import |'), { kind: 'import' });
  assert.equal(at('experiment e {\n  |'), { kind: 'fields' });
  assert.equal(at('experiment e {\n  model = FC()\n  |\n}'), { kind: 'fields' });
  assert.equal(at('experiment e {\n  mask = |'), { kind: 'fieldValue', field: 'mask' });
  assert.equal(at('experiment e {\n  mask = edg|'), { kind: 'fieldValue', field: 'mask' });
  assert.equal(at('experiment e { mask = edge_popup(|) }'), { kind: 'args', callee: 'edge_popup', given: [], field: 'mask' });
  assert.equal(at('experiment e { mask = edge_popup(keep: 50%, |) }'), { kind: 'args', callee: 'edge_popup', given: ['keep'], field: 'mask' });
  assert.equal(at('experiment e { mask = edge_popup(keep: |'), { kind: 'argValue', callee: 'edge_popup', arg: 'keep' });
  assert.equal(at('experiment e { optimizer = sgd(lr: 0.1, schedule: |) }'), { kind: 'argValue', callee: 'sgd', arg: 'schedule' });
  assert.equal(at('experiment e { train = { epochs: 1 |} }'), { kind: 'recordKey', owner: 'train' });
  assert.equal(at('experiment e { data = mnist(dir: "/d", augment: [|]) }'), { kind: 'listItem', arg: 'augment' });
  assert.equal(at('experiment e { seeds = 3\n  sweep |'), { kind: 'sweepPath' });
  assert.equal(at('experiment e { sweep zip(mask.keep in [10%], |'), { kind: 'sweepPath' });
  assert.equal(at('network N(width: |'), { kind: 'paramType' });
  assert.equal(at('network N { conv(8, 3) |'), { kind: 'statement' });
  assert.equal(at('network N { repeat 2 { |'), { kind: 'statement' });
  assert.equal(at('experiment e { // mask = |'), { kind: 'none' });
  assert.equal(at('experiment e { data = mnist(dir: "/d|") }'), { kind: 'none' });
  assert.equal(at('/* a */ experiment e { mask = |'), { kind: 'fieldValue', field: 'mask' });
});

test('the reference has an entry for every built-in name, field and std network', () => {
  const docs = languageDocs();
  const names: string[] = [...BUILTIN_LAYERS, ...MASK_POLICIES, ...DISTRIBUTIONS, ...OPTIMIZERS, ...SCHEDULES, ...DATASETS, ...FIELDS, ...TRAIN_KEYS, ...AUGMENTS];
  names.push('FC', 'Conv2', 'Conv4', 'Conv6', 'Conv8', 'CifarResNet18', 'ResNet18', 'ResNet50', 'ResNet101', 'WideResNet50_2');
  const missing = names.filter((n) => docs.lookup(n).length === 0);
  assert.equal(missing, []);
  assert.match(docs.render('edge_popup')!, /keep the top `keep` of the weights by \|score\|/);
  assert.match(docs.render('Conv4')!, /2,425,024/);
});

test('the option sets lsp/ spells itself are what the checker accepts', () => {
  for (const mode of FAN_MODES) assert.equal(messages(compileText(experiment({ weights: `kaiming_normal(mode: ${mode})` }))), [], mode);
  for (const ev of EVAL_MODES) assert.equal(messages(compileText(experiment({ mask: `supermask(eval: ${ev})` }))), [], ev);
  for (const a of AUGMENTS) assert.equal(messages(compileText(experiment({ data: `mnist(dir: "/d", augment: [${a === 'random_crop' ? 'random_crop(pad: 4)' : a}])` }))), [], a);
});

test('the hover\'s layer table is the Plan\'s layer statistics, for the first and last run of every example', () => {
  // lower() needs limits a ResNet-50 at batch 256 fits in; they change placement, never the counts.
  const limits = { ...DEFAULT_LIMITS, maxStorageBufferBindingSize: 2 ** 52, maxBufferSize: 2 ** 52 };
  let checked = 0;
  for (const f of readdirSync(join(ROOT, 'examples')).filter((x) => x.endsWith('.subnet'))) {
    const r = compileProgram(join(ROOT, 'examples', f), nodeHost({ ...process.env }));
    for (const x of r.experiments) {
      for (const run of [x.runs[0], x.runs[x.runs.length - 1]]) {
        if (!run) continue;
        const plan = lower(run.config, run.id, limits).stats;
        const table = runStats(run);
        assert.equal(table.layers, plan.layers.map(({ flopsPerExample: _, ...rest }) => rest), `${f} ${run.id}`);
        assert.equal([table.params, table.keptParams], [plan.params, plan.keptParams]);
        checked++;
      }
    }
  }
  assert.ok(checked >= 10, `${checked} runs`);
});

test('hover in process: a parameter in a network body, a sweep\'s kept totals, a model that does not compile', () => {
  const ws = new Workspace({});
  const md = (src: string, needle: string, delta = 0): string => {
    ws.open('file:///v/h.subnet', 1, src);
    const h = hover(ws.analyse('file:///v/h.subnet')!, ws, src.indexOf(needle) + delta);
    return (h?.contents as { value: string } | undefined)?.value ?? '';
  };
  assert.match(md('network N(w: int = 8) { flatten linear(w * 2) }', 'w * 2'), /w: int = 8[\s\S]*parameter of `N`/);
  const sweep = experiment({}, '').replace('train = { epochs: 1, batch: 64 }', 'train = { epochs: 1, batch: 64 }\n  sweep mask.keep in [10%, 90%]');
  const keep = md(sweep, 'keep in', 1);
  assert.match(keep, /`mask\.keep=10%`: 26,620 of 266,200 kept/);
  // Not 239,580: kept = n − ⌊(1 − 0.9)·n⌋ in doubles, and 1 − 0.9 is a hair below 0.1 (the reference's rule).
  assert.match(keep, /`mask\.keep=90%`: 239,583 of 266,200 kept/);
  const broken = experiment({ model: 'FC(width: true)' });
  assert.match(md(broken, 'FC(', 1), /does not compile yet/);
});

test('only one-token hints about the marked text become quick fixes', () => {
  const r = compileText(experiment({ model: 'FC(widht: 1)', mask: 'edge_popup(keep: 0.3)', data: 'mnist(dir: env("NOPE_NOT_SET"))' }));
  const fixes = Object.fromEntries(r.diagnostics.map((d) => [d.code, hintReplacement(d, r.sources)]));
  assert.is(fixes.E0201, 'width');
  assert.is(fixes.E0302, '30%');
  assert.ok('E0113' in fixes, JSON.stringify(messages(r)));
  assert.is(fixes.E0113, undefined);
});

test.run();
