// The epoch's order of training examples: a Fisher–Yates shuffle driven by Philox with
// key = seed and counter = (i, 0, shuffle stream, epoch), so it is a pure function of
// (seed, epoch, n), the same on every machine and after a resume.
import type { ShuffleSpec } from '../plan/plan.js';
import { Stream, philox4x32, seedKey } from './philox.js';

export function epochPermutation(seed: number, epoch: number, n: number): Uint32Array {
  return permutation({ algorithm: 'philox-fisher-yates', seed, stream: Stream.shuffle }, epoch, n);
}

/** The order a Plan's shuffle spec gives epoch `epoch` of n examples. */
export function permutation(spec: ShuffleSpec, epoch: number, n: number): Uint32Array {
  if (spec.algorithm !== 'philox-fisher-yates') throw new Error(`unknown shuffle algorithm ${String(spec.algorithm)}`);
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const [k0, k1] = seedKey(spec.seed);
  const r = new Uint32Array(4);
  for (let i = n - 1; i > 0; i--) {
    philox4x32(i, 0, spec.stream, epoch, k0, k1, r);
    // Multiply-shift maps a u32 to [0, i] with negligible bias; exact in doubles.
    const j = Math.floor((r[0] * (i + 1)) / 2 ** 32);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}
