// The weight gradient of a stride-1 convolution for CPU adapters with 8-lane subgroups:
//
//   dW[co, ci, kh, kw] = Σ_{b, oh, ow} dY[b, co, oh, ow] · X[b, ci, oh − p + kh, ow − p + kw]
//
// Each lane owns tm output channels × tn / K (input channel, kernel row) pairs, all K taps of
// each, and the reduction walks the output in row segments of 8 pixels. Per segment, lane l
// loads pixel l of the tm output-gradient rows (tm per-lane loads, handed out to every lane by
// subgroupBroadcast) and, per pair, the 8 + K − 1 input values under the segment, which serve
// all K taps. The implicit GEMM (kernels/conv.ts) loads one input value per tap and pixel.
// Accumulators and the epilogue are the implicit GEMM's: column n = (ci·K + kh)·K + kw of the
// [Co, Ci·K·K] gradient; the split-K slices are runs of segments.
import { LANES } from './conv-row.js';
import { optimLines, type ConvKernel, type ConvSpec } from './conv-spec.js';
import { stateBindings } from './optim.js';
import { lines, tiledKernel, type BindingDecl } from './wgsl.js';

const u = (x: number) => `${x}u`;
const i = (x: number) => `${x}i`;

/** Whether this kernel computes the pass at the tile: stride-1 dw, K taps per pair, one subgroup. */
export function dwRowApplies(spec: Pick<ConvSpec, 'pass' | 'shape' | 'tile'>): boolean {
  const t = spec.tile;
  return spec.pass === 'dw' && spec.shape.stride === 1 && t.tn % spec.shape.K === 0 && t.wx === LANES && t.wy === 1;
}

export function convDwRowKernel(spec: ConvSpec): ConvKernel {
  const s = spec.shape;
  if (!dwRowApplies(spec)) throw new Error('internal: the row dw is for stride-1 dw with K taps per pair');
  const { tm, tn } = spec.tile;
  const ep = spec.epilogue;
  const K = s.K;
  const KK = K * K;
  const tp = tn / K; // pairs per lane
  const M = s.Co;
  const N = s.Ci * KK;
  const pairs = s.Ci * K;
  const HW = s.H * s.W;
  const P = s.OH * s.OW;
  const segs = Math.ceil(s.OW / LANES);
  const steps = s.B * s.OH * segs;
  const split = Math.max(1, spec.splitK ?? 1);
  const per = Math.ceil(steps / split);
  const L = LANES + K - 1;

  const decls: BindingDecl[] = [
    { name: 'DY', access: 'read', type: 'f32' },
    { name: 'X', access: 'read', type: 'f32' },
  ];
  if (split > 1) decls.push({ name: 'PARTIAL', access: 'read_write', type: 'f32' });
  else if (ep.kind === 'optim') {
    decls.push({ name: 'P', access: 'read_write', type: 'f32' });
    for (const b of stateBindings(ep.optim)) decls.push({ name: b, access: 'read_write', type: 'f32' });
    if (ep.score) decls.push({ name: 'WF', access: 'read', type: 'f32' });
    decls.push({ name: 'step', access: 'uniform', type: 'Step' });
  } else throw new Error('internal: the dw kernel ends in the optimiser or in split-K partials');

  const body: string[] = [];
  body.push(`  let mb = wid.y * ${u(tm)};`);
  body.push(`  let pb = (wid.x * ${u(LANES)} + lid.x) * ${u(tp)};`);
  // Pair j: input channel ci and kernel row kh; its X plane offset within an image.
  for (let j = 0; j < tp; j++) {
    body.push(`  let pr${j} = min(pb + ${u(j)}, ${u(pairs - 1)}); let xc${j} = (pr${j} / ${u(K)}) * ${u(HW)}; let kh${j} = i32(pr${j} % ${u(K)}) - ${i(s.pad)};`);
  }
  // The output-gradient row lane l loads for channel a: DY[b, mb + a, oh, ow0 + l].
  body.push(lines(tm, (a) => `  let dc${a} = min(mb + ${u(a)}, ${u(M - 1)}) * ${u(P)};`));
  body.push(lines(tm, (a) => lines(tp, (j) => lines(K, (q) => `  var acc${a}_${j}_${q} = 0.0;`))));
  body.push(`  let t_end = min(wid.z * ${u(per)} + ${u(per)}, ${u(steps)});`);
  body.push(`  for (var t = wid.z * ${u(per)}; t < t_end; t = t + 1u) {`);
  body.push(`    let r = t / ${u(segs)}; let ow0 = (t % ${u(segs)}) * ${u(LANES)};`);
  body.push(`    let bi = r / ${u(s.OH)}; let oh = r % ${u(s.OH)};`);
  body.push(`    let ol = ow0 + lid.x; let lok = ol < ${u(s.OW)};`);
  body.push(`    let db = bi * ${u(s.Co * P)} + oh * ${u(s.OW)} + select(0u, ol, lok);`);
  body.push(lines(tm, (a) => `    let dv${a} = select(0.0, DY[db + dc${a}], lok);`));
  body.push(`    let xb = bi * ${u(s.Ci * HW)};`);
  for (let j = 0; j < tp; j++) {
    body.push(`    let y${j} = i32(oh) + kh${j}; let rok${j} = y${j} >= 0 && y${j} < ${i(s.H)}; let rb${j} = xb + xc${j} + u32(select(0, y${j}, rok${j})) * ${u(s.W)};`);
    for (let c = 0; c < L; c++) {
      body.push(`    let cx${j}_${c} = i32(ow0) + ${i(c - s.pad)}; let ok${j}_${c} = rok${j} && cx${j}_${c} >= 0 && cx${j}_${c} < ${i(s.W)};`);
      body.push(`    let x${j}_${c} = select(0.0, X[select(0u, rb${j} + u32(cx${j}_${c}), ok${j}_${c})], ok${j}_${c});`);
    }
  }
  for (let a = 0; a < tm; a++) {
    for (let r = 0; r < LANES; r++) {
      body.push(`    { let d = subgroupBroadcast(dv${a}, ${u(r)});`);
      body.push(lines(tp, (j) => lines(K, (q) => `      acc${a}_${j}_${q} = fma(d, x${j}_${r + q}, acc${a}_${j}_${q});`)));
      body.push(`    }`);
    }
  }
  body.push(`  }`);

  for (let a = 0; a < tm; a++) {
    for (let j = 0; j < tp; j++) {
      for (let q = 0; q < K; q++) {
        const v = `acc${a}_${j}_${q}`;
        const st = split > 1 ? [`PARTIAL[wid.z * ${u(M * N)} + e] = ${v};`] : optimLines(ep as Extract<typeof ep, { kind: 'optim' }>, 'e', v, 'WF');
        body.push(`  if (mb + ${u(a)} < ${u(M)} && pb + ${u(j)} < ${u(pairs)}) { let e = (mb + ${u(a)}) * ${u(N)} + pr${j} * ${u(K)} + ${u(q)}; ${st.join(' ')} }`);
      }
    }
  }

  const k = tiledKernel({
    header: `conv dw (row) B${s.B} ${s.Ci}→${s.Co} ${s.H}x${s.W} k${K} s1 p${s.pad} epilogue=${split > 1 ? `split-K ×${split}` : ep.kind}`,
    decls,
    usesStep: split === 1,
    functions: '',
    size: [LANES, 1],
    body,
    workgroups: [Math.ceil(pairs / (LANES * tp)), Math.ceil(M / tm), split],
  });
  return { ...k, wgsl: `enable subgroups;\n${k.wgsl}`, M, N, K: s.B * P };
}
