// Fixture programs with inline expectations, Typst style. A fixture states every diagnostic it
// must produce, as comments anywhere in its files:
//
//   // error: 12:9 E0302 `keep` must be a percentage, found the bare number `0.5`
//   // warning: 3:1 W0401 ...
//   // error: other.subnet:4:3 E0101 ...        (a diagnostic in another file of the fixture)
//   // hint: did you mean `width`?              (optional: the hint of the annotation above)
//   // note: lib.subnet:2:1 imported here      (optional: the notes of the annotation above, all, in order)
//   // set: mask.keep=30%                       (a `--set` override for the compilation)
//   // experiment: name                         (compile only this experiment)
//   // env: NAME=value                          (an environment variable)
//
// LINE:COL is where the diagnostic's span starts (1-based). The check is exact: no diagnostic may
// be missing or extra, and codes and messages must match.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileProgram, type CompileResult, type SourceHost } from '../../compiler/frontend/frontend.js';
import { nodeHost } from '../../runtime/session/host.js';
import { positionOf } from '../../runtime/session/render.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface Expectation {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
  hint?: string;
  notes?: string[];
}

const ANNOTATION = /\/\/\s*(error|warning):\s*(?:(.+?):)?(\d+):(\d+)\s+([EW]\d{4})\s+(.*)$/;

export interface Fixture {
  entry: string;
  expectations: Expectation[];
  overrides: string[];
  experiment?: string;
  env: Record<string, string>;
}

/** A `.subnet` file, or a directory whose entry is main.subnet. */
export function readFixture(path: string): Fixture {
  const entry = statSync(path).isDirectory() ? join(path, 'main.subnet') : path;
  const files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => f.endsWith('.subnet')).map((f) => join(path, f)) : [path];
  const fx: Fixture = { entry, expectations: [], overrides: [], env: {} };
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    let last: Expectation | undefined;
    for (const line of lines) {
      const m = ANNOTATION.exec(line);
      if (m) {
        const target = m[2] === undefined ? file : m[2].startsWith('--') ? m[2] : m[2].startsWith('std/') ? join(ROOT, m[2]) : join(dirname(file), m[2]);
        last = { severity: m[1] as 'error' | 'warning', file: target, line: Number(m[3]), column: Number(m[4]), code: m[5]!, message: m[6]!.trim() };
        fx.expectations.push(last);
        continue;
      }
      const hint = /\/\/\s*hint:\s*(.*)$/.exec(line);
      if (hint && last) last.hint = hint[1]!.trim();
      const note = /\/\/\s*note:\s*(.*)$/.exec(line);
      if (note && last) (last.notes ??= []).push(note[1]!.trim());
      const set = /\/\/\s*set:\s*(.*)$/.exec(line);
      if (set) fx.overrides.push(set[1]!.trim());
      const exp = /\/\/\s*experiment:\s*(\S+)/.exec(line);
      if (exp) fx.experiment = exp[1];
      const env = /\/\/\s*env:\s*(\w+)=(.*)$/.exec(line);
      if (env) fx.env[env[1]!] = env[2]!.trim();
    }
  }
  return fx;
}

export function fixtureHost(env: Record<string, string>): SourceHost {
  return nodeHost(env);
}

export function compileFixture(fx: Fixture): CompileResult {
  return compileProgram(fx.entry, fixtureHost(fx.env), { overrides: fx.overrides, experiment: fx.experiment });
}

function shortName(file: string, root: string): string {
  const std = join(ROOT, 'std') + '/';
  return file.startsWith('--') ? file : file.startsWith(std) ? `std/${file.slice(std.length)}` : file.startsWith(root) ? basename(file) : file;
}

export function describeExpectation(e: Expectation, root: string): string {
  const hint = e.hint !== undefined ? `  [hint: ${e.hint}]` : '';
  const notes = e.notes !== undefined ? `  [notes: ${e.notes.join(' | ')}]` : '';
  return `${e.severity} ${shortName(e.file, root)}:${e.line}:${e.column} ${e.code} ${e.message}${hint}${notes}`;
}

/** The diagnostics of a compilation in the annotation form, hints and notes where expected. */
export function actualExpectations(r: CompileResult, root: string, withHints: (e: Expectation) => boolean, withNotes: (e: Expectation) => boolean): Expectation[] {
  const at = (span: { file: string; offset: number }): string => {
    const p = positionOf(r.sources[span.file] ?? '', span.offset);
    return `${shortName(span.file, root)}:${p.line}:${p.column}`;
  };
  return r.diagnostics.map((d) => {
    const text = d.span ? r.sources[d.span.file] ?? '' : '';
    const p = d.span ? positionOf(text, d.span.offset) : { line: 0, column: 0 };
    const e: Expectation = { severity: d.severity, file: d.span?.file ?? '', line: p.line, column: p.column, code: d.code, message: d.message };
    if (withHints(e) && d.hint !== undefined) e.hint = d.hint;
    if (withNotes(e)) e.notes = d.notes.map((n) => (n.span ? `${at(n.span)} ${n.message}` : n.message));
    return e;
  });
}

/** Compares expected and actual; returns a readable diff, or '' when they agree. */
export function diffFixture(fx: Fixture, r: CompileResult): string {
  const key = (e: Expectation): string => `${e.file}|${e.line}|${e.column}|${e.code}|${e.message}`;
  const hinted = new Set(fx.expectations.filter((e) => e.hint !== undefined).map(key));
  const noted = new Set(fx.expectations.filter((e) => e.notes !== undefined).map(key));
  const root = dirname(fx.entry);
  const actual = actualExpectations(r, root, (e) => hinted.has(key(e)), (e) => noted.has(key(e)));
  const exp = fx.expectations.map((e) => describeExpectation(e, root)).sort();
  const act = actual.map((e) => describeExpectation(e, root)).sort();
  const missing = exp.filter((x) => !act.includes(x));
  const extra = act.filter((x) => !exp.includes(x));
  if (!missing.length && !extra.length) return '';
  return [...missing.map((x) => `- expected: ${x}`), ...extra.map((x) => `+ actual:   ${x}`)].join('\n');
}

export function listFixtures(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.subnet') || statSync(join(dir, f)).isDirectory())
    .sort()
    .map((f) => join(dir, f));
}
