// What is under the cursor: the innermost construct of the parsed entry file at an offset, with
// the context hover and navigation need (the experiment and field it is in, the call and
// argument it belongs to, the network it is written in).
import type * as A from '../grammar/ast.js';
import type { Span } from './compiler-api.js';

export interface Where {
  experiment?: A.ExperimentDecl;
  field?: string;
  network?: A.NetworkDecl;
  /** The call the construct is an argument of, and which argument. */
  callee?: string;
  arg?: string;
}

export type Hit =
  | { kind: 'import'; item: A.ImportDecl; where: Where }
  | { kind: 'experiment'; decl: A.ExperimentDecl; where: Where }
  | { kind: 'network'; decl: A.NetworkDecl; where: Where }
  | { kind: 'param'; param: A.Param; where: Where }
  | { kind: 'field'; field: A.FieldItem; where: Where }
  | { kind: 'callee'; name: A.Name; layer: boolean; where: Where }
  | { kind: 'argName'; callee: string; name: A.Name; where: Where }
  | { kind: 'recordKey'; key: A.Name; where: Where }
  | { kind: 'ident'; name: string; span: Span; where: Where }
  | { kind: 'literal'; expr: A.Expr; where: Where }
  | { kind: 'sweepPath'; path: A.Name[]; index: number; where: Where };

const inside = (s: Span, o: number): boolean => o >= s.offset && o <= s.offset + s.length;

function inExpr(e: A.Expr, o: number, w: Where): Hit | undefined {
  if (!inside(e.span, o)) return undefined;
  switch (e.kind) {
    case 'call': {
      if (inside(e.callee.span, o)) return { kind: 'callee', name: e.callee, layer: false, where: w };
      return inArgs(e.callee.text, e.args, o, w);
    }
    case 'ident':
      return { kind: 'ident', name: e.name, span: e.span, where: w };
    case 'list':
      for (const x of e.items) {
        const h = inExpr(x, o, w);
        if (h) return h;
      }
      return undefined;
    case 'record':
      for (const f of e.fields) {
        if (inside(f.key.span, o)) return { kind: 'recordKey', key: f.key, where: w };
        const h = inExpr(f.value, o, { ...w, arg: f.key.text });
        if (h) return h;
      }
      return undefined;
    case 'unary':
      return inExpr(e.operand, o, w);
    case 'binary':
      return inExpr(e.left, o, w) ?? inExpr(e.right, o, w);
    case 'paren':
      return inExpr(e.inner, o, w);
    case 'num':
    case 'pct':
    case 'str':
    case 'bool':
      return { kind: 'literal', expr: e, where: w };
    default:
      return undefined;
  }
}

function inArgs(callee: string, args: A.Arg[], o: number, w: Where): Hit | undefined {
  for (const a of args) {
    if (a.name && inside(a.name.span, o)) return { kind: 'argName', callee, name: a.name, where: w };
    const h = inExpr(a.value, o, { ...w, callee, arg: a.name?.text });
    if (h) return h;
  }
  return undefined;
}

function inStmts(stmts: A.Stmt[], o: number, w: Where): Hit | undefined {
  for (const s of stmts) {
    if (!inside(s.span, o)) continue;
    switch (s.kind) {
      case 'input':
        return inExpr(s.shape, o, w);
      case 'layer':
        if (inside(s.callee.span, o)) return { kind: 'callee', name: s.callee, layer: true, where: w };
        return inArgs(s.callee.text, s.args ?? [], o, w);
      case 'block':
        return inStmts(s.body, o, w);
      case 'repeat':
        return inExpr(s.count, o, w) ?? inStmts(s.body, o, w);
      case 'if': {
        const h = inExpr(s.cond, o, w) ?? inStmts(s.then, o, w);
        if (h) return h;
        if (Array.isArray(s.else)) return inStmts(s.else, o, w);
        return s.else ? inStmts([s.else], o, w) : undefined;
      }
      case 'residual':
        return inStmts(s.body, o, w) ?? inStmts(s.shortcut ?? [], o, w);
    }
  }
  return undefined;
}

export function locate(program: A.Program, o: number): Hit | undefined {
  for (const item of program.items) {
    if (!inside(item.span, o)) continue;
    if (item.kind === 'import') return { kind: 'import', item, where: {} };
    if (item.kind === 'network') {
      const w: Where = { network: item };
      if (inside(item.name.span, o)) return { kind: 'network', decl: item, where: w };
      for (const p of item.params ?? []) {
        if (inside(p.name.span, o)) return { kind: 'param', param: p, where: w };
        if (p.default) {
          const h = inExpr(p.default, o, w);
          if (h) return h;
        }
      }
      return inStmts(item.body, o, w);
    }
    const w: Where = { experiment: item };
    if (inside(item.name.span, o)) return { kind: 'experiment', decl: item, where: w };
    for (const x of item.items) {
      if (!inside(x.span, o)) continue;
      if (x.kind === 'field') {
        const fw = { ...w, field: x.name.text };
        if (inside(x.name.span, o)) return { kind: 'field', field: x, where: fw };
        return inExpr(x.value, o, fw);
      }
      for (const axis of x.axes) {
        const i = axis.path.findIndex((p) => inside(p.span, o));
        if (i >= 0) return { kind: 'sweepPath', path: axis.path, index: i, where: { ...w, field: axis.path[0]!.text } };
        const h = inExpr(axis.values, o, { ...w, field: axis.path[0]?.text, arg: axis.path[axis.path.length - 1]?.text });
        if (h) return h;
      }
    }
    return undefined;
  }
  return undefined;
}

/** Every network declaration of some programs, by name (the first of a name wins, as in the checker's table). */
export function networkDecls(programs: readonly A.Program[]): Map<string, A.NetworkDecl> {
  const out = new Map<string, A.NetworkDecl>();
  for (const p of programs) for (const item of p.items) if (item.kind === 'network' && !out.has(item.name.text)) out.set(item.name.text, item);
  return out;
}
