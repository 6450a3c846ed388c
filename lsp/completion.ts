// Completion from the tokens before the cursor: a small bracket-matching walk finds where the
// cursor is (top level, an experiment's fields, a field's value, a call's arguments, an
// argument's value, the `train` record, a network body) even in a half-written buffer the parser
// cannot build an AST for, which is the usual state while typing.
import { readdirSync } from 'node:fs';
import type { IToken } from 'chevrotain';
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { lex } from '../grammar/lexer.js';
import type * as A from '../grammar/ast.js';
import { STD_DIR } from './runtime-api.js';
import { PARAM_TYPES } from './compiler-api.js';
import { languageDocs } from './docs-index.js';
import { leadingComment, networkSignature } from './hover.js';
import { networkDecls } from './locate.js';
import {
  argValues,
  BOOLEAN_ARGS,
  builtinParams,
  EXPERIMENT_FIELDS,
  FIELD_VALUES,
  LAYER_NAMES,
  PERCENT_ARGS,
  PERCENT_EXAMPLES,
  STATEMENT_KEYWORDS,
  TOP_KEYWORDS,
  TRAIN_RECORD_KEYS,
  type Category,
} from './vocabulary.js';
import type { Workspace } from './workspace.js';

type Frame =
  | { kind: 'experiment'; field?: string; sweep: boolean }
  | { kind: 'network' | 'block' | 'params' | 'paren' | 'zip' }
  | { kind: 'call'; callee: string; arg?: string; given: string[]; field?: string }
  | { kind: 'list'; arg?: string }
  | { kind: 'record'; owner?: string; key?: string };

export type Context =
  | { kind: 'top' }
  | { kind: 'import' }
  | { kind: 'fields' }
  | { kind: 'fieldValue'; field: string }
  | { kind: 'sweepPath' }
  | { kind: 'args'; callee: string; given: string[]; field?: string }
  | { kind: 'argValue'; callee: string; arg: string }
  | { kind: 'listItem'; arg?: string }
  | { kind: 'recordKey'; owner?: string }
  | { kind: 'statement' }
  | { kind: 'paramType' }
  | { kind: 'none' };

const type = (t: IToken): string => t.tokenType.name;
const isName = (t: IToken | undefined): boolean => !!t && (type(t) === 'Ident' || type(t).startsWith('Kw_'));

/** Where the cursor at `offset` is, from the tokens before it. */
export function completionContext(text: string, offset: number): Context {
  const before = text.slice(0, offset);
  const lexed = lex(before);
  // Inside a comment that reaches the cursor: nothing to complete.
  const lastComment = lexed.comments[lexed.comments.length - 1];
  if (lastComment && lastComment.startOffset + lastComment.image.length >= offset && !(lastComment.image.startsWith('/*') && lastComment.image.endsWith('*/') && lastComment.image.length >= 4)) return { kind: 'none' };
  let toks = lexed.tokens;
  const tail = toks[toks.length - 1];
  if (tail && type(tail) === 'StringLit' && tail.startOffset + tail.image.length >= offset) {
    const prev = toks[toks.length - 2];
    return prev && type(prev) === 'Kw_import' && !/^".*"$/.test(tail.image.length > 1 ? tail.image : '') ? { kind: 'import' } : { kind: 'none' };
  }
  // A word being typed is the filter, not context.
  if (tail && isName(tail) && tail.startOffset + tail.image.length === offset) toks = toks.slice(0, -1);

  const stack: Frame[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const prev = toks[i - 1];
    const top = stack[stack.length - 1];
    switch (type(t)) {
      case 'LBrace': {
        if (!top) {
          // `experiment name {` or `network name(...) {`: the nearest keyword says which.
          let k = i - 1;
          while (k >= 0 && type(toks[k]!) !== 'Kw_experiment' && type(toks[k]!) !== 'Kw_network') k--;
          stack.push(k >= 0 && type(toks[k]!) === 'Kw_experiment' ? { kind: 'experiment', sweep: false } : { kind: 'network' });
        } else if (top.kind === 'network' || top.kind === 'block') stack.push({ kind: 'block' });
        else if (top.kind === 'experiment') stack.push({ kind: 'record', owner: top.field });
        else if (top.kind === 'call') stack.push({ kind: 'record', owner: top.arg });
        else stack.push({ kind: 'record' });
        break;
      }
      case 'LParen':
        if (prev && type(prev) === 'Kw_zip') stack.push({ kind: 'zip' });
        else if (!top && prev && type(prev) === 'Ident') stack.push({ kind: 'params' });
        else if (prev && type(prev) === 'Ident') stack.push({ kind: 'call', callee: prev.image, given: [], field: top?.kind === 'experiment' ? top.field : undefined });
        else stack.push({ kind: 'paren' });
        break;
      case 'LBracket':
        stack.push({ kind: 'list', arg: top?.kind === 'call' ? top.arg : undefined });
        break;
      case 'RBrace':
      case 'RParen':
      case 'RBracket':
        stack.pop();
        break;
      case 'Assign':
        if (top?.kind === 'experiment' && prev && isName(prev)) {
          top.field = prev.image;
          top.sweep = false;
        }
        break;
      case 'Kw_sweep':
        if (top?.kind === 'experiment') {
          top.sweep = true;
          top.field = undefined;
        }
        break;
      case 'Colon':
        if (top?.kind === 'call' && prev && isName(prev)) {
          top.arg = prev.image;
          top.given.push(prev.image);
        } else if (top?.kind === 'record' && prev && isName(prev)) top.key = prev.image;
        break;
      case 'Comma':
        if (top?.kind === 'call') top.arg = undefined;
        break;
      default:
        break;
    }
  }
  const top = stack[stack.length - 1];
  const last = toks[toks.length - 1];
  const lastType = last ? type(last) : '';
  if (!top) return lastType === 'Kw_import' ? { kind: 'import' } : { kind: 'top' };
  switch (top.kind) {
    case 'experiment':
      if (lastType === 'Assign' && top.field) return { kind: 'fieldValue', field: top.field };
      if (lastType === 'Kw_sweep') return { kind: 'sweepPath' };
      if (top.sweep && lastType !== 'RBracket') return { kind: 'none' };
      return { kind: 'fields' };
    case 'call':
      if (lastType === 'Colon' && top.arg) return { kind: 'argValue', callee: top.callee, arg: top.arg };
      if (lastType === 'LParen' || lastType === 'Comma') return { kind: 'args', callee: top.callee, given: [...top.given, ...namedAfter(text, offset)], field: top.field };
      return { kind: 'none' };
    case 'list':
      return lastType === 'LBracket' || lastType === 'Comma' ? { kind: 'listItem', arg: top.arg } : { kind: 'none' };
    case 'record':
      if (lastType === 'Colon') return { kind: 'none' };
      return { kind: 'recordKey', owner: top.owner };
    case 'network':
    case 'block':
      return { kind: 'statement' };
    case 'params':
      return lastType === 'Colon' ? { kind: 'paramType' } : { kind: 'none' };
    case 'zip':
      return lastType === 'LParen' || lastType === 'Comma' ? { kind: 'sweepPath' } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

/** Names given as `name:` after the cursor in the same argument list (they are not offered again). */
function namedAfter(text: string, offset: number): string[] {
  const toks = lex(text.slice(offset)).tokens;
  const out: string[] = [];
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const k = type(toks[i]!);
    if (k === 'LParen' || k === 'LBracket' || k === 'LBrace') depth++;
    else if (k === 'RParen' || k === 'RBracket' || k === 'RBrace') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && k === 'Colon' && i > 0 && isName(toks[i - 1])) out.push(toks[i - 1]!.image);
  }
  return out;
}

const SWEEP_PATHS = ['mask.keep', 'model.width', 'optimizer.lr', 'optimizer.weight_decay', 'train.epochs', 'train.batch', 'weights.scaled', 'data.subset'];

const KIND: Record<Category, CompletionItemKind> = {
  field: CompletionItemKind.Field,
  network: CompletionItemKind.Class,
  data: CompletionItemKind.Constructor,
  distribution: CompletionItemKind.Function,
  scores: CompletionItemKind.Function,
  policy: CompletionItemKind.Function,
  optimizer: CompletionItemKind.Function,
  schedule: CompletionItemKind.Function,
  layer: CompletionItemKind.Function,
  option: CompletionItemKind.EnumMember,
  augment: CompletionItemKind.Function,
  keyword: CompletionItemKind.Keyword,
};

function doc(name: string): CompletionItem['documentation'] {
  const md = languageDocs().render(name);
  return md ? { kind: 'markdown', value: md } : undefined;
}

function builtin(names: readonly string[], category: Category, field?: string): CompletionItem[] {
  return names.map((name) => {
    const params = builtinParams(name, field);
    return { label: name, kind: KIND[category], detail: params ? `${name}(${params.join(', ')})` : category, documentation: doc(name) };
  });
}

function networks(ws: Workspace, path: string): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const [name, d] of networkDecls(ws.importGraph(path))) {
    const text = ws.read(d.span.file);
    const parsed = ws.parse(d.span.file);
    const comment = parsed && text ? leadingComment(parsed.program, text, d) : undefined;
    const docs = [comment, languageDocs().render(name)].filter(Boolean).join('\n\n');
    out.push({ label: name, kind: CompletionItemKind.Class, detail: networkSignature(d, text), documentation: docs ? { kind: 'markdown', value: docs } : undefined });
  }
  return out;
}

function networkParams(ws: Workspace, path: string, callee: string): readonly string[] | undefined {
  const d: A.NetworkDecl | undefined = networkDecls(ws.importGraph(path)).get(callee);
  return d?.params?.map((p) => p.name.text);
}

export function completionItems(ws: Workspace, path: string, text: string, offset: number, snippets: boolean): CompletionItem[] {
  const ctx = completionContext(text, offset);
  const keywords = (words: readonly string[]): CompletionItem[] => words.map((w) => ({ label: w, kind: CompletionItemKind.Keyword }));
  switch (ctx.kind) {
    case 'top':
      return keywords(TOP_KEYWORDS);
    case 'import': {
      let files: string[] = [];
      try {
        files = readdirSync(STD_DIR).filter((f) => f.endsWith('.subnet'));
      } catch {
        // No std/ installed: nothing to offer.
      }
      const quoted = text[offset - 1] === '"' || /"[^"\n]*$/.test(text.slice(0, offset));
      return files.map((f) => ({ label: `std/${f}`, kind: CompletionItemKind.File, insertText: quoted ? `std/${f}` : `"std/${f}"` }));
    }
    case 'fields':
      return [
        ...EXPERIMENT_FIELDS.map((f) => ({ label: f, kind: CompletionItemKind.Field, insertText: `${f} = `, documentation: doc(f) })),
        { label: 'sweep', kind: CompletionItemKind.Keyword, insertText: 'sweep ' },
      ];
    case 'fieldValue': {
      if (ctx.field === 'model') return networks(ws, path);
      if (ctx.field === 'train') {
        return [
          snippets
            ? { label: '{ epochs, batch }', kind: CompletionItemKind.Snippet, insertText: '{ epochs: ${1:10}, batch: ${2:128} }', insertTextFormat: InsertTextFormat.Snippet, documentation: doc('train') }
            : { label: '{ epochs, batch }', kind: CompletionItemKind.Snippet, insertText: '{ epochs: 10, batch: 128 }', documentation: doc('train') },
        ];
      }
      const v = FIELD_VALUES[ctx.field];
      return v ? builtin(v.names, v.category, ctx.field) : [];
    }
    case 'sweepPath':
      // A whole field, or the paths into one that sweeps use most (docs/language.md §4.8).
      return [
        ...EXPERIMENT_FIELDS.filter((f) => f !== 'seed' && f !== 'seeds').map((f) => ({ label: f, kind: CompletionItemKind.Field, documentation: doc(f) })),
        ...SWEEP_PATHS.map((p) => ({ label: p, kind: CompletionItemKind.Property, insertText: `${p} in [`, documentation: doc(p.split('.').pop()!) })),
      ];
    case 'args': {
      const params = builtinParams(ctx.callee, ctx.field) ?? networkParams(ws, path, ctx.callee) ?? [];
      return params
        .filter((p) => !ctx.given.includes(p))
        .map((p) => {
          const pctArg = PERCENT_ARGS.has(p);
          const item: CompletionItem = { label: p, kind: CompletionItemKind.Property, detail: `${ctx.callee}(… ${p}: …)`, insertText: `${p}: `, documentation: doc(p) };
          if (pctArg) {
            item.detail = `${p}: a percentage`;
            if (snippets) {
              item.insertText = `${p}: \${1:50}%`;
              item.insertTextFormat = InsertTextFormat.Snippet;
            }
          }
          return item;
        });
    }
    case 'argValue': {
      if (PERCENT_ARGS.has(ctx.arg)) {
        const items: CompletionItem[] = PERCENT_EXAMPLES.map((p, i) => ({ label: p, kind: CompletionItemKind.Unit, detail: `${ctx.arg}: a percentage (a bare number is an error)`, sortText: String(i) }));
        return items;
      }
      if (BOOLEAN_ARGS.has(ctx.arg)) return ['true', 'false'].map((b) => ({ label: b, kind: CompletionItemKind.Value }));
      if ((ctx.arg === 'first' || ctx.arg === 'last') && ctx.callee === 'edge_popup') {
        return [{ label: 'dense', kind: CompletionItemKind.EnumMember, documentation: doc(ctx.callee) }, ...PERCENT_EXAMPLES.map((p) => ({ label: p, kind: CompletionItemKind.Unit }))];
      }
      const v = argValues(ctx.callee, ctx.arg);
      if (!v) return [];
      if (ctx.arg === 'augment') return [{ label: '[random_crop(pad: 4), hflip]', kind: CompletionItemKind.Value }, { label: '[]', kind: CompletionItemKind.Value }];
      return builtin(v.names, v.category);
    }
    case 'listItem': {
      const v = ctx.arg ? argValues('', ctx.arg) : undefined;
      return v ? builtin(v.names, v.category) : [];
    }
    case 'recordKey':
      return ctx.owner === 'train' ? TRAIN_RECORD_KEYS.map((k) => ({ label: k, kind: CompletionItemKind.Property, insertText: `${k}: `, documentation: doc(k) })) : [];
    case 'statement':
      return [...builtin(LAYER_NAMES, 'layer'), ...networks(ws, path), ...keywords(STATEMENT_KEYWORDS)];
    case 'paramType':
      return PARAM_TYPES.map((t) => ({ label: t, kind: CompletionItemKind.TypeParameter }));
    default:
      return [];
  }
}
