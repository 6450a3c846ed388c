// The `fixed(run: …)` policy: each masked layer takes the mask its namesake layer ended with in
// another run. The mask is computed from that run's checkpoint with the rule of its own policy
// (edge-popup: the exact top-k of its keep; supermask: score > 0, the thresholded mask) and
// uploaded as bits. The weights are this run's (its seed and distribution): a mask can be
// applied to the network it was found in (same seed) or transplanted to another.
import { resolve } from 'node:path';
import { weightLayers, keptCount, isKept, selectThreshold } from '../compiler/index.js';
import type { LayerMask } from '../compiler/plan/config.js';
import type { RunExecutor } from './executor.js';
import { readRunDir } from './results/stored-run.js';

export class FixedMaskError extends Error {}

export function maskBitsFromScores(scores: Float32Array, mask: LayerMask, where: string): Uint32Array {
  const bits = new Uint32Array(Math.ceil(scores.length / 32));
  let keep: (i: number) => boolean;
  if (mask.kind === 'edge_popup') {
    const thr = selectThreshold(scores, keptCount(scores.length, mask.keep));
    keep = (i) => isKept(scores[i], i, thr);
  } else if (mask.kind === 'supermask') keep = (i) => scores[i] > 0;
  else throw new FixedMaskError(`${where} has no mask to take (its policy is ${mask.kind})`);
  for (let i = 0; i < scores.length; i++) if (keep(i)) bits[i >>> 5] |= 1 << (i & 31);
  return bits;
}

/** Fills every fixed-mask tensor of the plan from its source run (relative paths: from the cwd). */
export function loadFixedMasks(ex: RunExecutor): void {
  const plan = ex.plan;
  const slots = plan.tensors.filter((t) => t.role === 'fixed_mask');
  if (slots.length === 0) return;
  const layers = new Map(plan.weightLayers.map((l) => [l.name, l]));
  const runs = new Map<string, ReturnType<typeof readRunDir>>();
  for (const t of slots) {
    const layer = layers.get(t.layer!)!;
    if (layer.mask.kind !== 'fixed') continue;
    const dir = resolve(layer.mask.run);
    let src = runs.get(dir);
    if (!src) {
      try {
        src = readRunDir(dir);
      } catch (e) {
        throw new FixedMaskError(`fixed(run: "${layer.mask.run}"): ${(e as Error).message}`);
      }
      runs.set(dir, src);
    }
    const srcLayer = weightLayers(src.config.model.layers).find((l) => l.name === layer.name);
    const scores = src.checkpoint.tensors.get(`${layer.name}.scores`);
    const where = `layer ${layer.name} of run ${dir}`;
    if (!srcLayer || !scores) throw new FixedMaskError(`fixed(run: "${layer.mask.run}"): the run has no masked layer ${layer.name}`);
    const n = t.shape[0] * 32;
    // Copy first: the tensor's bytes may be a view into the whole file (a Node Buffer).
    const data = new Float32Array(Uint8Array.from(scores.data).buffer);
    if (data.length > n || data.length <= n - 32) throw new FixedMaskError(`${where} has ${data.length} weights; this layer has a different shape`);
    ex.write(t.range, maskBitsFromScores(data, srcLayer.mask, where));
  }
}
