// The abstract syntax tree. Every node carries the span of the source it came from; nodes that the
// parser had to invent during error recovery are `error` nodes, which the checker skips silently
// (the syntax error was already reported).
import type { Span } from '../diagnostics/diagnostics.js';

export type { Span };

export interface Name {
  text: string;
  span: Span;
}

export interface Comment {
  text: string;
  span: Span;
}

export interface Program {
  kind: 'program';
  file: string;
  items: Item[];
  comments: Comment[];
  span: Span;
}

export type Item = ImportDecl | NetworkDecl | ExperimentDecl;

export interface ImportDecl {
  kind: 'import';
  path: string;
  pathSpan: Span;
  span: Span;
}

export interface NetworkDecl {
  kind: 'network';
  name: Name;
  /** null when the declaration has no parameter list at all (`network Foo { ... }`). */
  params: Param[] | null;
  body: Stmt[];
  /** Offset of the closing `}` (for the formatter to place comments before it). */
  close?: number;
  span: Span;
}

export interface Param {
  name: Name;
  type: Name;
  default?: Expr;
  span: Span;
}

export type Stmt = InputStmt | LayerStmt | BlockStmt | RepeatStmt | IfStmt | ResidualStmt;

export interface InputStmt {
  kind: 'input';
  shape: Expr;
  span: Span;
}

/** `relu`, `conv(64, 3)`, `Bottleneck(64, stride: 2)`, `head: linear(10)`. */
export interface LayerStmt {
  kind: 'layer';
  label?: Name;
  callee: Name;
  /** null: written without parentheses. */
  args: Arg[] | null;
  span: Span;
}

/** `stem: { ... }` */
export interface BlockStmt {
  kind: 'block';
  label: Name;
  body: Stmt[];
  close?: number;
  span: Span;
}

/** `repeat 3 { ... }`, `repeat i in blocks { ... }`, optionally labelled. */
export interface RepeatStmt {
  kind: 'repeat';
  label?: Name;
  index?: Name;
  count: Expr;
  body: Stmt[];
  close?: number;
  span: Span;
}

export interface IfStmt {
  kind: 'if';
  cond: Expr;
  then: Stmt[];
  thenClose?: number;
  /** `else { ... }` is a list; `else if` is a single nested IfStmt. */
  else?: Stmt[] | IfStmt;
  elseClose?: number;
  span: Span;
}

export interface ResidualStmt {
  kind: 'residual';
  label?: Name;
  body: Stmt[];
  bodyClose?: number;
  /** undefined: no `shortcut` clause (identity). */
  shortcut?: Stmt[];
  shortcutClose?: number;
  span: Span;
}

export interface Arg {
  name?: Name;
  value: Expr;
  span: Span;
}

export type Expr =
  | NumExpr
  | PctExpr
  | StrExpr
  | BoolExpr
  | IdentExpr
  | CallExpr
  | ListExpr
  | RecordExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr
  | ErrorExpr;

export interface NumExpr {
  kind: 'num';
  value: number;
  text: string;
  span: Span;
}

/** `50%`: value is the fraction (0.5); text keeps the source spelling. */
export interface PctExpr {
  kind: 'pct';
  value: number;
  text: string;
  span: Span;
}

export interface StrExpr {
  kind: 'str';
  value: string;
  /** The literal as written, quotes and escapes included. */
  text: string;
  span: Span;
}

export interface BoolExpr {
  kind: 'bool';
  value: boolean;
  span: Span;
}

export interface IdentExpr {
  kind: 'ident';
  name: string;
  span: Span;
}

export interface CallExpr {
  kind: 'call';
  callee: Name;
  args: Arg[];
  span: Span;
}

export interface ListExpr {
  kind: 'list';
  items: Expr[];
  span: Span;
}

export interface RecordField {
  key: Name;
  value: Expr;
  span: Span;
}

export interface RecordExpr {
  kind: 'record';
  fields: RecordField[];
  span: Span;
}

export type UnaryOp = '-' | '!';
export type BinaryOp = '+' | '-' | '*' | '/' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export interface UnaryExpr {
  kind: 'unary';
  op: UnaryOp;
  operand: Expr;
  span: Span;
}

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  span: Span;
}

export interface ParenExpr {
  kind: 'paren';
  inner: Expr;
  span: Span;
}

export interface ErrorExpr {
  kind: 'error';
  span: Span;
}

export interface ExperimentDecl {
  kind: 'experiment';
  name: Name;
  items: ExperimentItem[];
  close?: number;
  span: Span;
}

export type ExperimentItem = FieldItem | SweepItem;

export interface FieldItem {
  kind: 'field';
  name: Name;
  value: Expr;
  span: Span;
}

export interface SweepAxis {
  path: Name[];
  pathSpan: Span;
  values: Expr;
  span: Span;
}

export interface SweepItem {
  kind: 'sweep';
  zip: boolean;
  axes: SweepAxis[];
  span: Span;
}

/** `--set path=value` */
export interface Override {
  path: Name[];
  pathSpan: Span;
  value: Expr;
  span: Span;
}

export const BINARY_PRECEDENCE: Record<BinaryOp, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};

export const pathText = (path: Name[]): string => path.map((p) => p.text).join('.');
