// A language client for tests and the bench: spawns `subnet lsp --stdio` the way an editor does
// (through bin/subnet.mjs), speaks JSON-RPC over its pipes with the protocol package, and keeps
// every published diagnostic so tests can wait for the ones they expect.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node.js';
import { ROOT } from '../check/fixtures.js';

export { ROOT };

export interface Client {
  conn: ProtocolConnection;
  child: ChildProcess;
  /** Everything the server wrote to stderr. */
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first diagnostics for `uri` (at `version`, if given) published after the call or already received. */
  diagnostics(uri: string, version?: number, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  /** Resolves with the next diagnostics published for `uri`, whatever their version. */
  nextDiagnostics(uri: string, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  request<R>(method: string, params: unknown): Promise<R>;
  notify(method: string, params: unknown): Promise<void>;
  open(path: string, text?: string, version?: number): Promise<{ uri: string; text: string }>;
  close(): Promise<void>;
}

export const uriOf = (path: string): string => pathToFileURL(path).href;

export async function startClient(opts: { debounceMs?: number } = {}): Promise<Client> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'subnet.mjs'), 'lsp', '--stdio'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp/subnet-xdg-0' },
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.push(p);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.uri === p.uri && (w.version === undefined || w.version === p.version)) {
        waiters.splice(i, 1);
        w.resolve(p);
      }
    }
  });
  // Server log lines (window/logMessage) are kept with stderr for failure messages.
  conn.onNotification('window/logMessage', (p: { message: string }) => (err += `[log] ${p.message}\n`));
  conn.listen();
  const client: Client = {
    conn,
    child,
    stderr: () => err,
    exited,
    diagnostics(uri, version, timeoutMs = 20_000) {
      const have = published.find((p) => p.uri === uri && version !== undefined && p.version === version);
      if (have) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms\n${err}`)), timeoutMs);
        waiters.push({ uri, version, resolve: (p) => (clearTimeout(t), resolve(p)) });
      });
    },
    nextDiagnostics(uri, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms\n${err}`)), timeoutMs);
        waiters.push({ uri, resolve: (p) => (clearTimeout(t), resolve(p)) });
      });
    },
    request: (method, params) => conn.sendRequest(method, params),
    notify: (method, params) => conn.sendNotification(method, params),
    async open(path, text, version = 1) {
      const t = text ?? readFileSync(path, 'utf8');
      const uri = uriOf(path);
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'subnet', version, text: t } });
      return { uri, text: t };
    },
    async close() {
      try {
        await conn.sendRequest('shutdown', null);
        await conn.sendNotification('exit', null);
      } catch {
        // Already gone.
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      conn.dispose();
      if (child.exitCode === null) child.kill();
    },
  };
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uriOf(ROOT),
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown'] } } },
    initializationOptions: { debounceMs: opts.debounceMs ?? 50 },
  });
  await conn.sendNotification('initialized', {});
  return client;
}

/** The LSP position of the first occurrence of `needle` in `text` (plus `delta` characters). */
export function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`\`${needle}\` not in the text`);
  const o = at + delta;
  const before = text.slice(0, o);
  const line = before.split('\n').length - 1;
  return { line, character: o - (before.lastIndexOf('\n') + 1) };
}
