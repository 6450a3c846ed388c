// The formatter: one-line expectations (esbuild's expectPrinted style), comment placement, and
// the two laws on every shipped program: fmt(fmt(x)) == fmt(x), and fmt(x) parses to the same
// AST as x (spans aside).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../grammar/build-ast.js';
import { formatSource } from '../../compiler/frontend/fmt.js';
import { ROOT } from '../check/fixtures.js';

function fmt(src: string): string {
  const r = formatSource('t.subnet', src);
  assert.ok(r.text !== undefined, `syntax errors in ${src}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.text!;
}

function expectPrinted(src: string, expected: string): void {
  assert.fixture(fmt(src), expected);
  assert.fixture(fmt(expected), expected, 'the expected output is itself canonical');
}

/** The AST without positions, for "formats to the same program". */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'span' || k === 'pathSpan' || k === 'comments' || k === 'file' || k.endsWith('lose')) continue;
      out[k] = shape(x);
    }
    return out;
  }
  return v;
}

test('spacing is canonical', () => {
  expectPrinted('network   A( w:float=1 ,c : int){conv(64*w,3)}', 'network A(w: float = 1, c: int) {\n  conv(64 * w, 3)\n}\n');
  expectPrinted('experiment e{train={epochs:1,batch:2}}', 'experiment e {\n  train = { epochs: 1, batch: 2 }\n}\n');
  expectPrinted('experiment e { x = f(a:1,b : [1,2 ,3]) }', 'experiment e {\n  x = f(a: 1, b: [1, 2, 3])\n}\n');
  expectPrinted('experiment e { x = - - 1 + ( 2*3 ) }', 'experiment e {\n  x = - -1 + (2 * 3)\n}\n');
  expectPrinted('experiment e { x = !a&&b||c }', 'experiment e {\n  x = !a && b || c\n}\n');
  expectPrinted('experiment e { x = {} y = [] }', 'experiment e {\n  x = {}\n  y = []\n}\n');
});

test('experiment fields line up', () => {
  expectPrinted('experiment e { model = A() seed = 1 optimizer = sgd() }', 'experiment e {\n  model     = A()\n  seed      = 1\n  optimizer = sgd()\n}\n');
  expectPrinted('experiment e { seed = 1 sweep mask.keep in [10%,20%] sweep zip(a in [1],b in [2]) }', 'experiment e {\n  seed = 1\n  sweep mask.keep in [10%, 20%]\n  sweep zip(a in [1], b in [2])\n}\n');
});

test('layers sharing a source line share a line', () => {
  expectPrinted('network A {\nconv(8, 3) relu\nmaxpool(2)\n}', 'network A {\n  conv(8, 3) relu\n  maxpool(2)\n}\n');
  expectPrinted('network A { relu stem: { relu flatten } relu }', 'network A {\n  relu\n  stem: {\n    relu flatten\n  }\n  relu\n}\n');
});

test('structure prints in blocks', () => {
  expectPrinted('network A { repeat i in 2 { relu } }', 'network A {\n  repeat i in 2 {\n    relu\n  }\n}\n');
  expectPrinted('network A { if a { relu } else if b { } else { flatten } }', 'network A {\n  if a {\n    relu\n  } else if b {} else {\n    flatten\n  }\n}\n');
  expectPrinted('network A { residual { relu } shortcut { } }', 'network A {\n  residual {\n    relu\n  } shortcut {}\n}\n');
  expectPrinted('network A { blk: residual { relu } }', 'network A {\n  blk: residual {\n    relu\n  }\n}\n');
  expectPrinted('network A {}', 'network A {}\n');
  expectPrinted('experiment e {}', 'experiment e {}\n');
});

test('blank lines: at most one kept, always one between blocks', () => {
  expectPrinted('import "a"\nimport "b"\nnetwork A { relu\n\n\n relu }\nexperiment e {}', 'import "a"\nimport "b"\n\nnetwork A {\n  relu\n\n  relu\n}\n\nexperiment e {}\n');
});

test('comments are kept in place', () => {
  expectPrinted('// head\nnetwork A { // h\n  // lead\n  relu // t\n  /* b */ flatten\n  // end\n}\n// tail\n', '// head\nnetwork A { // h\n  // lead\n  relu // t\n  /* b */\n  flatten\n  // end\n}\n// tail\n');
  expectPrinted('experiment e {\n  seed = 1 // one\n}\n', 'experiment e {\n  seed = 1 // one\n}\n');
  // A comment inside one expression moves to the end of its line.
  assert.is(fmt('experiment e {\n  seeds = [1, /* x */ 2]\n}\n'), 'experiment e {\n  seeds = [1, 2] /* x */\n}\n');
});

test('files with syntax errors are not formatted', () => {
  const r = formatSource('t.subnet', 'network A { conv(1 }');
  assert.is(r.text, undefined);
  assert.ok(r.diagnostics.length > 0);
});

function shippedFiles(): string[] {
  const list = (dir: string): string[] =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.subnet'))
      .map((f) => join(ROOT, dir, f));
  return [...list('std'), ...list('examples')];
}

for (const file of shippedFiles()) {
  test(`laws hold for ${file.slice(ROOT.length + 1)}`, () => {
    const src = readFileSync(file, 'utf8');
    const once = fmt(src);
    assert.fixture(fmt(once), once, 'idempotent');
    assert.equal(shape(parseFile('t', once).program), shape(parseFile('t', src).program), 'same AST');
    assert.is(once, src, 'shipped files are formatted');
    const comments = (t: string): string[] => parseFile('t', t).program.comments.map((c) => c.text);
    assert.equal(comments(once), comments(src), 'every comment kept, in order');
  });
}

test.run();
