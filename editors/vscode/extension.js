// The VS Code client of `subnet lsp`: it starts the server the user configured (`subnet` on PATH
// by default) over stdio for .subnet files; every language feature lives in the server.
// Plain CommonJS so that the extension needs no build step of its own.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  const config = vscode.workspace.getConfiguration('subnet');
  const command = config.get('server.command') || 'subnet';
  // The client appends `--stdio` for the stdio transport.
  const run = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'subnet',
    'subnet',
    { run, debug: run },
    {
      documentSelector: [
        { scheme: 'file', language: 'subnet' },
        { scheme: 'untitled', language: 'subnet' },
      ],
      initializationOptions: { debounceMs: config.get('server.debounceMs') },
      // Imports that are not open still count: tell the server when a .subnet file changes on disk.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.subnet') },
    },
  );
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(
      `subnet: could not start \`${command} lsp\` (${e instanceof Error ? e.message : String(e)}). ` +
        'Install subnet (`npm ci && npm run build` in its checkout, then put bin/subnet.mjs on PATH) or set `subnet.server.command`.',
    );
    return;
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
