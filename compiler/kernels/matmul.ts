// Register-tiled matmul C[m,n] = Σ_k A(m,k)·B(k,n) with a fused loader prologue (the edge-popup
// mask test on B) and fused epilogues (ReLU; the ReLU-backward mask; the score gradient plus the
// SGD update). Every thread owns a TM×TN tile held in named registers: loops over tiles are
// unrolled here, in TypeScript, because lavapipe spills dynamically indexed private arrays.
// With `broadcast` (CPU adapters whose subgroups are 8 lanes; the workgroup is one subgroup, its
// lanes along n) the tm values of A a k-step needs, the same for every lane, are loaded once
// across the lanes (lane l loads row mb + l) and handed out by subgroupBroadcast, a register
// operation on lavapipe, where every other storage load is a per-lane scalar loop
// (docs/performance.md): 8 rows of A cost one per-lane load instead of 8.
//
// Operand layouts (row-major storage):
//   A: 'mk' = A[m·K + k]    'km' = A[k·M + m]
//   B: 'nk' = B[n·K + k]    'kn' = B[k·N + n]
// linear:    Y[b,o]  = Σ_i X[b,i]·W[o,i]    → A=X 'mk', B=W 'nk'
// linear_dx: dX[b,i] = Σ_o dY[b,o]·W[o,i]   → A=dY 'mk', B=W 'kn'
// linear_dw: dW[o,i] = Σ_b dY[b,o]·X[b,i]   → A=dY 'km', B=X 'kn'
import { maskDecls, maskFunctions, maskPrelude, maskScalar, maskVec4, scoreGradExpr, type WeightMask } from './mask.js';
import { stateBindings, updateLines, type OptimSpec } from './optim.js';
import { lines, tiledKernel, type BindingDecl, type TiledKernel } from './wgsl.js';

export type MatmulEpilogue =
  | { kind: 'store' }
  | { kind: 'relu' }
  /** out = v where Y > 0, else 0 (Y: the forward ReLU output) */
  | { kind: 'relu_mask' }
  /**
   * v is dL/dW_eff. A score update when `score` gives the straight-through rule (g = v·W·sign(S)
   * or v·W·σ'(S)), a weight update otherwise (g = v); then the optimiser step (kernels/optim.ts)
   * on P (the score or the weight) with its state.
   */
  | { kind: 'optim'; score: false | 'sign' | 'sigmoid'; optim: OptimSpec };

export interface MatmulTile {
  tm: number; // rows per thread
  tn: number; // columns per thread, a multiple of 4
  wx: number; // threads along n
  wy: number; // threads along m
  /**
   * Dot-product style (A mk × B nk) accumulators: `vec4` keeps four partial sums per output
   * (summed at the end), `scalar` folds each vec4 product into one sum at once: a quarter of
   * the registers, which matters on CPU adapters with 16 vector registers.
   */
  acc?: 'vec4' | 'scalar';
  /**
   * A loaded once per subgroup of 8 lanes and handed out by subgroupBroadcast (needs `enable
   * subgroups`, wx 8, wy 1). Dot-style kernels then also take tn 1 or 2 (scalar epilogue).
   */
  broadcast?: boolean;
}

/** The subgroup size the broadcast tiles assume: lavapipe's 8 lanes (kernels/conv-row.ts too). */
export const MATMUL_LANES = 8;

export interface MatmulSpec {
  M: number;
  N: number;
  K: number;
  a: 'mk' | 'km';
  b: 'nk' | 'kn';
  /** B is a masked weight: the mask rule and its bindings (kernels/mask.ts). */
  mask?: WeightMask;
  epilogue: MatmulEpilogue;
  tile: MatmulTile;
}

/** Binding names are in binding order; the planner maps them to tensor ranges. */
export type GeneratedKernel = TiledKernel;

export const DEFAULT_TILE: MatmulTile = { tm: 4, tn: 4, wx: 8, wy: 8 };

export function matmulKernel(spec: MatmulSpec): GeneratedKernel {
  const { M, N, K, tile } = spec;
  const { tm, tn, wx, wy } = tile;
  const style = spec.b === 'nk' ? 'dot' : 'outer';
  const sub = !!tile.broadcast;
  if (tn % 4 !== 0 && !(sub && style === 'dot')) throw new Error('internal: matmul tile tn must be a multiple of 4');
  if (sub && (wx !== MATMUL_LANES || wy !== 1)) throw new Error(`internal: the broadcast matmul runs one subgroup of ${MATMUL_LANES} lanes per workgroup`);
  const groups = Math.ceil(tn / 4);
  if (style === 'dot' && spec.a !== 'mk') throw new Error('internal: B nk needs A mk');
  // Vector loads need the contiguous dimension to be a multiple of 4 (binding offsets are
  // always 16-byte aligned by the memory planner).
  const kVec = K % 4 === 0;
  const nVec = N % 4 === 0;
  const mVec = M % 4 === 0 && tm % 4 === 0;
  // C and the epilogue's operands as vec4 over n: whole groups of 4 columns only.
  const cVec = nVec && tn % 4 === 0;
  const ep = spec.epilogue;

  const decls: BindingDecl[] = [];
  // The broadcast loads A km one scalar per lane (a row each), not as vec4 along m.
  const aVec = (spec.a === 'mk' && kVec) || (spec.a === 'km' && mVec && !sub);
  const bVec = (spec.b === 'nk' && kVec) || (spec.b === 'kn' && nVec);
  decls.push({ name: 'A', access: 'read', type: aVec ? 'vec4f' : 'f32' });
  decls.push({ name: 'B', access: 'read', type: bVec ? 'vec4f' : 'f32' });
  decls.push(...maskDecls(spec.mask, bVec ? 'vec4f' : 'f32'));
  const cType = cVec ? 'vec4f' : 'f32';
  if (ep.kind === 'optim') {
    decls.push({ name: 'P', access: 'read_write', type: cType });
    for (const b of stateBindings(ep.optim)) decls.push({ name: b, access: 'read_write', type: cType });
    if (ep.score) decls.push({ name: 'W', access: 'read', type: cType });
    decls.push({ name: 'step', access: 'uniform', type: 'Step' });
  } else {
    if (ep.kind === 'relu_mask') decls.push({ name: 'Y', access: 'read', type: cType });
    decls.push({ name: 'C', access: 'read_write', type: cType });
  }

  const u = (x: number) => `${x}u`;
  const body: string[] = [];
  body.push(`  let mb = (wid.y * ${u(wy)} + lid.y) * ${u(tm)};`);
  body.push(`  let nb = (wid.x * ${u(wx)} + lid.x) * ${u(tn)};`);
  body.push(lines(tm, (i) => `  let m${i} = min(mb + ${u(i)}, ${u(M - 1)});`));
  body.push(lines(tn, (j) => `  let n${j} = min(nb + ${u(j)}, ${u(N - 1)});`));
  body.push(maskPrelude(spec.mask));
  const keepFn = maskFunctions(spec.mask);
  const aGroups = Math.ceil(tm / MATMUL_LANES);
  // Broadcast: lane l of group g loads row mb + 8g + l of A; ar{g} is that row's offset (mk) or
  // index (km), hoisted out of the k loop.
  if (sub) {
    const stride = spec.a === 'mk' ? (kVec ? K / 4 : K) : 1;
    body.push(lines(aGroups, (g) => `  let ar${g} = min(mb + ${u(g * MATMUL_LANES)} + lid.x, ${u(M - 1)}) * ${u(stride)};`));
  }
  /** Lines binding a0..a{tm-1} to A's values at k-step `kExpr` (mk: k index in A's row units; km: k). */
  const aLoads = (kExpr: string, indent: string): string => {
    const out: string[] = [];
    if (spec.a === 'mk') for (let g = 0; g < aGroups; g++) out.push(`${indent}let av${g} = A[ar${g} + ${kExpr}];`);
    else for (let g = 0; g < aGroups; g++) out.push(`${indent}let av${g} = A[${kExpr} * ${u(M)} + ar${g}];`);
    for (let i = 0; i < tm; i++) out.push(`${indent}let a${i} = subgroupBroadcast(av${Math.floor(i / MATMUL_LANES)}, ${u(i % MATMUL_LANES)});`);
    return out.join('\n');
  };

  if (style === 'dot') {
    // acc[i][j] accumulates vec4 partial sums along k (vector path) or scalars.
    const scalarAcc = tile.acc === 'scalar';
    if (kVec) {
      const K4 = K / 4;
      body.push(lines(tm, (i) => lines(tn, (j) => (scalarAcc ? `  var v${i}_${j} = 0.0;` : `  var acc${i}_${j} = vec4f(0.0);`))));
      body.push(`  for (var k = 0u; k < ${u(K4)}; k = k + 1u) {`);
      body.push(sub ? aLoads('k', '    ') : lines(tm, (i) => `    let a${i} = A[m${i} * ${u(K4)} + k];`));
      for (let j = 0; j < tn; j++) {
        body.push(`    var b${j} = B[n${j} * ${u(K4)} + k];`);
        if (spec.mask) {
          const idx = `vec4u(n${j} * ${u(K)} + k * 4u) + vec4u(0u, 1u, 2u, 3u)`;
          body.push(`    b${j} = ${maskVec4(spec.mask, `b${j}`, `S[n${j} * ${u(K4)} + k]`, idx)};`);
        }
      }
      if (scalarAcc) {
        body.push(lines(tm, (i) => lines(tn, (j) => `    v${i}_${j} = fma(a${i}.w, b${j}.w, fma(a${i}.z, b${j}.z, fma(a${i}.y, b${j}.y, fma(a${i}.x, b${j}.x, v${i}_${j}))));`)));
        body.push(`  }`);
      } else {
        body.push(lines(tm, (i) => lines(tn, (j) => `    acc${i}_${j} = fma(a${i}, b${j}, acc${i}_${j});`)));
        body.push(`  }`);
        body.push(lines(tm, (i) => lines(tn, (j) => `  let v${i}_${j} = (acc${i}_${j}.x + acc${i}_${j}.y) + (acc${i}_${j}.z + acc${i}_${j}.w);`)));
      }
    } else {
      body.push(lines(tm, (i) => lines(tn, (j) => `  var v${i}_${j} = 0.0;`)));
      body.push(`  for (var k = 0u; k < ${u(K)}; k = k + 1u) {`);
      body.push(sub ? aLoads('k', '    ') : lines(tm, (i) => `    let a${i} = A[m${i} * ${u(K)} + k];`));
      for (let j = 0; j < tn; j++) {
        body.push(`    var b${j} = B[n${j} * ${u(K)} + k];`);
        if (spec.mask) body.push(`    b${j} = ${maskScalar(spec.mask, `b${j}`, `S[n${j} * ${u(K)} + k]`, `n${j} * ${u(K)} + k`)};`);
      }
      body.push(lines(tm, (i) => lines(tn, (j) => `    v${i}_${j} = fma(a${i}, b${j}, v${i}_${j});`)));
      body.push(`  }`);
    }
    // Pack into vec4 groups over n for the shared epilogue.
    body.push(
      lines(tm, (i) =>
        lines(groups, (g) => `  let r${i}_${g} = vec4f(${[0, 1, 2, 3].map((c) => (4 * g + c < tn ? `v${i}_${4 * g + c}` : '0.0')).join(', ')});`),
      ),
    );
  } else {
    // outer: acc[i][g] is a vec4 over 4 consecutive n.
    body.push(lines(tm, (i) => lines(groups, (g) => `  var r${i}_${g} = vec4f(0.0);`)));
    const bLoad = (g: number, kExpr: string): string[] => {
      const out: string[] = [];
      if (nVec) {
        const N4 = N / 4;
        // Clamp the vec4 index inside row k: columns past N are computed but never stored.
        out.push(`    let bi${g} = ${kExpr} * ${u(N4)} + min(nb / 4u + ${u(g)}, ${u(N4 - 1)});`);
        out.push(`    var b${g} = B[bi${g}];`);
        if (spec.mask) out.push(`    b${g} = ${maskVec4(spec.mask, `b${g}`, `S[bi${g}]`, `vec4u(bi${g} * 4u) + vec4u(0u, 1u, 2u, 3u)`)};`);
      } else {
        const idx = [0, 1, 2, 3].map((c) => `${kExpr} * ${u(N)} + n${4 * g + c}`);
        out.push(`    let bi${g} = vec4u(${idx.join(', ')});`);
        out.push(`    var b${g} = vec4f(B[bi${g}.x], B[bi${g}.y], B[bi${g}.z], B[bi${g}.w]);`);
        if (spec.mask) out.push(`    b${g} = ${maskVec4(spec.mask, `b${g}`, `vec4f(S[bi${g}.x], S[bi${g}.y], S[bi${g}.z], S[bi${g}.w])`, `bi${g}`)};`);
      }
      return out;
    };
    if (spec.a === 'mk' && kVec) {
      // Unroll k by 4: A rows load as vec4 along k.
      const K4 = K / 4;
      body.push(`  for (var k4 = 0u; k4 < ${u(K4)}; k4 = k4 + 1u) {`);
      body.push(sub ? aLoads('k4', '    ') : lines(tm, (i) => `    let a${i} = A[m${i} * ${u(K4)} + k4];`));
      const comps = ['x', 'y', 'z', 'w'];
      for (let kk = 0; kk < 4; kk++) {
        body.push(`    {`);
        body.push(`    let k = k4 * 4u + ${u(kk)};`);
        for (let g = 0; g < groups; g++) body.push(...bLoad(g, 'k'));
        body.push(lines(tm, (i) => lines(groups, (g) => `    r${i}_${g} = fma(vec4f(a${i}.${comps[kk]}), b${g}, r${i}_${g});`)));
        body.push(`    }`);
      }
      body.push(`  }`);
    } else {
      body.push(`  for (var k = 0u; k < ${u(K)}; k = k + 1u) {`);
      if (sub) {
        body.push(aLoads('k', '    '));
      } else if (spec.a === 'mk') {
        body.push(lines(tm, (i) => `    let a${i} = A[m${i} * ${u(K)} + k];`));
      } else if (mVec) {
        const M4 = M / 4;
        const comps = ['x', 'y', 'z', 'w'];
        for (let iv = 0; iv < tm / 4; iv++) {
          body.push(`    let av${iv} = A[k * ${u(M4)} + min(mb / 4u + ${u(iv)}, ${u(M4 - 1)})];`);
          for (let c = 0; c < 4; c++) body.push(`    let a${4 * iv + c} = av${iv}.${comps[c]};`);
        }
      } else {
        body.push(lines(tm, (i) => `    let a${i} = A[k * ${u(M)} + m${i}];`));
      }
      for (let g = 0; g < groups; g++) body.push(...bLoad(g, 'k'));
      body.push(lines(tm, (i) => lines(groups, (g) => `    r${i}_${g} = fma(vec4f(a${i}), b${g}, r${i}_${g});`)));
      body.push(`  }`);
    }
  }

  body.push(epilogue(spec, cVec, tm, tn));

  const k = tiledKernel({
    header: `matmul ${M}x${N}x${K} a=${spec.a} b=${spec.b}${spec.mask ? ' masked' : ''} epilogue=${ep.kind}`,
    decls,
    usesStep: ep.kind === 'optim',
    functions: keepFn,
    size: [wx, wy],
    body,
    workgroups: [Math.ceil(N / (wx * tn)), Math.ceil(M / (wy * tm)), 1],
  });
  return sub ? { ...k, wgsl: `enable subgroups;\n${k.wgsl}` } : k;
}

/**
 * The epilogue over each vec4 group r{i}_{g} = C[mb+i, nb+4g .. nb+4g+3]; `nVec`: C is vec4 over
 * whole groups, else scalar stores of the group's columns below tn and N.
 */
function epilogue(spec: MatmulSpec, nVec: boolean, tm: number, tn: number): string {
  const { M, N } = spec;
  const groups = Math.ceil(tn / 4);
  const ep = spec.epilogue;
  const out: string[] = [];
  for (let i = 0; i < tm; i++) {
    out.push(`  if (mb + ${i}u < ${M}u) {`);
    for (let g = 0; g < groups; g++) {
      const col = `nb + ${4 * g}u`;
      out.push(`  if (${col} < ${N}u) {`);
      if (nVec) {
        out.push(`    let e = ((mb + ${i}u) * ${N}u + ${col}) / 4u;`);
      } else {
        out.push(`    let e = (mb + ${i}u) * ${N}u + ${col};`);
        const lane = (c: number) => (4 * g + c < tn ? `${col} + ${c}u < ${N}u` : 'false');
        out.push(`    let live = vec4<bool>(true, ${lane(1)}, ${lane(2)}, ${lane(3)});`);
      }
      // Vector load/store helpers over the group; on the scalar path lanes past N are skipped.
      const load = (buf: string) => (nVec ? `${buf}[e]` : `vec4f(${buf}[e], ${buf}[min(e + 1u, ${M * N - 1}u)], ${buf}[min(e + 2u, ${M * N - 1}u)], ${buf}[min(e + 3u, ${M * N - 1}u)])`);
      // On the scalar path the value is named once, then its lanes stored (lanes past N skipped).
      let tmp = 0;
      const store = (buf: string, v: string) => {
        if (nVec) return `    ${buf}[e] = ${v};`;
        const t = `st${tmp++}`;
        return `    let ${t} = ${v};\n    ${buf}[e] = ${t}.x;\n    if (live.y) { ${buf}[e + 1u] = ${t}.y; }\n    if (live.z) { ${buf}[e + 2u] = ${t}.z; }\n    if (live.w) { ${buf}[e + 3u] = ${t}.w; }`;
      };
      const v = `r${i}_${g}`;
      switch (ep.kind) {
        case 'store':
          out.push(store('C', v));
          break;
        case 'relu':
          out.push(store('C', `max(${v}, vec4f(0.0))`));
          break;
        case 'relu_mask':
          out.push(`    let y = ${load('Y')};`);
          out.push(store('C', `select(vec4f(0.0), ${v}, y > vec4f(0.0))`));
          break;
        case 'optim': {
          out.push(ep.score ? `    var g = ${scoreGradExpr(ep.score, v, load('W'), load('P'), 'vec4f')};` : `    var g = ${v};`);
          for (const line of updateLines(ep.optim, { type: 'vec4f', load, store: (n, x) => store(n, x).trim() })) out.push(`    ${line}`);
          break;
        }
      }
      out.push(`  }`);
    }
    out.push(`  }`);
  }
  return out.join('\n');
}
