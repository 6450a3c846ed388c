// docs/language.md's examples compile, and what the reference states about names holds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flatLayers } from '../std/helpers.js';
import { ROOT } from './fixtures.js';
import { compileText, messages } from './virtual.js';

const doc = readFileSync(join(ROOT, 'docs', 'language.md'), 'utf8');
const blocks = [...doc.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
const prelude = 'import "std/frankle.subnet"\nimport "std/resnet.subnet"\n';

/** Blocks that are programs (or sweep fragments); elided (`...`) and rendered output excluded. */
const programs = blocks.filter((b) => !b.includes('...') && !/^\S+\.subnet:\d/.test(b));

test('the reference has code examples', () => {
  assert.ok(programs.length >= 6, `${programs.length} blocks`);
});

programs.forEach((block, i) => {
  test(`example ${i + 1} compiles: ${block.split('\n')[0]}`, () => {
    let src = block;
    if (/^\s*(seeds|sweep)/.test(block)) {
      src = `experiment e {\n  model = Conv4()\n  data = cifar10(dir: "/d")\n  mask = edge_popup(keep: 50%)\n  optimizer = sgd(lr: 0.1, schedule: step(every: 10))\n  train = { epochs: 10, batch: 128 }\n${block}}\n`;
    }
    // Definitions the standard library already has are renamed to avoid duplicates.
    src = src.replace(/^network (FC|Basic)\b/m, 'network Doc$1').replace(/\bBasic\(/g, 'DocBasic(');
    if (!src.includes('import "std/frankle.subnet"')) src = prelude + src;
    const r = compileText(src, {}, {}, { '/v/blocks.subnet': 'network Block { relu }\n' });
    assert.equal(messages(r).filter((m) => m.startsWith('E')), []);
  });
});

test('the naming example of §3.7 is what the compiler does', () => {
  const tiny = blocks.find((b) => b.includes('network Tiny'))!;
  const src = `${prelude}${tiny.replace('network Basic', 'network DocBasic').replace(/\bBasic\(/g, 'DocBasic(')}
experiment e { model = Tiny() data = synthetic(shape: [3, 16, 16]) mask = dense optimizer = sgd() train = { epochs: 1, batch: 1 } }`;
  const r = compileText(src);
  assert.equal(messages(r), []);
  const names = flatLayers(r.experiments[0]!.runs[0]!.config.model.layers).map((l) => l.name);
  const stated = /names its layers `([^`]+)`/.exec(doc.replace(/\n/g, ' '))![1]!.split(/\s+/);
  for (const n of stated.filter((x) => !x.includes('…'))) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
  assert.ok(names.includes('layer2.0.shortcut.conv1') && !names.includes('layer1.0.shortcut.conv1'));
});

test.run();
