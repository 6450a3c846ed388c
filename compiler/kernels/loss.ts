// Softmax cross-entropy fused with its gradient and the metrics: one workgroup, a thread per row
// (striding when the batch exceeds the workgroup). Each row computes max and log-sum-exp, its
// loss against the (label-smoothed) target and dlogits = (softmax − target)/valid. Loss and
// correct counts are summed by a fixed-order tree in workgroup memory (deterministic, no float
// atomics) and added to the epoch's accumulator [loss sum, correct, count, 0].
import { STEP_STRUCT, declareBindings, f32lit, layoutOf, type BindingDecl } from './wgsl.js';

export const XENT_THREADS = 256;

export function xentKernel(opts: { batch: number; classes: number; smoothing: number; writeGrad: boolean }) {
  const { batch, classes: C, smoothing: eps } = opts;
  const decls: BindingDecl[] = [
    { name: 'Z', access: 'read', type: 'f32' },
    { name: 'LABELS', access: 'read', type: 'u32' },
    ...(opts.writeGrad ? [{ name: 'DZ', access: 'read_write', type: 'f32' } as BindingDecl] : []),
    { name: 'METRICS', access: 'read_write', type: 'f32' },
    { name: 'step', access: 'uniform', type: 'Step' },
  ];
  const onHot = f32lit(1 - eps + eps / C);
  const offHot = f32lit(eps / C);
  const wgsl = `// softmax cross-entropy, batch ${batch}, ${C} classes, smoothing ${eps}${opts.writeGrad ? ', with gradient' : ''}
${declareBindings(decls)}
${STEP_STRUCT}
var<workgroup> red_loss: array<f32, ${XENT_THREADS}>;
var<workgroup> red_correct: array<u32, ${XENT_THREADS}>;
@compute @workgroup_size(${XENT_THREADS})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let valid = step.valid;
  let inv_valid = 1.0 / f32(max(valid, 1u));
  var loss_acc = 0.0;
  var correct = 0u;
  for (var b = lid.x; b < ${batch}u; b = b + ${XENT_THREADS}u) {
    let base = b * ${C}u;
    if (b >= valid) {
${opts.writeGrad ? `      for (var c = 0u; c < ${C}u; c = c + 1u) { DZ[base + c] = 0.0; }` : ''}
      continue;
    }
    var mx = Z[base];
    var arg = 0u;
    for (var c = 1u; c < ${C}u; c = c + 1u) {
      let v = Z[base + c];
      if (v > mx) { mx = v; arg = c; }
    }
    var sum = 0.0;
    for (var c = 0u; c < ${C}u; c = c + 1u) { sum = sum + exp(Z[base + c] - mx); }
    let lse = mx + log(sum);
    let y = LABELS[b];
    var loss = 0.0;
    for (var c = 0u; c < ${C}u; c = c + 1u) {
      let q = select(${offHot}, ${onHot}, c == y);
      let z = Z[base + c];
      loss = loss - q * (z - lse);
${opts.writeGrad ? `      DZ[base + c] = (exp(z - lse) - q) * inv_valid;` : ''}
    }
    loss_acc = loss_acc + loss;
    correct = correct + select(0u, 1u, arg == y);
  }
  red_loss[lid.x] = loss_acc;
  red_correct[lid.x] = correct;
  workgroupBarrier();
  for (var s = ${XENT_THREADS / 2}u; s > 0u; s = s >> 1u) {
    if (lid.x < s) {
      red_loss[lid.x] = red_loss[lid.x] + red_loss[lid.x + s];
      red_correct[lid.x] = red_correct[lid.x] + red_correct[lid.x + s];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    METRICS[0] = METRICS[0] + red_loss[0];
    METRICS[1] = METRICS[1] + f32(red_correct[0]);
    METRICS[2] = METRICS[2] + f32(valid);
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [XENT_THREADS, 1, 1] as [number, number, number] };
}
