// Diagnostics are plain data: the compiler produces them, the CLI renders them (runtime/cli/
// render.ts). Positions are UTF-16 offsets into the source string, converted to line:column only
// when rendered, so the compiler never needs to know about lines.

export interface Span {
  file: string;
  offset: number;
  length: number;
}

export interface Diagnostic {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  span?: Span;
  notes: { message: string; span?: Span }[];
  hint?: string;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** A span covering `a` through `b` (same file). */
export function joinSpans(a: Span, b: Span): Span {
  const start = Math.min(a.offset, b.offset);
  const end = Math.max(a.offset + a.length, b.offset + b.length);
  return { file: a.file, offset: start, length: end - start };
}

/**
 * Sorts diagnostics into source order: files in the order given, then by offset; diagnostics
 * without a span last. Stable, so diagnostics at the same place keep their production order.
 */
export function sortDiagnostics(diags: Diagnostic[], fileOrder: readonly string[]): Diagnostic[] {
  const rank = new Map(fileOrder.map((f, i) => [f, i]));
  const key = (d: Diagnostic): [number, number] =>
    d.span ? [rank.get(d.span.file) ?? fileOrder.length, d.span.offset] : [fileOrder.length + 1, 0];
  return diags
    .map((d, i) => ({ d, i, k: key(d) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.i - b.i)
    .map((x) => x.d);
}

/** Drops exact repeats (same code, place and message), which arise when a network is elaborated once per run. */
export function dedupeDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const k = `${d.code}|${d.span?.file}|${d.span?.offset}|${d.span?.length}|${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out;
}
