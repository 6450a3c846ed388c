// Swept axes as the report sees them. A run's `axes` holds each swept value as source text, keyed
// by its path (`mask.keep` → `30%`, `model` → `Conv4()`). Plots need to know which axes are
// numbers (a quantitative x scale) and which are names (an ordered category), and what to call
// them on a figure.

export type AxisKind = 'percent' | 'number' | 'category';

export const SEED_AXIS = 'seed';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A numeric value of an axis text (`30%` → 0.3, `2` → 2), or undefined for a name or call. */
export function axisNumber(text: string): number | undefined {
  const t = text.trim();
  if (t.endsWith('%') && NUMBER.test(t.slice(0, -1))) return Number(t.slice(0, -1)) / 100;
  if (NUMBER.test(t)) return Number(t);
  return undefined;
}

/** Every value of the axis must parse the same way for it to be plotted on a numeric scale. */
export function axisKind(values: readonly string[]): AxisKind {
  if (values.length && values.every((v) => v.trim().endsWith('%') && axisNumber(v) !== undefined)) return 'percent';
  if (values.length && values.every((v) => !v.trim().endsWith('%') && axisNumber(v) !== undefined)) return 'number';
  return 'category';
}

const TITLES: Record<string, string> = {
  'mask.keep': '% of weights kept',
  'mask.prune': '% of weights pruned',
  'model.width': 'width multiplier',
  model: 'network',
  weights: 'weight distribution',
  'weights.scaled': 'scaled distribution',
  'weights.mode': 'fan mode',
  scores: 'score initialisation',
  mask: 'mask policy',
  'optimizer.lr': 'learning rate',
  'optimizer.momentum': 'momentum',
  'optimizer.weight_decay': 'weight decay',
  'train.epochs': 'epochs',
  'train.batch': 'batch size',
  experiment: 'experiment',
};

export function axisTitle(path: string): string {
  return TITLES[path] ?? path;
}

/** The last segment of a path (`weights.scaled` → `scaled`), for compact series labels. */
export function shortName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** `Conv4()` reads well alone; `true` or `30%` needs its name: `scaled=true`. */
export function valueLabel(path: string, value: string): string {
  return /^[A-Za-z_][\w]*\(.*\)$/s.test(value.trim()) ? value.trim() : `${shortName(path)}=${value.trim()}`;
}

/** Natural order: numbers by value, `Conv2()` before `Conv10()`, then text. */
export function compareAxisValues(a: string, b: string): number {
  const na = axisNumber(a);
  const nb = axisNumber(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  return a.localeCompare(b, 'en', { numeric: true });
}
