// Optimiser updates as WGSL snippets, shared by every kernel that fuses an update: the dW matmul
// and convolution epilogues, the split-K reduction and the batch-norm affine update.
//
// SGD (PyTorch, dampening 0): d = g + wd·p; v = μ·v + d; p -= lr·(nesterov ? d + μ·v : v).
// Adam (PyTorch, L2 weight decay): d = g + wd·p; m = β1·m + (1−β1)·d; v = β2·v + (1−β2)·d²;
//   p -= lr·(m·c1)/(√(v·c2) + ε), with the bias corrections c1 = 1/(1−β1^t), c2 = 1/(1−β2^t)
//   computed on the host per step (t = step + 1) and passed in the step uniform. The
//   reference's Adam ignores weight decay; ours applies it (docs/semantics.md).
import { f32lit } from './wgsl.js';

export type OptimSpec =
  | { kind: 'sgd'; momentum: number; nesterov: boolean; weightDecay: number }
  | { kind: 'adam'; beta1: number; beta2: number; eps: number; weightDecay: number };

/** Names of the state bindings an update reads and writes, besides the parameter P. */
export function stateBindings(o: OptimSpec): string[] {
  if (o.kind === 'adam') return ['M', 'V'];
  return o.momentum !== 0 ? ['V'] : [];
}

/** IR roles of the state tensors, in the order of stateBindings. */
export function stateRoles(o: OptimSpec): ('momentum' | 'adam_m' | 'adam_v')[] {
  if (o.kind === 'adam') return ['adam_m', 'adam_v'];
  return o.momentum !== 0 ? ['momentum'] : [];
}

export interface UpdateIO {
  /** WGSL type of the values (f32 or vec4f): the update is written componentwise. */
  type: 'f32' | 'vec4f';
  /** Expression loading binding `name` at the element(s) being updated. */
  load(name: string): string;
  /** Statement(s) storing `value` into binding `name`. */
  store(name: string, value: string): string;
}

/**
 * Lines that update the parameter P whose gradient is in variable `g` (declared `var g`; the
 * weight-decay term is added to it). Needs the Step uniform (lr, c1, c2) in scope as `step`.
 */
export function updateLines(o: OptimSpec, io: UpdateIO): string[] {
  const T = io.type;
  const s = (x: number) => (T === 'f32' ? f32lit(x) : `${T}(${f32lit(x)})`);
  const out: string[] = [`let p_old = ${io.load('P')};`];
  if (o.weightDecay !== 0) out.push(`g = g + ${s(o.weightDecay)} * p_old;`);
  if (o.kind === 'sgd') {
    if (o.momentum !== 0) {
      out.push(`let vel = ${s(o.momentum)} * ${io.load('V')} + g;`);
      out.push(io.store('V', 'vel'));
      out.push(o.nesterov ? `let upd = g + ${s(o.momentum)} * vel;` : `let upd = vel;`);
    } else out.push(`let upd = g;`);
    out.push(io.store('P', 'p_old - step.lr * upd'));
  } else {
    out.push(`let m1 = ${s(o.beta1)} * ${io.load('M')} + ${s(1 - o.beta1)} * g;`);
    out.push(`let m2 = ${s(o.beta2)} * ${io.load('V')} + ${s(1 - o.beta2)} * g * g;`);
    out.push(io.store('M', 'm1'));
    out.push(io.store('V', 'm2'));
    out.push(io.store('P', `p_old - step.lr * (m1 * step.c1) / (sqrt(m2 * step.c2) + ${s(o.eps)})`));
  }
  return out;
}

/** Scalar IO over bindings indexed by `e`. */
export function scalarIO(e: string): UpdateIO {
  return { type: 'f32', load: (n) => `${n}[${e}]`, store: (n, v) => `${n}[${e}] = ${v};` };
}
