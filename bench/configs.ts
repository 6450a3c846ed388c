// The benchmarks' networks: edge-popup at batch B on synthetic data of each network's input shape,
// compiled from source as `subnet run` would, with the PyTorch peer's name for the same network.
import { compileProgram, type SourceHost } from '../compiler/index.js';
import type { RunConfig } from '../compiler/plan/config.js';
import { nodeHost } from '../runtime/session/host.js';

export const ARCHS: Record<string, { model: string; shape: number[]; peer: string }> = {
  fc: { model: 'FC()', shape: [1, 28, 28], peer: 'fc' },
  conv4: { model: 'Conv4()', shape: [3, 32, 32], peer: 'conv4' },
  conv2: { model: 'Conv2()', shape: [3, 32, 32], peer: 'conv2' },
  conv6: { model: 'Conv6()', shape: [3, 32, 32], peer: 'conv6' },
};

export function configFor(arch: string, batch: number, images = batch * 4): RunConfig {
  const a = ARCHS[arch];
  const src = `import "std/frankle.subnet"
experiment bench {
  model     = ${a.model}
  data      = synthetic(shape: [${a.shape.join(', ')}], classes: 10, n: ${images}, test_n: ${batch})
  weights   = signed_kaiming_constant()
  mask      = edge_popup(keep: 50%)
  optimizer = sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4, schedule: cosine)
  train     = { epochs: 1, batch: ${batch} }
}`;
  const disk = nodeHost();
  const host: SourceHost = { ...disk, readFile: (p) => (p === '/bench.subnet' ? src : disk.readFile(p)) };
  const r = compileProgram('/bench.subnet', host);
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.experiments[0].runs[0].config as RunConfig;
}
