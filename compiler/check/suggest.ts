// "Did you mean" for unknown names: the closest candidate by edit distance, when it is close
// enough to be a plausible typo (rustc and TypeScript use similar cut-offs).
import { distance } from 'fastest-levenshtein';

export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    if (c === name) continue;
    // Case-only differences and one swapped pair of letters are always typos.
    const d = c.toLowerCase() === lower ? 0.5 : isTransposition(name, c) ? 1 : distance(name, c);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  if (best === undefined) return undefined;
  // Two edits (one transposition) for names of five letters or more, one for shorter ones.
  const len = Math.max(name.length, best.length);
  const limit = len >= 5 ? Math.max(2, Math.floor(len / 3)) : 1;
  return bestD <= limit ? best : undefined;
}

/** A hint sentence for an unknown name, or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const c = closest(name, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}

function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
