// The front end's API: source files in, checked and expanded runs (or diagnostics) out. Pure: all
// input comes through the SourceHost, nothing here touches the file system, the process or the GPU.
import type * as A from '../../grammar/ast.js';
import { parseFile, parseOverrideText, type ParsedFile } from '../../grammar/build-ast.js';
import { Ctx } from '../check/context.js';
import { elaborateStandalone } from '../check/network.js';
import { buildNetworkTable, checkDeclarations } from '../check/program.js';
import { didYouMean } from '../check/suggest.js';
import { dedupeDiagnostics, hasErrors as anyErrors, sortDiagnostics, type Diagnostic, type Span } from '../../diagnostics/diagnostics.js';
import { expandExperiment, type ExpandedRun } from '../expand/expand.js';
import { isSyntaxError, itemAt, syntaxErrorsFirst } from './follow-on.js';
import { makeDiagnostic } from '../../diagnostics/messages.js';
import type { ImageScan, ImageSource } from '../plan/config.js';

export type { ExpandedRun };

export interface SourceHost {
  /** undefined when missing; a host may throw an Error whose message says why it cannot read. */
  readFile(path: string): string | undefined;
  resolveImport(fromFile: string, spec: string): string; // to a path readFile understands
  env: Record<string, string | undefined>;
  /**
   * Lists an image dataset (`imagefolder`): class names and images per split, or a message
   * naming what is wrong. Optional: a host without a file system cannot check image data.
   */
  scanImages?(source: ImageSource): ImageScan | { error: string };
}

export interface CompileOptions {
  /** CLI `--set path=value`, checked like source; errors point into the argument. */
  overrides?: string[];
  /** Only this experiment (an error with did-you-mean if unknown). */
  experiment?: string;
}

export interface CompileResult {
  diagnostics: Diagnostic[];
  sources: Record<string, string>;
  experiments: { name: string; span: Span; runs: ExpandedRun[] }[];
  networks: { name: string; span: Span }[];
}

export function hasErrors(diags: Diagnostic[]): boolean {
  return anyErrors(diags);
}

// Parsing is pure, so files can be shared between compilations (the std library, the fuzzer).
const parseCache = new Map<string, ParsedFile>();
const PARSE_CACHE_LIMIT = 256;

function parseCached(path: string, text: string): ParsedFile {
  const key = `${path}\u0000${text}`;
  let hit = parseCache.get(key);
  if (!hit) {
    hit = parseFile(path, text);
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.delete(parseCache.keys().next().value!);
    parseCache.set(key, hit);
  }
  return { program: hit.program, diagnostics: structuredClone(hit.diagnostics) };
}

/** `f` relative to the directory of `entry` when it lies below it (messages stay short and stable). */
function relativeTo(entry: string, f: string): string {
  const slash = Math.max(entry.lastIndexOf('/'), entry.lastIndexOf('\\'));
  const dir = slash >= 0 ? entry.slice(0, slash + 1) : '';
  return dir && f.startsWith(dir) ? f.slice(dir.length) : f;
}

interface Loaded {
  programs: A.Program[];
  /** For every imported file, the import statement that first brought it in. */
  importedBy: Map<string, { file: string; span: Span }>;
}

function loadGraph(entry: string, host: SourceHost, sources: Record<string, string>, diags: Diagnostic[]): Loaded {
  const programs: A.Program[] = [];
  const importedBy = new Map<string, { file: string; span: Span }>();
  const stack: string[] = [];
  const done = new Set<string>();
  let reason = 'no such file';
  const read = (path: string): string | undefined => {
    reason = 'no such file';
    try {
      return host.readFile(path);
    } catch (e) {
      reason = e instanceof Error && e.message ? e.message : 'unreadable';
      return undefined;
    }
  };
  const load = (path: string, via?: Span): void => {
    const text = read(path);
    if (text === undefined) {
      diags.push(makeDiagnostic('E0106', { path: via ? (sources[via.file]?.slice(via.offset + 1, via.offset + via.length - 1) ?? path) : path, reason }, via));
      return;
    }
    sources[path] = text;
    done.add(path);
    const parsed = parseCached(path, text);
    diags.push(...parsed.diagnostics);
    programs.push(parsed.program);
    stack.push(path);
    for (const item of parsed.program.items) {
      if (item.kind !== 'import') continue;
      let target: string;
      try {
        target = host.resolveImport(path, item.path);
      } catch {
        diags.push(makeDiagnostic('E0106', { path: item.path, reason: 'the path cannot be resolved' }, item.pathSpan));
        continue;
      }
      const cycleAt = stack.indexOf(target);
      if (cycleAt >= 0) {
        const chain = [...stack.slice(cycleAt), target].map((f) => `\`${relativeTo(entry, f)}\``).join(' → ');
        diags.push(makeDiagnostic('E0107', { chain }, item.pathSpan));
        continue;
      }
      if (done.has(target)) continue;
      importedBy.set(target, { file: path, span: item.span });
      load(target, item.pathSpan);
    }
    stack.pop();
  };
  load(entry);
  return { programs, importedBy };
}

/** "imported here" notes from the file of the diagnostic up to the entry file. */
function includeChain(d: Diagnostic, importedBy: Loaded['importedBy']): void {
  let file = d.span?.file;
  const seen = new Set<string>();
  while (file !== undefined && !seen.has(file)) {
    seen.add(file);
    const via = importedBy.get(file);
    if (!via) break;
    d.notes.push({ message: 'imported here', span: via.span });
    file = via.file;
  }
}

export function compileProgram(entry: string, host: SourceHost, opts: CompileOptions = {}): CompileResult {
  const sources: Record<string, string> = {};
  const diags: Diagnostic[] = [];
  const result: CompileResult = { diagnostics: [], sources, experiments: [], networks: [] };
  let importedBy: Loaded['importedBy'] = new Map();
  let programs: A.Program[] = [];
  try {
    const loaded = loadGraph(entry, host, sources, diags);
    importedBy = loaded.importedBy;
    programs = loaded.programs;
    const ctx = new Ctx(host.env ?? {}, sources, host.scanImages ? cachedScanner(host.scanImages.bind(host)) : undefined);
    const table = buildNetworkTable(ctx, loaded.programs);
    result.networks = table.decls.map((d) => ({ name: d.name.text, span: d.name.span }));
    for (const decl of table.decls) checkDeclarations(ctx, table, decl);
    const entryProgram = loaded.programs.find((p) => p.file === entry);
    for (const decl of table.decls) if (decl.span.file === entry) elaborateStandalone(ctx, table, decl);

    const overrides: A.Override[] = [];
    for (const text of opts.overrides ?? []) {
      const file = `--set ${text}`;
      sources[file] = text;
      const r = parseOverrideText(file, text);
      diags.push(...r.diagnostics);
      if (r.override) overrides.push(r.override);
    }

    for (const prog of loaded.programs) {
      if (prog.file === entry) continue;
      for (const item of prog.items) if (item.kind === 'experiment') ctx.report('W0120', { name: item.name.text }, item.name.span);
    }
    const experiments = (entryProgram?.items ?? []).filter((i): i is A.ExperimentDecl => i.kind === 'experiment');
    const byName = new Map<string, A.ExperimentDecl>();
    for (const x of experiments) {
      const prev = byName.get(x.name.text);
      if (prev) ctx.report('E0105', { name: x.name.text }, x.name.span, { notes: [{ message: 'first defined here', span: prev.name.span }] });
      else byName.set(x.name.text, x);
    }
    let selected = [...byName.values()];
    if (opts.experiment !== undefined) {
      const chosen = byName.get(opts.experiment);
      // With no entry file there is nothing to select from: its E0106 says enough.
      if (!chosen && entryProgram) {
        const file = `--experiment ${opts.experiment}`;
        sources[file] = opts.experiment;
        const hint = didYouMean(opts.experiment, byName.keys());
        ctx.report('E0108', { name: opts.experiment }, { file, offset: 0, length: opts.experiment.length }, hint ? { hint } : {});
      }
      selected = chosen ? [chosen] : [];
    }
    const syntaxErrors = anyErrors(diags);
    // A syntax error belongs to the declaration it follows (one cut off at the end of the file
    // has its error after its own span).
    const damaged = (x: A.ExperimentDecl): boolean =>
      diags.some((d) => isSyntaxError(d) && d.span && d.span.file === x.span.file && itemAt(entryProgram!, d.span.offset) === x);
    for (const x of selected) {
      const runs = expandExperiment(ctx, table, x, overrides, damaged(x));
      result.experiments.push({ name: x.name.text, span: x.name.span, runs: syntaxErrors ? [] : runs });
    }
    diags.push(...ctx.diagnostics);
  } catch (e) {
    // A safety net: the compiler must not throw. The fuzz test asserts this is never reached.
    if (e instanceof RangeError && /call stack/.test(e.message)) diags.push(makeDiagnostic('E0014', { what: 'the program', limit: 'the stack\'s' }));
    else diags.push(makeDiagnostic('E0000', { message: e instanceof Error ? e.message : String(e) }));
  }
  const all = syntaxErrorsFirst(sortDiagnostics(dedupeDiagnostics(diags), Object.keys(sources)), programs, sources);
  for (const d of all) includeChain(d, importedBy);
  result.diagnostics = all;
  if (anyErrors(all)) for (const x of result.experiments) x.runs = [];
  return result;
}

/** Every point of a sweep checks its data; a dataset is listed once per compilation. */
function cachedScanner(scan: (s: ImageSource) => ImageScan | { error: string }): (s: ImageSource) => ImageScan | { error: string } {
  const seen = new Map<string, ImageScan | { error: string }>();
  return (s) => {
    const key = JSON.stringify(s);
    let r = seen.get(key);
    if (!r) seen.set(key, (r = scan(s)));
    return r;
  };
}
