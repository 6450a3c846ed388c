// Pooling kernels (NCHW). Backward passes are written as gathers: each thread owns one input
// element and visits the (few) windows that contain it, so overlapping windows (3×3 stride 2)
// need no atomics and the result is deterministic. Max pooling recomputes each window's argmax
// (first maximum in row-major order, as PyTorch) instead of storing indices.
import { ELEMENTWISE_MAIN, STEP_STRUCT, declareBindings, elementLoop, elementwiseGrid, layoutOf, type BindingDecl } from './wgsl.js';

export interface PoolShape {
  B: number;
  C: number;
  H: number;
  W: number;
  K: number;
  stride: number;
  pad: number;
  OH: number;
  OW: number;
}

const u = (x: number) => `${x}u`;
const i = (x: number) => `${x}i`;

function kernel(decls: BindingDecl[], header: string, body: string, n: number, usesStep = false) {
  const wgsl = `${header}
${declareBindings(decls)}
${usesStep ? STEP_STRUCT : ''}
${ELEMENTWISE_MAIN} {
  ${elementLoop(n)}
${body}
  }
}
`;
  return { wgsl, bindings: decls.map((d) => d.name), layout: layoutOf(decls), workgroupSize: [256, 1, 1] as [number, number, number], workgroups: elementwiseGrid(n) };
}

/** WGSL that leaves the window's argmax offset (ih·W + iw) in `best_at` for window (oh, ow) of plane `plane`. */
function argmaxWindow(s: PoolShape, plane: string, oh: string, ow: string): string {
  return `
      var best = 0.0;
      var best_at = 0xffffffffu;
      for (var kh = 0; kh < ${i(s.K)}; kh = kh + 1) {
        let ih = ${oh} * ${i(s.stride)} - ${i(s.pad)} + kh;
        if (ih < 0 || ih >= ${i(s.H)}) { continue; }
        for (var kw = 0; kw < ${i(s.K)}; kw = kw + 1) {
          let iw = ${ow} * ${i(s.stride)} - ${i(s.pad)} + kw;
          if (iw < 0 || iw >= ${i(s.W)}) { continue; }
          let at = u32(ih) * ${u(s.W)} + u32(iw);
          let v = X[${plane} + at];
          if (best_at == 0xffffffffu || v > best) { best = v; best_at = at; }
        }
      }`;
}

/** WGSL: the range [oh_lo, oh_hi] × [ow_lo, ow_hi] of windows containing input pixel `here`. */
function windowsContaining(s: PoolShape): string {
  return `    let ih0 = i32(here / ${u(s.W)}) + ${i(s.pad)}; let iw0 = i32(here % ${u(s.W)}) + ${i(s.pad)};
    // Windows (oh, ow) with oh·s ≤ ih+p ≤ oh·s + K − 1.
    let oh_lo = max(0, (ih0 - ${i(s.K - 1)} + ${i(s.stride - 1)}) / ${i(s.stride)});
    let oh_hi = min(${i(s.OH - 1)}, ih0 / ${i(s.stride)});
    let ow_lo = max(0, (iw0 - ${i(s.K - 1)} + ${i(s.stride - 1)}) / ${i(s.stride)});
    let ow_hi = min(${i(s.OW - 1)}, iw0 / ${i(s.stride)});`;
}

export function maxpoolKernel(s: PoolShape) {
  const n = s.B * s.C * s.OH * s.OW;
  const decls: BindingDecl[] = [
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'Y', access: 'read_write', type: 'f32' },
  ];
  const body = `    let plane = (e / ${u(s.OH * s.OW)}) * ${u(s.H * s.W)};
    let o = e % ${u(s.OH * s.OW)};
    let oh = i32(o / ${u(s.OW)}); let ow = i32(o % ${u(s.OW)});
${argmaxWindow(s, 'plane', 'oh', 'ow')}
    Y[e] = select(X[plane + best_at], 0.0, best_at == 0xffffffffu);`;
  return kernel(decls, `// maxpool ${s.K}x${s.K}/${s.stride} pad ${s.pad} on ${s.B}x${s.C}x${s.H}x${s.W}`, body, n);
}

/** dx[e] = Σ over windows containing e whose argmax is e of dy; `reluMask`: × (x[e] > 0). */
export function maxpoolBwdKernel(s: PoolShape, reluMask: boolean) {
  const n = s.B * s.C * s.H * s.W;
  const decls: BindingDecl[] = [
    { name: 'DY', access: 'read', type: 'f32' },
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'DX', access: 'read_write', type: 'f32' },
  ];
  const body = `    let bc = e / ${u(s.H * s.W)};
    let here = e % ${u(s.H * s.W)};
    let plane = bc * ${u(s.H * s.W)};
${windowsContaining(s)}
    var acc = 0.0;
    for (var oh = oh_lo; oh <= oh_hi; oh = oh + 1) {
      for (var ow = ow_lo; ow <= ow_hi; ow = ow + 1) {
${argmaxWindow(s, 'plane', 'oh', 'ow')}
        if (best_at == here) { acc = acc + DY[bc * ${u(s.OH * s.OW)} + u32(oh) * ${u(s.OW)} + u32(ow)]; }
      }
    }
    DX[e] = ${reluMask ? 'select(0.0, acc, X[e] > 0.0)' : 'acc'};`;
  return kernel(decls, `// maxpool backward ${s.K}x${s.K}/${s.stride}${reluMask ? ' + relu mask' : ''}`, body, n);
}

/** Whether the windows tile the input exactly (stride = K, no padding, no leftover rows or columns). */
export function poolTiles(s: PoolShape): boolean {
  return s.stride === s.K && s.pad === 0 && s.OH * s.K === s.H && s.OW * s.K === s.W;
}

/**
 * maxpool backward when the windows tile the input (poolTiles): one thread per window finds its
 * argmax and writes the whole window (dy there, 0 elsewhere), K² + 1 loads per window instead of
 * the gather's K² + 2 per input element. For CPU adapters, where each load is a per-lane loop.
 */
export function maxpoolBwdTiledKernel(s: PoolShape, reluMask: boolean) {
  if (!poolTiles(s)) throw new Error('internal: the tiled maxpool backward needs windows that tile the input');
  const n = s.B * s.C * s.OH * s.OW;
  const decls: BindingDecl[] = [
    { name: 'DY', access: 'read', type: 'f32' },
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'DX', access: 'read_write', type: 'f32' },
  ];
  const taps: string[] = [];
  for (let kh = 0; kh < s.K; kh++) for (let kw = 0; kw < s.K; kw++) taps.push(`${kh * s.W + kw}u`);
  const lines: string[] = [];
  lines.push(`    let o = e % ${u(s.OH * s.OW)};`);
  lines.push(`    let base = (e / ${u(s.OH * s.OW)}) * ${u(s.H * s.W)} + (o / ${u(s.OW)}) * ${u(s.K * s.W)} + (o % ${u(s.OW)}) * ${u(s.K)};`);
  taps.forEach((off, j) => lines.push(`    let x${j} = X[base + ${off}];`));
  // First maximum in row-major order, as the gather and PyTorch.
  lines.push(`    var best = x0; var at = 0u;`);
  for (let j = 1; j < taps.length; j++) lines.push(`    if (x${j} > best) { best = x${j}; at = ${j}u; }`);
  lines.push(`    let dy = DY[e];`);
  taps.forEach((off, j) => lines.push(`    DX[base + ${off}] = select(0.0, dy, at == ${j}u${reluMask ? ` && x${j} > 0.0` : ''});`));
  return kernel(decls, `// maxpool backward ${s.K}x${s.K}/${s.stride}, by window${reluMask ? ' + relu mask' : ''}`, lines.join('\n'), n);
}

export function avgpoolKernel(s: PoolShape) {
  const n = s.B * s.C * s.OH * s.OW;
  const decls: BindingDecl[] = [
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'Y', access: 'read_write', type: 'f32' },
  ];
  const body = `    let plane = (e / ${u(s.OH * s.OW)}) * ${u(s.H * s.W)};
    let o = e % ${u(s.OH * s.OW)};
    let oh = i32(o / ${u(s.OW)}); let ow = i32(o % ${u(s.OW)});
    var acc = 0.0;
    for (var kh = 0; kh < ${i(s.K)}; kh = kh + 1) {
      let ih = oh * ${i(s.stride)} - ${i(s.pad)} + kh;
      if (ih < 0 || ih >= ${i(s.H)}) { continue; }
      for (var kw = 0; kw < ${i(s.K)}; kw = kw + 1) {
        let iw = ow * ${i(s.stride)} - ${i(s.pad)} + kw;
        if (iw >= 0 && iw < ${i(s.W)}) { acc = acc + X[plane + u32(ih) * ${u(s.W)} + u32(iw)]; }
      }
    }
    Y[e] = acc / ${s.K * s.K}.0;`;
  return kernel(decls, `// avgpool ${s.K}x${s.K}/${s.stride} pad ${s.pad} (count_include_pad)`, body, n);
}

export function avgpoolBwdKernel(s: PoolShape) {
  const n = s.B * s.C * s.H * s.W;
  const decls: BindingDecl[] = [
    { name: 'DY', access: 'read', type: 'f32' },
    { name: 'DX', access: 'read_write', type: 'f32' },
  ];
  const body = `    let bc = e / ${u(s.H * s.W)};
    let here = e % ${u(s.H * s.W)};
${windowsContaining(s)}
    var acc = 0.0;
    for (var oh = oh_lo; oh <= oh_hi; oh = oh + 1) {
      for (var ow = ow_lo; ow <= ow_hi; ow = ow + 1) {
        acc = acc + DY[bc * ${u(s.OH * s.OW)} + u32(oh) * ${u(s.OW)} + u32(ow)];
      }
    }
    DX[e] = acc / ${s.K * s.K}.0;`;
  return kernel(decls, `// avgpool backward ${s.K}x${s.K}/${s.stride}`, body, n);
}

export function globalAvgpoolKernel(BC: number, HW: number) {
  const decls: BindingDecl[] = [
    { name: 'X', access: 'read', type: 'f32' },
    { name: 'Y', access: 'read_write', type: 'f32' },
  ];
  const body = `    var acc = 0.0;
    for (var p = 0u; p < ${u(HW)}; p = p + 1u) { acc = acc + X[e * ${u(HW)} + p]; }
    Y[e] = acc / ${HW}.0;`;
  return kernel(decls, `// global average pool over ${HW} positions`, body, BC);
}

export function globalAvgpoolBwdKernel(BC: number, HW: number) {
  const decls: BindingDecl[] = [
    { name: 'DY', access: 'read', type: 'f32' },
    { name: 'DX', access: 'read_write', type: 'f32' },
  ];
  return kernel(decls, `// global average pool backward`, `    DX[e] = DY[e / ${u(HW)}] / ${HW}.0;`, BC * HW);
}
