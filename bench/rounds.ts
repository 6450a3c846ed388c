// Benches that run their modes in alternating rounds on a shared machine report each mode's
// median round.

/** The middle of the sorted values (the upper of the two middles for an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
