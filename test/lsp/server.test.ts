// The server as an editor sees it: `subnet lsp --stdio` spawned and spoken to over JSON-RPC.
// Open an example, edit it into errors and back, and check what comes back: published
// diagnostics (codes, hints, related places, quick fixes), the layer table of a hover,
// completion after `mask = `, a definition inside std/, a formatting edit, the symbols.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, Hover, Location, TextEdit } from 'vscode-languageserver-protocol';
import { positionOf, ROOT, startClient, uriOf, type Client } from './client.js';

const QUICKSTART = join(ROOT, 'examples', 'quickstart.subnet');
let c: Client;
let uri: string;
let text: string;
let version = 1;

async function edit(newText: string): Promise<Diagnostic[]> {
  version += 1;
  await c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: newText }] });
  return (await c.diagnostics(uri, version)).diagnostics;
}

test.before(async () => {
  c = await startClient();
  ({ uri, text } = await c.open(QUICKSTART));
});

test.after(async () => {
  await c.close();
});

test('an example opens without diagnostics', async () => {
  const d = await c.diagnostics(uri, 1);
  assert.equal(d.diagnostics, []);
});

test('an edit into an error publishes it with its code, hint and quick fix; the edit back clears it', async () => {
  const diags = await edit(text.replace('FC(width: 1)', 'FC(widht: 1)'));
  assert.is(diags.length, 1, JSON.stringify(diags));
  const d = diags[0]!;
  assert.is(d.code, 'E0201');
  assert.is(d.source, 'subnet');
  assert.is(d.severity, 1);
  assert.match(d.message, /unknown argument `widht` for `FC`/);
  assert.match(d.message, /help: did you mean `width`\?/);
  assert.equal(d.range.start, positionOf(text, 'width: 1'));
  const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
  assert.is(actions.length, 1);
  assert.equal(actions[0]!.edit!.changes![uri], [{ range: d.range, newText: 'width' }]);
  // A client that does not send `data` back still gets the fix.
  const { data: _, ...bare } = d;
  const again = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [bare] } });
  assert.equal(again.map((a) => a.title), ['Change to `width`']);

  const keep = await edit(text.replace('keep: 50%', 'keep: 0.5'));
  assert.equal(keep.map((x) => x.code), ['E0302']);
  assert.match(keep[0]!.message, /write `50%`/);
  assert.equal((keep[0]!.data as { replacement: string }).replacement, '50%');

  assert.equal(await edit(text), []);
});

test('notes with a place become related information', async () => {
  const dup = text + '\nexperiment quickstart { model = FC }\n';
  const diags = await edit(dup);
  const e0105 = diags.find((d) => d.code === 'E0105');
  assert.ok(e0105, JSON.stringify(diags));
  assert.is(e0105.relatedInformation?.[0]?.message, 'first defined here');
  assert.equal(e0105.relatedInformation?.[0]?.location, { uri, range: { start: positionOf(text, 'quickstart {'), end: positionOf(text, 'quickstart {', 10) } });
  assert.equal(await edit(text), []);
});

test('an error inside an imported file is shown at the import', async () => {
  const main = join(ROOT, 'test', 'fixtures', 'check', 'imports', 'main.subnet');
  const { uri: mainUri, text: mainText } = await c.open(main);
  const diags = (await c.diagnostics(mainUri, 1)).diagnostics;
  const inLib = diags.find((d) => d.code === 'E0401')!;
  assert.ok(inLib, JSON.stringify(diags));
  assert.match(inLib.message, /^in `lib\.subnet`: `linear1` needs a 1-D input/);
  assert.equal(inLib.range.start, positionOf(mainText, 'import "./lib'));
  assert.is(inLib.relatedInformation?.[0]?.location.uri, uriOf(join(ROOT, 'test', 'fixtures', 'check', 'imports', 'lib.subnet')));
  await c.notify('textDocument/didClose', { textDocument: { uri: mainUri } });
});

test('hover on the model: the layer table at the experiment keep, and the total', async () => {
  const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'FC(width', 1) });
  const md = (h.contents as { value: string }).value;
  assert.match(md, /network FC\(width: float = 1, classes: int = 10\)/);
  assert.match(md, /\*\*FC\*\*: 266,200 weights, 133,100 kept/);
  assert.match(md, /\| linear1 \| linear \| \[784\] → \[300\] \| 235,200 \| 117,600 \| edge_popup 50% \|/);
  assert.match(md, /\| linear3 \| linear \| \[100\] → \[10\] \| 1,000 \| 500 \| edge_popup 50% \|/);
  assert.match(md, /\*\*total\*\* \| \| \| \*\*266,200\*\* \| \*\*133,100\*\*/);
  assert.equal(h.range, { start: positionOf(text, 'FC(width'), end: positionOf(text, 'FC(width', 2) });
});

test('hover on keep: kept weights per layer; on a policy and a setting: the reference text', async () => {
  const keep = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'keep: 50%', 1) });
  const k = (keep.contents as { value: string }).value;
  assert.match(k, /Kept weights per layer/);
  assert.match(k, /\| linear2 \| 30,000 \| 15,000 \| edge_popup 50% \|/);
  const policy = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'signed_kaiming_constant', 3) });
  assert.match((policy.contents as { value: string }).value, /signed_kaiming_constant\(mode, scaled\)[\s\S]*4\.1 Distributions/);
  const imp = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'std/frankle', 2) });
  assert.match((imp.contents as { value: string }).value, /std\/frankle\.subnet`[\s\S]*network Conv4\(width: float = 1, classes: int = 10\)/);
  const sched = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'cosine', 2) });
  assert.match((sched.contents as { value: string }).value, /0\.5·\(1 \+ cos\(π·e\/E\)\)/);
});

test('completion after `mask = ` offers the policies; after `keep: ` percentages', async () => {
  const withHole = text.replace('edge_popup(keep: 50%)', '');
  await edit(withHole);
  const items = await c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: positionOf(withHole, 'mask      = ', 12) });
  assert.equal(items.map((i) => i.label).sort(), ['dense', 'edge_popup', 'fixed', 'supermask']);
  assert.match(items.find((i) => i.label === 'edge_popup')!.detail!, /edge_popup\(keep, prune, first, last\)/);
  const pct = text.replace('keep: 50%', 'keep: ');
  await edit(pct);
  const values = await c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: positionOf(pct, 'keep: ', 6) });
  assert.ok(values.length > 0 && values.every((i) => i.label.endsWith('%')), JSON.stringify(values));
  const args = text.replace('sgd(lr: 0.1, ', 'sgd(');
  await edit(args);
  const named = await c.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: positionOf(args, 'sgd(', 4) });
  assert.ok(named.some((i) => i.label === 'lr' && i.insertText === 'lr: '), JSON.stringify(named.map((i) => i.label)));
  assert.ok(!named.some((i) => i.label === 'momentum'), 'arguments already given are not offered');
  assert.equal(await edit(text), []);
});

test('go to definition jumps from a model into std/', async () => {
  const loc = await c.request<Location>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'FC(width', 1) });
  assert.is(loc.uri, uriOf(join(ROOT, 'std', 'frankle.subnet')));
  assert.equal(loc.range.start, { line: 7, character: 8 });
  const imp = await c.request<Location>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'std/frankle', 2) });
  assert.is(imp.uri, uriOf(join(ROOT, 'std', 'frankle.subnet')));
});

test('formatting returns the canonical text as one edit', async () => {
  const messy = text.replace('model     = FC(width: 1)', 'model=FC( width:1 )').replace('seed      = 0', 'seed =0');
  await edit(messy);
  const edits = await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.is(edits.length, 1);
  assert.is(edits[0]!.newText, text);
  await edit(text);
  assert.equal(await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), []);
});

test('document symbols: the import, the experiment and its fields', async () => {
  const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(syms.map((s) => s.name), ['std/frankle.subnet', 'quickstart']);
  assert.equal(syms[1]!.children!.map((s) => s.name), ['model', 'data', 'weights', 'mask', 'optimizer', 'train', 'seed']);
});

test('semantic tokens colour keywords, networks, fields, arguments, numbers and comments', async () => {
  const legend = ['keyword', 'number', 'string', 'comment', 'class', 'function', 'property', 'parameter', 'enumMember', 'variable', 'operator'];
  const r = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
  const toks = new Map<string, string>();
  let line = 0;
  let ch = 0;
  for (let i = 0; i < r.data.length; i += 5) {
    line += r.data[i]!;
    ch = r.data[i]! === 0 ? ch + r.data[i + 1]! : r.data[i + 1]!;
    toks.set(`${line}:${ch}`, legend[r.data[i + 3]!]!);
  }
  const typeAt = (needle: string, delta = 0): string | undefined => {
    const p = positionOf(text, needle, delta);
    return toks.get(`${p.line}:${p.character}`);
  };
  assert.is(typeAt('// Quickstart'), 'comment');
  assert.is(typeAt('experiment'), 'keyword');
  assert.is(typeAt('FC(width'), 'class');
  assert.is(typeAt('model '), 'property');
  assert.is(typeAt('keep: 50%'), 'parameter');
  assert.is(typeAt('keep: 50%', 6), 'number');
  assert.is(typeAt('edge_popup'), 'function');
  assert.is(typeAt('fan_in'), 'enumMember');
  assert.is(typeAt('"FASHION_MNIST_DIR"'), 'string');
});

test('an untitled buffer is checked, std/ imports included', async () => {
  const untitled = 'untitled:Untitled-1';
  await c.notify('textDocument/didOpen', { textDocument: { uri: untitled, languageId: 'subnet', version: 1, text } });
  assert.equal((await c.diagnostics(untitled, 1)).diagnostics, []);
  await c.notify('textDocument/didChange', { textDocument: { uri: untitled, version: 2 }, contentChanges: [{ text: text.replace('FC(', 'FCC(') }] });
  assert.equal((await c.diagnostics(untitled, 2)).diagnostics.map((d) => d.code), ['E0103']);
  await c.notify('textDocument/didClose', { textDocument: { uri: untitled } });
});

test('a change on disk to an imported file checks the open documents again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subnet-lsp-'));
  const lib = join(dir, 'lib.subnet');
  writeFileSync(lib, 'network Lib { flatten linear(10) }\n');
  const main = join(dir, 'main.subnet');
  const src = text.replace('import "std/frankle.subnet"', 'import "./lib.subnet"').replace('FC(width: 1)', 'Lib');
  const { uri: mainUri } = await c.open(main, src);
  assert.equal((await c.diagnostics(mainUri, 1)).diagnostics, []);
  writeFileSync(lib, 'network Lib { conv(8, 3) linear(10) }\n');
  const next = c.nextDiagnostics(mainUri);
  await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(lib), type: 2 }] });
  const d = (await next).diagnostics;
  assert.equal(d.map((x) => x.code), ['E0401']);
  assert.match(d[0]!.message, /^in `lib\.subnet`/);
  await c.notify('textDocument/didClose', { textDocument: { uri: mainUri } });
  rmSync(dir, { recursive: true, force: true });
});

test('the server is still alive and ends cleanly on shutdown', async () => {
  assert.is(c.child.exitCode, null, c.stderr());
});

test.run();
