// A compact S-expression view of the AST, for one-line parser expectations (esbuild style).
import type * as A from '../../grammar/ast.js';

export function exprS(e: A.Expr): string {
  switch (e.kind) {
    case 'num':
    case 'pct':
      return e.text;
    case 'str':
      return JSON.stringify(e.value);
    case 'bool':
      return String(e.value);
    case 'ident':
      return e.name;
    case 'call':
      return `(call ${e.callee.text}${e.args.map((a) => ' ' + argS(a)).join('')})`;
    case 'list':
      return `[${e.items.map(exprS).join(' ')}]`;
    case 'record':
      return `{${e.fields.map((f) => `${f.key.text}=${exprS(f.value)}`).join(' ')}}`;
    case 'unary':
      return `(${e.op} ${exprS(e.operand)})`;
    case 'binary':
      return `(${e.op} ${exprS(e.left)} ${exprS(e.right)})`;
    case 'paren':
      return exprS(e.inner);
    case 'error':
      return '<error>';
  }
}

const argS = (a: A.Arg): string => (a.name ? `${a.name.text}=${exprS(a.value)}` : exprS(a.value));

export function stmtS(s: A.Stmt): string {
  const label = (l?: A.Name): string => (l ? `${l.text}: ` : '');
  const body = (b: A.Stmt[]): string => b.map(stmtS).join(' ');
  switch (s.kind) {
    case 'input':
      return `(input ${exprS(s.shape)})`;
    case 'layer':
      return `(${label(s.label)}${s.callee.text}${s.args === null ? '' : `(${s.args.map(argS).join(' ')})`})`;
    case 'block':
      return `(${s.label.text}: {${body(s.body)}})`;
    case 'repeat':
      return `(${label(s.label)}repeat${s.index ? ` ${s.index.text} in` : ''} ${exprS(s.count)} {${body(s.body)}})`;
    case 'if': {
      const els = s.else === undefined ? '' : Array.isArray(s.else) ? ` else {${body(s.else)}}` : ` else ${stmtS(s.else)}`;
      return `(if ${exprS(s.cond)} {${body(s.then)}}${els})`;
    }
    case 'residual':
      return `(${label(s.label)}residual {${body(s.body)}}${s.shortcut ? ` shortcut {${body(s.shortcut)}}` : ''})`;
  }
}

export function itemS(i: A.Item): string {
  switch (i.kind) {
    case 'import':
      return `(import ${JSON.stringify(i.path)})`;
    case 'network': {
      const params = i.params === null ? '' : `(${i.params.map((p) => `${p.name.text}:${p.type.text}${p.default ? '=' + exprS(p.default) : ''}`).join(' ')})`;
      return `(network ${i.name.text}${params} ${i.body.map(stmtS).join(' ')})`;
    }
    case 'experiment':
      return `(experiment ${i.name.text}${i.items
        .map((x) =>
          x.kind === 'field'
            ? ` ${x.name.text}=${exprS(x.value)}`
            : ` (sweep${x.zip ? ' zip' : ''}${x.axes.map((a) => ` ${a.path.map((p) => p.text).join('.')} in ${exprS(a.values)}`).join(',')})`,
        )
        .join('')})`;
  }
}

export const programS = (p: A.Program): string => p.items.map(itemS).join(' ');
