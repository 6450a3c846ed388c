// Direct convolution for CPU adapters, forward and dX of stride-1 convolutions: each lane owns
// tm output channels × tn consecutive pixels of one output row, and per (input channel, kernel
// row) loads the tn + K − 1 source values of that row segment once, reusing each for the K taps
// along the row. With `broadcast` (the adapter has subgroups of 8 lanes and the workgroup is one
// subgroup), the tm × K weights of a step, the same for every lane, are loaded once across the
// lanes (lane l loads the l-th) and handed out by subgroupBroadcast, a register operation on
// lavapipe, where every storage load is a per-lane scalar loop (docs/performance.md): at tm 16,
// tn 8, K 3 a step is 10 source and 6 weight loads per 384 multiply-adds, against 72 loads in
// the implicit GEMM at 8 × 16. Measured on Conv4's convolutions: 2.3-2.4× the implicit GEMM's
// default tile. Without the broadcast the row kernel was no faster than the implicit GEMM.
//
//   fwd: Y[b,m,oh,ow]  = Σ_{c,kh,kw} W[m,c,kh,kw] · X[b,c,oh−p+kh,ow−p+kw]
//   dx:  dX[b,m,ih,iw] = Σ_{c,kh,kw} W[c,m,kh,kw] · dY[b,c,ih+p−kh,iw+p−kw]
// dx is the forward pattern with the kernel flipped (tap k' = K−1−k) and the source offset
// p − (K−1) instead of −p. Sources outside the plane read element 0 and multiply it by 0.
import type { ConvKernel, ConvSpec } from './conv-spec.js';
import { maskDecls, maskFunctions, maskPrelude, maskScalar } from './mask.js';
import { lines, tiledKernel, type BindingDecl } from './wgsl.js';

const u = (x: number) => `${x}u`;
/** Subgroup size the broadcast variant assumes: lavapipe's 8 lanes (the workgroup is one subgroup). */
export const LANES = 8;
const i = (x: number) => `${x}i`;

/** Whether the row kernel computes this pass (stride-1 forward and dX). */
export function rowConvApplies(spec: Pick<ConvSpec, 'pass' | 'shape'>): boolean {
  return (spec.pass === 'fwd' || spec.pass === 'dx') && spec.shape.stride === 1;
}

/** Whether the row segments fit one grid dimension (65,535 workgroups, WebGPU's minimum limit). */
export function rowConvFits(spec: Pick<ConvSpec, 'pass' | 'shape' | 'tile'>): boolean {
  const s = spec.shape;
  const [rows, width] = spec.pass === 'fwd' ? [s.B * s.OH, s.OW] : [s.B * s.H, s.W];
  return Math.ceil((rows * Math.ceil(width / spec.tile.tn)) / spec.tile.wx) <= 65535;
}

export function convRowKernel(spec: ConvSpec): ConvKernel {
  const s = spec.shape;
  if (!rowConvApplies(spec)) throw new Error('internal: the row convolution is for stride-1 fwd and dx');
  const { tm, tn, wx, wy } = spec.tile;
  const fwd = spec.pass === 'fwd';
  const ep = spec.epilogue;
  if (ep.kind === 'optim') throw new Error('internal: the row convolution has no optimiser epilogue');
  const K = s.K;
  const KK = K * K;
  // Output plane (written), source plane (read), channel counts.
  const [OHo, OWo] = fwd ? [s.OH, s.OW] : [s.H, s.W];
  const [SH, SW] = fwd ? [s.H, s.W] : [s.OH, s.OW];
  const M = fwd ? s.Co : s.Ci;
  const inner = fwd ? s.Ci : s.Co;
  const off = fwd ? -s.pad : s.pad - (K - 1);
  const SHW = SH * SW;
  const OHW = OHo * OWo;
  const segs = Math.ceil(OWo / tn);
  const rows = s.B * OHo;
  const tiles = rows * segs;
  const L = tn + K - 1;
  const src = fwd ? 'X' : 'DY';

  const decls: BindingDecl[] = [{ name: 'W', access: 'read', type: 'f32' }, { name: src, access: 'read', type: 'f32' }];
  decls.push(...maskDecls(spec.mask, 'f32'));
  if (ep.kind === 'relu_mask') decls.push({ name: 'Y', access: 'read', type: 'f32' });
  decls.push({ name: 'C', access: 'read_write', type: 'f32' });

  const body: string[] = [];
  body.push(`  let t = wid.x * ${u(wx)} + lid.x;`);
  body.push(`  let r = min(t / ${u(segs)}, ${u(rows - 1)}); let ow0 = (t % ${u(segs)}) * ${u(tn)};`);
  body.push(`  let bi = r / ${u(OHo)}; let oh = r % ${u(OHo)};`);
  body.push(`  let mb = (wid.y * ${u(wy)} + lid.y) * ${u(tm)};`);
  body.push(lines(tm, (a) => `  let m${a} = min(mb + ${u(a)}, ${u(M - 1)});`));
  body.push(maskPrelude(spec.mask));
  // Source columns of the row segment, and whether each lies inside the plane (hoisted).
  for (let j = 0; j < L; j++) {
    body.push(`  let cx${j} = i32(ow0) + ${i(off + j)}; let cok${j} = cx${j} >= 0 && cx${j} < ${i(SW)}; let cu${j} = select(0u, u32(cx${j}), cok${j});`);
  }
  const wRow = fwd ? inner * KK : KK; // stride of the weight's m index
  const wC = fwd ? KK : M * KK; // stride of its c index
  body.push(lines(tm, (a) => `  let wb${a} = m${a} * ${u(wRow)};`));
  body.push(`  let sb = bi * ${u(inner * SHW)};`);
  const sub = !!spec.tile.broadcast;
  if (sub && (wx !== LANES || wy !== 1)) throw new Error(`internal: the broadcast row convolution runs one subgroup of ${LANES} lanes per workgroup`);
  const groupsW = Math.ceil((tm * K) / LANES);
  if (sub) {
    // Lane l of weight group g loads weight n = 8g + l of the step: channel n % tm, tap n / tm.
    for (let g = 0; g < groupsW; g++) {
      body.push(`  let wn${g} = min(${u(g * LANES)} + lid.x, ${u(tm * K - 1)}); let wq${g} = wn${g} / ${u(tm)};`);
      body.push(`  let wl${g} = min(mb + wn${g} % ${u(tm)}, ${u(M - 1)}) * ${u(wRow)} + ${fwd ? `wq${g}` : `${u(K - 1)} - wq${g}`};`);
    }
  }
  body.push(lines(tm, (a) => lines(tn, (b) => `  var acc${a}_${b} = 0.0;`)));
  body.push(`  for (var kr = 0u; kr < ${u(K)}; kr = kr + 1u) {`);
  body.push(`    let y = i32(oh) + ${i(off)} + i32(kr); let rok = y >= 0 && y < ${i(SH)};`);
  body.push(`    let rb = sb + u32(select(0, y, rok)) * ${u(SW)};`);
  // Weight row of this kernel row: fwd kh = kr, dx kh = K−1−kr.
  body.push(`    let kh = ${fwd ? 'kr' : `${u(K - 1)} - kr`};`);
  for (let j = 0; j < L; j++) body.push(`    let o${j} = select(0u, rb + cu${j}, rok && cok${j}); let f${j} = select(0.0, 1.0, rok && cok${j});`);
  body.push(`    for (var c = 0u; c < ${u(inner)}; c = c + 1u) {`);
  body.push(`      let so = c * ${u(SHW)};`);
  for (let j = 0; j < L; j++) body.push(`      let x${j} = ${src}[o${j} + so] * f${j};`);
  body.push(`      let wc = c * ${u(wC)} + kh * ${u(K)};`);
  if (sub) {
    // Each lane loads a different weight of the tm × K this step needs; broadcasts hand them out.
    for (let g = 0; g < groupsW; g++) {
      const idx = `wl${g} + wc`;
      body.push(`      let wv${g} = ${maskScalar(spec.mask, `W[${idx}]`, `S[${idx}]`, idx)};`);
    }
    for (let q = 0; q < K; q++) {
      for (let a = 0; a < tm; a++) {
        const n = q * tm + a;
        body.push(`      let w${a}_${q} = subgroupBroadcast(wv${Math.floor(n / LANES)}, ${u(n % LANES)});`);
      }
      body.push(lines(tm, (a) => lines(tn, (b) => `      acc${a}_${b} = fma(w${a}_${q}, x${b + q}, acc${a}_${b});`)));
    }
  } else {
    for (let q = 0; q < K; q++) {
      const kw = fwd ? q : K - 1 - q;
      for (let a = 0; a < tm; a++) {
        const idx = `wb${a} + wc + ${u(kw)}`;
        body.push(`      let w${a}_${q} = ${maskScalar(spec.mask, `W[${idx}]`, `S[${idx}]`, idx)};`);
      }
      body.push(lines(tm, (a) => lines(tn, (b) => `      acc${a}_${b} = fma(w${a}_${q}, x${b + q}, acc${a}_${b});`)));
    }
  }
  body.push(`    }`);
  body.push(`  }`);

  body.push(`  let ob = bi * ${u(M * OHW)} + oh * ${u(OWo)} + ow0;`);
  for (let a = 0; a < tm; a++) {
    for (let b = 0; b < tn; b++) {
      const v = `acc${a}_${b}`;
      const st = ep.kind === 'relu' ? `C[e] = max(${v}, 0.0);` : ep.kind === 'relu_mask' ? `C[e] = select(0.0, ${v}, Y[e] > 0.0);` : `C[e] = ${v};`;
      body.push(`  if (t < ${u(tiles)} && mb + ${u(a)} < ${u(M)} && ow0 + ${u(b)} < ${u(OWo)}) { let e = ob + m${a} * ${u(OHW)} + ${u(b)}; ${st} }`);
    }
  }

  const { M: gm, N: gn, K: gk } = { M, N: s.B * OHW, K: inner * KK };
  const k = tiledKernel({
      header: `conv ${spec.pass} (row) B${s.B} ${s.Ci}→${s.Co} ${s.H}x${s.W} k${K} s1 p${s.pad}${spec.mask ? ' masked' : ''} epilogue=${ep.kind}`,
      decls,
      usesStep: false,
      functions: maskFunctions(spec.mask),
      size: [wx, wy],
      body,
      workgroups: [Math.ceil(tiles / wx), Math.ceil(M / (wy * tm)), 1],
    });
  return {
    ...k,
    wgsl: sub ? `enable subgroups;\n${k.wgsl}` : k.wgsl,
    M: gm,
    N: gn,
    K: gk,
  };
}
