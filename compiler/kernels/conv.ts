// Convolution as implicit GEMM (NCHW activations, [Co, Ci, K, K] weights), forward and both
// backward passes, with the edge-popup mask test in the weight loader and fused epilogues.
//
//   forward: Y[b,co,pix]    = Σ_{k=(ci,kh,kw)} W[co,k] · X̃[k,(b,pix)]      M=Co, N=B·OH·OW, K=Ci·K²
//   dx:      dX[b,ci,pix]   = Σ_{k=(co,kh,kw)} W[co,ci,kh,kw] · dỸ[k,(b,pix)] M=Ci, N=B·H·W,  K=Co·K²
//   dw:      dW[co,(ci,kh,kw)] = Σ_{k=(b,oh,ow)} dY[b,co,oh,ow] · X̃[…]      M=Co, N=Ci·K²,  K=B·OH·OW
// X̃ is the im2col view of X (zero outside the image); dỸ picks dY where (ih + p − kh) is a
// multiple of the stride. Nothing is materialised: the loaders compute indices. Each thread owns
// a TM×TN tile of scalar accumulators in named registers. The dw pass can split K across
// workgroups (split-K) into partial sums that a second kernel adds in a fixed order, so it stays
// deterministic; that kernel then applies the score gradient and the optimiser update.
import { convDwRowKernel, dwRowApplies } from './conv-dw-row.js';
import { LANES, convRowKernel, rowConvApplies, rowConvFits } from './conv-row.js';
import { optimLines, type ConvKernel, type ConvPass, type ConvShape, type ConvSpec, type ConvTile } from './conv-spec.js';
import type { MatmulEpilogue } from './matmul.js';
import { maskDecls, maskFunctions, maskPrelude, maskScalar } from './mask.js';
import { stateBindings } from './optim.js';
import { STEP_STRUCT, declareBindings, layoutOf, lines, tiledKernel, type BindingDecl } from './wgsl.js';

export type { ConvKernel, ConvPass, ConvShape, ConvSpec, ConvTile } from './conv-spec.js';

export const DEFAULT_CONV_TILE: ConvTile = { tm: 4, tn: 4, wx: 8, wy: 8 };

export function convDims(pass: ConvPass, s: ConvShape): { M: number; N: number; K: number } {
  const KK = s.K * s.K;
  if (pass === 'fwd') return { M: s.Co, N: s.B * s.OH * s.OW, K: s.Ci * KK };
  if (pass === 'dx') return { M: s.Ci, N: s.B * s.H * s.W, K: s.Co * KK };
  return { M: s.Co, N: s.Ci * KK, K: s.B * s.OH * s.OW };
}

const u = (x: number) => `${x}u`;
const i = (x: number) => `${x}i`;

export function convKernel(spec: ConvSpec): ConvKernel {
  if (spec.tile.row && rowConvApplies(spec) && rowConvFits(spec)) return convRowKernel(spec);
  if (spec.tile.row && spec.tile.broadcast && dwRowApplies(spec)) return convDwRowKernel(spec);
  // The implicit GEMM broadcasts only in dw (a strided fwd or dx, or more row segments than one
  // grid dimension holds, runs it at the same tile without).
  const { tm: tm0, tn: tn0, wx: wx0, wy: wy0, broadcast } = spec.tile;
  if (spec.tile.row || (broadcast && spec.pass !== 'dw')) spec = { ...spec, tile: { tm: tm0, tn: tn0, wx: wx0, wy: wy0, ...(broadcast && spec.pass === 'dw' ? { broadcast } : {}) } };
  if (spec.tile.broadcast && (wx0 !== LANES || wy0 !== 1)) throw new Error(`internal: the broadcast dw runs one subgroup of ${LANES} lanes per workgroup`);
  const s = spec.shape;
  const { pass, tile } = spec;
  const { tm, tn, wx, wy } = tile;
  const { M, N, K } = convDims(pass, s);
  const KK = s.K * s.K;
  const P = s.OH * s.OW;
  const HW = s.H * s.W;
  const split = pass === 'dw' ? Math.max(1, spec.splitK ?? 1) : 1;
  const ep = spec.epilogue;

  const decls: BindingDecl[] = [];
  // Operand names: X (input activations), W (weights), DY (output gradient).
  if (pass === 'fwd') decls.push({ name: 'W', access: 'read', type: 'f32' }, { name: 'X', access: 'read', type: 'f32' });
  if (pass === 'dx') decls.push({ name: 'W', access: 'read', type: 'f32' }, { name: 'DY', access: 'read', type: 'f32' });
  if (pass === 'dw') decls.push({ name: 'DY', access: 'read', type: 'f32' }, { name: 'X', access: 'read', type: 'f32' });
  decls.push(...maskDecls(spec.mask, 'f32'));
  if (pass === 'dw' && split > 1) {
    decls.push({ name: 'PARTIAL', access: 'read_write', type: 'f32' });
  } else if (ep.kind === 'optim') {
    decls.push({ name: 'P', access: 'read_write', type: 'f32' });
    for (const b of stateBindings(ep.optim)) decls.push({ name: b, access: 'read_write', type: 'f32' });
    if (ep.score) decls.push({ name: 'WF', access: 'read', type: 'f32' });
    decls.push({ name: 'step', access: 'uniform', type: 'Step' });
  } else {
    if (ep.kind === 'relu_mask') decls.push({ name: 'Y', access: 'read', type: 'f32' });
    decls.push({ name: 'C', access: 'read_write', type: 'f32' });
  }

  const body: string[] = [];
  body.push(`  let mb = (wid.y * ${u(wy)} + lid.y) * ${u(tm)};`);
  body.push(`  let nb = (wid.x * ${u(wx)} + lid.x) * ${u(tn)};`);
  body.push(lines(tm, (a) => `  let m${a} = min(mb + ${u(a)}, ${u(M - 1)});`));
  body.push(lines(tn, (b) => `  let n${b} = min(nb + ${u(b)}, ${u(N - 1)});`));
  body.push(maskPrelude(spec.mask));
  const masked = (w: string, idx: string) => maskScalar(spec.mask, w, `S[${idx}]`, idx);

  // Per-column precomputation, hoisted out of the k loop.
  if (pass === 'fwd') {
    for (let b = 0; b < tn; b++) {
      body.push(`  let bi${b} = n${b} / ${u(P)}; let cb${b} = bi${b} * ${u(s.Ci * HW)}; let cp${b} = n${b} % ${u(P)};`);
      body.push(`  let ih${b} = i32(cp${b} / ${u(s.OW)}) * ${i(s.stride)} - ${i(s.pad)}; let iw${b} = i32(cp${b} % ${u(s.OW)}) * ${i(s.stride)} - ${i(s.pad)};`);
    }
  } else if (pass === 'dx') {
    for (let b = 0; b < tn; b++) {
      body.push(`  let bi${b} = n${b} / ${u(HW)}; let cb${b} = bi${b} * ${u(s.Co * P)}; let cp${b} = n${b} % ${u(HW)};`);
      body.push(`  let ih${b} = i32(cp${b} / ${u(s.W)}) + ${i(s.pad)}; let iw${b} = i32(cp${b} % ${u(s.W)}) + ${i(s.pad)};`);
    }
  } else {
    for (let b = 0; b < tn; b++) {
      body.push(`  let cc${b} = (n${b} / ${u(KK)}) * ${u(HW)}; let cr${b} = n${b} % ${u(KK)};`);
      body.push(`  let kh${b} = i32(cr${b} / ${u(s.K)}) - ${i(s.pad)}; let kw${b} = i32(cr${b} % ${u(s.K)}) - ${i(s.pad)};`);
    }
  }

  body.push(lines(tm, (a) => lines(tn, (b) => `  var acc${a}_${b} = 0.0;`)));
  const kLo = split > 1 ? `wid.z * ${u(Math.ceil(K / split))}` : '0u';
  const kHi = split > 1 ? `min(${kLo} + ${u(Math.ceil(K / split))}, ${u(K)})` : u(K);
  const fmas = (indent: string) => lines(tm, (a) => lines(tn, (b) => `${indent}acc${a}_${b} = fma(a${a}, b${b}, acc${a}_${b});`));
  if (pass === 'fwd' || pass === 'dx') {
    // Window offsets outside, channels inside: the bounds checks and index arithmetic of the
    // im2col view are done once per (kh, kw) and column, so the inner loop is loads and FMAs.
    // A column outside the image reads element 0 and multiplies it by 0.
    const inner = pass === 'fwd' ? s.Ci : s.Co;
    body.push(`  for (var kh = 0u; kh < ${u(s.K)}; kh = kh + 1u) {`);
    body.push(`  for (var kw = 0u; kw < ${u(s.K)}; kw = kw + 1u) {`);
    for (let b = 0; b < tn; b++) {
      if (pass === 'fwd') {
        body.push(`    let y${b} = ih${b} + i32(kh); let x${b} = iw${b} + i32(kw);`);
        body.push(`    let in${b} = y${b} >= 0 && y${b} < ${i(s.H)} && x${b} >= 0 && x${b} < ${i(s.W)};`);
        body.push(`    let o${b} = select(0u, cb${b} + u32(y${b}) * ${u(s.W)} + u32(x${b}), in${b}); let f${b} = select(0.0, 1.0, in${b});`);
      } else {
        body.push(`    let y${b} = ih${b} - i32(kh); let x${b} = iw${b} - i32(kw);`);
        const ok =
          s.stride === 1
            ? `y${b} >= 0 && x${b} >= 0 && y${b} < ${i(s.OH)} && x${b} < ${i(s.OW)}`
            : `y${b} >= 0 && x${b} >= 0 && y${b} % ${i(s.stride)} == 0 && x${b} % ${i(s.stride)} == 0 && y${b} / ${i(s.stride)} < ${i(s.OH)} && x${b} / ${i(s.stride)} < ${i(s.OW)}`;
        const oy = s.stride === 1 ? `u32(y${b})` : `u32(y${b} / ${i(s.stride)})`;
        const ox = s.stride === 1 ? `u32(x${b})` : `u32(x${b} / ${i(s.stride)})`;
        body.push(`    let in${b} = ${ok};`);
        body.push(`    let o${b} = select(0u, cb${b} + ${oy} * ${u(s.OW)} + ${ox}, in${b}); let f${b} = select(0.0, 1.0, in${b});`);
      }
    }
    // Weight index of (row m, inner channel c, kh, kw): fwd W[m, c, kh, kw]; dx W[c, m, kh, kw].
    for (let a = 0; a < tm; a++) {
      body.push(pass === 'fwd' ? `    let w${a} = m${a} * ${u(K)} + kh * ${u(s.K)} + kw;` : `    let w${a} = m${a} * ${u(KK)} + kh * ${u(s.K)} + kw;`);
    }
    const wStride = pass === 'fwd' ? KK : s.Ci * KK;
    const xStride = pass === 'fwd' ? HW : P;
    const src = pass === 'fwd' ? 'X' : 'DY';
    body.push(`    for (var c = 0u; c < ${u(inner)}; c = c + 1u) {`);
    for (let a = 0; a < tm; a++) {
      const idx = `w${a} + c * ${u(wStride)}`;
      body.push(`      let a${a} = ${masked(`W[${idx}]`, idx)};`);
    }
    for (let b = 0; b < tn; b++) body.push(`      let b${b} = ${src}[o${b} + c * ${u(xStride)}] * f${b};`);
    body.push(fmas('      '));
    body.push(`    }`);
    body.push(`  }`);
    body.push(`  }`);
  } else {
    body.push(`  let k_end = ${kHi};`);
    body.push(`  for (var k = ${kLo}; k < k_end; k = k + 1u) {`);
    body.push(`    let bi = k / ${u(P)}; let p = k % ${u(P)}; let oh = i32(p / ${u(s.OW)}) * ${i(s.stride)}; let ow = i32(p % ${u(s.OW)}) * ${i(s.stride)};`);
    if (spec.tile.broadcast) {
      // The tm output-gradient values of this k are the same for every lane: lane l loads the
      // l-th and subgroupBroadcast hands them out (one per-lane load per 8 rows, not 8).
      for (let g = 0; g < Math.ceil(tm / LANES); g++) body.push(`    let dv${g} = DY[bi * ${u(s.Co * P)} + min(mb + ${u(g * LANES)} + lid.x, ${u(M - 1)}) * ${u(P)} + p];`);
      for (let a = 0; a < tm; a++) body.push(`    let a${a} = subgroupBroadcast(dv${Math.floor(a / LANES)}, ${u(a % LANES)});`);
    } else {
      for (let a = 0; a < tm; a++) body.push(`    let a${a} = DY[bi * ${u(s.Co * P)} + m${a} * ${u(P)} + p];`);
    }
    for (let b = 0; b < tn; b++) {
      body.push(`    let y${b} = oh + kh${b}; let x${b} = ow + kw${b};`);
      body.push(`    let in${b} = y${b} >= 0 && y${b} < ${i(s.H)} && x${b} >= 0 && x${b} < ${i(s.W)};`);
      body.push(`    let b${b} = select(0.0, X[select(0u, bi * ${u(s.Ci * HW)} + cc${b} + u32(y${b}) * ${u(s.W)} + u32(x${b}), in${b})], in${b});`);
    }
    body.push(fmas('    '));
    body.push(`  }`);
  }

  // Epilogue, per element.
  for (let a = 0; a < tm; a++) {
    for (let b = 0; b < tn; b++) {
      const guard = `mb + ${u(a)} < ${u(M)} && nb + ${u(b)} < ${u(N)}`;
      const v = `acc${a}_${b}`;
      let idx: string;
      if (pass === 'fwd') idx = `bi${b} * ${u(s.Co * P)} + m${a} * ${u(P)} + cp${b}`;
      else if (pass === 'dx') idx = `bi${b} * ${u(s.Ci * HW)} + m${a} * ${u(HW)} + cp${b}`;
      else idx = `m${a} * ${u(N)} + n${b}`;
      const st: string[] = [];
      if (pass === 'dw' && split > 1) {
        st.push(`PARTIAL[wid.z * ${u(M * N)} + e] = ${v};`);
      } else if (ep.kind === 'optim') {
        st.push(...optimLines(ep, 'e', v, 'WF'));
      } else if (ep.kind === 'relu') st.push(`C[e] = max(${v}, 0.0);`);
      else if (ep.kind === 'relu_mask') st.push(`C[e] = select(0.0, ${v}, Y[e] > 0.0);`);
      else st.push(`C[e] = ${v};`);
      body.push(`  if (${guard}) { let e = ${idx}; ${st.join(' ')} }`);
    }
  }

  const keepFn = maskFunctions(spec.mask);
  const usesStep = ep.kind === 'optim' && !(pass === 'dw' && split > 1);
  const k = tiledKernel({
      header: `conv ${pass} B${s.B} ${s.Ci}→${s.Co} ${s.H}x${s.W} k${s.K} s${s.stride} p${s.pad}${spec.mask ? ' masked' : ''} epilogue=${split > 1 ? `split-K ×${split}` : ep.kind}`,
      decls,
      usesStep,
      functions: keepFn,
      size: [wx, wy],
      body,
      workgroups: [Math.ceil(N / (wx * tn)), Math.ceil(M / (wy * tm)), split],
    });
  return {
    ...k,
    wgsl: spec.tile.broadcast ? `enable subgroups;\n${k.wgsl}` : k.wgsl,
    M,
    N,
    K,
  };
}

export { optimLines } from './conv-spec.js';

/** Sums split-K partials in slice order (deterministic) and applies the dW epilogue. */
export function convReduceKernel(opts: { n: number; splits: number; epilogue: Extract<MatmulEpilogue, { kind: 'optim' }> }) {
  const { n, splits, epilogue: ep } = opts;
  const decls: BindingDecl[] = [{ name: 'PARTIAL', access: 'read', type: 'f32' }, { name: 'P', access: 'read_write', type: 'f32' }];
  for (const b of stateBindings(ep.optim)) decls.push({ name: b, access: 'read_write', type: 'f32' });
  if (ep.score) decls.push({ name: 'WF', access: 'read', type: 'f32' });
  decls.push({ name: 'step', access: 'uniform', type: 'Step' });
  const wgsl = `// split-K reduction of ${splits} slices of ${n} gradients + optimiser update
${declareBindings(decls)}
${STEP_STRUCT}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var e = gid.x + gid.y * nwg.x * 256u; e < ${u(n)}; e = e + nwg.x * nwg.y * 256u) {
    var acc = 0.0;
    for (var s = 0u; s < ${u(splits)}; s = s + 1u) { acc = acc + PARTIAL[s * ${u(n)} + e]; }
    ${optimLines(ep, 'e', 'acc', 'WF').join('\n    ')}
  }
}
`;
  const groups = Math.ceil(n / 256);
  return {
    wgsl,
    bindings: decls.map((d) => d.name),
    layout: layoutOf(decls),
    workgroupSize: [256, 1, 1] as [number, number, number],
    workgroups: [Math.min(groups, 65535), Math.max(1, Math.ceil(groups / 65535)), 1] as [number, number, number],
  };
}

/** Split count for a dw pass: enough workgroups to fill the device without tiny slices. */
export function chooseSplitK(M: number, N: number, K: number, tile: ConvTile, targetGroups = 64): number {
  const groups = Math.ceil(N / (tile.wx * tile.tn)) * Math.ceil(M / (tile.wy * tile.tm));
  if (groups >= targetGroups) return 1;
  const want = Math.ceil(targetGroups / groups);
  return Math.max(1, Math.min(want, Math.floor(K / 256), 64));
}
