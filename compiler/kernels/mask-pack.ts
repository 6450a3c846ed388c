// Packs a masked weight once per step: WE[i] = W[i] where the layer's mask keeps weight i, else
// 0. On CPU adapters the matmuls and convolutions then read WE as a plain weight, instead of
// loading the score beside every weight and testing it in their inner loop: lavapipe turns each
// per-invocation storage load into a scalar loop over the SIMD lanes (docs/performance.md), so
// the score loads doubled the cost of the weight operand, once for every tile that reads it.
// GPUs keep the test in the loader (kernels/mask.ts), where it costs a few ALU operations.
import { maskDecls, maskFunctions, maskPrelude, maskVec4, maskScalar, type WeightMask } from './mask.js';
import { ELEMENTWISE_MAIN, declareBindings, elementLoop, elementwiseGrid, layoutOf, type BindingDecl } from './wgsl.js';

export function maskPackKernel(mask: WeightMask, n: number) {
  // Four weights per invocation where the count allows (binding offsets are 16-byte aligned).
  const vec = n % 4 === 0;
  const type = vec ? 'vec4f' : 'f32';
  const decls: BindingDecl[] = [{ name: 'W', access: 'read', type }, ...maskDecls(mask, type), { name: 'WE', access: 'read_write', type }];
  const count = vec ? n / 4 : n;
  const body = vec
    ? `    WE[e] = ${maskVec4(mask, 'W[e]', 'S[e]', 'vec4u(e * 4u) + vec4u(0u, 1u, 2u, 3u)')};`
    : `    WE[e] = ${maskScalar(mask, 'W[e]', 'S[e]', 'e')};`;
  const wgsl = `// mask_pack ${mask.kind} over ${n} weights
${declareBindings(decls)}
${maskFunctions(mask)}
${ELEMENTWISE_MAIN} {
${maskPrelude(mask)}
  ${elementLoop(count)}
${body}
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [256, 1, 1] as [number, number, number], workgroups: elementwiseGrid(count) };
}
