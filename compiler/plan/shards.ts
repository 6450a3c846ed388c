// WebDataset shard patterns: `dir/train-{000000..000127}.tar` names shards 000000 to 000127, the
// numbers zero-padded to the width written. One brace range per pattern, as WebDataset's own
// writers produce; a pattern without braces names one file. Plan code: the checker and the
// runtime's readers expand patterns the same way.

export const MAX_SHARDS = 1_000_000;

/** The shard paths of `pattern`, in order, or undefined when it is not a valid pattern. */
export function expandShards(pattern: string): string[] | undefined {
  const open = pattern.indexOf('{');
  if (open < 0) return pattern.includes('}') || pattern === '' ? undefined : [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0 || pattern.indexOf('{', close) >= 0 || pattern.indexOf('}', close + 1) >= 0) return undefined;
  const m = /^(\d+)\.\.(\d+)$/.exec(pattern.slice(open + 1, close));
  if (!m) return undefined;
  const [from, to] = [Number(m[1]), Number(m[2])];
  if (to < from || to - from + 1 > MAX_SHARDS) return undefined;
  const width = m[1]!.length === m[2]!.length ? m[1]!.length : 0;
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(head + String(i).padStart(width, '0') + tail);
  return out;
}
