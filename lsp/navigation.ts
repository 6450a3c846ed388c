// Go to definition (networks across imports and into std/, import paths, network parameters),
// document symbols (imports, networks, experiments with their fields and sweeps) and whole-file
// formatting through the compiler's formatter, the one `subnet fmt` uses.
import { DocumentSymbol, SymbolKind, type Location, type TextEdit } from 'vscode-languageserver';
import type * as A from '../grammar/ast.js';
import { pathText } from '../grammar/ast.js';
import { resolveImportPath } from './runtime-api.js';
import { formatSource, type Span } from './compiler-api.js';
import { locate, networkDecls } from './locate.js';
import { lineIndex, pathToUri } from './positions.js';
import type { Workspace } from './workspace.js';

function location(ws: Workspace, span: Span): Location | null {
  const text = ws.read(span.file);
  if (text === undefined) return null;
  return { uri: pathToUri(span.file), range: lineIndex(text).spanRange(span) };
}

export function definition(ws: Workspace, path: string, program: A.Program, offset: number): Location | null {
  const hit = locate(program, offset);
  if (!hit) return null;
  if (hit.kind === 'import') {
    let target: string;
    try {
      target = resolveImportPath(path, hit.item.path);
    } catch {
      return null;
    }
    return ws.read(target) === undefined ? null : { uri: pathToUri(target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  }
  const name = hit.kind === 'callee' ? hit.name.text : hit.kind === 'ident' ? hit.name : undefined;
  if (name === undefined) return null;
  // A parameter of the enclosing network shadows any network of the same name.
  const param = hit.where.network?.params?.find((p) => p.name.text === name);
  if (param && hit.kind === 'ident') return location(ws, param.name.span);
  const decl = networkDecls(ws.importGraph(path)).get(name);
  return decl ? location(ws, decl.name.span) : null;
}

export function documentSymbols(program: A.Program, text: string): DocumentSymbol[] {
  const ix = lineIndex(text);
  const sym = (name: string, kind: SymbolKind, span: Span, sel: Span, children?: DocumentSymbol[], detail?: string): DocumentSymbol => {
    const range = ix.spanRange(span);
    const selectionRange = ix.spanRange(sel);
    // LSP requires the selection inside the range; recovered nodes can violate it.
    return DocumentSymbol.create(name || '?', detail, kind, range, sel.offset >= span.offset && sel.offset + sel.length <= span.offset + span.length ? selectionRange : range, children);
  };
  const out: DocumentSymbol[] = [];
  for (const item of program.items) {
    if (item.kind === 'import') out.push(sym(item.path || '""', SymbolKind.File, item.span, item.pathSpan));
    else if (item.kind === 'network') {
      const params = item.params?.map((p) => sym(p.name.text, SymbolKind.Variable, p.span, p.name.span, undefined, p.type.text)) ?? [];
      out.push(sym(item.name.text, SymbolKind.Class, item.span, item.name.span, params, 'network'));
    } else {
      const children = item.items.map((x) =>
        x.kind === 'field'
          ? sym(x.name.text, SymbolKind.Field, x.span, x.name.span)
          : sym(`sweep ${x.axes.map((a) => pathText(a.path)).join(', ')}`, SymbolKind.Array, x.span, x.axes[0]?.pathSpan ?? x.span),
      );
      out.push(sym(item.name.text, SymbolKind.Module, item.span, item.name.span, children, 'experiment'));
    }
  }
  return out;
}

/** One edit replacing the whole text with its canonical form; none when it is canonical or does not parse. */
export function formatEdits(path: string, text: string): TextEdit[] {
  const r = formatSource(path, text);
  if (r.text === undefined || r.text === text) return [];
  return [{ range: lineIndex(text).range(0, text.length), newText: r.text }];
}
