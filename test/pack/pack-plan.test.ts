// The packer as a pure function: which runs share a pack key, which buffers each run owns, how
// bindings and grids grow, and the WGSL rewrite of the run axis (one-line expectations).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import { packedOffset, packedPieces, packKey, packPlans, PackError } from '../../compiler/pack/pack.js';
import { packKernelWgsl } from '../../compiler/pack/pack-wgsl.js';
import { DEFAULT_LIMITS } from '../../compiler/plan/plan.js';
import { mlp, synthetic } from '../helpers/configs.js';

const data = synthetic([1, 28, 28], 10, 64, 32);
const plan = (o: Parameters<typeof mlp>[0]) => lower(mlp({ data, hidden: [32, 16], ...o }), 'p', DEFAULT_LIMITS);

test('pack key: seed, keep, learning rate and weight distribution pack; width, batch and optimiser constants do not', () => {
  const k = packKey(plan({}));
  assert.is(packKey(plan({ seed: 7 })), k);
  assert.is(packKey(plan({ mask: { kind: 'edge_popup', keep: 0.3 } })), k);
  assert.is(packKey(plan({ lr: 0.01 })), k);
  assert.is(packKey(plan({ init: { kind: 'kaiming_normal', mode: 'fan_in', scaled: false } })), k);
  assert.is.not(packKey(plan({ hidden: [64, 16] })), k);
  assert.is.not(packKey(plan({ batch: 16 })), k);
  assert.is.not(packKey(plan({ momentum: 0.5 })), k);
});

test('packed plan: dataset shared, everything else per run; tables per run only where runs differ', () => {
  const a = plan({ seed: 0 });
  const b = plan({ seed: 1 });
  const p = packPlans([a, b, plan({ seed: 2 })]);
  const d = a.data;
  for (const i of [d.trainImages, d.trainLabels, d.testImages, d.testLabels]) assert.is(p.pack.perRun[i], false, a.buffers[i].name);
  for (const i of [d.permutation, d.stepUniform, a.metrics.train.buffer]) assert.is(p.pack.perRun[i], true, a.buffers[i].name);
  a.buffers.forEach((buf, i) => {
    if (buf.role !== 'table') return;
    const same = JSON.stringify(buf.data) === JSON.stringify(b.buffers[i].data);
    assert.is(p.pack.perRun[i], !same, `table ${buf.name}`);
  });
  assert.is(p.buffers[d.stepUniform].size, 3 * 48);
  a.phases.trainStep.forEach((dsp, i) => {
    const q = p.phases.trainStep[i];
    assert.equal(q.workgroups, [dsp.workgroups[0], dsp.workgroups[1], 3 * dsp.workgroups[2]]);
    dsp.bindings.forEach((r, j) => {
      if (!p.pack.perRun[r.buffer]) assert.equal(q.bindings[j], r);
      else assert.is(q.bindings[j].offset, 3 * r.offset);
    });
  });
  assert.throws(() => packPlans([a, plan({ hidden: [64, 16] })]), (e: unknown) => e instanceof PackError && /does not pack/.test(e.message));
});

test('host and kernel agree on the interleaved layout: pieces cover the range once, in order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(16, 64, 256), (off4, size4, runs, chunk) => {
      const r = runs - 1;
      const pieces = packedPieces({ pack: { runs, chunk, perRun: [true], members: [] }, data: { stepUniform: -1 }, buffers: [] } as never, { buffer: 0, offset: off4 * 4, size: size4 * 4 }, r);
      let covered = 0;
      for (const [at, n, from] of pieces) {
        assert.is(from, covered);
        assert.is(at, packedOffset(off4 * 4 + from, r, runs, chunk));
        // The kernel's formula for a 4-byte element i = x / 4, per = chunk / 4, from pack-wgsl.ts.
        const i = (off4 * 4 + from) / 4;
        const per = chunk / 4;
        assert.is((i + Math.floor(i / per) * (runs - 1) * per + r * per) * 4, at);
        covered += n;
      }
      assert.is(covered, size4 * 4);
    }),
  );
});

const KERNEL = `// a kernel
@group(0) @binding(0) var<storage, read_write> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> IMAGES: array<u32>;
@group(0) @binding(3) var<uniform> step: Step;
struct Step { step: u32, valid: u32 }
fn get(i: u32) -> f32 { return X[i]; }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  if (gid.x >= step.valid) { return; }
  Y[gid.x].x = get(X[IMAGES[gid.x]]) + f32(step.step);
}
`;

test('WGSL: per-run bindings go through the chunk index, shared ones do not, the Step uniform becomes an array', () => {
  const out = packKernelWgsl(KERNEL, { runs: 4, chunk: 256, perRun: [true, true, false, true], zGroups: 1 });
  const has = (line: string) => assert.ok(out.includes(line), `missing: ${line}\n${out}`);
  has('@group(0) @binding(3) var<uniform> step: array<Step, 4>;');
  has('struct Step { step: u32, valid: u32 }');
  has('fn pk_ix64(i: u32) -> u32 { return i + (i >> 6u) * 192u + pk_run * 64u; }');
  has('fn pk_ix16(i: u32) -> u32 { return i + (i >> 4u) * 48u + pk_run * 16u; }');
  has('fn get(i: u32) -> f32 { return X[pk_ix64(u32(i))]; }');
  has('fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(workgroup_id) pk_wid: vec3u) {\n  pk_run = pk_wid.z;');
  has('if (gid.x >= step[pk_run].valid) { return; }');
  has('Y[pk_ix16(u32(gid.x))].x = get(X[pk_ix64(u32(IMAGES[gid.x]))]) + f32(step[pk_run].step);');
});

test('WGSL: a split-K grid keeps its z inside each run; kernels that read gid.z are refused', () => {
  const k = `@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  P[wid.z * 64u + lid.x] = 1.0;
}`;
  const out = packKernelWgsl(k, { runs: 2, chunk: 256, perRun: [true], zGroups: 3 });
  assert.ok(out.includes('pk_run = wid.z / 3u;'), out);
  assert.ok(out.includes('P[pk_ix64(u32((wid.z % 3u) * 64u + lid.x))] = 1.0;'), out);
  const bad = KERNEL.replace('gid.x >= step.valid', 'gid.z >= step.valid');
  assert.throws(() => packKernelWgsl(bad, { runs: 2, chunk: 256, perRun: [true, true, false, true], zGroups: 1 }), (e: unknown) => e instanceof PackError && /gid\.z/.test(e.message));
});

test.run();
