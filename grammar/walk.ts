// Generic walks over the expressions of a program.
import type * as A from './ast.js';

export function walkExpr(e: A.Expr, f: (e: A.Expr) => void): void {
  f(e);
  switch (e.kind) {
    case 'call':
      for (const a of e.args) walkExpr(a.value, f);
      break;
    case 'list':
      for (const x of e.items) walkExpr(x, f);
      break;
    case 'record':
      for (const x of e.fields) walkExpr(x.value, f);
      break;
    case 'unary':
      walkExpr(e.operand, f);
      break;
    case 'binary':
      walkExpr(e.left, f);
      walkExpr(e.right, f);
      break;
    case 'paren':
      walkExpr(e.inner, f);
      break;
    default:
      break;
  }
}

function walkStmts(stmts: A.Stmt[], f: (e: A.Expr) => void): void {
  for (const s of stmts) {
    switch (s.kind) {
      case 'input':
        walkExpr(s.shape, f);
        break;
      case 'layer':
        for (const a of s.args ?? []) walkExpr(a.value, f);
        break;
      case 'block':
        walkStmts(s.body, f);
        break;
      case 'repeat':
        walkExpr(s.count, f);
        walkStmts(s.body, f);
        break;
      case 'if':
        walkExpr(s.cond, f);
        walkStmts(s.then, f);
        if (s.else) walkStmts(Array.isArray(s.else) ? s.else : [s.else], f);
        break;
      case 'residual':
        walkStmts(s.body, f);
        walkStmts(s.shortcut ?? [], f);
        break;
    }
  }
}

export function walkExprs(items: A.Item[], f: (e: A.Expr) => void): void {
  for (const it of items) {
    if (it.kind === 'network') {
      for (const p of it.params ?? []) if (p.default) walkExpr(p.default, f);
      walkStmts(it.body, f);
    } else if (it.kind === 'experiment') {
      for (const x of it.items) {
        if (x.kind === 'field') walkExpr(x.value, f);
        else for (const ax of x.axes) walkExpr(ax.values, f);
      }
    }
  }
}
