// Compiler diagnostics as LSP diagnostics, and the quick fixes their hints imply. A diagnostic
// keeps its catalog code; its notes with a place become related information, the others and the
// hint join the message (as `subnet check` prints them). A diagnostic inside an imported file is
// shown in the importing document at its import, naming the file, with the real place related.
import { basename } from 'node:path';
import { DiagnosticSeverity, type CodeAction, type Diagnostic as LspDiagnostic, CodeActionKind, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Diagnostic, Span } from './compiler-api.js';
import { lineIndex, pathToUri } from './positions.js';
import type { Analysis } from './workspace.js';

/** Carried in `data` so code actions need no recompilation. */
export interface FixData {
  replacement: string;
}

/** The replacement a hint proposes for the diagnostic's own span, if it proposes one. */
export function hintReplacement(d: Diagnostic, sources: Record<string, string>): string | undefined {
  if (!d.hint || !d.span) return undefined;
  const m = /^(?:did you mean|write) `([^`]+)`/.exec(d.hint);
  if (!m) return undefined;
  const src = sources[d.span.file];
  if (src === undefined) return undefined;
  const old = src.slice(d.span.offset, d.span.offset + d.span.length);
  // Only a one-token replacement of a one-token span: a hint about something else (`write
  // \`env("X", "...")\``) is advice, not an edit of the marked text.
  if (!/^[\w.%+-]+$/.test(old) || !/^[\w.%+-]+$/.test(m[1]!)) return undefined;
  return m[1];
}

function relatedOf(n: { message: string; span?: Span }, sources: Record<string, string>): DiagnosticRelatedInformation | undefined {
  if (!n.span) return undefined;
  const text = sources[n.span.file];
  if (text === undefined) return undefined;
  return { location: { uri: pathToUri(n.span.file), range: lineIndex(text).spanRange(n.span) }, message: n.message };
}

export function toLspDiagnostics(a: Analysis): LspDiagnostic[] {
  const { sources } = a.result;
  const here = lineIndex(a.text);
  const out: LspDiagnostic[] = [];
  for (const d of a.result.diagnostics) {
    const related: DiagnosticRelatedInformation[] = [];
    const extra: string[] = [];
    for (const n of d.notes) {
      // The include chain is shown by placing the diagnostic at the import instead.
      if (n.message === 'imported here') continue;
      const r = relatedOf(n, sources);
      if (r) related.push(r);
      else extra.push(`note: ${n.message}`);
    }
    if (d.hint) extra.push(`help: ${d.hint}`);
    let message = d.message;
    let range = here.range(0, 0);
    if (d.span && d.span.file === a.path) {
      range = here.spanRange(d.span);
    } else if (d.span) {
      // In another file: at the import of this document that brought it in.
      const via = [...d.notes].reverse().find((n) => n.message === 'imported here' && n.span?.file === a.path);
      if (via?.span) range = here.spanRange(via.span);
      const r = relatedOf({ message: d.message, span: d.span }, sources);
      if (r) related.unshift(r);
      message = `in \`${basename(d.span.file)}\`: ${message}`;
    }
    const lsp: LspDiagnostic = {
      range,
      severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: d.code,
      source: 'subnet',
      message: extra.length ? `${message}\n${extra.join('\n')}` : message,
    };
    if (related.length) lsp.relatedInformation = related;
    const replacement = d.span?.file === a.path ? hintReplacement(d, sources) : undefined;
    if (replacement !== undefined) lsp.data = { replacement } satisfies FixData;
    out.push(lsp);
  }
  return out;
}

/**
 * Quick fixes for the diagnostics the client sends back. Their `data` holds the edit; a client
 * that drops `data` gets it from the current analysis, matched by code and range.
 */
export function quickFixes(uri: string, diagnostics: LspDiagnostic[], current?: Analysis): CodeAction[] {
  const actions: CodeAction[] = [];
  let known: LspDiagnostic[] | undefined;
  const sameRange = (a: LspDiagnostic, b: LspDiagnostic): boolean =>
    a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character && a.range.end.line === b.range.end.line && a.range.end.character === b.range.end.character;
  for (const d of diagnostics) {
    let data = d.data as Partial<FixData> | undefined;
    if (data === undefined && d.source === 'subnet' && current) {
      known ??= toLspDiagnostics(current);
      data = known.find((k) => k.code === d.code && sameRange(k, d))?.data as Partial<FixData> | undefined;
    }
    if (d.source !== 'subnet' || typeof data?.replacement !== 'string') continue;
    actions.push({
      title: `Change to \`${data.replacement}\``,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [uri]: [{ range: d.range, newText: data.replacement }] } },
    });
  }
  return actions;
}
