// Philox4x32-10 against the Random123 known-answer vectors, in TypeScript and in WGSL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PHILOX_WGSL } from '../../compiler/kernels/philox.js';
import { philox4x32 } from '../../compiler/semantics/philox.js';
import { gpu } from '../helpers/gpu.js';
import { runKernel } from '../helpers/kernel.js';

// Random123 kat_vectors, philox4x32 with 10 rounds: counter, key → output.
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

test('TypeScript Philox matches the known-answer vectors', () => {
  for (const [c, k, want] of KAT) {
    assert.equal([...philox4x32(c[0], c[1], c[2], c[3], k[0], k[1])], want);
  }
});

test('WGSL Philox matches the known-answer vectors and the TypeScript twin on 4096 counters', async () => {
  const ctx = await gpu();
  const n = 4096;
  const wgsl = `@group(0) @binding(0) var<storage, read_write> IN: array<vec4u>;
@group(0) @binding(1) var<storage, read_write> OUT: array<vec4u>;
${PHILOX_WGSL}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x; if (i >= ${n + KAT.length}u) { return; }
  let key = IN[${n + KAT.length} + i];
  OUT[i] = philox(IN[i], key.xy);
}`;
  const input = new Uint32Array((n + KAT.length) * 8);
  const ctrs: number[][] = [];
  for (let i = 0; i < n + KAT.length; i++) {
    let c: number[];
    let k: number[];
    if (i < KAT.length) [c, k] = KAT[i];
    else {
      c = [i * 2654435761, i, 7, i ^ 0x5a5a5a5a].map((x) => x >>> 0);
      k = [(i * 40503) >>> 0, 0xdeadbeef];
    }
    input.set(c, 4 * i);
    input.set([k[0], k[1], 0, 0], 4 * (n + KAT.length + i));
    ctrs.push([...c, ...k]);
  }
  const out = await runKernel(ctx, { wgsl, bindings: ['IN', 'OUT'], layout: ['storage', 'storage'] }, { IN: input }, [Math.ceil((n + KAT.length) / 64), 1, 1], {
    sizes: { OUT: (n + KAT.length) * 16 },
  });
  const got = new Uint32Array(out.OUT);
  for (let i = 0; i < KAT.length; i++) assert.equal([...got.subarray(4 * i, 4 * i + 4)], KAT[i][2], `KAT ${i}`);
  for (let i = KAT.length; i < n + KAT.length; i++) {
    const [c0, c1, c2, c3, k0, k1] = ctrs[i];
    const want = philox4x32(c0, c1, c2, c3, k0, k1);
    if (got[4 * i] !== want[0] || got[4 * i + 3] !== want[3]) assert.unreachable(`counter ${i} differs`);
  }
});

test.run();
