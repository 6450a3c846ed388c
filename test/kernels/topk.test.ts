// The batched radix select against the reference (a stable sort), on several layers at once:
// random scores, heavy ties (ties broken by index), keep 100%, a single weight, negative zero.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TOPK_HIST_WORDS, TOPK_PASSES, topkChunkTable, topkHistogramKernel, topkLayerTable, topkPickKernel, type TopkLayer } from '../../compiler/kernels/topk.js';
import { keptCount, scoreKey, selectThreshold } from '../../compiler/semantics/topk.js';
import type { GpuContext } from '../../runtime/device.js';
import { gpu } from '../helpers/gpu.js';
import { randomF32 } from '../helpers/kernel.js';

async function gpuThresholds(ctx: GpuContext, layers: { s: Float32Array; keep: number }[], steps = 1): Promise<Uint32Array> {
  const { device } = ctx;
  const align = 64; // elements between layer starts, as a real plan aligns them
  const specs: TopkLayer[] = [];
  let off = 0;
  for (const l of layers) {
    specs.push({ n: l.s.length, kept: keptCount(l.s.length, l.keep), offset: off, slot: specs.length });
    off = Math.ceil((off + l.s.length) / align) * align;
  }
  const scores = new Float32Array(off);
  layers.forEach((l, i) => scores.set(l.s, specs[i].offset));
  const chunks = new Uint32Array(topkChunkTable(specs));
  const table = new Uint32Array(topkLayerTable(specs));
  const mk = (data: ArrayBufferView | number) => {
    const size = Math.max(16, Math.ceil((typeof data === 'number' ? data : data.byteLength) / 16) * 16);
    const b = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    if (typeof data !== 'number') device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  };
  const S = mk(scores);
  const HIST = mk(4 * TOPK_HIST_WORDS * layers.length);
  const CH = mk(chunks);
  const LY = mk(table);
  const THR = mk(16 * layers.length);
  const kernels = Array.from({ length: TOPK_PASSES }, (_, p) => ({ k: topkHistogramKernel(p), bufs: [S, HIST, CH, LY], wg: chunks.length / 3 }));
  kernels.push({ k: topkPickKernel(), bufs: [S, HIST, LY, THR], wg: layers.length });
  const prepared = await Promise.all(
    kernels.map(async ({ k, bufs, wg }) => {
      const layout = device.createBindGroupLayout({ entries: k.layout.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })) });
      const pipeline = await device.createComputePipelineAsync({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ code: k.wgsl }), entryPoint: 'main' },
      });
      const bg = device.createBindGroup({ layout, entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })) });
      return { pipeline, bg, wg };
    }),
  );
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  // Several steps in a row: the pick pass must leave the histograms cleared for the next.
  for (let s = 0; s < steps; s++)
    for (const p of prepared) {
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(0, p.bg);
      pass.dispatchWorkgroups(p.wg);
    }
  pass.end();
  const rb = device.createBuffer({ size: THR.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  enc.copyBufferToBuffer(THR, 0, rb, 0, THR.size);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const out = new Uint32Array(rb.getMappedRange().slice(0));
  rb.unmap();
  return out;
}

function expectSame(got: Uint32Array, layers: { s: Float32Array; keep: number }[]) {
  layers.forEach((l, i) => {
    const kept = keptCount(l.s.length, l.keep);
    const want = selectThreshold(l.s, kept);
    assert.equal([got[4 * i], got[4 * i + 1], got[4 * i + 2], got[4 * i + 3]], [want.key, want.tie, kept, l.s.length], `layer ${i} (n=${l.s.length}, keep ${l.keep})`);
    // And the mask it implies keeps exactly `kept`.
    let n = 0;
    for (let j = 0; j < l.s.length; j++) {
      const k = scoreKey(l.s[j]);
      if (k > got[4 * i] || (k === got[4 * i] && j >= got[4 * i + 1])) n++;
    }
    assert.is(n, kept, `layer ${i} keeps ${n}, not ${kept}`);
  });
}

test('random scores over layers of odd sizes, several keeps, repeated steps', async () => {
  const ctx = await gpu();
  const layers = [
    { s: randomF32(70001, 1), keep: 0.5 },
    { s: randomF32(4097, 2), keep: 0.1 },
    { s: randomF32(1, 3), keep: 0.3 },
    { s: randomF32(999, 4), keep: 0.9 },
    { s: randomF32(300, 5), keep: 1 },
  ];
  expectSame(await gpuThresholds(ctx, layers, 3), layers);
});

test('ties are broken by index, as a stable sort; -0 ranks with +0', async () => {
  const ctx = await gpu();
  const few = new Float32Array(10000).map((_, i) => [0.25, -0.25, 0.5, 0][i % 4]);
  few[17] = -0;
  const constant = new Float32Array(5000).fill(0.125);
  const halves = new Float32Array(9).map((_, i) => (i < 5 ? 1 : 2));
  const layers = [
    { s: few, keep: 0.6 },
    { s: constant, keep: 0.3 },
    { s: halves, keep: 0.5 },
  ];
  expectSame(await gpuThresholds(ctx, layers), layers);
});

test.run();
