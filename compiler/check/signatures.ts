// Parameter lists of every built-in constructor that an experiment field can hold, in positional
// order. The decoders bind arguments with these, and sweeps/`--set` use them to find the
// argument a path names when it was written positionally (`constant(1)` → `scores.value`).
export const SIGNATURES: Record<string, readonly string[]> = {
  // distributions
  kaiming_normal: ['mode', 'scaled'],
  kaiming_uniform: ['mode', 'scaled'],
  xavier_normal: ['scaled'],
  xavier_uniform: ['scaled'],
  signed_kaiming_constant: ['mode', 'scaled'],
  unsigned_constant: ['mode', 'scaled'],
  // mask policies
  edge_popup: ['keep', 'prune', 'first', 'last'],
  supermask: ['eval', 'first', 'last'],
  dense: [],
  fixed: ['run', 'keep'],
  // optimisers and schedules
  sgd: ['lr', 'momentum', 'nesterov', 'weight_decay', 'score_decay', 'schedule', 'warmup'],
  adam: ['lr', 'beta1', 'beta2', 'eps', 'weight_decay', 'score_decay', 'schedule', 'warmup'],
  constant: [],
  cosine: [],
  step: ['every', 'gamma'],
  multistep: ['milestones', 'gamma'],
  // data
  fashion_mnist: ['dir', 'subset', 'test_subset', 'pad_to', 'normalize', 'augment'],
  mnist: ['dir', 'subset', 'test_subset', 'pad_to', 'normalize', 'augment'],
  cifar10: ['dir', 'subset', 'test_subset', 'normalize', 'augment'],
  cifar100: ['dir', 'subset', 'test_subset', 'normalize', 'augment'],
  imagefolder: ['dir', 'size', 'shards', 'val_shards', 'subset', 'test_subset', 'normalize', 'augment', 'on_bad', 'fallback'],
  synthetic: ['shape', 'classes', 'n', 'test_n', 'normalize', 'augment'],
  imagenet_synthetic: ['n', 'test_n', 'normalize', 'augment'],
  random_crop: ['pad'],
  hflip: [],
  random_resized_crop: ['scale'],
};

/** Score init `kaiming_uniform(a:)` shares its name with the weight distribution. */
export const SCORE_SIGNATURES: Record<string, readonly string[]> = {
  kaiming_uniform: ['a'],
  constant: ['value'],
};
