// Zhou et al.'s supermask: mask bit i ~ Bernoulli(σ(score_i)), drawn from Philox with key = seed
// and counter = (⌊i/4⌋, weight-layer index, stream, extra), using output i mod 4, so one Philox
// block serves four weights. Training draws with stream `supermask` and extra = the optimiser
// step (a fresh mask every step); evaluation in `sample` mode draws with stream `supermaskEval`
// and extra = the epoch (one sampled subnetwork per evaluation pass). Bits pack 32 to a u32.
// WGSL's exp is not correctly rounded, so a draw within an ulp of σ(s) may differ between the
// device and this reference; tests allow for that rarity.
import { philox4x32, seedKey } from './philox.js';

export function sigmoid(s: number): number {
  return Math.fround(1 / (1 + Math.fround(Math.exp(-s))));
}

export function sampleBits(scores: Float32Array, layer: number, seed: number, stream: number, extra: number): Uint32Array {
  const n = scores.length;
  const bits = new Uint32Array(Math.ceil(n / 32));
  const [k0, k1] = seedKey(seed);
  const r = new Uint32Array(4);
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) philox4x32(i >>> 2, layer, stream, extra, k0, k1, r);
    const u = (r[i % 4] >>> 8) * 2 ** -24;
    if (u < sigmoid(scores[i])) bits[i >>> 5] |= 1 << (i & 31);
  }
  return bits;
}
