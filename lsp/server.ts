// `subnet lsp --stdio`: the Language Server Protocol server. It owns no language logic: every
// answer comes from the compiler's front end (diagnostics, the catalog's codes and hints,
// formatting, the Plan's layer statistics) through lsp/compiler-api.ts. Diagnostics are pushed on
// open at once and on change after a short quiet period; requests on a changed buffer analyse it
// on demand. Any exception in a handler is logged and answered with an empty result: a broken
// buffer or a compiler bug must never take the editor's server down.
import {
  CodeActionKind,
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { completionItems } from './completion.js';
import { quickFixes, toLspDiagnostics } from './diagnostics.js';
import { hover } from './hover.js';
import { networkDecls } from './locate.js';
import { semanticTokens, TOKEN_TYPES } from './semantic-tokens.js';
import { definition, documentSymbols, formatEdits } from './navigation.js';
import { uriToPath } from './positions.js';
import { Workspace } from './workspace.js';

export const DEFAULT_DEBOUNCE_MS = 150;

export function startServer(): Connection {
  // createConnection reads the transport from argv; stdio is the default (and then console.* goes to the client's log).
  if (!process.argv.some((a) => a === '--stdio' || a.startsWith('--socket') || a === '--node-ipc' || a.startsWith('--pipe'))) process.argv.push('--stdio');
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const ws = new Workspace();
  const timers = new Map<string, NodeJS.Timeout>();
  let debounceMs = Number(process.env.SUBNET_LSP_DEBOUNCE_MS ?? DEFAULT_DEBOUNCE_MS);
  let snippets = false;

  const log = (msg: string): void => {
    try {
      connection.console.error(msg);
    } catch {
      // The connection is gone; nothing left to tell.
    }
  };
  function guard<A extends unknown[], R>(name: string, fallback: R, f: (...a: A) => R): (...a: A) => R {
    return (...args: A): R => {
      try {
        return f(...args);
      } catch (e) {
        log(`subnet lsp: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return fallback;
      }
    };
  }
  // Last line of defence: an error escaping a timer or a stream handler is logged, not fatal.
  process.on('uncaughtException', (e) => log(`subnet lsp: uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log(`subnet lsp: unhandled rejection: ${String(e)}`));

  const publish = guard('diagnostics', undefined, (uri: string): void => {
    const a = ws.analyse(uri);
    if (!a) return;
    void connection.sendDiagnostics({ uri, version: a.version, diagnostics: toLspDiagnostics(a) });
    // Open documents that import this one see its new text.
    for (const other of ws.openUris()) {
      if (other === uri) continue;
      const prev = ws.lastAnalysis(other);
      if (prev && a.path in prev.result.sources && prev.result.sources[a.path] !== a.text) schedule(other);
    }
  });

  function schedule(uri: string): void {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        publish(uri);
      }, debounceMs),
    );
  }

  connection.onInitialize((params): InitializeResult => {
    const opts = (params.initializationOptions ?? {}) as { debounceMs?: number };
    if (typeof opts.debounceMs === 'number' && opts.debounceMs >= 0) debounceMs = opts.debounceMs;
    snippets = !!params.capabilities.textDocument?.completion?.completionItem?.snippetSupport;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['=', '(', ',', ':', ' ', '"', '{', '['] },
        definitionProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [] }, full: true },
      },
      serverInfo: { name: 'subnet', version: '0.1.0' },
    };
  });

  documents.onDidOpen(
    guard('open', undefined, (e) => {
      ws.open(e.document.uri, e.document.version, e.document.getText());
      publish(e.document.uri);
    }),
  );
  documents.onDidChangeContent(
    guard('change', undefined, (e) => {
      ws.change(e.document.uri, e.document.version, e.document.getText());
      schedule(e.document.uri);
    }),
  );
  documents.onDidClose(
    guard('close', undefined, (e) => {
      clearTimeout(timers.get(e.document.uri));
      timers.delete(e.document.uri);
      ws.close(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    }),
  );

  const offsetOf = (uri: string, pos: { line: number; character: number }): number | undefined => documents.get(uri)?.offsetAt(pos);

  connection.onHover(
    guard('hover', null, (p) => {
      const a = ws.analyse(p.textDocument.uri);
      const o = offsetOf(p.textDocument.uri, p.position);
      return a && o !== undefined ? hover(a, ws, o) : null;
    }),
  );
  connection.onCompletion(
    guard('completion', [], (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      return completionItems(ws, uriToPath(doc.uri), doc.getText(), doc.offsetAt(p.position), snippets);
    }),
  );
  connection.onDefinition(
    guard('definition', null, (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return null;
      const path = uriToPath(doc.uri);
      const parsed = ws.parse(path, doc.getText());
      return parsed ? definition(ws, path, parsed.program, doc.offsetAt(p.position)) : null;
    }),
  );
  connection.onDocumentSymbol(
    guard('symbols', [], (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const parsed = ws.parse(uriToPath(doc.uri), doc.getText());
      return parsed ? documentSymbols(parsed.program, doc.getText()) : [];
    }),
  );
  connection.onDocumentFormatting(
    guard('formatting', [], (p) => {
      const doc = documents.get(p.textDocument.uri);
      return doc ? formatEdits(uriToPath(doc.uri), doc.getText()) : [];
    }),
  );
  connection.languages.semanticTokens.on(
    guard('semanticTokens', { data: [] as number[] }, (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return { data: [] };
      const names = new Set(networkDecls(ws.importGraph(uriToPath(doc.uri))).keys());
      return { data: semanticTokens(doc.getText(), names) };
    }),
  );
  // A file changed on disk (an import that is not open): every open document is checked again.
  connection.onDidChangeWatchedFiles(
    guard('watchedFiles', undefined, () => {
      ws.invalidate();
      for (const uri of ws.openUris()) schedule(uri);
    }),
  );
  connection.onCodeAction(guard('codeAction', [], (p) => quickFixes(p.textDocument.uri, p.context.diagnostics, ws.analyse(p.textDocument.uri))));

  documents.listen(connection);
  connection.listen();
  return connection;
}
