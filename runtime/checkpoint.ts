// Checkpoints: what a run needs to continue exactly where it stopped, as one safetensors file
// (runs/<id>/checkpoint.safetensors, replaced atomically).
//
// Tensors are chosen from plan.tensors, so tensors the compiler adds later (BN running
// statistics, Adam moments) are covered without changes here: every persistent tensor (kind
// `param` or `state`) except the weights of layers that do not learn them: those are
// regenerated from the seed by the init phase (under `dense` they are learned and stored). The
// train metric accumulators go in too, so a run resumed mid-epoch reports the same epoch means.
//
// The header's __metadata__ has one key, "subnet", a JSON object: the format version, the
// subnet version, the run id and config hash, the position (epoch in progress and next step),
// the Philox counters (key = seed; the shuffle, augmentation and sampling counters are functions
// of epoch and step), and the history of finished epochs, from which metrics.jsonl, the
// TensorBoard file and summary.json are rewritten on resume.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BufferRange, Plan, PlanTensor } from '../compiler/plan/plan.js';
import type { RunExecutor } from './executor.js';
import type { NamedTensor } from './export/safetensors.js';
import { decodeFile, encodeWithDigest, IntegrityError, verifyDecoded } from './results/integrity.js';
import { writeFileKeepingPrevious } from './results/keep-previous.js';
import { programHash } from './results/rundir.js';
import type { EpochRecord } from './results/epoch.js';
import { SUBNET_VERSION } from './version.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
/** The checkpoint before the newest, kept in case the newest is found damaged. */
export const PREVIOUS_CHECKPOINT_FILE = 'checkpoint.prev.safetensors';
export const CHECKPOINT_FORMAT = 1;

export interface HistoryEntry {
  record: EpochRecord;
  /** Unix seconds when the epoch ended (TensorBoard's wall_time). */
  wall_time: number;
}

export interface CheckpointMeta {
  format: 'subnet-checkpoint';
  version: number;
  subnet_version: string;
  run_id: string;
  /** SHA-256 of the run's canonical configuration (its first 12 digits are the run id). */
  config_sha256: string;
  /** Epoch in progress, 0-based; equals the finished epochs when next_step is 0. */
  epoch: number;
  /** First step of `epoch` not yet run. */
  next_step: number;
  steps_per_epoch: number;
  epochs: number;
  /** Philox4x32-10: key = seed; counters derive from (epoch, step), recorded for the record. */
  rng: { generator: 'philox4x32-10'; seed: number; epoch: number; step: number };
  history: HistoryEntry[];
  /** The TensorBoard file this run writes (kept across resumes). */
  event_file: string;
  started_at: number;
  written_at: string;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  tensors: Map<string, NamedTensor>;
}

export class CheckpointError extends Error {}

/** A checkpoint whose bytes are not what subnet wrote (truncated, or failing its digest). */
export class DamagedCheckpointError extends CheckpointError {
  constructor(
    readonly path: string,
    message: string,
    readonly tensor?: string,
  ) {
    super(message);
  }
}

interface Slot {
  name: string;
  shape: number[];
  dtype: 'f32' | 'u32';
  range: BufferRange;
}

/** The tensors a checkpoint of this plan holds, in a fixed order. */
export function checkpointSlots(plan: Plan): Slot[] {
  const learned = new Set(plan.weightLayers.filter((l) => l.mask.kind === 'dense').map((l) => l.name));
  const keep = (t: PlanTensor) => {
    if (t.kind !== 'param' && t.kind !== 'state') return false;
    if (t.role === 'weight') return t.layer !== undefined && learned.has(t.layer);
    return true;
  };
  const slots: Slot[] = plan.tensors.filter(keep).map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype, range: t.range }));
  slots.push({ name: 'metrics.train', shape: [4], dtype: 'f32', range: plan.metrics.train });
  return slots;
}

export async function saveCheckpoint(ex: RunExecutor, dir: string, meta: CheckpointMeta): Promise<string> {
  const slots = checkpointSlots(ex.plan);
  const data = await ex.read(slots.map((s) => s.range));
  const tensors: NamedTensor[] = slots.map((s, i) => ({
    name: s.name,
    dtype: s.dtype === 'u32' ? 'U32' : 'F32',
    shape: s.shape,
    data: new Uint8Array(data[i], 0, s.shape.reduce((a, b) => a * b, 1) * 4),
  }));
  const path = join(dir, CHECKPOINT_FILE);
  writeFileKeepingPrevious(path, join(dir, PREVIOUS_CHECKPOINT_FILE), encodeWithDigest(tensors, { subnet: JSON.stringify(meta) }));
  return path;
}

/**
 * Reads a checkpoint file and verifies it against its SHA-256 digest; a damaged file is a
 * DamagedCheckpointError naming it (and the first bad tensor), a foreign one a CheckpointError.
 */
export function readCheckpoint(path: string): Checkpoint {
  let decoded;
  try {
    decoded = decodeFile(path, 'checkpoint');
    if (decoded.metadata.subnet === undefined && decoded.metadata.subnet_sha256 === undefined) {
      throw new CheckpointError(`${path}: not a subnet checkpoint (no "subnet" metadata)`);
    }
    verifyDecoded(path, 'checkpoint', decoded);
  } catch (e) {
    if (e instanceof IntegrityError) throw new DamagedCheckpointError(path, e.message, e.tensor);
    throw e;
  }
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(decoded.metadata.subnet ?? 'null');
  } catch {
    throw new CheckpointError(`${path}: the checkpoint's metadata is not JSON`);
  }
  if (!meta || meta.format !== 'subnet-checkpoint') throw new CheckpointError(`${path}: not a subnet checkpoint (no "subnet" metadata)`);
  return { meta, tensors: decoded.tensors };
}

export function findCheckpoint(runDir: string): string | undefined {
  const p = join(runDir, CHECKPOINT_FILE);
  return existsSync(p) ? p : undefined;
}

/** Refuses a checkpoint that another program, run, format or subnet version wrote. */
export function checkCompatible(ckpt: Checkpoint, plan: Plan, path: string): void {
  const m = ckpt.meta;
  const refuse = (why: string) => new CheckpointError(`${path}: cannot resume from this checkpoint: ${why}`);
  if (m.version !== CHECKPOINT_FORMAT) throw refuse(`it has checkpoint format ${m.version}, this subnet reads format ${CHECKPOINT_FORMAT}`);
  if (m.subnet_version !== SUBNET_VERSION) {
    throw refuse(`it was written by subnet ${m.subnet_version}, this is subnet ${SUBNET_VERSION} (weights are regenerated from the seed, so versions must match)`);
  }
  const hash = programHash(plan.config);
  if (m.run_id !== plan.runId || m.config_sha256 !== hash) {
    throw refuse(`it belongs to run ${m.run_id} (config ${m.config_sha256.slice(0, 16)}…), not to run ${plan.runId} (config ${hash.slice(0, 16)}…): the program or its settings changed`);
  }
  for (const s of checkpointSlots(plan)) {
    const t = ckpt.tensors.get(s.name);
    const dtype = s.dtype === 'u32' ? 'U32' : 'F32';
    if (!t) throw refuse(`it lacks the tensor ${s.name}`);
    if (t.dtype !== dtype || t.shape.join(',') !== s.shape.join(',')) {
      throw refuse(`${s.name} is ${t.dtype} [${t.shape.join(', ')}], the plan wants ${dtype} [${s.shape.join(', ')}]`);
    }
  }
}

/** Writes the checkpoint's tensors into the device (after the init phase regenerated the weights). */
export function restoreCheckpoint(ex: RunExecutor, ckpt: Checkpoint): void {
  for (const s of checkpointSlots(ex.plan)) {
    const t = ckpt.tensors.get(s.name)!;
    ex.write(s.range, new Uint8Array(t.data));
  }
}
