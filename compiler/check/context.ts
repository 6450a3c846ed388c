// The checker's reporting context: collects diagnostics, and carries a stack of notes that
// explain *why* a piece of code is being checked (the network instantiation, the sweep point), so
// an error deep inside a network body says which call and which sweep value led there.
import type { Diagnostic, Span } from '../../diagnostics/diagnostics.js';
import { makeDiagnostic, type DiagnosticExtras, type MessageArgs, type MessageCode } from '../../diagnostics/messages.js';
import type { ImageScan, ImageSource } from '../plan/config.js';

/** Lists an image dataset for the checker (the host's file system), or says what is wrong. */
export type ImageScanner = (source: ImageSource) => ImageScan | { error: string };

export interface Note {
  message: string;
  span?: Span;
}

export class Ctx {
  readonly diagnostics: Diagnostic[] = [];
  private readonly noteStack: Note[] = [];

  constructor(
    readonly env: Record<string, string | undefined>,
    /** Source text by file, for quoting values as written (`axes`, notes). */
    readonly sources: Record<string, string>,
    /** Absent when the host has no file system: `imagefolder` is then an error. */
    readonly scanImages?: ImageScanner,
  ) {}

  report(code: MessageCode, args: MessageArgs, span: Span | undefined, extras: DiagnosticExtras = {}): void {
    const d = makeDiagnostic(code, args, span, extras);
    // The innermost context first: "in `Bottleneck(64)`", then "in experiment `x`".
    for (let i = this.noteStack.length - 1; i >= 0; i--) {
      const n = this.noteStack[i]!;
      // A note whose span already contains the error's adds nothing: the frame shows that place.
      if (span && n.span && n.span.file === span.file && n.span.offset <= span.offset && span.offset + span.length <= n.span.offset + n.span.length) continue;
      d.notes.push({ ...n });
    }
    this.diagnostics.push(d);
  }

  /** Runs `fn` with `note` attached to every diagnostic it reports. */
  within<T>(note: Note | undefined, fn: () => T): T {
    if (!note) return fn();
    this.noteStack.push(note);
    try {
      return fn();
    } finally {
      this.noteStack.pop();
    }
  }

  /** Counts errors so callers can tell whether a sub-check failed. */
  errorCount(): number {
    let n = 0;
    for (const d of this.diagnostics) if (d.severity === 'error') n++;
    return n;
  }

  text(span: Span): string {
    const src = this.sources[span.file];
    return src === undefined ? '' : src.slice(span.offset, span.offset + span.length);
  }
}
