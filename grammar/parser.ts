// The concrete-syntax parser: one chevrotain CstParser instance, reset per use through
// `parser.input`, with error recovery on. Semantics live elsewhere (build-ast.ts, compiler/check).
import { CstParser, EOF, type CstNode, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import * as T from './lexer.js';

const describe = (t: TokenType): string => (t === EOF ? 'the end of the file' : (t.LABEL ?? t.name));

function found(tok: IToken | undefined): string {
  if (!tok || tok.tokenType === EOF) return 'the end of the file';
  const img = tok.image.length > 24 ? tok.image.slice(0, 21) + '...' : tok.image;
  return `\`${img}\``;
}

function alternatives(paths: TokenType[][]): string {
  const names = [...new Set(paths.filter((p) => p.length > 0).map((p) => describe(p[0]!)))];
  if (names.length === 0) return 'something else';
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

// The provider encodes "expected" and "found" separated by \u0001; build-ast.ts turns them into
// the E0010/E0011 messages of diagnostics/messages.ts, so the catalog stays the one source of text.
export const SEP = '\u0001';
const errorMessageProvider = {
  buildMismatchTokenMessage: (o: { expected: TokenType; actual: IToken }) => `${describe(o.expected)}${SEP}${found(o.actual)}`,
  buildNotAllInputParsedMessage: (o: { firstRedundant: IToken }) => `${SEP}${found(o.firstRedundant)}`,
  buildNoViableAltMessage: (o: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; ruleName: string }) =>
    `${ruleDescription(o.ruleName) ?? alternatives(o.expectedPathsPerAlt.flat())}${SEP}${found(o.actual[0])}`,
  buildEarlyExitMessage: (o: { expectedIterationPaths: TokenType[][]; actual: IToken[]; ruleName: string }) =>
    `${ruleDescription(o.ruleName) ?? alternatives(o.expectedIterationPaths)}${SEP}${found(o.actual[0])}`,
};

function ruleDescription(rule: string): string | undefined {
  switch (rule) {
    case 'primary':
    case 'unary':
      return 'a value';
    case 'statement':
    case 'labeledBody':
      return 'a layer';
    case 'experimentItem':
      return 'a field (`name = value`) or `sweep`';
    case 'fieldName':
    case 'pathPart':
      return 'a name';
    default:
      return undefined;
  }
}

class SubnetParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  program = this.RULE('program', () => {
    this.MANY(() => this.SUBRULE(this.topItem));
  });

  topItem = this.RULE('topItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.networkDecl) },
      { ALT: () => this.SUBRULE(this.experimentDecl) },
    ]);
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit);
  });

  networkDecl = this.RULE('networkDecl', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Ident);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION9(() => {
      this.SUBRULE8(this.param);
      this.MANY9(() => {
        this.CONSUME9(T.Comma);
        this.SUBRULE9(this.param);
      });
      this.OPTION8(() => this.CONSUME8(T.Comma));
    });
      this.CONSUME(T.RParen);
    });
    this.SUBRULE(this.block);
  });

  param = this.RULE('param', () => {
    this.CONSUME(T.Ident, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Ident, { LABEL: 'type' });
    this.OPTION(() => {
      this.CONSUME(T.Assign);
      this.SUBRULE(this.expr);
    });
  });

  block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.labeledStmt) },
      { ALT: () => this.SUBRULE(this.labeledBody) },
    ]);
  });

  inputStmt = this.RULE('inputStmt', () => {
    this.CONSUME(T.Input);
    this.SUBRULE(this.expr);
  });

  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.block, { LABEL: 'then' });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        { ALT: () => this.SUBRULE2(this.block, { LABEL: 'else' }) },
        { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: 'elseIf' }) },
      ]);
    });
  });

  // `head: linear(10)`, `stem: { ... }`, `layer1: repeat 2 { ... }`, `blk: residual { ... }`
  labeledStmt = this.RULE('labeledStmt', () => {
    this.CONSUME(T.Ident, { LABEL: 'label' });
    this.CONSUME(T.Colon);
    this.OR([
      { ALT: () => this.SUBRULE(this.block) },
      { ALT: () => this.SUBRULE(this.labeledBody) },
    ]);
  });

  labeledBody = this.RULE('labeledBody', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.repeatStmt) },
      { ALT: () => this.SUBRULE(this.residualStmt) },
      { ALT: () => this.SUBRULE(this.layerCall) },
    ]);
  });

  repeatStmt = this.RULE('repeatStmt', () => {
    this.CONSUME(T.Repeat);
    this.OPTION(() => {
      this.CONSUME(T.Ident, { LABEL: 'index' });
      this.CONSUME(T.In);
    });
    this.SUBRULE(this.expr);
    this.SUBRULE(this.block);
  });

  residualStmt = this.RULE('residualStmt', () => {
    this.CONSUME(T.Residual);
    this.SUBRULE(this.block, { LABEL: 'body' });
    this.OPTION(() => {
      this.CONSUME(T.Shortcut);
      this.SUBRULE2(this.block, { LABEL: 'shortcut' });
    });
  });

  layerCall = this.RULE('layerCall', () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  // An unclosed argument list must not swallow the experiment's next field (`data = ...` on the
  // next line): the gate stops before `name =`, so the error is the missing `)` alone.
  argList = this.RULE('argList', () => {
    this.CONSUME(T.LParen);
    this.OPTION9({
      GATE: () => !this.atFieldStart(),
      DEF: () => {
        this.SUBRULE8(this.arg);
        this.MANY9(() => {
          this.CONSUME9(T.Comma);
          this.SUBRULE9(this.arg);
        });
        this.OPTION8(() => this.CONSUME8(T.Comma));
      },
    });
    this.CONSUME(T.RParen);
  });

  private atFieldStart(): boolean {
    return isFieldName(this.LA(1).tokenType) && this.LA(2).tokenType === T.Assign;
  }

  arg = this.RULE('arg', () => {
    this.OPTION(() => {
      this.CONSUME(T.Ident, { LABEL: 'name' });
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.expr);
  });

  experimentDecl = this.RULE('experimentDecl', () => {
    this.CONSUME(T.Experiment);
    this.CONSUME(T.Ident);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.experimentItem));
    this.CONSUME(T.RBrace);
  });

  experimentItem = this.RULE('experimentItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.sweepItem) },
      { ALT: () => this.SUBRULE(this.fieldItem) },
    ]);
  });

  // A missing value (`mask =` followed by the next field on the next line) must not swallow the
  // next field's name as the value: the gate leaves it, and build-ast reports the missing value.
  fieldItem = this.RULE('fieldItem', () => {
    this.SUBRULE(this.fieldName);
    this.CONSUME(T.Assign);
    this.OPTION({
      GATE: () => !(isFieldName(this.LA(1).tokenType) && this.LA(2).tokenType === T.Assign),
      DEF: () => this.SUBRULE(this.expr),
    });
  });

  fieldName = this.RULE('fieldName', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ident) },
      { ALT: () => this.CONSUME(T.Seed) },
      { ALT: () => this.CONSUME(T.Seeds) },
    ]);
  });

  sweepItem = this.RULE('sweepItem', () => {
    this.CONSUME(T.Sweep);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Zip);
          this.CONSUME(T.LParen);
          this.SUBRULE8(this.sweepAxis);
          this.MANY9(() => {
            this.CONSUME9(T.Comma);
            this.SUBRULE9(this.sweepAxis);
          });
          this.OPTION8(() => this.CONSUME8(T.Comma));
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE2(this.sweepAxis) },
    ]);
  });

  sweepAxis = this.RULE('sweepAxis', () => {
    this.SUBRULE(this.path);
    this.CONSUME(T.In);
    this.SUBRULE(this.expr);
  });

  path = this.RULE('path', () => {
    this.SUBRULE(this.fieldName);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.SUBRULE2(this.fieldName);
    });
  });

  /** `--set path=value` from the command line. */
  override = this.RULE('override', () => {
    this.SUBRULE(this.path);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
  });

  // ---- expressions, loosest binding first

  expr = this.RULE('expr', () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.OrOr);
      this.SUBRULE2(this.andExpr);
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.eqExpr);
    this.MANY(() => {
      this.CONSUME(T.AndAnd);
      this.SUBRULE2(this.eqExpr);
    });
  });

  eqExpr = this.RULE('eqExpr', () => {
    this.SUBRULE(this.relExpr);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.EqEq) }, { ALT: () => this.CONSUME(T.NotEq) }]);
      this.SUBRULE2(this.relExpr);
    });
  });

  relExpr = this.RULE('relExpr', () => {
    this.SUBRULE(this.addExpr);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Lt) },
        { ALT: () => this.CONSUME(T.LtEq) },
        { ALT: () => this.CONSUME(T.Gt) },
        { ALT: () => this.CONSUME(T.GtEq) },
      ]);
      this.SUBRULE2(this.addExpr);
    });
  });

  addExpr = this.RULE('addExpr', () => {
    this.SUBRULE(this.mulExpr);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.mulExpr);
    });
  });

  mulExpr = this.RULE('mulExpr', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Bang) }]);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Percent) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      {
        ALT: () => {
          this.CONSUME(T.Ident);
          this.OPTION(() => this.SUBRULE(this.argList));
        },
      },
      { ALT: () => this.SUBRULE(this.listExpr) },
      { ALT: () => this.SUBRULE(this.recordExpr) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  listExpr = this.RULE('listExpr', () => {
    this.CONSUME(T.LBracket);
    this.OPTION9({
      GATE: () => !this.atFieldStart(),
      DEF: () => {
        this.SUBRULE8(this.expr);
        this.MANY9(() => {
          this.CONSUME9(T.Comma);
          this.SUBRULE9(this.expr);
        });
        this.OPTION8(() => this.CONSUME8(T.Comma));
      },
    });
    this.CONSUME(T.RBracket);
  });

  // Commas between record fields are optional, so a record can list one field per line.
  recordExpr = this.RULE('recordExpr', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.recordField);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  recordField = this.RULE('recordField', () => {
    this.SUBRULE(this.fieldName);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expr);
  });
}

export const parser = new SubnetParser();

export interface ParseIssue {
  message: string;
  kind: 'mismatch' | 'noViableAlt' | 'earlyExit' | 'notAllInput';
  token: IToken;
  /** The token before the error: used to place "expected X" at the end of the previous line. */
  previous?: IToken;
}

const kindOf = (e: IRecognitionException): ParseIssue['kind'] => {
  switch (e.name) {
    case 'MismatchedTokenException':
      return 'mismatch';
    case 'NoViableAltException':
      return 'noViableAlt';
    case 'EarlyExitException':
      return 'earlyExit';
    default:
      return 'notAllInput';
  }
};

const isFieldName = (t: TokenType): boolean => t === T.Ident || t === T.Seed || t === T.Seeds;

const TOP_LEVEL = new Set<TokenType>([T.Import, T.Network, T.Experiment]);

/**
 * Parses a whole file. When the parser stops on a token it cannot place at the top level, the
 * tokens up to the next `import`/`network`/`experiment` are skipped and parsing resumes, so one
 * syntax error does not hide the errors (and definitions) after it.
 */
export function parseProgram(tokens: IToken[]): { csts: CstNode[]; issues: ParseIssue[] } {
  const csts: CstNode[] = [];
  const issues: ParseIssue[] = [];
  let start = 0;
  while (start < tokens.length || csts.length === 0) {
    const slice = tokens.slice(start);
    parser.input = slice;
    const cst = parser.program();
    csts.push(cst);
    let stop = -1;
    for (const e of parser.errors) {
      let kind = kindOf(e);
      // With recovery on, junk before any item surfaces as "expected EOF": the same case.
      if (kind === 'mismatch' && e.message.startsWith(`the end of the file${SEP}`)) {
        kind = 'notAllInput';
        e.message = e.message.slice('the end of the file'.length);
      }
      const prevIdx = slice.indexOf(e.token) - 1;
      const previous = prevIdx >= 0 ? slice[prevIdx] : start > 0 ? tokens[start - 1] : undefined;
      if (kind === 'notAllInput') {
        stop = slice.indexOf(e.token);
        issues.push({ message: e.message, kind, token: e.token, previous });
        continue;
      }
      issues.push({ message: e.message, kind, token: e.token, previous });
    }
    if (stop < 0) break;
    // Recovery may already have parsed past the offending token; never parse a token twice.
    const last = lastToken(cst);
    const consumed = last ? slice.indexOf(last) : -1;
    // Skip to the next top-level keyword after the offending token.
    let next = start + Math.max(stop, consumed) + 1;
    while (next < tokens.length && !TOP_LEVEL.has(tokens[next]!.tokenType)) next++;
    if (next >= tokens.length) break;
    start = next;
  }
  return { csts, issues };
}

export function parseOverride(tokens: IToken[]): { cst: CstNode; issues: ParseIssue[] } {
  parser.input = tokens;
  const cst = parser.override();
  const issues: ParseIssue[] = parser.errors.map((e) => {
    const kind = kindOf(e);
    const trailing = kind === 'notAllInput' || e.message.startsWith(`the end of the file${SEP}`);
    const message = trailing ? `the end of the value${SEP}${e.message.split(SEP)[1] ?? ''}` : e.message;
    return { message, kind: trailing ? 'mismatch' : kind, token: e.token };
  });
  if (parser.errors.length === 0 && tokens.length > 0) {
    // The override rule does not require EOF: report trailing tokens ourselves.
    const last = lastToken(cst);
    const idx = last ? tokens.indexOf(last) : -1;
    if (idx >= 0 && idx < tokens.length - 1) {
      const extra = tokens[idx + 1]!;
      issues.push({ message: `the end of the value${SEP}${found(extra)}`, kind: 'mismatch', token: extra });
    }
  }
  return { cst, issues };
}

function lastToken(node: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const c of list) {
      const t = 'tokenType' in c ? c : lastToken(c);
      if (t && !Number.isNaN(t.startOffset) && (!best || t.startOffset > best.startOffset)) best = t;
    }
  }
  return best;
}

export { found as describeToken };
