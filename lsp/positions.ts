// Offsets (UTF-16 code units, as the compiler's spans use) to LSP positions and back, and file
// URIs to the paths the compiler's SourceHost understands. LSP's default position encoding is
// UTF-16 too, so a column is an offset minus the line's start with no re-encoding.
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Position, Range } from 'vscode-languageserver';
import type { Span } from './compiler-api.js';

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }

  offset(p: Position): number {
    if (p.line < 0) return 0;
    if (p.line >= this.starts.length) return this.text.length;
    const start = this.starts[p.line]!;
    const end = p.line + 1 < this.starts.length ? this.starts[p.line + 1]! - 1 : this.text.length;
    return Math.min(start + Math.max(0, p.character), end);
  }

  range(offset: number, length: number): Range {
    return { start: this.position(offset), end: this.position(offset + length) };
  }

  spanRange(s: Span): Range {
    return this.range(s.offset, s.length);
  }
}

// Line indexes of the texts seen last, so repeated conversions on one source stay cheap.
const indexes = new Map<string, LineIndex>();

export function lineIndex(text: string): LineIndex {
  let ix = indexes.get(text);
  if (!ix) {
    if (indexes.size >= 64) indexes.delete(indexes.keys().next().value!);
    ix = new LineIndex(text);
    indexes.set(text, ix);
  }
  return ix;
}

/** A file URI's path; any other scheme (untitled:, vscode-notebook-cell:) keeps its URI as the name. */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

export function pathToUri(path: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path) ? path : pathToFileURL(path).href;
}
