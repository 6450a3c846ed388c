// The exact per-layer top-k rule shared by the reference interpreter and the WGSL radix select.
//
// keep is the fraction of weights kept. kept = n − floor((1−keep)·n), as the reference's
// GetSubnet (which zeroes the lowest int((1−k)·n) of a sort). Ranking is by |score|, compared as
// the u32 bit pattern of |score| (non-negative floats order like their bits). Ties are broken by
// index as a *stable* ascending sort would: among equal |score|, lower indices are pruned first.
// The threshold is a pair (T, tie): element i is kept iff key(i) > T, or key(i) == T and i ≥ tie.

/** Number of weights kept in a layer of n weights. Computed once on the host, in double. */
export function keptCount(n: number, keep: number): number {
  return n - Math.floor((1 - keep) * n);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The ranking key of a score: the bits of |score|. */
export function scoreKey(s: number): number {
  f32[0] = s;
  return (u32[0] & 0x7fffffff) >>> 0;
}

export interface Threshold {
  key: number; // T
  tie: number; // first kept index among elements whose key equals T
}

/** Reference selection: a stable sort of (key, index), then the (n − kept)-th element. O(n log n). */
export function selectThreshold(scores: Float32Array, kept: number): Threshold {
  const n = scores.length;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = scoreKey(scores[i]);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => keys[a] - keys[b] || a - b);
  const j = n - kept;
  const at = order[j];
  // Canonical form: when no element equal to T is pruned, tie = 0 (the GPU then skips its scan).
  const tiePruned = j > 0 && keys[order[j - 1]] === keys[at];
  return { key: keys[at], tie: tiePruned ? at : 0 };
}

export function isKept(score: number, index: number, thr: Threshold): boolean {
  const k = scoreKey(score);
  return k > thr.key || (k === thr.key && index >= thr.tie);
}
