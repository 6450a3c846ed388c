// Device memory planning. Persistent tensors are bump-allocated into role buffers; transient
// tensors (activations and gradients of one step) share one arena, packed by liveness over the
// kernel schedule: two tensors may overlap in memory only if their live ranges do not overlap.
// Offsets are aligned to the adapter's minStorageBufferOffsetAlignment so that every tensor can
// be bound on its own.

export interface Interval {
  id: number;
  bytes: number;
  /** Index of the first kernel that writes it and of the last that reads it. */
  first: number;
  last: number;
}

export function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/**
 * Greedy first-fit by decreasing size (the heuristic TVM's static planner and tinygrad's TLSF
 * arena both approximate): each tensor takes the lowest aligned offset that does not collide
 * with a placed tensor whose live range intersects its own. When the arena would pass
 * `capacity` (the adapter's maxBufferSize), tensors spill into further arena buffers ("bins"),
 * each packed the same way; a tensor never straddles two buffers.
 */
export function packArena(
  items: Interval[],
  align: number,
  capacity = Infinity,
): { offsets: Map<number, number>; bins: Map<number, number>; sizes: number[]; size: number; peakLive: number } {
  const order = [...items].sort((a, b) => b.bytes - a.bytes || a.first - b.first || a.id - b.id);
  const placed: { lo: number; hi: number; first: number; last: number }[][] = [];
  const offsets = new Map<number, number>();
  const bins = new Map<number, number>();
  const sizes: number[] = [];
  for (const it of order) {
    for (let bin = 0; ; bin++) {
      if (!placed[bin]) {
        placed[bin] = [];
        sizes[bin] = 0;
      }
      const conflicts = placed[bin].filter((p) => p.first <= it.last && it.first <= p.last).sort((a, b) => a.lo - b.lo);
      let off = 0;
      for (const c of conflicts) {
        if (off + it.bytes <= c.lo) break;
        off = Math.max(off, alignUp(c.hi, align));
      }
      if (off + it.bytes > capacity && placed[bin].length > 0) continue;
      placed[bin].push({ lo: off, hi: off + it.bytes, first: it.first, last: it.last });
      offsets.set(it.id, off);
      bins.set(it.id, bin);
      sizes[bin] = Math.max(sizes[bin], off + it.bytes);
      break;
    }
  }
  // Peak of simultaneously live bytes: the lower bound any packing could reach.
  let peakLive = 0;
  const steps = new Set(items.flatMap((i) => [i.first, i.last]));
  for (const s of steps) {
    let live = 0;
    for (const i of items) if (i.first <= s && s <= i.last) live += i.bytes;
    peakLive = Math.max(peakLive, live);
  }
  const padded = sizes.map((x) => alignUp(Math.max(x, 4), 4));
  return { offsets, bins, sizes: padded, size: padded.reduce((a, b) => a + b, 0), peakLive };
}

/** Bump allocator for one buffer. */
export class Bump {
  size = 0;
  constructor(readonly align: number) {}
  take(bytes: number): number {
    const off = alignUp(this.size, this.align);
    this.size = off + bytes;
    return off;
  }
}
