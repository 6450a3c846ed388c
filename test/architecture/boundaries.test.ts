// The floors hold: dependency-cruiser checks the rules of .dependency-cruiser.cjs on the real
// tree (no circle, no arrow pointing up, the runtime reading the compiler only through
// compiler/index.ts and the Plan's types), and docs/architecture.md shows the current graph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}
interface CruiseResult {
  modules: { source: string; dependencies: { resolved: string; couldNotResolve: boolean }[] }[];
  summary: { violations: Violation[]; totalCruised: number };
}
interface GraphModule {
  cruise(): CruiseResult;
  foldedEdges(r: CruiseResult): string[];
  mermaid(edges: string[]): string;
}

const root = process.cwd();
const graph = (await import(pathToFileURL(join(root, 'scripts', 'deps-graph.mjs')).href)) as GraphModule;
const result = graph.cruise();

test('no dependency rule is broken', () => {
  const lines = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
  assert.equal(lines, [], lines.join('\n'));
});

test('the cruise resolved the TypeScript imports (the rules are not vacuous)', () => {
  assert.ok(result.summary.totalCruised > 100, `only ${result.summary.totalCruised} modules cruised`);
  const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.resolved.startsWith('.')).map((d) => `${m.source} → ${d.resolved}`));
  assert.equal(unresolved, []);
  const train = result.modules.find((m) => m.source === 'runtime/train.ts');
  assert.ok(train?.dependencies.some((d) => d.resolved === 'compiler/index.ts'), 'runtime/train.ts → compiler/index.ts not seen');
});

test('the floors form no circle', () => {
  const edges = graph.foldedEdges(result).map((e) => e.split(' --> '));
  const next = new Map<string, string[]>();
  for (const [a, b] of edges) next.set(a, [...(next.get(a) ?? []), b]);
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') assert.unreachable(`floor circle: ${[...path, n].join(' → ')}`);
    state.set(n, 'open');
    for (const m of next.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of next.keys()) visit(n, []);
});

test('docs/architecture.md shows the graph as the code draws it', () => {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const want = graph.mermaid(graph.foldedEdges(result));
  assert.ok(doc.includes('```mermaid\n' + want + '\n```'), `docs/architecture.md is stale; its graph should read (node scripts/deps-graph.mjs):\n${want}`);
});

test.run();
