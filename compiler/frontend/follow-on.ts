// Errors that follow from a syntax error. The parser recovers and the checker goes on, so that
// independent mistakes are all reported at once (test/fixtures/check/syntax-recovery.subnet);
// but what the checker says about the construct the syntax error cut short, or about the rest of
// the declaration after it, is an echo of that one error ("unknown network" for a call cut off
// before its arguments, "has no `data`" for an experiment cut off before its fields). Those are
// dropped, and syntax errors are listed first: they are the ones to fix first.
import type * as A from '../../grammar/ast.js';
import type { Diagnostic, Span } from '../../diagnostics/diagnostics.js';

/** E0001–E0099: the lexer's and the parser's. */
export function isSyntaxError(d: Diagnostic): boolean {
  return /^E00(0[1-9]|[1-9]\d)$/.test(d.code);
}

const PARSER_ERRORS = new Set(['E0010', 'E0011', 'E0014']);

interface Range {
  file: string;
  from: number;
  to: number;
}

const end = (s: { offset: number; length: number }) => s.offset + s.length;

/** The top-level item a syntax error at `offset` belongs to: the last one that starts at or before it. */
export function itemAt(program: A.Program, offset: number): A.Program['items'][number] | undefined {
  let found: A.Program['items'][number] | undefined;
  for (const item of program.items) if (item.span.offset <= offset && (!found || item.span.offset >= found.span.offset)) found = item;
  return found;
}

/** Every node below `root` that has a span (offset and length), the root included. */
function nodesWithSpans(root: unknown, out: { offset: number; length: number }[] = [], depth = 0): { offset: number; length: number }[] {
  if (depth > 200 || root === null || typeof root !== 'object') return out;
  if (Array.isArray(root)) {
    for (const x of root) nodesWithSpans(x, out, depth + 1);
    return out;
  }
  const o = root as Record<string, unknown>;
  const span = o.span as Span | undefined;
  if (span && typeof span.offset === 'number' && typeof span.length === 'number') out.push(span);
  for (const [k, v] of Object.entries(o)) if (k !== 'span' && typeof v === 'object') nodesWithSpans(v, out, depth + 1);
  return out;
}

/**
 * The stretches of source whose semantic diagnostics echo a syntax error: from a parser error to
 * the end of its declaration (or the next declaration), and the smallest construct the error cut
 * short (the one that ends right before it, with only blanks between: `FC(` at the end of the
 * file, `50` in `keep: 50 %`).
 */
function echoRanges(diags: Diagnostic[], programs: A.Program[], sources: Record<string, string>): Range[] {
  const ranges: Range[] = [];
  for (const d of diags) {
    if (!isSyntaxError(d) || !d.span) continue;
    const { file, offset } = d.span;
    const program = programs.find((p) => p.file === file);
    const item = program && itemAt(program, offset);
    if (!program || !item) continue;
    // The parser skips ahead after its errors, so what follows in the declaration was read out
    // of step; the lexer's errors (a stray character, `50 %`) leave the parse in step.
    if (PARSER_ERRORS.has(d.code)) {
      const next = program.items.filter((i) => i.span.offset > offset).reduce((m, i) => Math.min(m, i.span.offset), Infinity);
      ranges.push({ file, from: offset, to: Math.max(end(item.span), Math.min(next, (sources[file] ?? '').length)) });
    }
    const text = sources[file] ?? '';
    let cut: { offset: number; length: number } | undefined;
    for (const n of nodesWithSpans(item)) {
      if (n.offset >= offset || end(n) > offset || text.slice(end(n), offset).trim() !== '') continue;
      if (!cut || n.length < cut.length) cut = n;
    }
    if (cut) ranges.push({ file, from: cut.offset, to: end(cut) });
  }
  return ranges;
}

/** Drops the diagnostics that echo a syntax error, and puts the syntax errors first (order kept otherwise). */
export function syntaxErrorsFirst(diags: Diagnostic[], programs: A.Program[], sources: Record<string, string>): Diagnostic[] {
  const ranges = echoRanges(diags, programs, sources);
  const echo = (d: Diagnostic) =>
    !isSyntaxError(d) && d.span !== undefined && ranges.some((r) => r.file === d.span!.file && d.span!.offset >= r.from && d.span!.offset <= r.to);
  const kept = diags.filter((d) => !echo(d));
  return [...kept.filter(isSyntaxError), ...kept.filter((d) => !isSyntaxError(d))];
}
