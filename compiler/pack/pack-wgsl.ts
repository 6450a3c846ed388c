// The run axis of a packed plan, as a rewrite of a solo kernel's WGSL (docs/scaling.md, "Packed
// sweeps"). The kernel templates never learn about packing: a packed kernel is its solo kernel
// with
//   - the run index from workgroup_id.z (the solo z grid of Z workgroups becomes R·Z: run = z / Z),
//   - every per-run storage binding indexed through the interleaved layout (below),
//   - the Step uniform as an array by run.
// Per-run buffers are interleaved in chunks of G bytes: solo byte x of run r lives at packed byte
// (⌊x/G⌋·R + r)·G + x mod G. A solo binding range [off, off+size) with off a multiple of G then
// maps to the contiguous packed range [R·off, R·(off + ⌈size/G⌉·G)) for every run at once, so
// bindings that did not overlap solo do not overlap packed: WebGPU forbids overlapping writable
// bindings, which rules out the simpler layout of R whole copies at a stride. The arithmetic of
// every element is the solo kernel's, in the same order, which is what makes a packed run
// byte-identical to its solo run.

export class PackError extends Error {}

export interface PackKernelSpec {
  runs: number;
  /** Interleave chunk in bytes (a power of two ≥ 16). */
  chunk: number;
  /** Per binding of the kernel's layout: true when it indexes a per-run buffer. */
  perRun: boolean[];
  /** The solo dispatches' z extent (every dispatch of the kernel has the same one). */
  zGroups: number;
}

const ELEMENT_BYTES: Record<string, number> = {
  f32: 4,
  u32: 4,
  i32: 4,
  'atomic<u32>': 4,
  'atomic<i32>': 4,
  vec2f: 8,
  'vec2<f32>': 8,
  vec2u: 8,
  'vec2<u32>': 8,
  vec4f: 16,
  'vec4<f32>': 16,
  vec4u: 16,
  'vec4<u32>': 16,
  vec4i: 16,
  'vec4<i32>': 16,
};

interface Decl {
  binding: number;
  name: string;
  uniform: boolean;
  type: string;
  line: string;
}

const DECL = /^@group\(0\) @binding\((\d+)\) var<(uniform|storage, read_write|storage, read|storage)> (\w+): (.+);$/;

function declarations(wgsl: string): Decl[] {
  const out: Decl[] = [];
  for (const line of wgsl.split('\n')) {
    const m = DECL.exec(line.trim());
    if (!m) continue;
    const uniform = m[2] === 'uniform';
    const type = uniform ? m[4] : m[4].replace(/^array<(.+)>$/, '$1');
    out.push({ binding: Number(m[1]), name: m[3], uniform, type, line });
  }
  return out.sort((a, b) => a.binding - b.binding);
}

const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Index of the `]` that closes the `[` at `open`. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']' && --depth === 0) return i;
  }
  throw new PackError('internal: unbalanced [ in a kernel');
}

/** Rewrites `name[e]` (not `.name[`) to `name[fn(u32(e))]`, inner accesses first. */
function wrapIndexes(text: string, name: string, fn: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const at = text.indexOf(name + '[', i);
    if (at < 0) return out + text.slice(i);
    const before = text[at - 1];
    if (isWord(before) || before === '.') {
      out += text.slice(i, at + name.length);
      i = at + name.length;
      continue;
    }
    const open = at + name.length;
    const close = closing(text, open);
    const inner = wrapIndexes(text.slice(open + 1, close), name, fn);
    out += text.slice(i, at) + `${name}[${fn}(u32(${inner}))]`;
    i = close + 1;
  }
}

/** Rewrites `name.field` (a uniform struct read) to `name[pk_run].field`. */
function indexUniform(text: string, name: string): string {
  const re = new RegExp(`(^|[^A-Za-z0-9_.])${name}\\s*\\.`, 'g');
  return text.replace(re, (m, pre: string) => `${pre}${name}[pk_run].`);
}

// Entry-point parameters hold `@builtin(…)`: one level of parentheses inside.
const MAIN = /fn main\(((?:[^()]|\([^()]*\))*)\)\s*\{/;

/** The packed twin of a solo kernel (see the file comment). */
export function packKernelWgsl(wgsl: string, spec: PackKernelSpec): string {
  const { runs: R, chunk: G, zGroups: Z } = spec;
  const decls = declarations(wgsl);
  if (decls.length !== spec.perRun.length) throw new PackError(`internal: ${decls.length} bindings declared, layout has ${spec.perRun.length}`);
  // The body is everything after the declarations; struct and declarations are left as they are.
  const main = MAIN.exec(wgsl);
  if (!main) throw new PackError('a kernel without `fn main(…) {`');
  const params = main[1];
  const wid = /@builtin\(workgroup_id\)\s+(\w+)\s*:/.exec(params)?.[1];
  const gid = /@builtin\(global_invocation_id\)\s+(\w+)\s*:/.exec(params)?.[1];
  const nwg = /@builtin\(num_workgroups\)\s+(\w+)\s*:/.exec(params)?.[1];
  for (const v of [gid, nwg]) {
    if (v && new RegExp(`\\b${v}\\.z\\b|\\b${v}\\.[xyzw]*z`).test(wgsl)) throw new PackError(`the kernel reads ${v}.z, which the run axis takes`);
  }
  const widName = wid ?? 'pk_wid';
  if (Z > 1 && !wid) throw new PackError('a kernel dispatched with z > 1 that does not read workgroup_id');

  const helpers: string[] = ['var<private> pk_run: u32;'];
  const chunkFns = new Map<number, string>();
  let body = wgsl;
  // Bindings: drop them from the text being rewritten, so declarations keep their names.
  const declLines = new Set(decls.map((d) => d.line));
  const lines = body.split('\n');
  const keepIdx = lines.map((l) => declLines.has(l));
  const rewritable = lines.map((l, i) => (keepIdx[i] || /^\s*struct\s/.test(l) || /^\s*\/\//.test(l) ? null : l));
  let text = rewritable.map((l) => (l === null ? '\u0000' : l)).join('\n');
  decls.forEach((d, b) => {
    if (!spec.perRun[b]) return;
    if (d.uniform) {
      text = indexUniform(text, d.name);
      return;
    }
    const bytes = ELEMENT_BYTES[d.type.replace(/\s/g, '')];
    if (!bytes) throw new PackError(`binding ${d.name} has element type ${d.type}, which the packer does not know`);
    if (G % bytes !== 0) throw new PackError(`chunk ${G} is not a multiple of ${d.name}'s element (${bytes} bytes)`);
    const per = G / bytes;
    const fn = `pk_ix${per}`;
    if (!chunkFns.has(per)) {
      const shift = Math.log2(per);
      // ((i >> s)·R + run)·per + (i & (per − 1)), as i + (i >> s)·(R − 1)·per + run·per: one shift,
      // one multiply, two adds per access (run·per is computed once in main).
      chunkFns.set(per, `fn ${fn}(i: u32) -> u32 { return i + (i >> ${shift}u) * ${(R - 1) * per}u + pk_run * ${per}u; }`);
    }
    text = wrapIndexes(text, d.name, fn);
  });
  if (Z > 1) text = text.replace(new RegExp(`\\b${widName}\\.z\\b`, 'g'), `(${widName}.z % ${Z}u)`);
  // Put the untouched lines back.
  const parts = text.split('\n');
  let k = 0;
  body = lines
    .map((l, i) => {
      const r = parts[k++];
      return rewritable[i] === null ? l : r;
    })
    .join('\n');
  // Declarations: per-run uniforms become arrays by run.
  for (const d of decls) {
    if (d.uniform && spec.perRun[d.binding]) body = body.replace(d.line, d.line.replace(`: ${d.type};`, `: array<${d.type}, ${R}>;`));
  }
  // main: the run index first, from workgroup_id (added when the kernel did not read it).
  body = body.replace(MAIN, (_m, ps: string) => {
    const sig = wid ? ps : `${ps.trim() ? ps + ', ' : ''}@builtin(workgroup_id) ${widName}: vec3u`;
    return `fn main(${sig}) {\n  pk_run = ${Z > 1 ? `${widName}.z / ${Z}u` : `${widName}.z`};`;
  });
  const firstFn = body.search(/^(fn |@compute)/m);
  const head = `// packed: ${R} runs, ${G}-byte interleave\n${helpers.join('\n')}\n${[...chunkFns.values()].join('\n')}\n`;
  return firstFn < 0 ? body + head : body.slice(0, firstFn) + head + body.slice(firstFn);
}
