// Elementwise kernels that no matmul or conv could absorb: the residual add (with the ReLU that
// follows it), gradient accumulation where a tensor feeds two branches, and a standalone ReLU
// backward (the mask of a residual block's output ReLU, read by both branches).
import { ELEMENTWISE_MAIN, declareBindings, elementLoop, elementwiseGrid, layoutOf, type BindingDecl } from './wgsl.js';

export type ElementwiseOp = 'add' | 'add_relu' | 'relu' | 'relu_bwd';

export function elementwiseKernel(op: ElementwiseOp, n: number) {
  const decls: BindingDecl[] =
    op === 'relu'
      ? [{ name: 'A', access: 'read', type: 'f32' }, { name: 'Y', access: 'read_write', type: 'f32' }]
      : [{ name: 'A', access: 'read', type: 'f32' }, { name: 'B', access: 'read', type: 'f32' }, { name: 'Y', access: 'read_write', type: 'f32' }];
  const expr = {
    add: 'A[e] + B[e]',
    add_relu: 'max(A[e] + B[e], 0.0)',
    relu: 'max(A[e], 0.0)',
    // A = dy, B = the forward ReLU output
    relu_bwd: 'select(0.0, A[e], B[e] > 0.0)',
  }[op];
  const wgsl = `// elementwise ${op} over ${n}
${declareBindings(decls)}
${ELEMENTWISE_MAIN} {
  ${elementLoop(n)}
    Y[e] = ${expr};
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [256, 1, 1] as [number, number, number], workgroups: elementwiseGrid(n) };
}
