#!/usr/bin/env node
// The import graph of the source tree, drawn from the code by dependency-cruiser and folded to
// one node per floor (docs/architecture.md embeds it; test/architecture checks it is current).
// Usage: node scripts/deps-graph.mjs [--json]  (mermaid on stdout, or the folded edges as JSON)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Floors, lowest first; a module belongs to the first group whose pattern matches its path.
export const GROUPS = [
  ['diagnostics', /^diagnostics\//],
  ['grammar', /^grammar\//],
  ['compiler/plan', /^compiler\/plan\//],
  ['compiler/index', /^compiler\/index\.ts$/],
  ['compiler', /^compiler\//],
  ['runtime/reference', /^runtime\/reference\//],
  ['runtime/session', /^runtime\/session\//],
  ['runtime/runner', /^runtime\/runner\//],
  ['runtime/web', /^runtime\/web\//],
  ['runtime/cli', /^runtime\/cli\//],
  ['runtime/queue', /^runtime\/queue\//],
  ['runtime/sweep', /^runtime\/sweep\//],
  ['runtime/report', /^runtime\/report\//],
  ['runtime', /^runtime\//],
  ['lsp', /^lsp\//],
  ['bench', /^bench\//],
];

export function cruise() {
  const bin = join(root, 'node_modules', '.bin', 'depcruise');
  const dirs = ['diagnostics', 'grammar', 'compiler', 'runtime', 'bench', 'lsp'].filter((d) => spawnSync('test', ['-d', join(root, d)]).status === 0);
  const r = spawnSync(bin, [...dirs, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (!r.stdout) throw new Error(`depcruise failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const groupOf = (path) => GROUPS.find(([, re]) => re.test(path))?.[0];

export function foldedEdges(result) {
  const edges = new Set();
  for (const m of result.modules) {
    const from = groupOf(m.source);
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = groupOf(d.resolved);
      if (to && to !== from) edges.add(`${from} --> ${to}`);
    }
  }
  return [...edges].sort();
}

export function mermaid(edges) {
  const id = (g) => g.replace(/[^a-z]/g, '_');
  const used = GROUPS.map(([g]) => g).filter((g) => edges.some((e) => e.startsWith(`${g} `) || e.endsWith(` ${g}`)));
  const lines = ['flowchart BT'];
  for (const g of used) lines.push(`  ${id(g)}["${g}"]`);
  for (const e of edges) {
    const [a, b] = e.split(' --> ');
    lines.push(`  ${id(a)} --> ${id(b)}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const edges = foldedEdges(cruise());
  process.stdout.write(process.argv.includes('--json') ? JSON.stringify(edges, null, 2) + '\n' : mermaid(edges) + '\n');
}
