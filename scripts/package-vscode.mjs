#!/usr/bin/env node
// `npm run package:vscode`: builds the VS Code extension (editors/vscode) into
// dist/subnet-language-<version>.vsix with the official packager, @vscode/vsce. The TextMate
// grammar has one source, editors/subnet.tmLanguage.json; it is copied into the extension here.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const ext = join(root, 'editors', 'vscode');
const run = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`package:vscode: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
};

mkdirSync(join(ext, 'syntaxes'), { recursive: true });
copyFileSync(join(root, 'editors', 'subnet.tmLanguage.json'), join(ext, 'syntaxes', 'subnet.tmLanguage.json'));
// The extension's one runtime dependency (vscode-languageclient), bundled below.
if (!existsSync(join(ext, 'node_modules', 'vscode-languageclient'))) run('npm', ['ci', '--no-audit', '--no-fund'], ext);
// One bundled file instead of ~200 from node_modules (vsce's advice; it also loads faster).
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(ext, 'extension.js')],
  outfile: join(ext, 'out', 'extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  logLevel: 'warning',
});
const { name, version } = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
mkdirSync(join(root, 'dist'), { recursive: true });
const out = join(root, 'dist', `${name}-${version}.vsix`);
run(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', out], ext);
process.stdout.write(`${out}\n`);
