// Nesting limits. The parser and the evaluator recurse over the syntax, so thousands of nested
// brackets, unary signs or chained operators could exhaust the stack; such input is reported
// (E0014) and the top-level definition holding it is removed before parsing.
import type { IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { makeDiagnostic } from '../diagnostics/messages.js';

// Deep enough for any real program, shallow enough for the parser's recursion in a worker thread.
const MAX_NESTING = 64;
const MAX_CHAIN = 1000;
const OPENERS = new Set(['LBrace', 'LParen', 'LBracket']);
const CLOSERS = new Set(['RBrace', 'RParen', 'RBracket']);
const UNARY = new Set(['Minus', 'Bang']);
const BINARY = new Set(['Plus', 'Minus', 'Star', 'Slash', 'EqEq', 'NotEq', 'Lt', 'LtEq', 'Gt', 'GtEq', 'AndAnd', 'OrOr']);
const VALUE_END = new Set(['NumberLit', 'Percent', 'StringLit', 'Ident', 'Kw_true', 'Kw_false', 'RParen', 'RBracket', 'RBrace']);
const TOP = new Set(['Kw_import', 'Kw_network', 'Kw_experiment']);

/**
 * Finds nesting that would exhaust the stack of a recursive parser or evaluator (thousands of
 * brackets, unary signs or chained operators), reports it, and removes the top-level definition
 * that holds it from the token stream, so the rest of the file is still checked.
 */
export function limitNesting(file: string, tokens: IToken[]): { tokens: IToken[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const cut: [number, number][] = [];
  let depth = 0;
  let unary = 0;
  let chain = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const name = t.tokenType.name;
    const prev = tokens[i - 1]?.tokenType.name;
    let what: string | undefined;
    let limit = MAX_NESTING;
    if (TOP.has(name)) depth = unary = chain = 0;
    if (OPENERS.has(name)) {
      if (++depth > MAX_NESTING) what = 'this bracket';
      chain = 0;
    } else if (CLOSERS.has(name)) {
      depth = Math.max(0, depth - 1);
      chain = 0;
    } else if (UNARY.has(name) && !(prev && VALUE_END.has(prev))) {
      if (++unary > MAX_NESTING) what = 'this sign';
    } else if (BINARY.has(name)) {
      unary = 0;
      if (++chain > MAX_CHAIN) {
        what = 'this chain of operators';
        limit = MAX_CHAIN;
      }
    } else {
      if (name !== 'Ident' && name !== 'NumberLit' && name !== 'Percent' && name !== 'StringLit') chain = 0;
      unary = 0;
    }
    if (!what) continue;
    diagnostics.push(makeDiagnostic('E0014', { what, limit }, { file, offset: t.startOffset, length: t.image.length }));
    let a = i;
    while (a > 0 && !TOP.has(tokens[a]!.tokenType.name)) a--;
    let b = i + 1;
    while (b < tokens.length && !TOP.has(tokens[b]!.tokenType.name)) b++;
    cut.push([a, b]);
    i = b - 1;
    depth = unary = chain = 0;
  }
  if (!cut.length) return { tokens, diagnostics };
  const kept = tokens.filter((_, i) => !cut.some(([a, b]) => i >= a && i < b));
  return { tokens: kept, diagnostics };
}
