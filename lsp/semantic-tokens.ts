// Semantic tokens: colour for editors that have no TextMate grammar for .subnet (Neovim, Emacs
// with lsp-mode). Classified from the lexer's tokens, with the little context colour needs: a
// name before `:` in a call is a named argument, before `=` in an experiment a field, a network
// of the import graph a class, a built-in layer or constructor a function, an option an enum member.
import type { IToken } from 'chevrotain';
import { lex } from '../grammar/lexer.js';
import { builtinFunctionNames, NORMALIZE_PRESETS } from './compiler-api.js';
import { lineIndex } from './positions.js';
import { categoryOf, EVAL_MODES, FAN_MODES } from './vocabulary.js';

export const TOKEN_TYPES = ['keyword', 'number', 'string', 'comment', 'class', 'function', 'property', 'parameter', 'enumMember', 'variable', 'operator'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];
const T = Object.fromEntries(TOKEN_TYPES.map((t, i) => [t, i])) as Record<TokenType, number>;

const OPTIONS = new Set<string>([...FAN_MODES, ...EVAL_MODES, ...Object.keys(NORMALIZE_PRESETS), 'channels']);
const FUNCTIONS = new Set(builtinFunctionNames);

function classify(toks: IToken[], i: number, networks: ReadonlySet<string>): TokenType | undefined {
  const t = toks[i]!;
  const kind = t.tokenType.name;
  if (kind.startsWith('Kw_')) return 'keyword';
  if (kind === 'NumberLit' || kind === 'Percent') return 'number';
  if (kind === 'StringLit') return 'string';
  if (kind !== 'Ident') return undefined;
  const next = toks[i + 1]?.tokenType.name;
  const prev = toks[i - 1]?.tokenType.name;
  if (prev === 'Kw_network' || networks.has(t.image)) return 'class';
  if (prev === 'Kw_experiment') return 'class';
  if (next === 'Assign') return 'property';
  if (next === 'Colon') return 'parameter';
  if (prev === 'Dot') return 'property';
  const cat = categoryOf(t.image);
  if (cat && cat !== 'field') return 'function';
  if (FUNCTIONS.has(t.image)) return 'function';
  if (OPTIONS.has(t.image)) return 'enumMember';
  return 'variable';
}

/** The LSP encoding: per token, deltas of line and start, length, type, modifiers. */
export function semanticTokens(text: string, networks: ReadonlySet<string>): number[] {
  const { tokens, comments } = lex(text);
  const ix = lineIndex(text);
  const spans: { offset: number; length: number; type: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const type = classify(tokens, i, networks);
    if (type) spans.push({ offset: tokens[i]!.startOffset, length: tokens[i]!.image.length, type: T[type] });
  }
  // A block comment over several lines is one token per line (not every client takes multi-line tokens).
  for (const c of comments) {
    let start = c.startOffset;
    for (const part of c.image.split('\n')) {
      if (part.length) spans.push({ offset: start, length: part.length, type: T.comment });
      start += part.length + 1;
    }
  }
  spans.sort((a, b) => a.offset - b.offset);
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const s of spans) {
    const p = ix.position(s.offset);
    const dl = p.line - line;
    data.push(dl, dl === 0 ? p.character - char : p.character, s.length, s.type, 0);
    line = p.line;
    char = p.character;
  }
  return data;
}
