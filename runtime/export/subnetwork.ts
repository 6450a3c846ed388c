// A run's subnetwork as host arrays: per weight layer the materialised frozen weights (what the
// init phase drew on this device from the seed, or the learned weights under `dense`), the
// scores and the mask by the exact top-k rule of compiler/semantics/topk.ts; plus the batch-norm tensors.
// The safetensors and ONNX writers both start from this.
import type { LayerMask, RunConfig, WeightLayer } from '../../compiler/plan/config.js';
import { isKept, keptCount, selectThreshold } from '../../compiler/index.js';
import type { PlanTensor } from '../../compiler/plan/plan.js';
import type { RunExecutor } from '../executor.js';

export interface ExportedLayer {
  layer: WeightLayer;
  weight: Float32Array;
  scores?: Float32Array;
  /** 1 = kept. Present for edge-popup layers. */
  mask?: Uint8Array;
  kept: number;
}

export interface Subnetwork {
  config: RunConfig;
  layers: ExportedLayer[];
  /** Other persistent model tensors (batch norm) by layer and role. */
  extras: { tensor: PlanTensor; data: Float32Array }[];
}

const MODEL_ROLES = new Set(['weight', 'score', 'bn_running_mean', 'bn_running_var', 'bn_gamma', 'bn_beta']);

/** The mask of one layer: kept = n − floor((1−keep)·n) by |score|, ties by index (docs/semantics.md). */
export function layerMask(scores: Float32Array, mask: LayerMask): Uint8Array | undefined {
  if (mask.kind !== 'edge_popup') return undefined;
  const thr = selectThreshold(scores, keptCount(scores.length, mask.keep));
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = isKept(scores[i], i, thr) ? 1 : 0;
  return out;
}

/** W ⊙ mask (W itself when the layer has no mask). */
export function maskedWeight(l: ExportedLayer): Float32Array {
  if (!l.mask) return l.weight;
  return l.weight.map((w, i) => (l.mask![i] ? w : 0));
}

export async function readSubnetwork(ex: RunExecutor): Promise<Subnetwork> {
  const plan = ex.plan;
  const tensors = plan.tensors.filter((t) => t.kind === 'param' && t.role !== undefined && MODEL_ROLES.has(t.role));
  const data = await ex.read(tensors.map((t) => t.range));
  const byKey = new Map(tensors.map((t, i) => [`${t.layer}/${t.role}`, { tensor: t, data: new Float32Array(data[i]) }]));
  const layers: ExportedLayer[] = [];
  for (const l of plan.weightLayers) {
    const w = byKey.get(`${l.name}/weight`);
    if (!w) throw new Error(`internal: the plan has no weight for ${l.name}`);
    const scores = byKey.get(`${l.name}/score`)?.data;
    const mask = scores ? layerMask(scores, l.mask) : undefined;
    if (l.mask.kind !== 'edge_popup' && l.mask.kind !== 'dense' && l.mask.kind !== 'frozen') {
      throw new Error(`exporting ${l.mask.kind} masks is not supported yet (layer ${l.name})`);
    }
    layers.push({ layer: l, weight: w.data, scores, mask, kept: mask ? mask.reduce((a, b) => a + b, 0) : w.data.length });
  }
  const extras = [...byKey.values()].filter((e) => e.tensor.role!.startsWith('bn_'));
  return { config: plan.config, layers, extras };
}
