// Bad input never kills the server: the grammar fuzzer's corpus (examples/, std/, the diagnostic
// fixtures), intact and damaged, typed into one document, with every request the server offers
// sent at a random place of each version. Every request must be answered, every version's
// diagnostics published, no handler may fail, and the process must still be running at the end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { join } from 'node:path';
import { corpus, mutate, opArb } from '../grammar/fuzz-cases.js';
import { ROOT, startClient, uriOf } from './client.js';

const CASES = 250;

function position(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

test('the fuzz corpus, intact and damaged, through the server', async () => {
  const files = corpus();
  const damaged = fc.sample(fc.tuple(fc.nat(files.length - 1), fc.array(opArb, { minLength: 1, maxLength: 6 }), fc.nat()), { seed: 20251203, numRuns: CASES });
  const cases = [...files.map((f, i) => ({ text: f, at: (i * 7919) % Math.max(1, f.length) })), ...damaged.map(([i, ops, at]) => { const t = mutate(files[i]!, ops); return { text: t, at: at % (t.length + 1) }; })];
  const c = await startClient({ debounceMs: 0 });
  // A file in examples/, so relative imports and std/ resolve as they would in an editor.
  const uri = uriOf(join(ROOT, 'examples', 'fuzz-buffer.subnet'));
  let version = 1;
  await c.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'subnet', version, text: '' } });
  await c.diagnostics(uri, version);
  let answered = 0;
  for (const { text, at } of cases) {
    version += 1;
    await c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    const pos = position(text, at);
    const doc = { textDocument: { uri } };
    const range = { start: pos, end: pos };
    const replies = await Promise.all([
      c.request('textDocument/hover', { ...doc, position: pos }),
      c.request('textDocument/completion', { ...doc, position: pos }),
      c.request('textDocument/definition', { ...doc, position: pos }),
      c.request('textDocument/documentSymbol', doc),
      c.request('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } }),
      c.request('textDocument/codeAction', { ...doc, range, context: { diagnostics: [] } }),
    ]);
    answered += replies.length;
    const published = await c.diagnostics(uri, version);
    for (const d of published.diagnostics) assert.ok(d.range.start.line >= 0 && typeof d.code === 'string', JSON.stringify(d));
  }
  assert.is(answered, cases.length * 6);
  assert.is(c.child.exitCode, null, 'the server is still running');
  assert.not.match(c.stderr(), /subnet lsp: .* failed|uncaught|unhandled/, c.stderr().slice(0, 4000));
  await c.close();
  const exit = await c.exited;
  assert.equal(exit, { code: 0, signal: null }, 'shutdown then exit ends with status 0');
  console.log(`lsp fuzz: ${cases.length} buffers, ${answered} requests answered`);
});

test.run();
