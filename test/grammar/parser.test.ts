// One-line parser expectations: source → AST (as S-expressions) or → the exact syntax errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFile, parseOverrideText } from '../../grammar/build-ast.js';
import { positionOf } from '../../runtime/session/render.js';
import { exprS, programS } from './sexpr.js';

function expectParse(src: string, expected: string): void {
  const r = parseFile('t.subnet', src);
  assert.equal(r.diagnostics.map((d) => d.message), [], `unexpected errors for ${src}`);
  assert.is(programS(r.program), expected);
}

function errorsOf(src: string): string[] {
  return parseFile('t.subnet', src).diagnostics.map((d) => {
    const p = positionOf(src, d.span!.offset);
    return `${p.line}:${p.column} ${d.code} ${d.message}`;
  });
}

function expectParseError(src: string, ...expected: string[]): void {
  assert.equal(errorsOf(src), expected, src);
}

function expectExpr(src: string, expected: string): void {
  const r = parseFile('t.subnet', `experiment e { x = ${src} }`);
  assert.equal(r.diagnostics.map((d) => d.message), [], `unexpected errors for ${src}`);
  const item = r.program.items[0];
  assert.ok(item && item.kind === 'experiment' && item.items[0]?.kind === 'field');
  assert.is(exprS((item.items[0] as { value: Parameters<typeof exprS>[0] }).value), expected);
}

test('top-level items', () => {
  expectParse('', '');
  expectParse('import "std/frankle.subnet"', '(import "std/frankle.subnet")');
  expectParse('network A { relu }', '(network A (relu))');
  expectParse('network A() { relu }', '(network A() (relu))');
  expectParse('experiment e { }', '(experiment e)');
});

test('network parameters', () => {
  expectParse('network A(w: float = 1, c: int) { }', '(network A(w:float=1 c:int) )');
  expectParse('network A(w: float = 1,) { }', '(network A(w:float=1) )');
});

test('layer statements', () => {
  expectParse('network A { conv(64, 3) relu maxpool(2) }', '(network A (conv(64 3)) (relu) (maxpool(2)))');
  expectParse('network A { conv(64, 3, stride: 2, padding: 0) }', '(network A (conv(64 3 stride=2 padding=0)))');
  expectParse('network A { linear(10, mask: dense, init: kaiming_normal()) }', '(network A (linear(10 mask=dense init=(call kaiming_normal))))');
  expectParse('network A { head: linear(10) }', '(network A (head: linear(10)))');
  expectParse('network A { relu() }', '(network A (relu()))');
});

test('structure', () => {
  expectParse('network A { stem: { conv(8, 3) relu } }', '(network A (stem: {(conv(8 3)) (relu)}))');
  expectParse('network A { repeat 3 { B(64) } }', '(network A (repeat 3 {(B(64))}))');
  expectParse('network A { layer1: repeat i in n { B(64) } }', '(network A (layer1: repeat i in n {(B(64))}))');
  expectParse('network A { if s != 1 { relu } else if x { flatten } else { } }', '(network A (if (!= s 1) {(relu)} else (if x {(flatten)} else {})))');
  expectParse('network A { residual { relu } }', '(network A (residual {(relu)}))');
  expectParse('network A { residual { relu } shortcut { } }', '(network A (residual {(relu)} shortcut {}))');
  expectParse('network A { blk: residual { relu } shortcut { conv(8, 1) } }', '(network A (blk: residual {(relu)} shortcut {(conv(8 1))}))');
  expectParse('network A { input [3, 32, 32] flatten }', '(network A (input [3 32 32]) (flatten))');
});

test('experiment items and sweeps', () => {
  expectParse('experiment e { seed = 1 seeds = [1, 2] }', '(experiment e seed=1 seeds=[1 2])');
  expectParse('experiment e { sweep mask.keep in [10%, 50%] }', '(experiment e (sweep mask.keep in [10% 50%]))');
  expectParse('experiment e { sweep zip(a.b in [1], c in [2],) }', '(experiment e (sweep zip a.b in [1], c in [2]))');
  expectParse('experiment e { train = { epochs: 1\n batch: 2 } }', '(experiment e train={epochs=1 batch=2})');
});

test('expression precedence', () => {
  expectExpr('1 + 2 * 3', '(+ 1 (* 2 3))');
  expectExpr('(1 + 2) * 3', '(* (+ 1 2) 3)');
  expectExpr('1 - 2 - 3', '(- (- 1 2) 3)');
  expectExpr('-a * b', '(* (- a) b)');
  expectExpr('a || b && !c == d', '(|| a (&& b (! (== c d))))'.replace('(! (== c d))', '(== (! c) d)'));
  expectExpr('a < b == c >= d', '(== (< a b) (>= c d))');
  expectExpr('50% * 2', '(* 50% 2)');
  expectExpr('f(a: 1, 2)', '(call f a=1 2)');
  expectExpr('{ a: [1, 2], b: "s\\"q" }', '{a=[1 2] b="s\\"q"}');
  expectExpr('1e-4', '1e-4');
  expectExpr('.5', '.5');
  expectExpr('2.5E3%', '2.5E3%');
});

test('keywords are not identifiers, but longer names are', () => {
  expectParse('network inputs { seeds2 }', '(network inputs (seeds2))');
  expectParseError('network input { }', '1:9 E0010 expected a name, found `input`');
});

test('syntax errors are located and worded', () => {
  expectParseError('network A { conv(64, 3 relu }', '1:24 E0010 expected `)`, found `relu`');
  expectParseError('network A { relu', '1:17 E0010 expected `}`, found the end of the file');
  expectParseError('experiment e { mask = \n optimizer = sgd() }', '2:2 E0010 expected a value, found `optimizer`');
  expectParseError('42 network A { }', '1:1 E0011 expected `import`, `network` or `experiment`, found `42`');
  expectParseError('network A { relu } }', '1:20 E0011 expected `import`, `network` or `experiment`, found `}`');
});

test('an unclosed call or list does not swallow the next field', () => {
  expectParseError('experiment e {\n  model = FC(\n  data = mnist(dir: "d")\n}', '3:3 E0010 expected `)`, found `data`');
  expectParseError('experiment e {\n  seeds = [1, 2\n  data = mnist(dir: "d")\n}', '3:3 E0010 expected `]`, found `data`');
  const r = parseFile('t.subnet', 'experiment e {\n  model = FC(\n  data = mnist(dir: "d")\n}');
  assert.is(programS(r.program), '(experiment e model=(call FC) data=(call mnist dir="d"))');
});

test('lexical errors', () => {
  expectParseError('network A { relu # }', '1:18 E0001 unexpected character `#`');
  expectParseError('experiment e { k = 50 % }', '1:23 E0005 a percentage is written without a space before `%`');
  expectParseError('import "std/x', '1:8 E0002 unterminated string');
  expectParseError('/* open', '1:1 E0003 unterminated block comment');
  expectParseError('import "a\\qb"', '1:10 E0004 unknown escape `\\q` in a string');
  expectParseError('experiment e { k = 1e999 }', '1:20 E0013 the number `1e999` is too large');
});

test('several syntax errors are all reported', () => {
  const errs = errorsOf('network A { conv(1 relu }\nnetwork B { linear(2 ) ) }\nexperiment e { x = }\nnetwork C { % }');
  assert.ok(errs.length >= 4, errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('1:')));
  assert.ok(errs.some((e) => e.startsWith('2:')));
  assert.ok(errs.some((e) => e.startsWith('3:')));
  assert.ok(errs.some((e) => e.startsWith('4:')));
});

test('recovery keeps the definitions after an error', () => {
  const r = parseFile('t.subnet', 'network A { conv(1 relu }\n@\nnetwork B { relu }\nexperiment e { seed = 1 }');
  const names = r.program.items.map((i) => (i.kind === 'import' ? i.path : i.name.text));
  assert.equal(names, ['A', 'B', 'e']);
});

test('--set arguments', () => {
  const ok = parseOverrideText('--set mask.keep=30%', 'mask.keep=30%');
  assert.equal(ok.diagnostics, []);
  assert.is(ok.override!.path.map((p) => p.text).join('.'), 'mask.keep');
  assert.is(exprS(ok.override!.value), '30%');
  const bad = parseOverrideText('--set mask.keep', 'mask.keep');
  assert.equal(bad.diagnostics.map((d) => d.code), ['E0012']);
  const trailing = parseOverrideText('--set a=1 2', 'a=1 2');
  assert.equal(trailing.diagnostics.map((d) => `${d.span!.offset} ${d.message}`), ['4 expected the end of the value, found `2`']);
});

test('every node has a span inside the source', () => {
  const src = 'network A(w: float = 1) { stem: { conv(8 * w, 3) } repeat 2 { relu } }\nexperiment e { train = { epochs: 1 } sweep zip(a in [1], b in [2]) }';
  const r = parseFile('t.subnet', src);
  const check = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(check);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.span) {
        const s = o.span as { offset: number; length: number; file: string };
        assert.ok(s.offset >= 0 && s.offset + s.length <= src.length && s.file === 't.subnet', JSON.stringify(o).slice(0, 80));
      }
      Object.values(o).forEach(check);
    }
  };
  check(r.program.items);
});

test.run();
