// Declarations across the import graph: the global network table (duplicates are errors that
// name both places) and the checks that need no instantiation: parameter lists and the names of
// layer statements. Networks are checked here even when no experiment uses them.
import type * as A from '../../grammar/ast.js';
import type { Ctx } from './context.js';
import { isBuiltinLayer } from './layers.js';
import { PARAM_TYPES, reportUnknownLayer, type NetworkTable } from './network.js';
import { didYouMean } from './suggest.js';

export function buildNetworkTable(ctx: Ctx, programs: readonly A.Program[]): NetworkTable & { decls: A.NetworkDecl[] } {
  const byName = new Map<string, A.NetworkDecl>();
  const decls: A.NetworkDecl[] = [];
  for (const prog of programs) {
    for (const item of prog.items) {
      if (item.kind !== 'network') continue;
      const prev = byName.get(item.name.text);
      if (prev) {
        ctx.report('E0104', { name: item.name.text }, item.name.span, { notes: [{ message: 'first defined here', span: prev.name.span }] });
        continue;
      }
      byName.set(item.name.text, item);
      decls.push(item);
    }
  }
  return { get: (n) => byName.get(n), names: () => [...byName.keys()], decls };
}

export function checkDeclarations(ctx: Ctx, table: NetworkTable, decl: A.NetworkDecl): void {
  const seen = new Map<string, A.Param>();
  for (const p of decl.params ?? []) {
    const prev = seen.get(p.name.text);
    if (prev) ctx.report('E0110', { name: p.name.text }, p.name.span, { notes: [{ message: 'first declared here', span: prev.name.span }] });
    else seen.set(p.name.text, p);
    if (!(PARAM_TYPES as readonly string[]).includes(p.type.text)) {
      const hint = didYouMean(p.type.text, PARAM_TYPES);
      ctx.report('E0111', { name: p.type.text }, p.type.span, hint ? { hint } : {});
    }
  }
  const visit = (stmts: A.Stmt[]): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'layer':
          if (!isBuiltinLayer(s.callee.text) && !table.get(s.callee.text)) reportUnknownLayer(ctx, s.callee, table);
          break;
        case 'block':
        case 'repeat':
          visit(s.body);
          break;
        case 'if':
          visit(s.then);
          if (s.else) visit(Array.isArray(s.else) ? s.else : [s.else]);
          break;
        case 'residual':
          visit(s.body);
          visit(s.shortcut ?? []);
          break;
        case 'input':
          break;
      }
    }
  };
  visit(decl.body);
}
