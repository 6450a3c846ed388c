// Language server latency: for every file of std/ and examples/, the time from a client's message
// to the server's answer over stdio, measured as an editor would see it (JSON-RPC through
// `subnet lsp --stdio`): diagnostics after opening and after an edit (the median of three, no debounce), hover on the
// model (the layer table), completion of a field value, definition, formatting, symbols.
// Prints milliseconds; asserts nothing about time.
//
//   npm run bench:lsp [-- --json]      (or: npm run bench -- --lsp)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { positionOf, ROOT, startClient } from '../test/lsp/client.js';

const json = process.argv.includes('--json');

const files = ['std', 'examples'].flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => f.endsWith('.subnet'))
    .sort()
    .map((f) => join(d, f)),
);

type Row = Record<string, number | string>;

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

async function main(): Promise<void> {
  const c = await startClient({ debounceMs: 0 });
  const rows: Row[] = [];
  for (const rel of files) {
    const path = join(ROOT, rel);
    const text = readFileSync(path, 'utf8');
    const row: Row = { file: rel };
    const [open, { uri }] = await timed(async () => {
      const o = await c.open(path, text);
      await c.diagnostics(o.uri, 1);
      return o;
    });
    row.open = open;
    const doc = { textDocument: { uri } };
    // Typing: three one-character edits, each to its diagnostics; the median is reported.
    const edits: number[] = [];
    for (const version of [2, 3, 4]) {
      const [ms] = await timed(async () => {
        await c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }] });
        await c.diagnostics(uri, version);
      });
      edits.push(ms);
    }
    row.edit = median(edits);
    await c.notify('textDocument/didChange', { textDocument: { uri, version: 5 }, contentChanges: [{ text }] });
    await c.diagnostics(uri, 5);
    // The model call of the first experiment, else the first network used as a layer or declared.
    const model = /model\s*=\s*(\w+)/.exec(text);
    const net = /network (\w+)/.exec(text);
    const target = model ? positionOf(text, model[0], model[0].length - model[1]!.length + 1) : net ? positionOf(text, net[0], 9) : { line: 0, character: 0 };
    [row.hover] = await timed(() => c.request('textDocument/hover', { ...doc, position: target }));
    const mask = /mask\s*=\s*/.exec(text);
    const body = text.indexOf('{') + 1;
    const where = mask ? positionOf(text, mask[0], mask[0].length) : positionOf(text, text.slice(body, body + 1) || '{', 0);
    [row.completion] = await timed(() => c.request('textDocument/completion', { ...doc, position: where }));
    [row.definition] = await timed(() => c.request('textDocument/definition', { ...doc, position: target }));
    [row.format] = await timed(() => c.request('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } }));
    [row.symbols] = await timed(() => c.request('textDocument/documentSymbol', doc));
    await c.notify('textDocument/didClose', doc);
    rows.push(row);
  }
  await c.close();
  const cols = ['open', 'edit', 'hover', 'completion', 'definition', 'format', 'symbols'];
  if (json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const w = Math.max(...rows.map((r) => String(r.file).length), 4);
  const line = (cells: string[]): string => cells[0]!.padEnd(w) + cells.slice(1).map((x) => x.padStart(11)).join('');
  const out = [`subnet lsp: milliseconds from request to answer over stdio (diagnostics: open/edit to publish, no debounce)`, line(['file', ...cols])];
  for (const r of rows) out.push(line([String(r.file), ...cols.map((k) => (r[k] as number).toFixed(1))]));
  out.push(line(['max', ...cols.map((k) => Math.max(...rows.map((r) => r[k] as number)).toFixed(1))]));
  out.push(line(['median', ...cols.map((k) => median(rows.map((r) => r[k] as number)).toFixed(1))]));
  process.stdout.write(out.join('\n') + '\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

await main();
