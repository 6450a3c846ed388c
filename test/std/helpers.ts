// Compile a network of the standard library on a given input, and count what it holds.
import type { Layer, RunConfig } from '../../compiler/plan/config.js';
import { compileProgram } from '../../compiler/frontend/frontend.js';
import { nodeHost } from '../../runtime/session/host.js';
import { resolveImportPath } from '../../runtime/session/host.js';

/** Compiles `model` on synthetic data of `shape` and returns the single run's config. */
export function instantiate(model: string, shape: number[], classes: number, mask = 'dense'): RunConfig {
  const entry = '/virtual/main.subnet';
  const src = `import "std/frankle.subnet"\nimport "std/resnet.subnet"\nexperiment e {\n  model = ${model}\n  data = synthetic(shape: [${shape.join(', ')}], classes: ${classes})\n  mask = ${mask}\n  optimizer = sgd()\n  train = { epochs: 1, batch: 1 }\n}\n`;
  const disk = nodeHost({});
  const host = { ...disk, readFile: (p: string) => (p === entry ? src : disk.readFile(p)), resolveImport: (f: string, s: string) => resolveImportPath(f, s) };
  const r = compileProgram(entry, host);
  if (r.diagnostics.length) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return r.experiments[0]!.runs[0]!.config;
}

export function flatLayers(layers: Layer[]): Layer[] {
  return layers.flatMap((l) => (l.kind === 'residual' ? [l, ...flatLayers(l.body), ...flatLayers(l.shortcut)] : [l]));
}

/** Weights of linear and conv layers only (no bias anywhere, no batch-norm parameters). */
export function weightCount(layers: Layer[]): number {
  let n = 0;
  for (const l of flatLayers(layers)) {
    if (l.kind === 'linear') n += l.inFeatures * l.outFeatures;
    if (l.kind === 'conv') n += l.inChannels * l.outChannels * l.kernel * l.kernel;
  }
  return n;
}

export function batchNormChannels(layers: Layer[]): number {
  return flatLayers(layers).reduce((n, l) => n + (l.kind === 'batchnorm' ? l.channels : 0), 0);
}
