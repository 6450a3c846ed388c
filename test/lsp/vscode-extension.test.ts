// The VS Code extension's manifest agrees with the language: the grammar it names is the
// repository's TextMate grammar, its comment tokens are the lexer's, its client starts `subnet
// lsp` and loads (editors/vscode; `npm run package:vscode` builds the .vsix).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lex } from '../../grammar/lexer.js';
import { ROOT } from '../check/fixtures.js';

const ext = join(ROOT, 'editors', 'vscode');
const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
const grammar = JSON.parse(readFileSync(join(ROOT, 'editors', 'subnet.tmLanguage.json'), 'utf8'));
const langConfig = JSON.parse(readFileSync(join(ext, 'language-configuration.json'), 'utf8'));

test('the manifest contributes the language, the grammar and the server setting', () => {
  const lang = manifest.contributes.languages[0];
  assert.is(lang.id, 'subnet');
  assert.equal(lang.extensions, ['.subnet']);
  const g = manifest.contributes.grammars[0];
  assert.is(g.language, 'subnet');
  assert.is(g.scopeName, grammar.scopeName);
  assert.is(g.path, './syntaxes/subnet.tmLanguage.json');
  assert.is(manifest.contributes.configuration.properties['subnet.server.command'].default, 'subnet');
  // @vscode/vsce and vscode-languageclient 9 need these exactly.
  assert.is(manifest.dependencies['vscode-languageclient'], '9.0.1');
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  assert.ok(manifest.publisher);
});

test('the comment tokens of the language configuration are comments to the lexer', () => {
  const line = `${langConfig.comments.lineComment} x`;
  const [open, close] = langConfig.comments.blockComment as [string, string];
  assert.is(lex(line).comments.length, 1);
  assert.is(lex(`${open} x ${close}`).comments.length, 1);
  assert.is(lex(`${open} x ${close}`).tokens.length, 0);
});

test('the client starts `subnet lsp` over stdio and parses', () => {
  const src = readFileSync(join(ext, 'extension.js'), 'utf8');
  assert.match(src, /args: \['lsp'\], transport: TransportKind\.stdio/);
  const r = spawnSync(process.execPath, ['--check', join(ext, 'extension.js')], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

test.run();
