// The mask applied inside a weight loader (never stored as a weight tensor), for every policy:
//   topk     — edge-popup: keep iff |score| > T, or == T with index ≥ tie (compiler/semantics/topk.ts);
//   bits     — a bit mask (a supermask sample of this step, or a fixed mask from a run);
//   sigmoid  — w·σ(score): the supermask's expected value (eval mode `expected`);
//   positive — w·[score > 0]: the supermask thresholded at ½ (eval mode `threshold`).
// And the straight-through score gradients the dW epilogues use.
import type { BindingDecl } from './wgsl.js';

export type WeightMask = { kind: 'topk'; thrIndex: number } | { kind: 'bits' } | { kind: 'sigmoid' } | { kind: 'positive' };

/** Bindings the mask reads: S (scores, typed like the weights) and THR, or MB (mask bits). */
export function maskDecls(m: WeightMask | undefined, scoreType: string): BindingDecl[] {
  if (!m) return [];
  if (m.kind === 'bits') return [{ name: 'MB', access: 'read', type: 'u32' }];
  const s: BindingDecl = { name: 'S', access: 'read', type: scoreType };
  return m.kind === 'topk' ? [s, { name: 'THR', access: 'read', type: 'u32' }] : [s];
}

/** Statements at the top of the kernel (the layer's threshold, read once). */
export function maskPrelude(m: WeightMask | undefined): string {
  if (m?.kind !== 'topk') return '';
  return `  let thr_key = THR[${4 * m.thrIndex}u]; let thr_tie = THR[${4 * m.thrIndex + 1}u];`;
}

export function maskFunctions(m: WeightMask | undefined): string {
  if (!m) return '';
  if (m.kind === 'topk') {
    return `
fn keep4(s: vec4f, idx: vec4u, t: u32, tie: u32) -> vec4<bool> {
  let key = bitcast<vec4u>(s) & vec4u(0x7fffffffu);
  return (key > vec4u(t)) | ((key == vec4u(t)) & (idx >= vec4u(tie)));
}
fn keep1(s: f32, idx: u32, t: u32, tie: u32) -> bool {
  let key = bitcast<u32>(s) & 0x7fffffffu;
  return key > t || (key == t && idx >= tie);
}`;
  }
  if (m.kind === 'bits') {
    return `
fn bit1(idx: u32) -> bool { return ((MB[idx >> 5u] >> (idx & 31u)) & 1u) != 0u; }
fn bit4(idx: vec4u) -> vec4<bool> { return vec4<bool>(bit1(idx.x), bit1(idx.y), bit1(idx.z), bit1(idx.w)); }`;
  }
  return '';
}

/** Masked weight, scalar: `w` the weight, `s` an expression loading its score, `idx` its index in the layer. */
export function maskScalar(m: WeightMask | undefined, w: string, s: string, idx: string): string {
  if (!m) return w;
  switch (m.kind) {
    case 'topk':
      return `select(0.0, ${w}, keep1(${s}, ${idx}, thr_key, thr_tie))`;
    case 'bits':
      return `select(0.0, ${w}, bit1(${idx}))`;
    case 'sigmoid':
      return `(${w} / (1.0 + exp(-${s})))`;
    case 'positive':
      return `select(0.0, ${w}, ${s} > 0.0)`;
  }
}

/** Masked weights, four at once (`idx` a vec4u of their indices). */
export function maskVec4(m: WeightMask | undefined, w: string, s: string, idx: string): string {
  if (!m) return w;
  switch (m.kind) {
    case 'topk':
      return `select(vec4f(0.0), ${w}, keep4(${s}, ${idx}, thr_key, thr_tie))`;
    case 'bits':
      return `select(vec4f(0.0), ${w}, bit4(${idx}))`;
    case 'sigmoid':
      return `(${w} / (vec4f(1.0) + exp(-${s})))`;
    case 'positive':
      return `select(vec4f(0.0), ${w}, ${s} > vec4f(0.0))`;
  }
}

/** Whether the loader reads the scores binding S. */
export function readsScores(m: WeightMask | undefined): boolean {
  return !!m && m.kind !== 'bits';
}

/**
 * The straight-through score gradient of one element from dL/dW_eff (`v`), the frozen weight
 * (`w`) and the score (`s`): edge-popup `v·w·sign(s)`; supermask `v·w·σ(s)(1−σ(s))`.
 */
export function scoreGradExpr(rule: 'sign' | 'sigmoid', v: string, w: string, s: string, type: 'f32' | 'vec4f'): string {
  if (rule === 'sign') return `${v} * ${w} * sign(${s})`;
  const one = type === 'f32' ? '1.0' : 'vec4f(1.0)';
  return `${v} * ${w} * (${one} / (${one} + exp(-${s}))) * (${one} - ${one} / (${one} + exp(-${s})))`;
}
