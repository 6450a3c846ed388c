// The canonical formatter (`subnet fmt`). It prints the AST, not the tokens, so spacing is
// always canonical; what it keeps from the source is the author's grouping: which simple layers
// share a line (`conv(64, 3) relu`), where blank lines separate groups (at most one), and every
// comment. Comments are placed by source position: before a construct they stay on their own
// lines, after it on the same line they trail it, and comments written inside a single
// expression are moved to the end of that line. Formatting a formatted file changes nothing.
import type * as A from '../../grammar/ast.js';
import { BINARY_PRECEDENCE, pathText } from '../../grammar/ast.js';
import { parseFile } from '../../grammar/build-ast.js';
import { hasErrors, type Diagnostic } from '../../diagnostics/diagnostics.js';
import { makeDiagnostic } from '../../diagnostics/messages.js';

const INDENT = '  ';

// ---- expressions

function prec(e: A.Expr): number {
  if (e.kind === 'binary') return BINARY_PRECEDENCE[e.op];
  if (e.kind === 'unary') return 7;
  return 8;
}

export function formatExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'num':
    case 'pct':
    case 'str':
      return e.text;
    case 'bool':
      return String(e.value);
    case 'ident':
      return e.name;
    case 'call':
      return `${e.callee.text}(${e.args.map(formatArg).join(', ')})`;
    case 'list':
      return `[${e.items.map(formatExpr).join(', ')}]`;
    case 'record':
      return e.fields.length === 0 ? '{}' : `{ ${e.fields.map((f) => `${f.key.text}: ${formatExpr(f.value)}`).join(', ')} }`;
    case 'unary': {
      const inner = formatExpr(e.operand);
      // `- -x` must not print as `--x`; parenthesise an operand of looser binding.
      const wrapped = prec(e.operand) < 7 ? `(${inner})` : inner;
      return `${e.op}${e.operand.kind === 'unary' ? ' ' : ''}${wrapped}`;
    }
    case 'binary': {
      const p = BINARY_PRECEDENCE[e.op];
      // The AST keeps explicit parentheses as `paren` nodes, so no parentheses are invented here
      // except where the tree shape requires them (it cannot, coming from the parser).
      const l = prec(e.left) < p ? `(${formatExpr(e.left)})` : formatExpr(e.left);
      const r = prec(e.right) <= p ? `(${formatExpr(e.right)})` : formatExpr(e.right);
      return `${l} ${e.op} ${r}`;
    }
    case 'paren':
      return `(${formatExpr(e.inner)})`;
    case 'error':
      return '';
  }
}

const formatArg = (a: A.Arg): string => (a.name ? `${a.name.text}: ${formatExpr(a.value)}` : formatExpr(a.value));

// ---- the printer

class Printer {
  private readonly lines: string[] = [];
  private line = '';
  private lineHasLineComment = false;
  private depth = 0;
  private ci = 0;
  /** Source offset where the last printed construct (or comment) ended. */
  private lastEnd = 0;

  constructor(
    private readonly text: string,
    private readonly comments: A.Comment[],
  ) {}

  private newlinesBetween(a: number, b: number): number {
    let n = 0;
    for (let i = Math.max(0, a); i < Math.min(b, this.text.length); i++) if (this.text.charCodeAt(i) === 10) n++;
    return n;
  }

  flush(): void {
    if (this.line !== '') this.lines.push(INDENT.repeat(this.depth) + this.line);
    this.line = '';
    this.lineHasLineComment = false;
  }

  private blankBefore(start: number): void {
    const prev = this.lines[this.lines.length - 1];
    if (prev === undefined || prev === '' || prev.endsWith('{') || prev.endsWith('[')) return;
    if (this.newlinesBetween(this.lastEnd, start) >= 2) this.lines.push('');
  }

  /** Own-line comments that come before `start`. */
  leading(start: number): void {
    while (this.ci < this.comments.length && this.comments[this.ci]!.span.offset < start) {
      const c = this.comments[this.ci++]!;
      this.flush();
      this.blankBefore(c.span.offset);
      this.lines.push(INDENT.repeat(this.depth) + c.text);
      this.lastEnd = c.span.offset + c.span.length;
    }
  }

  /**
   * Comments inside [start, end) and those after `end` on the same source line (but before
   * `limit`, where the next construct starts) trail the current line.
   */
  trailing(start: number, end: number, limit = Infinity): void {
    while (this.ci < this.comments.length) {
      const c = this.comments[this.ci]!;
      const inside = c.span.offset >= start && c.span.offset < end;
      const sameLine = c.span.offset >= end && c.span.offset < limit && this.newlinesBetween(end, c.span.offset) === 0;
      if (!inside && !sameLine) break;
      this.line += (this.line ? ' ' : '') + c.text;
      if (c.text.startsWith('//')) this.lineHasLineComment = true;
      end = Math.max(end, c.span.offset + c.span.length);
      this.ci++;
    }
    this.lastEnd = Math.max(this.lastEnd, end);
  }

  /** Starts a construct on a fresh line (keeping one blank line if the source had one). */
  startLine(start: number): void {
    this.leading(start);
    this.flush();
    this.blankBefore(start);
  }

  write(s: string): void {
    this.line += s;
  }

  /** Closes an empty `{}` on the current line, or on the next if a line comment ends this one. */
  closeEmpty(): void {
    if (this.lineHasLineComment) {
      this.flush();
      this.line = '}';
    } else this.line += '}';
  }

  canContinueLine(start: number): boolean {
    return this.line !== '' && !this.lineHasLineComment && this.newlinesBetween(this.lastEnd, start) === 0;
  }

  open(): void {
    this.flush();
    this.depth++;
  }

  /** Ends a `{ ... }` block: comments before its `}` stay inside it. */
  close(closeOffset: number | undefined, after = '}'): void {
    if (closeOffset !== undefined) this.leading(closeOffset);
    this.flush();
    this.depth--;
    this.line = after;
    if (closeOffset !== undefined) this.lastEnd = Math.max(this.lastEnd, closeOffset + 1);
  }

  finish(): string {
    this.leading(Infinity);
    this.flush();
    while (this.lines.length && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.length ? this.lines.join('\n') + '\n' : '';
  }

  spansLines(span: A.Span): boolean {
    return this.newlinesBetween(span.offset, span.offset + span.length) > 0;
  }

  /** Whether an unprinted comment starts before `offset`. */
  commentBefore(offset: number): boolean {
    const c = this.comments[this.ci];
    return c !== undefined && c.span.offset < offset;
  }

  /** One blank line before the next construct (between top-level blocks). */
  blankLine(): void {
    this.flush();
    if (this.lines.length && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }
}

const COMPOUND = new Set<A.Stmt['kind']>(['block', 'repeat', 'if', 'residual']);

function endOf(n: { span: A.Span }): number {
  return n.span.offset + n.span.length;
}

function printBody(p: Printer, stmts: A.Stmt[], close: number | undefined): void {
  if (stmts.length === 0 && !p.commentBefore(close ?? -1)) {
    p.closeEmpty();
    return;
  }
  p.open();
  let prevSimple = false;
  stmts.forEach((s, i) => {
    const simple = !COMPOUND.has(s.kind);
    p.leading(s.span.offset);
    if (simple && prevSimple && p.canContinueLine(s.span.offset)) p.write(' ');
    else p.startLine(s.span.offset);
    printStmt(p, s, stmts[i + 1]?.span.offset ?? close ?? Infinity);
    prevSimple = simple;
  });
  p.close(close);
}

/** Where a header's same-line comments stop: the first statement of its body, or its `}`. */
const headerLimit = (body: A.Stmt[], close: number | undefined): number => body[0]?.span.offset ?? close ?? Infinity;

function label(l?: A.Name): string {
  return l ? `${l.text}: ` : '';
}

function printStmt(p: Printer, s: A.Stmt, limit: number): void {
  switch (s.kind) {
    case 'input':
      p.write(`input ${formatExpr(s.shape)}`);
      p.trailing(s.span.offset, endOf(s), limit);
      return;
    case 'layer':
      p.write(`${label(s.label)}${s.callee.text}${s.args === null ? '' : `(${s.args.map(formatArg).join(', ')})`}`);
      p.trailing(s.span.offset, endOf(s), limit);
      return;
    case 'block':
      p.write(`${label(s.label)}{`);
      p.trailing(s.span.offset, endOf(s.label), headerLimit(s.body, s.close));
      printBody(p, s.body, s.close);
      p.trailing(endOf(s), endOf(s), limit);
      return;
    case 'repeat':
      p.write(`${label(s.label)}repeat ${s.index ? `${s.index.text} in ` : ''}${formatExpr(s.count)} {`);
      p.trailing(s.span.offset, endOf(s.count), headerLimit(s.body, s.close));
      printBody(p, s.body, s.close);
      p.trailing(endOf(s), endOf(s), limit);
      return;
    case 'if':
      printIf(p, s);
      p.trailing(endOf(s), endOf(s), limit);
      return;
    case 'residual':
      p.write(`${label(s.label)}residual {`);
      p.trailing(s.span.offset, s.label ? endOf(s.label) : s.span.offset, headerLimit(s.body, s.bodyClose));
      printBody(p, s.body, s.bodyClose);
      if (s.shortcut) {
        p.write(' shortcut {');
        printBody(p, s.shortcut, s.shortcutClose);
      }
      p.trailing(endOf(s), endOf(s), limit);
      return;
  }
}

function printIf(p: Printer, s: A.IfStmt): void {
  p.write(`if ${formatExpr(s.cond)} {`);
  p.trailing(s.span.offset, endOf(s.cond), headerLimit(s.then, s.thenClose));
  printBody(p, s.then, s.thenClose);
  if (s.else === undefined) return;
  if (Array.isArray(s.else)) {
    p.write(' else {');
    printBody(p, s.else, s.elseClose);
  } else {
    p.write(' else ');
    printIf(p, s.else);
  }
}

function printNetwork(p: Printer, n: A.NetworkDecl, limit: number): void {
  const params =
    n.params === null
      ? ''
      : `(${n.params.map((x) => `${x.name.text}: ${x.type.text}${x.default ? ` = ${formatExpr(x.default)}` : ''}`).join(', ')})`;
  p.write(`network ${n.name.text}${params} {`);
  p.trailing(n.span.offset, endOf(n.name), headerLimit(n.body, n.close));
  printBody(p, n.body, n.close);
  p.trailing(endOf(n), endOf(n), limit);
}

function sweepText(s: A.SweepItem): string {
  const axis = (a: A.SweepAxis): string => `${pathText(a.path)} in ${formatExpr(a.values)}`;
  return s.zip ? `sweep zip(${s.axes.map(axis).join(', ')})` : `sweep ${axis(s.axes[0]!)}`;
}

function printExperiment(p: Printer, x: A.ExperimentDecl, limit: number): void {
  p.write(`experiment ${x.name.text} {`);
  p.trailing(x.span.offset, endOf(x.name), x.items[0]?.span.offset ?? x.close ?? Infinity);
  if (x.items.length === 0 && !p.commentBefore(x.close ?? -1)) {
    p.closeEmpty();
    p.trailing(endOf(x), endOf(x), limit);
    return;
  }
  p.open();
  // Field names are padded so the `=` signs line up, as in the language reference.
  const width = Math.max(0, ...x.items.map((i) => (i.kind === 'field' ? i.name.text.length : 0)));
  x.items.forEach((item, i) => {
    const limit = x.items[i + 1]?.span.offset ?? x.close ?? Infinity;
    p.startLine(item.span.offset);
    const head = item.kind === 'field' ? `${item.name.text.padEnd(width)} = ` : !item.zip ? `sweep ${pathText(item.axes[0]!.path)} in ` : undefined;
    const value = item.kind === 'field' ? item.value : !item.zip ? item.axes[0]!.values : undefined;
    if (head !== undefined && value && value.kind === 'list' && value.items.length > 0 && p.spansLines(value.span)) {
      // A list written over several lines stays one item per line (sweeps read better so).
      p.write(`${head}[`);
      printListItems(p, value);
    } else {
      p.write(item.kind === 'field' ? `${head}${formatExpr(item.value)}` : sweepText(item));
    }
    p.trailing(item.span.offset, endOf(item), limit);
  });
  p.close(x.close);
  p.trailing(endOf(x), endOf(x), limit);
}

function printListItems(p: Printer, list: A.ListExpr): void {
  const close = endOf(list) - 1;
  p.open();
  list.items.forEach((item, i) => {
    p.startLine(item.span.offset);
    p.write(`${formatExpr(item)},`);
    p.trailing(item.span.offset, endOf(item), list.items[i + 1]?.span.offset ?? close);
  });
  p.close(close, ']');
}

/** Formats a parsed, error-free program. `text` is its source (for comments and line grouping). */
export function formatProgram(program: A.Program, text: string): string {
  const p = new Printer(text, program.comments);
  program.items.forEach((item, i) => {
    const prev = program.items[i - 1];
    const limit = program.items[i + 1]?.span.offset ?? Infinity;
    // Blocks are always separated by one blank line; consecutive imports keep the source's choice.
    if (prev && !(prev.kind === 'import' && item.kind === 'import')) p.blankLine();
    p.startLine(item.span.offset);
    switch (item.kind) {
      case 'import':
        p.write(`import ${text.slice(item.pathSpan.offset, endOf({ span: item.pathSpan }))}`);
        p.trailing(item.span.offset, endOf(item), limit);
        break;
      case 'network':
        printNetwork(p, item, limit);
        break;
      case 'experiment':
        printExperiment(p, item, limit);
        break;
    }
  });
  return p.finish();
}

export interface FormatResult {
  /** undefined when the file has syntax errors (it is then left alone). */
  text?: string;
  diagnostics: Diagnostic[];
}

export function formatSource(file: string, text: string): FormatResult {
  try {
    const parsed = parseFile(file, text);
    if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics };
    return { text: formatProgram(parsed.program, text), diagnostics: parsed.diagnostics };
  } catch (e) {
    // Like compileProgram, never throw: a stack overflow becomes E0014, anything else E0000.
    if (e instanceof RangeError && /call stack/.test(e.message)) return { diagnostics: [makeDiagnostic('E0014', { what: 'the program', limit: "the stack's" })] };
    return { diagnostics: [makeDiagnostic('E0000', { message: e instanceof Error ? e.message : String(e) })] };
  }
}
