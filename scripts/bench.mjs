#!/usr/bin/env node
// `npm run bench [-- flags]`: the compiled benchmark (dist/bench/step.js, or with --lsp
// dist/bench/lsp.js) with XDG_RUNTIME_DIR set.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const env = { ...process.env };
// Image decode workers share libuv's thread pool (see bin/subnet.mjs).
env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));
if (!env.XDG_RUNTIME_DIR) {
  env.XDG_RUNTIME_DIR = join(tmpdir(), `subnet-xdg-${process.getuid?.() ?? 'user'}`);
  mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
}
// `--lsp`: the language server's latencies (dist/bench/lsp.js) instead of training steps.
const lsp = process.argv.includes('--lsp');
const script = join(root, 'dist', 'bench', lsp ? 'lsp.js' : 'step.js');
const r = spawnSync(process.execPath, [script, ...process.argv.slice(2).filter((a) => a !== '--lsp')], { stdio: ['inherit', 'inherit', 'pipe'], env, encoding: 'utf8' });
// Drop Dawn's native chatter (see bin/subnet.mjs); keep everything else.
for (const line of (r.stderr ?? '').split('\n')) if (line && !/artificially reduced|loader_get_json|vkCreateInstance/.test(line)) process.stderr.write(line + '\n');
process.exit(r.status ?? 1);
