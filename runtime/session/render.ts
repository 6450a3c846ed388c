// Renders diagnostics at the edge, rustc/tsc style:
//
//   examples/x.subnet:7:33: error[E0302]: `keep` must be a percentage, found the bare number `0.5`
//      |
//    7 |   mask = edge_popup(keep: 0.5)
//      |                           ^^^
//      = note: std/frankle.subnet:3:1: imported here
//      = help: write `50%`; ...
//
// Line and column (1-based) are computed here from the span's offset, never stored.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Diagnostic, Span } from '../../diagnostics/diagnostics.js';

export interface Position {
  line: number;
  column: number;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset (columns count UTF-16 units, as editors do). */
export function positionOf(text: string, offset: number): Position {
  const starts = lineStarts(text);
  const o = Math.max(0, Math.min(offset, text.length));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= o) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: o - starts[lo]! + 1 };
}

export function locationText(span: Span, sources: Record<string, string>): string {
  const text = sources[span.file];
  if (text === undefined) return span.file;
  const p = positionOf(text, span.offset);
  return `${span.file}:${p.line}:${p.column}`;
}

export interface RenderOptions {
  color: boolean;
}

function frame(span: Span, text: string, c: ChalkInstance, severity: Diagnostic['severity']): string[] {
  const start = positionOf(text, span.offset);
  const starts = lineStarts(text);
  const lineStart = starts[start.line - 1]!;
  const lineEnd = start.line < starts.length ? starts[start.line]! - 1 : text.length;
  const lineText = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const spanEnd = Math.min(span.offset + span.length, lineStart + lineText.length);
  const width = Math.max(1, spanEnd - span.offset);
  const gutter = String(start.line).length;
  const pad = ' '.repeat(gutter);
  // Tabs keep their width in the underline so the carets line up with the text above.
  const lead = lineText.slice(0, start.column - 1).replace(/[^\t]/g, ' ');
  const mark = severity === 'error' ? c.red.bold : c.yellow.bold;
  return [
    `${pad} ${c.blue('|')}`,
    `${c.blue(String(start.line))} ${c.blue('|')} ${lineText}`,
    `${pad} ${c.blue('|')} ${lead}${mark('^'.repeat(width))}`,
  ];
}

export function renderDiagnostic(d: Diagnostic, sources: Record<string, string>, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const sev = d.severity === 'error' ? c.red.bold(`error[${d.code}]`) : c.yellow.bold(`warning[${d.code}]`);
  const where = d.span ? `${locationText(d.span, sources)}: ` : '';
  const lines = [`${c.bold(where)}${sev}${c.bold(`: ${d.message}`)}`];
  const text = d.span ? sources[d.span.file] : undefined;
  if (d.span && text !== undefined) lines.push(...frame(d.span, text, c, d.severity));
  const indent = d.span && text !== undefined ? ' '.repeat(String(positionOf(text, d.span.offset).line).length) : '';
  for (const n of d.notes) {
    const loc = n.span ? `${locationText(n.span, sources)}: ` : '';
    lines.push(`${indent} ${c.blue('=')} ${c.bold('note')}: ${loc}${n.message}`);
  }
  if (d.hint) lines.push(`${indent} ${c.blue('=')} ${c.bold('help')}: ${d.hint}`);
  return lines.join('\n');
}

/** A machine-readable record for `--json` (one per line). */
export function diagnosticRecord(d: Diagnostic, sources: Record<string, string>): Record<string, unknown> {
  const pos = (s: Span): Record<string, unknown> => {
    const text = sources[s.file];
    if (text === undefined) return { file: s.file };
    const a = positionOf(text, s.offset);
    const b = positionOf(text, s.offset + s.length);
    return { file: s.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column, offset: s.offset, length: s.length };
  };
  const rec: Record<string, unknown> = { severity: d.severity, code: d.code, message: d.message };
  if (d.span) Object.assign(rec, pos(d.span));
  rec.notes = d.notes.map((n) => ({ message: n.message, ...(n.span ? pos(n.span) : {}) }));
  if (d.hint) rec.hint = d.hint;
  return rec;
}

export function summary(diags: readonly Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
