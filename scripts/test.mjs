#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) in its own Node process, so a crash in
// the GPU driver fails one file instead of the whole suite, and prints the totals as the last
// line: `N passed, N failed`. Usage: node scripts/test.mjs [substring-filter…]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const testDir = join(root, 'dist', 'test');
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

// test/slow/ holds minutes-long checks (full-size networks): only with SUBNET_SLOW=1.
const slow = process.env.SUBNET_SLOW === '1';
const files = walk(testDir)
  .filter((f) => slow || !f.includes(`${join('dist', 'test', 'slow')}`))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (!process.env.XDG_RUNTIME_DIR) {
  const dir = join(root, 'dist', '.xdg');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
const failures = [];
const t0 = Date.now();
for (const file of files) {
  const name = relative(testDir, file);
  const start = Date.now();
  const r = spawnSync(process.execPath, [file], {
    cwd: root,
    encoding: 'utf8',
    // Tests use the default tiles: tuning would make them slow and machine-dependent.
    env: { ...process.env, FORCE_COLOR: '0', SUBNET_AUTOTUNE: process.env.SUBNET_AUTOTUNE ?? '0' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 20 * 60 * 1000,
  });
  const out = strip((r.stdout ?? '') + (r.stderr ?? ''));
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const secs = ((Date.now() - start) / 1000).toFixed(1);
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    // The file crashed before uvu could report: count it as one failure.
    failed += 1;
    failures.push(name);
    process.stdout.write(`✘ ${name} (${secs}s): crashed (exit ${r.status ?? r.signal})\n${out}\n`);
    continue;
  }
  const bad = total - ok - skipped;
  passed += ok;
  failed += bad;
  if (bad > 0 || r.status !== 0) {
    if (bad === 0) failed += 1; // non-zero exit with all tests passing: still a failure
    failures.push(name);
    process.stdout.write(`✘ ${name} (${secs}s)\n${out}\n`);
  } else {
    process.stdout.write(`✔ ${name}: ${ok} passed (${secs}s)\n`);
  }
}
process.stdout.write(`\n${files.length} files in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
if (failures.length) process.stdout.write(`; failing: ${failures.join(', ')}`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
