// A run's subnetwork as one safetensors file that PyTorch loads with
// safetensors.torch.load_file: per weight layer `<layer>.weight` (F32, the frozen weights the
// seed regenerates, materialised: PyTorch cannot replay our Philox stream), `<layer>.scores`
// (F32) and `<layer>.mask` (U8, 1 = kept, by the exact top-k rule), batch-norm tensors under
// PyTorch's names, and in __metadata__ the seed, keep per layer, the policy, the init and the
// shapes (all strings, as the format requires), and the SHA-256 digest subnet verifies when it
// reads the file back (runtime/results/integrity.ts). docs/export.md shows how to load it.
import type { Checkpoint } from '../checkpoint.js';
import { programHash } from '../results/rundir.js';
import { SUBNET_VERSION } from '../version.js';
import { encodeWithDigest } from '../results/integrity.js';
import { tensor, type NamedTensor } from './safetensors.js';
import type { Subnetwork } from './subnetwork.js';

export const EXPORT_FORMAT = 'subnet-v1';

const BN_NAMES: Record<string, string> = { bn_running_mean: 'running_mean', bn_running_var: 'running_var', bn_gamma: 'weight', bn_beta: 'bias' };

export function exportMetadata(net: Subnetwork, runId: string, ckpt: Checkpoint): Record<string, string> {
  const cfg = net.config;
  const keep: Record<string, number> = {};
  const policy: Record<string, string> = {};
  for (const l of net.layers) {
    keep[l.layer.name] = l.layer.mask.kind === 'edge_popup' ? l.layer.mask.keep : 1;
    policy[l.layer.name] = l.layer.mask.kind;
  }
  return {
    format: EXPORT_FORMAT,
    subnet_version: SUBNET_VERSION,
    run_id: runId,
    config_sha256: programHash(cfg),
    experiment: cfg.experiment,
    network: cfg.model.network,
    seed: String(cfg.seed),
    prng: 'philox4x32-10',
    policy: cfg.mask.kind,
    layer_policy: JSON.stringify(policy),
    keep: JSON.stringify(keep),
    kept: JSON.stringify(Object.fromEntries(net.layers.map((l) => [l.layer.name, l.kept]))),
    init: JSON.stringify(cfg.weights),
    score_init: JSON.stringify(cfg.scores),
    input_shape: JSON.stringify(cfg.model.input),
    normalize: JSON.stringify(cfg.data.normalize),
    epoch: String(ckpt.meta.epoch),
    next_step: String(ckpt.meta.next_step),
  };
}

export function subnetworkTensors(net: Subnetwork): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (const l of net.layers) {
    const shape = l.layer.kind === 'linear' ? [l.layer.outFeatures, l.layer.inFeatures] : [l.layer.outChannels, l.layer.inChannels, l.layer.kernel, l.layer.kernel];
    out.push(tensor(`${l.layer.name}.weight`, 'F32', shape, l.weight));
    if (l.scores) out.push(tensor(`${l.layer.name}.scores`, 'F32', shape, l.scores));
    if (l.mask) out.push(tensor(`${l.layer.name}.mask`, 'U8', shape, l.mask));
  }
  for (const e of net.extras) out.push(tensor(`${e.tensor.layer}.${BN_NAMES[e.tensor.role!]}`, 'F32', e.tensor.shape, e.data));
  return out;
}

export function safetensorsExport(net: Subnetwork, runId: string, ckpt: Checkpoint): Uint8Array {
  const tensors = subnetworkTensors(net);
  const meta = exportMetadata(net, runId, ckpt);
  meta.shapes = JSON.stringify(Object.fromEntries(tensors.map((t) => [t.name, t.shape])));
  return encodeWithDigest(tensors, meta);
}
