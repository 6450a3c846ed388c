// Batch normalisation (NCHW, per channel over batch and space), deterministic: the statistics and
// the backward sums are tree reductions in one workgroup per channel (no float atomics), then an
// elementwise kernel applies them. Training uses the first `valid` examples of the batch (the
// last, partial batch) and updates the running statistics as torch.nn.BatchNorm2d (unbiased
// variance, momentum 0.1); evaluation uses the running statistics. ReLU fuses into the apply
// kernel, and the ReLU-backward mask into the backward kernels.
import { stateBindings, updateLines, type OptimSpec } from './optim.js';
import { ELEMENTWISE_MAIN, STEP_STRUCT, declareBindings, elementLoop, elementwiseGrid, f32lit, layoutOf, type BindingDecl } from './wgsl.js';

export interface BnShape {
  B: number;
  C: number;
  HW: number;
  eps: number;
  momentum: number;
}

export type BnAffineUpdate = OptimSpec;

const u = (x: number) => `${x}u`;
const T = 256;

function reduceTree(names: string[]): string {
  return `  workgroupBarrier();
  for (var s = ${T / 2}u; s > 0u; s = s >> 1u) {
    if (lid.x < s) {
${names.map((n) => `      ${n}[lid.x] = ${n}[lid.x] + ${n}[lid.x + s];`).join('\n')}
    }
    workgroupBarrier();
  }`;
}

/** One workgroup per channel: mean and 1/σ into STATS ([mean × C, inv × C]), running stats updated. */
export function bnStatsKernel(s: BnShape) {
  const decls: BindingDecl[] = [
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'STATS', access: 'read_write', type: 'f32' },
    { name: 'RUN_MEAN', access: 'read_write', type: 'f32' },
    { name: 'RUN_VAR', access: 'read_write', type: 'f32' },
    { name: 'step', access: 'uniform', type: 'Step' },
  ];
  const wgsl = `// batch-norm statistics: ${s.C} channels over ${s.B}×${s.HW}
${declareBindings(decls)}
${STEP_STRUCT}
var<workgroup> red: array<f32, ${T}>;
@compute @workgroup_size(${T})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x;
  let count = min(step.valid, ${u(s.B)}) * ${u(s.HW)};
  var acc = 0.0;
  for (var i = lid.x; i < count; i = i + ${u(T)}) {
    acc = acc + X[((i / ${u(s.HW)}) * ${u(s.C)} + c) * ${u(s.HW)} + i % ${u(s.HW)}];
  }
  red[lid.x] = acc;
${reduceTree(['red'])}
  let mean = red[0] / f32(max(count, 1u));
  workgroupBarrier();
  var sq = 0.0;
  for (var i = lid.x; i < count; i = i + ${u(T)}) {
    let d = X[((i / ${u(s.HW)}) * ${u(s.C)} + c) * ${u(s.HW)} + i % ${u(s.HW)}] - mean;
    sq = sq + d * d;
  }
  red[lid.x] = sq;
${reduceTree(['red'])}
  if (lid.x == 0u) {
    let n = f32(max(count, 1u));
    let var_b = red[0] / n;
    STATS[c] = mean;
    STATS[${u(s.C)} + c] = 1.0 / sqrt(var_b + ${f32lit(s.eps)});
    let unbiased = select(var_b, red[0] / (n - 1.0), count > 1u);
    RUN_MEAN[c] = ${f32lit(1 - s.momentum)} * RUN_MEAN[c] + ${f32lit(s.momentum)} * mean;
    RUN_VAR[c] = ${f32lit(1 - s.momentum)} * RUN_VAR[c] + ${f32lit(s.momentum)} * unbiased;
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [T, 1, 1] as [number, number, number], workgroups: [s.C, 1, 1] as [number, number, number] };
}

/**
 * y = (x − μ)·(1/σ)·γ + β (+ ReLU). Training: μ, 1/σ from STATS, rows past `valid` zero.
 * Evaluation: from the running statistics.
 */
export function bnApplyKernel(s: BnShape, opts: { train: boolean; affine: boolean; relu: boolean }) {
  const decls: BindingDecl[] = [{ name: 'X', access: 'read', type: 'f32' }];
  if (opts.train) decls.push({ name: 'STATS', access: 'read', type: 'f32' });
  else decls.push({ name: 'RUN_MEAN', access: 'read', type: 'f32' }, { name: 'RUN_VAR', access: 'read', type: 'f32' });
  if (opts.affine) decls.push({ name: 'GAMMA', access: 'read', type: 'f32' }, { name: 'BETA', access: 'read', type: 'f32' });
  decls.push({ name: 'Y', access: 'read_write', type: 'f32' }, { name: 'step', access: 'uniform', type: 'Step' });
  const n = s.B * s.C * s.HW;
  const stat = opts.train
    ? `let mean = STATS[c]; let inv = STATS[${u(s.C)} + c];`
    : `let mean = RUN_MEAN[c]; let inv = 1.0 / sqrt(RUN_VAR[c] + ${f32lit(s.eps)});`;
  const affine = opts.affine ? ' * GAMMA[c] + BETA[c]' : '';
  const out = opts.relu ? `max((X[e] - mean) * inv${affine}, 0.0)` : `(X[e] - mean) * inv${affine}`;
  const wgsl = `// batch-norm apply (${opts.train ? 'batch' : 'running'} statistics${opts.affine ? ', affine' : ''}${opts.relu ? ', + relu' : ''})
${declareBindings(decls)}
${STEP_STRUCT}
${ELEMENTWISE_MAIN} {
  ${elementLoop(n)}
    let c = (e / ${u(s.HW)}) % ${u(s.C)};
    ${stat}
    Y[e] = ${opts.train ? `select(0.0, ${out}, e / ${u(s.C * s.HW)} < step.valid)` : out};
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [256, 1, 1] as [number, number, number], workgroups: elementwiseGrid(n) };
}

/**
 * Backward sums per channel (one workgroup each): Σ g and Σ g·x̂ over valid rows, g = dy (masked
 * by the ReLU output when the forward fused a ReLU), into RED ([Σg × C, Σg·x̂ × C, γ_old × C]).
 * For affine BN it then updates γ and β by SGD, after saving the γ the dx kernel must use.
 */
export function bnBwdReduceKernel(s: BnShape, opts: { affine: boolean; reluMask: boolean; update?: BnAffineUpdate }) {
  const decls: BindingDecl[] = [
    { name: 'DY', access: 'read', type: 'f32' },
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'STATS', access: 'read', type: 'f32' },
  ];
  if (opts.reluMask) decls.push({ name: 'YR', access: 'read', type: 'f32' });
  decls.push({ name: 'RED', access: 'read_write', type: 'f32' });
  // γ's and β's optimiser state: bindings named <state><param>, e.g. VGAMMA, MBETA.
  const states = opts.update ? stateBindings(opts.update) : [];
  if (opts.affine) {
    decls.push({ name: 'GAMMA', access: 'read_write', type: 'f32' }, { name: 'BETA', access: 'read_write', type: 'f32' });
    for (const p of ['GAMMA', 'BETA']) for (const st of states) decls.push({ name: `${st}${p}`, access: 'read_write', type: 'f32' });
  }
  decls.push({ name: 'step', access: 'uniform', type: 'Step' });
  const g = opts.reluMask ? `select(0.0, DY[j], YR[j] > 0.0)` : `DY[j]`;
  const update = (param: string, grad: string) => {
    if (!opts.update) return '';
    const name = (n: string) => (n === 'P' ? param : `${n}${param}`);
    const io = { type: 'f32' as const, load: (n: string) => `${name(n)}[c]`, store: (n: string, v: string) => `${name(n)}[c] = ${v};` };
    return `    {\n      var g = ${grad};\n${updateLines(opts.update, io).map((l) => `      ${l}`).join('\n')}\n    }`;
  };
  const wgsl = `// batch-norm backward sums${opts.reluMask ? ' (relu-masked)' : ''}${opts.affine ? ' + affine update' : ''}
${declareBindings(decls)}
${STEP_STRUCT}
var<workgroup> red_g: array<f32, ${T}>;
var<workgroup> red_gx: array<f32, ${T}>;
@compute @workgroup_size(${T})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x;
  let count = min(step.valid, ${u(s.B)}) * ${u(s.HW)};
  let mean = STATS[c];
  let inv = STATS[${u(s.C)} + c];
  var a = 0.0;
  var b = 0.0;
  for (var i = lid.x; i < count; i = i + ${u(T)}) {
    let j = ((i / ${u(s.HW)}) * ${u(s.C)} + c) * ${u(s.HW)} + i % ${u(s.HW)};
    let g = ${g};
    a = a + g;
    b = b + g * (X[j] - mean) * inv;
  }
  red_g[lid.x] = a;
  red_gx[lid.x] = b;
${reduceTree(['red_g', 'red_gx'])}
  if (lid.x == 0u) {
    RED[c] = red_g[0];
    RED[${u(s.C)} + c] = red_gx[0];
${opts.affine ? `    RED[${u(2 * s.C)} + c] = GAMMA[c];\n${update('GAMMA', 'red_gx[0]')}\n${update('BETA', 'red_g[0]')}` : ''}
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [T, 1, 1] as [number, number, number], workgroups: [s.C, 1, 1] as [number, number, number] };
}

/** dx = γ·(1/σ)·(g − Σg/n − x̂·Σg·x̂/n) over valid rows, 0 past them. */
export function bnBwdApplyKernel(s: BnShape, opts: { affine: boolean; reluMask: boolean }) {
  const decls: BindingDecl[] = [
    { name: 'DY', access: 'read', type: 'f32' },
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'STATS', access: 'read', type: 'f32' },
  ];
  if (opts.reluMask) decls.push({ name: 'YR', access: 'read', type: 'f32' });
  decls.push({ name: 'RED', access: 'read', type: 'f32' }, { name: 'DX', access: 'read_write', type: 'f32' }, { name: 'step', access: 'uniform', type: 'Step' });
  const n = s.B * s.C * s.HW;
  const wgsl = `// batch-norm backward apply${opts.reluMask ? ' (relu-masked)' : ''}
${declareBindings(decls)}
${STEP_STRUCT}
${ELEMENTWISE_MAIN} {
  let count = f32(max(min(step.valid, ${u(s.B)}) * ${u(s.HW)}, 1u));
  ${elementLoop(n)}
    let c = (e / ${u(s.HW)}) % ${u(s.C)};
    let j = e;
    let g = ${opts.reluMask ? 'select(0.0, DY[j], YR[j] > 0.0)' : 'DY[j]'};
    let inv = STATS[${u(s.C)} + c];
    let xh = (X[j] - STATS[c]) * inv;
    let scale = ${opts.affine ? `RED[${u(2 * s.C)} + c] * inv` : 'inv'};
    let v = scale * (g - RED[c] / count - xh * (RED[${u(s.C)} + c] / count));
    DX[e] = select(0.0, v, e / ${u(s.C * s.HW)} < step.valid);
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [256, 1, 1] as [number, number, number], workgroups: elementwiseGrid(n) };
}
