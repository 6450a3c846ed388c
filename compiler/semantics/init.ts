// Initial values of weights and scores: the distribution's constants (computed once here, in f32,
// and embedded bit-exactly into WGSL) and a TypeScript generator that draws the same values as
// the WGSL init kernel from the same Philox stream.
import type { InitSpec, ScoreInitSpec } from '../plan/config.js';
import { boxMuller, philox4x32, seedKey, u32ToUnit } from './philox.js';

export type DrawKind = 'normal' | 'uniform' | 'sign' | 'constant';

/** value = scale·N(0,1) | scale·U(−1,1) | ±scale | scale */
export interface DrawParams {
  kind: DrawKind;
  scale: number; // an f32 value
}

const RELU_GAIN = Math.SQRT2;

/**
 * Weight distribution → draw parameters. σ = gain/√fan (gain √2), as the reference's
 * utils/builder.py; xavier uses gain 1 and fan_in + fan_out; `scaled` divides σ by √keep
 * (the reference's scale_fan multiplies the fan by the kept fraction).
 */
export function weightDraw(spec: InitSpec, fanIn: number, fanOut: number, keep: number): DrawParams {
  const fan = 'mode' in spec && spec.mode === 'fan_out' ? fanOut : fanIn;
  const scaleBy = spec.scaled ? 1 / Math.sqrt(keep) : 1;
  let kind: DrawKind;
  let scale: number;
  switch (spec.kind) {
    case 'kaiming_normal':
      kind = 'normal';
      scale = RELU_GAIN / Math.sqrt(fan);
      break;
    case 'kaiming_uniform':
      kind = 'uniform';
      scale = RELU_GAIN * Math.sqrt(3 / fan);
      break;
    case 'xavier_normal':
      kind = 'normal';
      scale = Math.sqrt(2 / (fanIn + fanOut));
      break;
    case 'xavier_uniform':
      kind = 'uniform';
      scale = Math.sqrt(6 / (fanIn + fanOut));
      break;
    case 'signed_kaiming_constant':
      kind = 'sign';
      scale = RELU_GAIN / Math.sqrt(fan);
      break;
    case 'unsigned_constant':
      kind = 'constant';
      scale = RELU_GAIN / Math.sqrt(fan);
      break;
  }
  return { kind, scale: Math.fround(scale * scaleBy) };
}

/** Score init: kaiming_uniform(a) is U(±gain·√(3/fan_in)) with gain = √(2/(1+a²)); a=√5 → U(±1/√fan_in). */
export function scoreDraw(spec: ScoreInitSpec, fanIn: number): DrawParams {
  if (spec.kind === 'constant') return { kind: 'constant', scale: Math.fround(spec.value) };
  const gain = Math.sqrt(2 / (1 + spec.a * spec.a));
  return { kind: 'uniform', scale: Math.fround(gain * Math.sqrt(3 / fanIn)) };
}

/** Element i of a tensor drawn from stream `stream` for weight layer `layer`. */
export function drawValue(p: DrawParams, key: [number, number], layer: number, stream: number, i: number, tmp: Uint32Array): number {
  if (p.kind === 'constant') return p.scale;
  const r = philox4x32(i, layer, stream, 0, key[0], key[1], tmp);
  switch (p.kind) {
    case 'uniform':
      return Math.fround((u32ToUnit(r[0]) * 2 - 1) * p.scale);
    case 'sign':
      return r[0] >>> 31 ? -p.scale : p.scale;
    case 'normal':
      return Math.fround(p.scale * boxMuller(r[0], r[1]));
  }
}

export function drawTensor(p: DrawParams, seed: number, layer: number, stream: number, n: number): Float32Array {
  const out = new Float32Array(n);
  const key = seedKey(seed);
  const tmp = new Uint32Array(4);
  for (let i = 0; i < n; i++) out[i] = drawValue(p, key, layer, stream, i, tmp);
  return out;
}
