// Hover: on a model, the network's layer table at the experiment's settings (shapes, params,
// kept) and its totals; on `mask`/`keep`/`prune`, the kept weights per layer; on a built-in name,
// a field or an argument, the reference's text for it (docs/language.md); on a network, its
// signature and the comment above its definition.
import type * as A from '../grammar/ast.js';
import type { Hover } from 'vscode-languageserver';
import { resolveImportPath } from './runtime-api.js';
import { SIGNATURES, type Span } from './compiler-api.js';
import { languageDocs } from './docs-index.js';
import { int, layerTable, runStats, sweepSummary } from './layer-table.js';
import { locate, networkDecls, type Hit } from './locate.js';
import { lineIndex } from './positions.js';
import { builtinParams, categoryOf, PERCENT_ARGS } from './vocabulary.js';
import type { Analysis, Workspace } from './workspace.js';

const fence = (code: string): string => '```subnet\n' + code + '\n```';

export function networkSignature(d: A.NetworkDecl, text: string | undefined): string {
  const params = d.params === null ? '' : `(${d.params.map((p) => (p.default && text ? `${p.name.text}: ${p.type.text} = ${slice(text, p.default.span)}` : `${p.name.text}: ${p.type.text}`)).join(', ')})`;
  return `network ${d.name.text}${params}`;
}

const slice = (text: string, s: Span): string => text.slice(s.offset, s.offset + s.length);

/** The line comments directly above a declaration, without their slashes. */
export function leadingComment(program: A.Program, text: string, d: { span: Span }): string | undefined {
  const lines: string[] = [];
  let end = d.span.offset;
  for (let i = program.comments.length - 1; i >= 0; i--) {
    const c = program.comments[i]!;
    if (c.span.offset + c.span.length > end) continue;
    if (text.slice(c.span.offset + c.span.length, end).trim() !== '') break;
    if (!c.text.startsWith('//')) break;
    lines.unshift(c.text.replace(/^\/\/\s?/, ''));
    end = c.span.offset;
  }
  return lines.length ? lines.join(' ') : undefined;
}

function runsOf(a: Analysis, exp: A.ExperimentDecl | undefined) {
  if (!exp) return undefined;
  return a.result.experiments.find((x) => x.name === exp.name.text && x.span.offset === exp.name.span.offset)?.runs;
}

function modelHover(a: Analysis, ws: Workspace, exp: A.ExperimentDecl, network: string): string {
  const parts: string[] = [];
  const decl = networkDecls(ws.importGraph(a.path)).get(network);
  if (decl) parts.push(fence(networkSignature(decl, ws.read(decl.span.file))));
  const runs = runsOf(a, exp) ?? [];
  const run = runs[0];
  const stats = run ? runStats(run) : null;
  if (!run || !stats) {
    parts.push(`No layer table: experiment \`${exp.name.text}\` does not compile yet (see its diagnostics).`);
  } else {
    const axes = Object.entries(run.config.axes).map(([k, v]) => `${k} = ${v}`);
    const which = runs.length > 1 ? ` (run 1 of ${runs.length}${axes.length ? `: ${axes.join(', ')}` : ''})` : '';
    parts.push(`**${network}**: ${int(stats.params)} weights, ${int(stats.keptParams)} kept${which}`);
    parts.push(layerTable(stats, { shapes: true }));
    const sweep = sweepSummary(runs);
    if (sweep) parts.push(`Kept weights across the sweep:\n\n${sweep}`);
  }
  const doc = languageDocs().render(network);
  if (doc) parts.push(doc);
  return parts.join('\n\n');
}

function keepHover(a: Analysis, exp: A.ExperimentDecl, name: string): string | undefined {
  const runs = runsOf(a, exp);
  const run = runs?.[0];
  const stats = run ? runStats(run) : null;
  const doc = languageDocs().render(name);
  if (!run || !stats) return doc;
  const which = runs!.length > 1 ? ` (run 1 of ${runs!.length})` : '';
  const parts = [`**Kept weights per layer**${which}`, layerTable(stats, { shapes: false })];
  const sweep = sweepSummary(runs!);
  if (sweep) parts.push(`Across the sweep:\n\n${sweep}`);
  if (doc) parts.push(doc);
  return parts.join('\n\n');
}

function builtinHover(name: string, field?: string): string | undefined {
  const params = builtinParams(name, field);
  const cat = categoryOf(name);
  const parts: string[] = [];
  if (params && cat && cat !== 'field') parts.push(fence(`${name}(${params.join(', ')})`) + `\n\n${cat}`);
  const doc = languageDocs().render(name);
  if (doc) parts.push(doc);
  return parts.length ? parts.join('\n\n') : undefined;
}

function networkHover(ws: Workspace, path: string, name: string): string | undefined {
  const decl = networkDecls(ws.importGraph(path)).get(name);
  if (!decl) return undefined;
  const text = ws.read(decl.span.file);
  const parsed = ws.parse(decl.span.file);
  const parts = [fence(networkSignature(decl, text))];
  const comment = parsed && text ? leadingComment(parsed.program, text, decl) : undefined;
  if (comment) parts.push(comment);
  const doc = languageDocs().render(name);
  if (doc) parts.push(doc);
  return parts.join('\n\n');
}

function isKeepContext(hit: Hit): boolean {
  if (hit.where.field !== 'mask') return false;
  if (hit.kind === 'field') return true;
  if (hit.kind === 'argName') return PERCENT_ARGS.has(hit.name.text);
  if (hit.kind === 'literal') return hit.where.arg !== undefined && PERCENT_ARGS.has(hit.where.arg);
  if (hit.kind === 'sweepPath') return PERCENT_ARGS.has(hit.path[hit.index]!.text) || hit.index === 0;
  return false;
}

function hoverMarkdown(a: Analysis, ws: Workspace, hit: Hit): string | undefined {
  const exp = hit.where.experiment;
  // The policy's own entry explains its `keep` (the layer-level `keep:` entry would mislead here).
  if (exp && isKeepContext(hit)) return keepHover(a, exp, hit.kind === 'field' ? 'mask' : (hit.where.callee ?? 'edge_popup'));
  if (exp && hit.where.field === 'model' && hit.where.callee === undefined) {
    if (hit.kind === 'callee') return modelHover(a, ws, exp, hit.name.text);
    if (hit.kind === 'ident') return modelHover(a, ws, exp, hit.name);
    if (hit.kind === 'field') {
      const v = hit.field.value;
      const name = v.kind === 'call' ? v.callee.text : v.kind === 'ident' ? v.name : undefined;
      if (name) return modelHover(a, ws, exp, name);
    }
  }
  switch (hit.kind) {
    case 'callee':
      return builtinHover(hit.name.text, hit.where.field) ?? networkHover(ws, a.path, hit.name.text);
    case 'ident': {
      // A parameter of the enclosing network shadows every other meaning of its name.
      const param = hit.where.network?.params?.find((p) => p.name.text === hit.name);
      if (param) return fence(`${param.name.text}: ${param.type.text}${param.default ? ` = ${slice(a.text, param.default.span)}` : ''}`) + `\n\nparameter of \`${hit.where.network!.name.text}\``;
      return builtinHover(hit.name, hit.where.field) ?? networkHover(ws, a.path, hit.name);
    }
    case 'field':
      return languageDocs().render(hit.field.name.text);
    case 'argName': {
      const head = SIGNATURES[hit.callee] || builtinParams(hit.callee) ? fence(`${hit.callee}(${(builtinParams(hit.callee, hit.where.field) ?? []).join(', ')})`) : undefined;
      const doc = languageDocs().render(hit.name.text) ?? languageDocs().render(hit.callee);
      return [head, doc].filter(Boolean).join('\n\n') || undefined;
    }
    case 'recordKey':
      return languageDocs().render(hit.key.text);
    case 'sweepPath':
      return languageDocs().render(hit.path[hit.index]!.text);
    case 'network':
      return networkHover(ws, a.path, hit.decl.name.text);
    case 'param':
      return fence(`${hit.param.name.text}: ${hit.param.type.text}`) + `\n\nparameter of \`${hit.where.network?.name.text}\``;
    case 'import': {
      // The file it resolves to and the networks it brings in.
      let target: string;
      try {
        target = resolveImportPath(a.path, hit.item.path);
      } catch {
        return undefined;
      }
      const parsed = ws.parse(target);
      if (!parsed) return `\`${target}\`: cannot be read`;
      const text = ws.read(target);
      const nets = parsed.program.items.filter((i): i is A.NetworkDecl => i.kind === 'network').map((d) => networkSignature(d, text));
      return [`\`${target}\``, nets.length ? fence(nets.join('\n')) : 'no networks'].join('\n\n');
    }
    case 'experiment': {
      const runs = runsOf(a, hit.decl);
      return runs ? `experiment \`${hit.decl.name.text}\`: ${runs.length} run${runs.length === 1 ? '' : 's'}` : undefined;
    }
    default:
      return undefined;
  }
}

export function hover(a: Analysis, ws: Workspace, offset: number): Hover | null {
  const hit = locate(a.program, offset);
  if (!hit) return null;
  const md = hoverMarkdown(a, ws, hit);
  if (!md) return null;
  const span = hit.kind === 'callee' || hit.kind === 'argName' ? hit.name.span : hit.kind === 'ident' ? hit.span : hit.kind === 'field' ? hit.field.name.span : undefined;
  const h: Hover = { contents: { kind: 'markdown', value: md } };
  if (span) h.range = lineIndex(a.text).spanRange(span);
  return h;
}
