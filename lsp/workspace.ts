// The server's view of the files: open buffers first, the disk second (what the editor shows is
// what gets checked, saved or not), and one analysis per open document and version. An analysis
// is the compiler's front end run on the buffer as the entry file, plus the parsed entry, which
// hover, completion and navigation read; it is made at most once per version.
import { readFileSync } from 'node:fs';
import { parseFile, type ParsedFile } from '../grammar/build-ast.js';
import type * as A from '../grammar/ast.js';
import { resolveImportPath } from './runtime-api.js';
import { compileProgram, type CompileResult, type SourceHost } from './compiler-api.js';
import { uriToPath } from './positions.js';

export interface OpenDoc {
  uri: string;
  version: number;
  text: string;
}

export interface Analysis {
  uri: string;
  path: string;
  version: number;
  text: string;
  result: CompileResult;
  program: A.Program;
  /** Milliseconds the compilation took (for the bench and the log). */
  ms: number;
}

export class Workspace {
  private readonly docs = new Map<string, OpenDoc>();
  /** Open buffers by the path the compiler sees. */
  private readonly byPath = new Map<string, OpenDoc>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly parsed = new Map<string, { text: string; file: ParsedFile }>();

  constructor(private readonly env: Record<string, string | undefined> = process.env) {}

  open(uri: string, version: number, text: string): void {
    const d = { uri, version, text };
    this.docs.set(uri, d);
    this.byPath.set(uriToPath(uri), d);
  }

  change(uri: string, version: number, text: string): void {
    this.open(uri, version, text);
  }

  close(uri: string): void {
    this.docs.delete(uri);
    this.byPath.delete(uriToPath(uri));
    this.analyses.delete(uri);
  }

  get(uri: string): OpenDoc | undefined {
    return this.docs.get(uri);
  }

  openUris(): string[] {
    return [...this.docs.keys()];
  }

  /** The text of a file: its open buffer, else the disk; undefined when neither has it. */
  read(path: string): string | undefined {
    const open = this.byPath.get(path);
    if (open) return open.text;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  host(): SourceHost {
    return {
      readFile: (p) => this.read(p),
      resolveImport: (from, spec) => resolveImportPath(from, spec),
      env: this.env,
    };
  }

  /** Parses a file (buffer or disk), reusing the last parse while its text is unchanged. */
  parse(path: string, text?: string): ParsedFile | undefined {
    const t = text ?? this.read(path);
    if (t === undefined) return undefined;
    const hit = this.parsed.get(path);
    if (hit && hit.text === t) return hit.file;
    const file = parseFile(path, t);
    if (this.parsed.size >= 128) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(path, { text: t, file });
    return file;
  }

  /** The analysis of an open document at its current version (made now if it is stale). */
  analyse(uri: string): Analysis | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    const have = this.analyses.get(uri);
    if (have && have.version === doc.version && have.text === doc.text) return have;
    const path = uriToPath(uri);
    const t0 = performance.now();
    const result = compileProgram(path, this.host());
    const program = this.parse(path, doc.text)!.program;
    const a: Analysis = { uri, path, version: doc.version, text: doc.text, result, program, ms: performance.now() - t0 };
    this.analyses.set(uri, a);
    return a;
  }

  /** Forgets every analysis and parse (files on disk changed under them). */
  invalidate(): void {
    this.analyses.clear();
    this.parsed.clear();
  }

  /** The last analysis made, whatever its version (completion does not wait for a fresh one). */
  lastAnalysis(uri: string): Analysis | undefined {
    return this.analyses.get(uri);
  }

  /** The programs of the entry's import graph, entry first (each parsed once per text). */
  importGraph(path: string): A.Program[] {
    const out: A.Program[] = [];
    const seen = new Set<string>();
    const visit = (p: string, depth: number): void => {
      if (seen.has(p) || depth > 64) return;
      seen.add(p);
      const parsed = this.parse(p);
      if (!parsed) return;
      out.push(parsed.program);
      for (const item of parsed.program.items) {
        if (item.kind !== 'import') continue;
        let target: string;
        try {
          target = resolveImportPath(p, item.path);
        } catch {
          continue;
        }
        visit(target, depth + 1);
      }
    };
    visit(path, 0);
    return out;
  }
}
