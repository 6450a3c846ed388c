// The fuzzer's corpus and mutations: programs from examples/, std/ and the diagnostic fixtures,
// damaged by deleting, duplicating and swapping tokens and characters.
import * as fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileProgram, type CompileResult } from '../../compiler/frontend/frontend.js';
import { formatSource } from '../../compiler/frontend/fmt.js';
import { parseFile } from '../../grammar/build-ast.js';
import { ROOT } from '../check/fixtures.js';
import { virtualHost } from '../check/virtual.js';

export function corpus(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.subnet')) files.push(p);
    }
  };
  walk(join(ROOT, 'examples'));
  walk(join(ROOT, 'std'));
  walk(join(ROOT, 'test', 'fixtures', 'check'));
  // Intact cases expand fully, so the biggest programs are scaled down (same syntax, less work):
  // one seed instead of three, the deepest ResNets swapped for ResNet-18, no 10,000-fold repeats,
  // percentage sweeps cut to their two ends.
  return files.map((f) =>
    readFileSync(f, 'utf8')
      .replace(/seeds(\s*)= 3/g, 'seed$1= 0')
      .replace(/ResNet101\(|WideResNet50_2\(|ResNet50\(/g, 'ResNet18(')
      .replace(/repeat 10000/g, 'repeat 100')
      .replace(/\[(\d+%), (?:\d+%, )+(\d+%)\]/g, '[$1, $2]'),
  );
}

/** Tokens for mutation: words, numbers (with %), strings, comments, runs of space, single characters. */
export function pieces(text: string): string[] {
  return text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?(?:e[+-]?\d+)?%?|\w+|\s+|[\s\S]/gi) ?? [];
}

export type Op = { kind: 'delTok' | 'dupTok' | 'swapTok' | 'delChar' | 'dupChar' | 'swapChar' | 'insChar'; at: number; to: number; ch: string };

export const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('delTok', 'dupTok', 'swapTok', 'delChar', 'dupChar', 'swapChar', 'insChar') as fc.Arbitrary<Op['kind']>,
  at: fc.nat(),
  to: fc.nat(),
  ch: fc.constantFrom('{', '}', '(', ')', '[', ']', ',', ':', '=', '%', '"', '/', '*', '-', '.', '\n', ' ', 'x', '0', '9', '#', 'é'),
});

export function mutate(text: string, ops: Op[]): string {
  let t = text;
  for (const op of ops) {
    if (op.kind.endsWith('Tok')) {
      const toks = pieces(t);
      if (toks.length === 0) continue;
      const i = op.at % toks.length;
      const j = op.to % toks.length;
      if (op.kind === 'delTok') toks.splice(i, 1);
      else if (op.kind === 'dupTok') toks.splice(i, 0, toks[i]!);
      else [toks[i], toks[j]] = [toks[j]!, toks[i]!];
      t = toks.join('');
    } else {
      if (t.length === 0) {
        t = op.ch;
        continue;
      }
      const i = op.at % t.length;
      const j = op.to % t.length;
      if (op.kind === 'delChar') t = t.slice(0, i) + t.slice(i + 1);
      else if (op.kind === 'dupChar') t = t.slice(0, i) + t[i] + t.slice(i);
      else if (op.kind === 'insChar') t = t.slice(0, i) + op.ch + t.slice(i);
      else {
        const a = Math.min(i, j);
        const b = Math.max(i, j);
        t = a === b ? t : t.slice(0, a) + t[b] + t.slice(a + 1, b) + t[a] + t.slice(b + 1);
      }
    }
  }
  return t;
}

/** The properties every case must satisfy; returns a description of the first violation. */
export function checkCase(text: string): string | undefined {
  const entry = '/fuzz/main.subnet';
  let r: CompileResult;
  try {
    r = compileProgram(entry, virtualHost({ [entry]: text }, { FUZZ: '1' }), { overrides: ['train.epochs=2'] });
  } catch (e) {
    return `compileProgram threw: ${(e as Error).stack}`;
  }
  for (const d of r.diagnostics) {
    if (d.code === 'E0000') return `internal error: ${d.message}`;
    for (const s of [d.span, ...d.notes.map((n) => n.span)]) {
      if (!s) continue;
      const src = r.sources[s.file];
      if (src === undefined) return `${d.code} points into unknown file ${s.file}`;
      if (!(s.offset >= 0 && s.length >= 0 && s.offset + s.length <= src.length)) return `${d.code} span ${s.offset}+${s.length} outside ${s.file} (${src.length})`;
    }
  }
  const errors = r.diagnostics.some((d) => d.severity === 'error');
  if (!errors && r.experiments.some((x) => x.runs.some((run) => !/^[0-9a-f]{12}$/.test(run.id)))) return 'a valid program produced a bad run id';
  // The formatter, on whatever still parses: idempotent and meaning-preserving.
  let f;
  try {
    f = formatSource(entry, text);
  } catch (e) {
    return `formatSource threw: ${(e as Error).stack}`;
  }
  if (f.text !== undefined) {
    const again = formatSource(entry, f.text);
    if (again.text !== f.text) return 'fmt is not idempotent';
    const before = JSON.stringify(strip(parseFile(entry, text).program.items));
    const after = JSON.stringify(strip(parseFile(entry, f.text).program.items));
    if (before !== after) return 'fmt changed the program';
  }
  return undefined;
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'span' && k !== 'pathSpan' && !k.endsWith('lose')) out[k] = strip(x);
    return out;
  }
  return v;
}
