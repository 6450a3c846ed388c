// Tokens of the `.subnet` language (docs/language.md §1). Keywords are declared with
// `longer_alt: Ident` so that `inputs` or `seeds2` lex as identifiers, not as a keyword plus a tail.
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

export const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

function keyword(word: string): TokenType {
  return createToken({ name: `Kw_${word}`, pattern: new RegExp(word), longer_alt: Ident, label: `\`${word}\`` });
}

export const Import = keyword('import');
export const Network = keyword('network');
export const Experiment = keyword('experiment');
export const Input = keyword('input');
export const Sweep = keyword('sweep');
export const Zip = keyword('zip');
// `in` must not swallow the start of `int`/`input`: longer_alt handles it, and `input` comes first.
export const In = keyword('in');
export const Seeds = keyword('seeds');
export const Seed = keyword('seed');
export const Repeat = keyword('repeat');
export const Residual = keyword('residual');
export const Shortcut = keyword('shortcut');
export const If = keyword('if');
export const Else = keyword('else');
export const True = keyword('true');
export const False = keyword('false');

export const KEYWORDS = [
  'import', 'network', 'experiment', 'input', 'sweep', 'zip', 'in', 'seeds', 'seed', 'repeat',
  'residual', 'shortcut', 'if', 'else', 'true', 'false',
];

// A percentage is one token so that `50 %` (with a space) is a lexical error with a clear fix.
export const Percent = createToken({
  name: 'Percent',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%/,
  label: 'a percentage',
});
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});
// Unterminated strings are matched by a separate token so the lexer reports them in words.
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n\r]|\\.)*"/, label: 'a string' });
export const BadString = createToken({ name: 'BadString', pattern: /"(?:[^"\\\n\r]|\\.)*/, label: 'a string' });

export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments' });
export const BadComment = createToken({ name: 'BadComment', pattern: /\/\*[\s\S]*/, group: 'comments' });
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED });

const punct = (name: string, pattern: RegExp, text: string): TokenType =>
  createToken({ name, pattern, label: `\`${text}\`` });

export const LBrace = punct('LBrace', /\{/, '{');
export const RBrace = punct('RBrace', /\}/, '}');
export const LParen = punct('LParen', /\(/, '(');
export const RParen = punct('RParen', /\)/, ')');
export const LBracket = punct('LBracket', /\[/, '[');
export const RBracket = punct('RBracket', /\]/, ']');
export const Comma = punct('Comma', /,/, ',');
export const Colon = punct('Colon', /:/, ':');
export const EqEq = punct('EqEq', /==/, '==');
export const NotEq = punct('NotEq', /!=/, '!=');
export const LtEq = punct('LtEq', /<=/, '<=');
export const GtEq = punct('GtEq', />=/, '>=');
export const Lt = punct('Lt', /</, '<');
export const Gt = punct('Gt', />/, '>');
export const Assign = punct('Assign', /=/, '=');
export const Dot = punct('Dot', /\./, '.');
export const Plus = punct('Plus', /\+/, '+');
export const Minus = punct('Minus', /-/, '-');
export const Star = punct('Star', /\*/, '*');
export const Slash = punct('Slash', /\//, '/');
export const AndAnd = punct('AndAnd', /&&/, '&&');
export const OrOr = punct('OrOr', /\|\|/, '||');
export const Bang = punct('Bang', /!/, '!');

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  BadComment,
  StringLit,
  BadString,
  Percent,
  NumberLit,
  Import, Network, Experiment, Input, Sweep, Zip, Seeds, Seed, Repeat, Residual, Shortcut, If, Else,
  True, False, In,
  Ident,
  LBrace, RBrace, LParen, RParen, LBracket, RBracket, Comma, Colon,
  EqEq, NotEq, LtEq, GtEq, Lt, Gt, Assign, Dot, Plus, Minus, Star, Slash, AndAnd, OrOr, Bang,
];

export const lexerDefinition = new Lexer(allTokens, {
  ensureOptimizations: true,
  positionTracking: 'full',
  // Errors are turned into diagnostics by lex(); chevrotain's own text is not shown.
  errorMessageProvider: {
    buildUnexpectedCharactersMessage: () => 'unexpected character',
    buildUnableToPopLexerModeMessage: () => 'internal lexer error',
  },
});

export interface LexIssue {
  kind: 'char' | 'string' | 'comment' | 'escape' | 'percent-space';
  offset: number;
  length: number;
  text: string;
}

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  issues: LexIssue[];
}

/** Tokenises one source; never throws. Bad strings/comments become issues, valid tokens stay. */
export function lex(text: string): LexResult {
  const r = lexerDefinition.tokenize(text);
  const issues: LexIssue[] = [];
  for (const e of r.errors) {
    const ch = text.slice(e.offset, e.offset + e.length);
    // `50 %`: the user meant a percentage; say so instead of "unexpected character".
    const before = text.slice(0, e.offset).trimEnd();
    const kind = ch.startsWith('%') && /\d$/.test(before) && before.length < e.offset ? 'percent-space' : 'char';
    issues.push({ kind, offset: e.offset, length: Math.max(1, e.length), text: ch });
  }
  const tokens: IToken[] = [];
  for (const t of r.tokens) {
    if (t.tokenType === BadString) {
      issues.push({ kind: 'string', offset: t.startOffset, length: t.image.length, text: t.image });
      // Keep a usable string token so the parser can go on.
      tokens.push({ ...t, tokenType: StringLit, tokenTypeIdx: StringLit.tokenTypeIdx! });
      continue;
    }
    if (t.tokenType === StringLit) {
      const bad = /\\([^"\\n])/.exec(t.image);
      if (bad) issues.push({ kind: 'escape', offset: t.startOffset + bad.index, length: 2, text: bad[0] });
    }
    tokens.push(t);
  }
  const comments: IToken[] = [];
  for (const t of (r.groups.comments ?? []) as IToken[]) {
    if (t.tokenType === BadComment) {
      issues.push({ kind: 'comment', offset: t.startOffset, length: 2, text: '/*' });
    }
    comments.push(t);
  }
  issues.sort((a, b) => a.offset - b.offset);
  return { tokens, comments, issues };
}

/** The value of a string literal's source text (quotes removed, escapes applied). */
export function unquote(image: string): string {
  const body = image.slice(1, image.endsWith('"') && image.length >= 2 ? -1 : undefined);
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
