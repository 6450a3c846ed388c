// The CLI rendering of diagnostics: location line, code frame with carets, notes with their own
// locations, help; positions computed from offsets; colour only on request; JSON records.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeDiagnostic } from '../../diagnostics/messages.js';
import { diagnosticRecord, positionOf, renderDiagnostic, summary } from '../../runtime/session/render.js';
import { compileText } from './virtual.js';

test('positions are 1-based lines and columns', () => {
  const t = 'ab\ncd\n\nef';
  assert.equal(positionOf(t, 0), { line: 1, column: 1 });
  assert.equal(positionOf(t, 3), { line: 2, column: 1 });
  assert.equal(positionOf(t, 6), { line: 3, column: 1 });
  assert.equal(positionOf(t, 8), { line: 4, column: 2 });
  assert.equal(positionOf(t, 99), { line: 4, column: 3 });
});

test('a diagnostic with frame, notes and help', () => {
  const src = 'import "std/frankle.subnet"\nexperiment e {\n  mask = edge_popup(keep: 0.5)\n}\n';
  const sources = { 'main.subnet': src, 'lib.subnet': 'x\ny' };
  const d = makeDiagnostic('E0302', { name: 'keep', text: '0.5', suggest: '50%', meaning: 'kept' }, { file: 'main.subnet', offset: src.indexOf('0.5'), length: 3 }, {
    notes: [{ message: 'imported here', span: { file: 'lib.subnet', offset: 2, length: 1 } }, { message: 'no place' }],
  });
  assert.fixture(
    renderDiagnostic(d, sources, { color: false }),
    [
      'main.subnet:3:27: error[E0302]: `keep` must be a percentage, found the bare number `0.5`',
      '  |',
      '3 |   mask = edge_popup(keep: 0.5)',
      '  |                           ^^^',
      '  = note: lib.subnet:2:1: imported here',
      '  = note: no place',
      '  = help: write `50%`: `keep` is the fraction of weights kept, and a bare number is ambiguous (the reference code\'s `prune_rate` means "kept" in one place and "pruned" in another)',
    ].join('\n'),
  );
});

test('zero-length spans get one caret; spans past the line end stop at it; tabs line up', () => {
  const d = makeDiagnostic('E0010', { expected: '`}`', found: 'the end of the file' }, { file: 'f', offset: 5, length: 0 });
  assert.ok(renderDiagnostic(d, { f: 'a {\n\tb' }, { color: false }).endsWith('2 | \tb\n  | \t^'));
  const long = makeDiagnostic('E0001', { char: 'x' }, { file: 'f', offset: 1, length: 50 });
  assert.ok(renderDiagnostic(long, { f: 'abc\ndef' }, { color: false }).endsWith('1 | abc\n  |  ^^'));
});

test('warnings, no span, unknown file', () => {
  const w = makeDiagnostic('W0120', { name: 'x' }, { file: 'nowhere', offset: 0, length: 1 });
  assert.is(renderDiagnostic(w, {}, { color: false }), 'nowhere: warning[W0120]: experiment `x` is in an imported file and is not run');
  const bare = makeDiagnostic('E0106', { path: 'a.subnet', reason: 'no such file' });
  assert.is(renderDiagnostic(bare, {}, { color: false }), 'error[E0106]: cannot read `a.subnet`: no such file');
});

test('colour only when asked', () => {
  const d = makeDiagnostic('E0106', { path: 'a', reason: 'no such file' });
  assert.ok(!renderDiagnostic(d, {}, { color: false }).includes('\x1b['));
  assert.ok(renderDiagnostic(d, {}, { color: true }).includes('\x1b['));
});

test('JSON records carry positions and notes', () => {
  const r = compileText('network A { flaten }');
  const rec = diagnosticRecord(r.diagnostics[0]!, r.sources);
  assert.equal(rec, {
    severity: 'error', code: 'E0101', message: 'unknown layer `flaten`', file: '/v/main.subnet',
    line: 1, column: 13, endLine: 1, endColumn: 19, offset: 12, length: 6, notes: [], hint: 'did you mean `flatten`?',
  });
  assert.is(summary(r.diagnostics), '1 error, 0 warnings');
});

test('a --set diagnostic renders against its own argument', () => {
  const r = compileText('import "std/frankle.subnet"\nexperiment e { model = FC() data = mnist(dir: "d") mask = dense optimizer = sgd() train = { epochs: 1, batch: 1 } }', {
    overrides: ['train.epochs=1.5'],
  });
  assert.is(
    renderDiagnostic(r.diagnostics[0]!, r.sources, { color: false }),
    ['--set train.epochs=1.5:1:14: error[E0303]: `epochs` must be an integer, found `1.5`', '  |', '1 | train.epochs=1.5', '  |              ^^^'].join('\n'),
  );
});

test.run();
