// CST → AST, plus the lexical and syntax diagnostics of a file. Everything here tolerates the
// partial trees chevrotain builds during error recovery: a missing piece becomes an `error`
// node (or is left out), never an exception.
import type { CstNode, IToken } from 'chevrotain';
import { joinSpans, type Diagnostic, type Span } from '../diagnostics/diagnostics.js';
import { makeDiagnostic } from '../diagnostics/messages.js';
import type * as A from './ast.js';
import { lex, unquote } from './lexer.js';
import { limitNesting } from './nesting.js';
import { describeToken, parseOverride, parseProgram, SEP, type ParseIssue } from './parser.js';
import { walkExpr, walkExprs } from './walk.js';

type Child = CstNode | IToken;
const isToken = (c: Child): c is IToken => 'tokenType' in c;
const real = (t: IToken | undefined): t is IToken => !!t && !Number.isNaN(t.startOffset) && !t.isInsertedInRecovery;

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    readonly file: string,
    readonly text: string,
    readonly allTokens: IToken[] = [],
  ) {}

  /** `name =` with nothing after it: the parser's gate left the value out without an error. */
  missingValueAfter(assign: IToken): void {
    const i = this.allTokens.indexOf(assign);
    const next = i >= 0 ? this.allTokens[i + 1] : undefined;
    const span = next ? this.tokSpan(next) : { file: this.file, offset: assign.startOffset + 1, length: 0 };
    this.diagnostics.push(makeDiagnostic('E0010', { expected: 'a value', found: describeToken(next) }, span));
  }

  tokSpan(t: IToken): Span {
    return { file: this.file, offset: t.startOffset, length: t.image.length };
  }

  /** The span of every real token under the node; a zero-length span at `fallback` when none. */
  span(node: Child | undefined, fallback = 0): Span {
    // chevrotain tracks node offsets; after error recovery they can be NaN, then count by hand.
    const loc = node && !isToken(node) ? node.location : undefined;
    if (loc && Number.isFinite(loc.startOffset) && Number.isFinite(loc.endOffset) && loc.endOffset! >= loc.startOffset) {
      return { file: this.file, offset: loc.startOffset, length: loc.endOffset! + 1 - loc.startOffset };
    }
    let lo = Infinity;
    let hi = -Infinity;
    const visit = (c: Child): void => {
      if (isToken(c)) {
        if (!real(c)) return;
        lo = Math.min(lo, c.startOffset);
        hi = Math.max(hi, c.startOffset + c.image.length);
        return;
      }
      for (const list of Object.values(c.children)) for (const x of list) visit(x);
    };
    if (node) visit(node);
    if (lo === Infinity) return { file: this.file, offset: Math.min(fallback, this.text.length), length: 0 };
    return { file: this.file, offset: lo, length: hi - lo };
  }

  nodes(n: CstNode | undefined, key: string): CstNode[] {
    return (n?.children[key] ?? []).filter((c): c is CstNode => !isToken(c));
  }
  node(n: CstNode | undefined, key: string, i = 0): CstNode | undefined {
    return this.nodes(n, key)[i];
  }
  tokens(n: CstNode | undefined, key: string): IToken[] {
    return (n?.children[key] ?? []).filter((c): c is IToken => isToken(c) && real(c));
  }
  token(n: CstNode | undefined, key: string): IToken | undefined {
    return this.tokens(n, key)[0];
  }
  name(t: IToken | undefined, fallbackNode?: CstNode): A.Name {
    if (t) return { text: t.image, span: this.tokSpan(t) };
    return { text: '', span: this.span(fallbackNode) };
  }
  /** Offset of the `}` that closes a block node, when the parser found one. */
  close(n: CstNode | undefined): number | undefined {
    const t = this.tokens(n, 'RBrace');
    return t.length ? t[t.length - 1]!.startOffset : undefined;
  }
  errorExpr(n: CstNode | undefined): A.ErrorExpr {
    return { kind: 'error', span: this.span(n) };
  }

  // ---- top level

  program(csts: CstNode[]): A.Item[] {
    const items: A.Item[] = [];
    for (const cst of csts) {
      for (const top of this.nodes(cst, 'topItem')) {
        const imp = this.node(top, 'importDecl');
        const net = this.node(top, 'networkDecl');
        const exp = this.node(top, 'experimentDecl');
        if (imp) {
          const str = this.token(imp, 'StringLit');
          if (str) items.push({ kind: 'import', path: unquote(str.image), pathSpan: this.tokSpan(str), span: this.span(imp) });
        } else if (net) {
          const n = this.network(net);
          if (n) items.push(n);
        } else if (exp) {
          const x = this.experiment(exp);
          if (x) items.push(x);
        }
      }
    }
    return items;
  }

  network(n: CstNode): A.NetworkDecl | undefined {
    const nameTok = this.token(n, 'Ident');
    if (!nameTok) return undefined;
    const hasParens = this.tokens(n, 'LParen').length > 0 || this.nodes(n, 'param').length > 0;
    const params = hasParens
      ? this.nodes(n, 'param').flatMap((p): A.Param[] => {
          const pname = this.token(p, 'name');
          const ptype = this.token(p, 'type');
          if (!pname || !ptype) return [];
          const param: A.Param = { name: this.name(pname), type: this.name(ptype), span: this.span(p) };
          const def = this.node(p, 'expr');
          if (def) param.default = this.expr(def);
          return [param];
        })
      : null;
    const blk = this.node(n, 'block');
    return withClose<A.NetworkDecl, 'close'>({ kind: 'network', name: this.name(nameTok), params, body: this.block(blk), span: this.span(n) }, 'close', this.close(blk));
  }

  block(b: CstNode | undefined): A.Stmt[] {
    return this.nodes(b, 'statement').flatMap((s) => this.statement(s) ?? []);
  }

  statement(s: CstNode): A.Stmt | undefined {
    const input = this.node(s, 'inputStmt');
    if (input) return { kind: 'input', shape: this.exprOrError(this.node(input, 'expr'), input), span: this.span(input) };
    const ifs = this.node(s, 'ifStmt');
    if (ifs) return this.ifStmt(ifs);
    const labeled = this.node(s, 'labeledStmt');
    if (labeled) {
      const labelTok = this.token(labeled, 'label');
      if (!labelTok) return undefined;
      const label = this.name(labelTok);
      const blk = this.node(labeled, 'block');
      if (blk) return withClose<A.BlockStmt, 'close'>({ kind: 'block', label, body: this.block(blk), span: this.span(labeled) }, 'close', this.close(blk));
      const body = this.labeledBody(this.node(labeled, 'labeledBody'));
      if (!body) return undefined;
      if (body.kind === 'layer' || body.kind === 'repeat' || body.kind === 'residual') {
        body.label = label;
        body.span = this.span(labeled);
      }
      return body;
    }
    return this.labeledBody(this.node(s, 'labeledBody'));
  }

  labeledBody(b: CstNode | undefined): A.LayerStmt | A.RepeatStmt | A.ResidualStmt | undefined {
    if (!b) return undefined;
    const rep = this.node(b, 'repeatStmt');
    if (rep) {
      const idx = this.token(rep, 'index');
      const r: A.RepeatStmt = withClose(
        { kind: 'repeat', count: this.exprOrError(this.node(rep, 'expr'), rep), body: this.block(this.node(rep, 'block')), span: this.span(rep) },
        'close',
        this.close(this.node(rep, 'block')),
      );
      if (idx) r.index = this.name(idx);
      return r;
    }
    const res = this.node(b, 'residualStmt');
    if (res) {
      const r: A.ResidualStmt = withClose({ kind: 'residual', body: this.block(this.node(res, 'body')), span: this.span(res) }, 'bodyClose', this.close(this.node(res, 'body')));
      if (this.token(res, 'Kw_shortcut')) {
        r.shortcut = this.block(this.node(res, 'shortcut'));
        withClose(r, 'shortcutClose', this.close(this.node(res, 'shortcut')));
      }
      return r;
    }
    const call = this.node(b, 'layerCall');
    if (!call) return undefined;
    const callee = this.token(call, 'Ident');
    if (!callee) return undefined;
    const argList = this.node(call, 'argList');
    return { kind: 'layer', callee: this.name(callee), args: argList ? this.args(argList) : null, span: this.span(call) };
  }

  ifStmt(n: CstNode): A.IfStmt {
    const s: A.IfStmt = withClose(
      { kind: 'if', cond: this.exprOrError(this.node(n, 'expr'), n), then: this.block(this.node(n, 'then')), span: this.span(n) },
      'thenClose',
      this.close(this.node(n, 'then')),
    );
    const elseIf = this.node(n, 'elseIf');
    if (elseIf) s.else = this.ifStmt(elseIf);
    else if (this.token(n, 'Kw_else')) {
      s.else = this.block(this.node(n, 'else'));
      withClose(s, 'elseClose', this.close(this.node(n, 'else')));
    }
    return s;
  }

  args(argList: CstNode): A.Arg[] {
    return this.nodes(argList, 'arg').map((a) => {
      const nameTok = this.token(a, 'name');
      const arg: A.Arg = { value: this.exprOrError(this.node(a, 'expr'), a), span: this.span(a) };
      if (nameTok) arg.name = this.name(nameTok);
      return arg;
    });
  }

  experiment(n: CstNode): A.ExperimentDecl | undefined {
    const nameTok = this.token(n, 'Ident');
    if (!nameTok) return undefined;
    const items: A.ExperimentItem[] = [];
    for (const it of this.nodes(n, 'experimentItem')) {
      const field = this.node(it, 'fieldItem');
      const sweep = this.node(it, 'sweepItem');
      if (field) {
        const fname = this.fieldName(this.node(field, 'fieldName'));
        if (!fname) continue;
        const valueNode = this.node(field, 'expr');
        const assign = this.token(field, 'Assign');
        if (!valueNode && assign) this.missingValueAfter(assign);
        items.push({ kind: 'field', name: fname, value: this.exprOrError(valueNode, field), span: this.span(field) });
      } else if (sweep) {
        const axes = this.nodes(sweep, 'sweepAxis').flatMap((ax): A.SweepAxis[] => {
          const path = this.path(this.node(ax, 'path'));
          if (!path) return [];
          return [{ path: path.parts, pathSpan: path.span, values: this.exprOrError(this.node(ax, 'expr'), ax), span: this.span(ax) }];
        });
        if (axes.length) items.push({ kind: 'sweep', zip: !!this.token(sweep, 'Kw_zip'), axes, span: this.span(sweep) });
      }
    }
    return withClose<A.ExperimentDecl, 'close'>({ kind: 'experiment', name: this.name(nameTok), items, span: this.span(n) }, 'close', this.close(n));
  }

  fieldName(n: CstNode | undefined): A.Name | undefined {
    const t = this.token(n, 'Ident') ?? this.token(n, 'Kw_seed') ?? this.token(n, 'Kw_seeds');
    return t ? this.name(t) : undefined;
  }

  path(n: CstNode | undefined): { parts: A.Name[]; span: Span } | undefined {
    if (!n) return undefined;
    const parts: A.Name[] = [];
    for (const f of this.nodes(n, 'fieldName')) {
      const name = this.fieldName(f);
      if (!name) return undefined;
      parts.push(name);
    }
    return parts.length ? { parts, span: this.span(n) } : undefined;
  }

  // ---- expressions

  exprOrError(n: CstNode | undefined, parent: CstNode): A.Expr {
    return n ? this.expr(n) : this.errorExpr(parent);
  }

  expr(n: CstNode): A.Expr {
    switch (n.name) {
      case 'expr':
        return this.binaryChain(n, 'andExpr', ['OrOr']);
      case 'andExpr':
        return this.binaryChain(n, 'eqExpr', ['AndAnd']);
      case 'eqExpr':
        return this.binaryChain(n, 'relExpr', ['EqEq', 'NotEq']);
      case 'relExpr':
        return this.binaryChain(n, 'addExpr', ['Lt', 'LtEq', 'Gt', 'GtEq']);
      case 'addExpr':
        return this.binaryChain(n, 'mulExpr', ['Plus', 'Minus']);
      case 'mulExpr':
        return this.binaryChain(n, 'unary', ['Star', 'Slash']);
      case 'unary':
        return this.unary(n);
      case 'primary':
        return this.primary(n);
      default:
        return this.errorExpr(n);
    }
  }

  /** Left-associative chain: operands and operators interleave by source offset. */
  binaryChain(n: CstNode, operandRule: string, opTokens: string[]): A.Expr {
    const operands = this.nodes(n, operandRule);
    const ops = opTokens.flatMap((k) => this.tokens(n, k)).sort((a, b) => a.startOffset - b.startOffset);
    if (operands.length === 0) return this.errorExpr(n);
    let left = this.expr(operands[0]!);
    for (let i = 1; i < operands.length; i++) {
      const right = this.expr(operands[i]!);
      const op = ops[i - 1];
      if (!op) return this.errorExpr(n);
      left = {
        kind: 'binary',
        op: op.image as A.BinaryOp,
        left,
        right,
        span: joinSpans(left.span, right.span),
      };
    }
    return left;
  }

  unary(n: CstNode): A.Expr {
    const inner = this.node(n, 'unary');
    const op = this.token(n, 'Minus') ?? this.token(n, 'Bang');
    if (inner && op) {
      return { kind: 'unary', op: op.image as A.UnaryOp, operand: this.expr(inner), span: this.span(n) };
    }
    const prim = this.node(n, 'primary');
    return prim ? this.primary(prim) : this.errorExpr(n);
  }

  primary(n: CstNode): A.Expr {
    const span = this.span(n);
    const pct = this.token(n, 'Percent');
    if (pct) return { kind: 'pct', value: Number(pct.image.slice(0, -1)) / 100, text: pct.image, span };
    const num = this.token(n, 'NumberLit');
    if (num) return { kind: 'num', value: Number(num.image), text: num.image, span };
    const str = this.token(n, 'StringLit');
    if (str) return { kind: 'str', value: unquote(str.image), text: str.image, span };
    if (this.token(n, 'Kw_true')) return { kind: 'bool', value: true, span };
    if (this.token(n, 'Kw_false')) return { kind: 'bool', value: false, span };
    const id = this.token(n, 'Ident');
    if (id) {
      const argList = this.node(n, 'argList');
      if (argList) return { kind: 'call', callee: this.name(id), args: this.args(argList), span };
      return { kind: 'ident', name: id.image, span };
    }
    const list = this.node(n, 'listExpr');
    if (list) return { kind: 'list', items: this.nodes(list, 'expr').map((e) => this.expr(e)), span };
    const rec = this.node(n, 'recordExpr');
    if (rec) {
      const fields = this.nodes(rec, 'recordField').flatMap((f): A.RecordField[] => {
        const key = this.fieldName(this.node(f, 'fieldName'));
        if (!key) return [];
        return [{ key, value: this.exprOrError(this.node(f, 'expr'), f), span: this.span(f) }];
      });
      return { kind: 'record', fields, span };
    }
    const inner = this.node(n, 'expr');
    if (inner) return { kind: 'paren', inner: this.expr(inner), span };
    return this.errorExpr(n);
  }
}

/** Sets an optional close-brace offset only when known (exactOptionalPropertyTypes-friendly). */
function withClose<T extends object, K extends string>(node: T, key: K, offset: number | undefined): T {
  if (offset !== undefined) (node as Record<string, unknown>)[key] = offset;
  return node;
}

// ---- entry points

export interface ParsedFile {
  program: A.Program;
  diagnostics: Diagnostic[];
}

function lexDiagnostics(file: string, text: string, issues: ReturnType<typeof lex>['issues']): Diagnostic[] {
  return issues.map((i) => {
    const span = { file, offset: i.offset, length: i.length };
    switch (i.kind) {
      case 'string':
        return makeDiagnostic('E0002', {}, { file, offset: i.offset, length: 1 });
      case 'comment':
        return makeDiagnostic('E0003', {}, span);
      case 'escape':
        return makeDiagnostic('E0004', { text: i.text }, span);
      case 'percent-space': {
        const number = /(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*$/.exec(text.slice(0, i.offset))?.[1] ?? '';
        return makeDiagnostic('E0005', { number }, { file, offset: i.offset, length: 1 });
      }
      default:
        return makeDiagnostic('E0001', { char: i.text }, span);
    }
  });
}

function parseDiagnostics(file: string, text: string, issues: ParseIssue[]): Diagnostic[] {
  return issues.map((i) => {
    const [expected = '', found = ''] = i.message.split(SEP);
    const t = i.token;
    let span: Span;
    if (real(t)) span = { file, offset: t.startOffset, length: t.image.length };
    else if (i.previous && real(i.previous)) span = { file, offset: i.previous.startOffset + i.previous.image.length, length: 0 };
    else span = { file, offset: text.length, length: 0 };
    return i.kind === 'notAllInput' && expected === ''
      ? makeDiagnostic('E0011', { found }, span)
      : makeDiagnostic('E0010', { expected, found }, span);
  });
}

function numberDiagnostics(items: A.Item[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  walkExprs(items, (e) => {
    if ((e.kind === 'num' || e.kind === 'pct') && !Number.isFinite(e.value)) out.push(makeDiagnostic('E0013', { text: e.text }, e.span));
  });
  return out;
}

/** Parses one file. Never throws; syntax errors come back as diagnostics next to a best-effort AST. */
export function parseFile(file: string, text: string): ParsedFile {
  const lexed = lex(text);
  const limited = limitNesting(file, lexed.tokens);
  const { csts, issues } = parseProgram(limited.tokens);
  const b = new Builder(file, text, lexed.tokens);
  const items = b.program(csts);
  const comments = lexed.comments.map((c) => ({ text: c.image, span: b.tokSpan(c) }));
  const diagnostics = [
    ...limited.diagnostics,
    ...lexDiagnostics(file, text, lexed.issues),
    ...parseDiagnostics(file, text, issues),
    ...b.diagnostics,
    ...numberDiagnostics(items),
  ];
  return {
    program: { kind: 'program', file, items, comments, span: { file, offset: 0, length: text.length } },
    diagnostics,
  };
}

/** Parses a `--set path=value` argument, whose text is its own pseudo-file. */
export function parseOverrideText(file: string, text: string): { override?: A.Override; diagnostics: Diagnostic[] } {
  const lexed = lex(text);
  const diagnostics = lexDiagnostics(file, text, lexed.issues);
  if (!text.includes('=')) {
    diagnostics.push(makeDiagnostic('E0012', { text }, { file, offset: 0, length: text.length }));
    return { diagnostics };
  }
  const limited = limitNesting(file, lexed.tokens);
  diagnostics.push(...limited.diagnostics);
  if (limited.diagnostics.length) return { diagnostics };
  const { cst, issues } = parseOverride(lexed.tokens);
  diagnostics.push(...parseDiagnostics(file, text, issues));
  const b = new Builder(file, text);
  const path = b.path(b.node(cst, 'path'));
  const exprNode = b.node(cst, 'expr');
  if (!path || !exprNode) {
    if (diagnostics.length === 0) diagnostics.push(makeDiagnostic('E0012', { text }, { file, offset: 0, length: text.length }));
    return { diagnostics };
  }
  const value = b.expr(exprNode);
  walkExpr(value, (e) => {
    if ((e.kind === 'num' || e.kind === 'pct') && !Number.isFinite(e.value)) diagnostics.push(makeDiagnostic('E0013', { text: e.text }, e.span));
  });
  return { override: { path: path.parts, pathSpan: path.span, value, span: b.span(cst) }, diagnostics };
}
