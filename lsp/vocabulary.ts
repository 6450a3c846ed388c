// What may be written where: the names an experiment field or a named argument accepts, taken
// from the compiler's own tables (the checker's lists of policies, distributions, optimisers,
// schedules, datasets, layers, and the constructors' signatures). The few option sets the
// checker keeps private are spelled here; a test compiles each of them.
import {
  BUILTIN_LAYERS,
  DATASETS,
  DISTRIBUTIONS,
  FIELDS,
  LAYER_SIGNATURES,
  MASK_POLICIES,
  NORMALIZE_PRESETS,
  OPTIMIZERS,
  SCHEDULES,
  SCORE_INITS,
  SCORE_SIGNATURES,
  SIGNATURES,
  TRAIN_KEYS,
} from './compiler-api.js';

export const FAN_MODES = ['fan_in', 'fan_out'] as const;
export const EVAL_MODES = ['sample', 'expected', 'threshold'] as const;
export const AUGMENTS = ['random_crop', 'hflip'] as const;
export const BOOLEAN_ARGS = new Set(['scaled', 'nesterov', 'score_decay', 'affine']);
export const PERCENT_ARGS = new Set(['keep', 'prune']);
export const PERCENT_EXAMPLES = ['50%', '10%', '30%', '70%', '90%'];

export type Category = 'field' | 'network' | 'data' | 'distribution' | 'scores' | 'policy' | 'optimizer' | 'schedule' | 'layer' | 'option' | 'augment' | 'keyword';

/** The constructors a field's value is made of. */
export const FIELD_VALUES: Record<string, { names: readonly string[]; category: Category }> = {
  data: { names: DATASETS, category: 'data' },
  weights: { names: DISTRIBUTIONS, category: 'distribution' },
  scores: { names: SCORE_INITS, category: 'scores' },
  mask: { names: MASK_POLICIES, category: 'policy' },
  optimizer: { names: OPTIMIZERS, category: 'optimizer' },
};

/** The names a named argument accepts (percentages and booleans are offered separately). */
export function argValues(callee: string, arg: string): { names: readonly string[]; category: Category } | undefined {
  switch (arg) {
    case 'schedule':
      return { names: SCHEDULES, category: 'schedule' };
    case 'mode':
      return { names: FAN_MODES, category: 'option' };
    case 'eval':
      return { names: EVAL_MODES, category: 'option' };
    case 'init':
      return { names: DISTRIBUTIONS, category: 'distribution' };
    case 'normalize':
      return { names: Object.keys(NORMALIZE_PRESETS), category: 'option' };
    case 'augment':
      return { names: AUGMENTS, category: 'augment' };
    case 'first':
    case 'last':
      return { names: ['dense'], category: 'option' };
    case 'mask':
      return (BUILTIN_LAYERS as readonly string[]).includes(callee) ? { names: ['dense'], category: 'option' } : undefined;
    default:
      return undefined;
  }
}

/** Named parameters of a built-in callee (a layer, a constructor, a score init), in order. */
export function builtinParams(callee: string, field?: string): readonly string[] | undefined {
  if ((BUILTIN_LAYERS as readonly string[]).includes(callee)) return LAYER_SIGNATURES[callee as keyof typeof LAYER_SIGNATURES].params;
  if (field === 'scores' && callee in SCORE_SIGNATURES) return SCORE_SIGNATURES[callee];
  return SIGNATURES[callee];
}

export const EXPERIMENT_FIELDS: readonly string[] = FIELDS;
export const TRAIN_RECORD_KEYS: readonly string[] = TRAIN_KEYS;
export const LAYER_NAMES: readonly string[] = BUILTIN_LAYERS;
export const STATEMENT_KEYWORDS = ['input', 'repeat', 'residual', 'if'];
export const TOP_KEYWORDS = ['import', 'network', 'experiment'];

/** The category of a built-in name, for hover titles and completion kinds. */
export function categoryOf(name: string): Category | undefined {
  if ((LAYER_NAMES as readonly string[]).includes(name)) return 'layer';
  if ((MASK_POLICIES as readonly string[]).includes(name)) return 'policy';
  if ((DISTRIBUTIONS as readonly string[]).includes(name)) return 'distribution';
  if ((OPTIMIZERS as readonly string[]).includes(name)) return 'optimizer';
  if ((SCHEDULES as readonly string[]).includes(name)) return 'schedule';
  if ((DATASETS as readonly string[]).includes(name)) return 'data';
  if ((SCORE_INITS as readonly string[]).includes(name)) return 'scores';
  if ((AUGMENTS as readonly string[]).includes(name)) return 'augment';
  if ((FIELDS as readonly string[]).includes(name)) return 'field';
  return undefined;
}
