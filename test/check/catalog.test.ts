// The message catalog: every code the front end can emit has a golden fixture, codes are well
// formed and in their ranges, and templates only use the holes their callers fill.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogMarkdown, formatMessage, makeDiagnostic, MESSAGES, type MessageCode } from '../../diagnostics/messages.js';
import { FIXTURES, ROOT } from './fixtures.js';

function annotatedCodes(): Set<string> {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.subnet')) for (const m of readFileSync(p, 'utf8').matchAll(/\/\/\s*(?:error|warning):.*?\s([EW]\d{4})\s/g)) codes.add(m[1]!);
    }
  };
  walk(join(FIXTURES, 'check'));
  return codes;
}

// Not reachable from a program: the internal-error safety net, and the back end's range.
const exempt = (code: string): boolean => code === 'E0000' || /^[EW]06/.test(code);

test('every front-end message has a golden fixture', () => {
  const covered = annotatedCodes();
  const missing = Object.keys(MESSAGES).filter((c) => !exempt(c) && !covered.has(c));
  assert.equal(missing, [], `codes without a fixture: ${missing.join(', ')}`);
});

test('codes are well formed, warnings are W and errors E', () => {
  for (const [code, def] of Object.entries(MESSAGES)) {
    assert.ok(/^[EW]0\d{3}$/.test(code), code);
    assert.is(code.startsWith('W'), def.severity === 'warning', code);
    assert.ok(def.explain.length > 10, `${code} has an explanation`);
  }
});

test('back-end codes are reserved in E06xx and build diagnostics', () => {
  const d = makeDiagnostic('E0601', { name: 'arena', bytes: 300, limit: 128 });
  assert.is(d.message, "binding `arena` needs 300 bytes, over this adapter's maxStorageBufferBindingSize of 128 bytes");
  assert.is(d.severity, 'error');
  assert.equal(d.notes, []);
  assert.is(formatMessage('E0602', { feature: '`avgpool` with padding' }), '`avgpool` with padding is not supported by the back end yet');
  assert.is(formatMessage('E0603', { got: 100, classes: 10 }), "the network's output has 100 features but the data has 10 classes");
  assert.ok(Object.keys(MESSAGES).filter((c) => c.startsWith('E06')).every((c) => ['E0601', 'E0602', 'E0603'].includes(c)));
});

test('makeDiagnostic fills hints and lets callers replace or drop them', () => {
  const span = { file: 'f', offset: 1, length: 2 };
  const d = makeDiagnostic('E0113' as MessageCode, { name: 'X' }, span);
  assert.is(d.hint, 'set it, or give a default: `env("X", "...")`');
  assert.is(makeDiagnostic('E0113', { name: 'X' }, span, { hint: 'other' }).hint, 'other');
  assert.is(makeDiagnostic('E0113', { name: 'X' }, span, { hint: null }).hint, undefined);
  assert.equal(d.span, span);
});

test('docs/errors.md is generated from the catalog', () => {
  const path = join(ROOT, 'docs', 'errors.md');
  if (process.env.UPDATE_DOCS) writeFileSync(path, catalogMarkdown());
  assert.fixture(readFileSync(path, 'utf8'), catalogMarkdown(), 'run the catalog test with UPDATE_DOCS=1');
});

test.run();
