// The one catalog of every message the compiler can produce, in the style of TypeScript's
// diagnosticMessages.json: a stable code, a template with {named} holes, an optional hint
// template, and a short explanation (docs/errors.md is generated from this table).
// Ranges: E00xx syntax, E01xx names and files, E02xx arguments, E03xx types and units,
// E04xx networks and shapes, E05xx experiments and sweeps, E06xx the back end (planning and
// lowering). Warnings use W and the same ranges.
import type { Diagnostic, Span } from './diagnostics.js';

export interface MessageDef {
  severity: 'error' | 'warning';
  template: string;
  hint?: string;
  explain: string;
}

const e = (template: string, explain: string, hint?: string): MessageDef => ({ severity: 'error', template, explain, hint });
const w = (template: string, explain: string, hint?: string): MessageDef => ({ severity: 'warning', template, explain, hint });

export const MESSAGES = {
  E0000: e('internal compiler error: {message}', 'A bug in the compiler, caught so that it still reports instead of crashing. Please report it with the program that caused it.'),

  // ---- syntax
  E0001: e('unexpected character `{char}`', 'The lexer met a character that starts no token of the language.'),
  E0002: e('unterminated string', 'A string literal must end with `"` on the same line.', 'close the string with `"`'),
  E0003: e('unterminated block comment', 'A `/*` comment runs to the end of the file.', 'close the comment with `*/`'),
  E0004: e('unknown escape `{text}` in a string', 'Strings accept the escapes \\", \\\\ and \\n only.', 'write `\\\\` for a backslash'),
  E0005: e('a percentage is written without a space before `%`', 'A percentage literal is one token: `50%`, not `50 %`.', 'write `{number}%`'),
  E0010: e('expected {expected}, found {found}', 'The parser could not fit a token into the grammar; it skips ahead and goes on, so later errors are still reported.'),
  E0011: e('expected `import`, `network` or `experiment`, found {found}', 'At the top level a file holds only imports, network definitions and experiments.'),
  E0012: e('invalid `--set` argument `{text}`: expected `path=value`', 'A command-line override has the form `--set mask.keep=30%`.'),
  E0013: e('the number `{text}` is too large', 'A number literal does not fit in a 64-bit float.'),
  E0014: e('{what} nests too deeply (more than {limit} levels)', 'Brackets, unary operators and operator chains have a depth limit so that no program can exhaust the compiler\'s stack; the definition that holds it is skipped.'),

  // ---- names, files, declarations
  E0101: e('unknown layer `{name}`', 'A layer statement names neither a built-in layer nor a network.'),
  E0102: e('unknown name `{name}`', 'An identifier is not a parameter of the enclosing network, a `repeat` index, `channels`, or a value the surrounding argument accepts.'),
  E0103: e('unknown network `{name}`', 'A `model` names a network that no file of the import graph defines.'),
  E0104: e('network `{name}` is defined twice', 'Network names are global across the import graph.'),
  E0105: e('experiment `{name}` is defined twice', 'Experiment names must be unique within a file.'),
  E0106: e('cannot read `{path}`: {reason}', 'An imported file (or the entry file) does not exist, is a directory, or cannot be read (permissions); the reason is given.'),
  E0107: e('import cycle: {chain}', 'Files may not import each other in a cycle.'),
  E0108: e('unknown experiment `{name}`', 'The experiment selected on the command line is not in the entry file.'),
  E0109: e('unknown function `{name}`', 'A call names no built-in function, data constructor, distribution, policy or optimiser accepted here.'),
  E0110: e('parameter `{name}` is declared twice', 'The parameters of a network must have distinct names.'),
  E0111: e('unknown type `{name}`', 'Network parameters have type `int`, `float` or `bool`.', 'use `int`, `float` or `bool`'),
  E0112: e('two layers are named `{name}`', 'Layer names must be unique within the model; they name weights in checkpoints and exports.', 'label one of them (`name: layer`) or put it in a named block'),
  E0113: e('environment variable `{name}` is not set', '`env("NAME")` without a default needs the variable to be set.', 'set it, or give a default: `env("{name}", "...")`'),
  E0114: e('field `{name}` is given twice', 'Each experiment field may appear once.'),
  E0115: e('unknown field `{name}` in an experiment', 'Experiments accept model, data, weights, scores, mask, optimizer, train, seed and seeds.'),
  E0116: e('experiment `{experiment}` has no `{field}`', 'The fields model, data, mask, optimizer and train are required.'),
  E0117: e('`seed` and `seeds` are both given', 'Give either one seed or a list of seeds.'),
  E0118: e('network `{name}` uses itself', 'A network may not contain itself, directly or through other networks.'),
  E0119: e('`{name}` is only defined inside a network', '`channels` is the channel count of the current layer input, so it has a value only in a network body.'),
  W0120: w('experiment `{name}` is in an imported file and is not run', 'Only the experiments of the entry file are compiled; imported files contribute networks.'),

  // ---- arguments and records
  E0201: e('unknown argument `{name}` for `{callee}`', 'A named argument matches no parameter of the callee.'),
  E0202: e('missing argument `{name}` for `{callee}`', 'A parameter without a default needs an argument.'),
  E0203: e('too many positional arguments for `{callee}`: it takes {max}, found {got}', 'More arguments were given by position than the callee accepts that way; options such as `stride:` or `mask:` are always named.'),
  E0204: e('argument `{name}` is given twice', 'An argument was given both by position and by name, or twice by name.'),
  E0205: e('a positional argument after a named one', 'Positional arguments come first.'),
  E0206: e('unknown field `{name}` in {what}', 'A record has a key its consumer does not accept.'),
  E0207: e('missing field `{name}` in {what}', 'A required key of a record is missing.'),

  // ---- types and units
  E0301: e('{what} must be {expected}, found {found}', 'A value has the wrong type for where it is used.'),
  E0302: e('`{name}` must be a percentage, found the bare number `{text}`', 'Fractions of weights are written as percentages because the reference code uses `prune_rate` to mean "kept" in one place and "pruned" in another.', 'write `{suggest}`: `{name}` is the fraction of weights {meaning}, and a bare number is ambiguous (the reference code\'s `prune_rate` means "kept" in one place and "pruned" in another)'),
  E0303: e('{what} must be an integer, found {value}', 'Counts (epochs, batch sizes, channels, seeds, …) are whole numbers.'),
  E0304: e('{what} must be {range}, found {value}', 'A number is outside the range its meaning allows.'),
  E0305: e('cannot {op} a percentage and a plain number', 'Percentages add to percentages and scale by plain numbers; mixing them in a sum is almost always a unit mistake.', 'write both as percentages, or neither'),
  E0306: e('division by zero', 'An expression divides by zero.'),
  E0307: e('`keep` and `prune` are both given', '`prune: P%` is another way to write `keep: (100 - P)%`; give one of them.'),
  E0308: e('unknown value `{value}` for {what}', 'A name does not match any option of this argument.', 'expected one of {options}'),
  E0309: e('operator `{op}` needs {expected}, found {found}', 'An operator was applied to a value of the wrong type.'),

  // ---- networks and shapes
  E0401: e('`{layer}` needs a 1-D input [features], but its input is {shape}', '`linear` multiplies a feature vector; images must be flattened (or globally pooled) first.', 'add `flatten` (or `global_avgpool`) before it'),
  E0402: e('`{layer}` needs a 3-D input [channels, height, width], but its input is {shape}', 'Convolutions, pooling and batch norm over images need an image-shaped input.'),
  E0403: e('`{layer}` has an empty output: {detail}', 'The kernel, stride and padding leave no output positions for this input size.'),
  E0404: e('the branches of `{name}` differ: the body gives {body}, the shortcut gives {shortcut}', 'A residual adds its two branches, so they must have the same shape.', 'add a projection to the shortcut, e.g. `conv(planes, 1, stride: stride) batchnorm`'),
  E0405: e('network `{name}` expects input {declared}, but gets {actual}', 'The `input` declaration of a network is checked against the shape it receives.'),
  E0406: e('the width of `{layer}` is {value}; it must be at least 1', 'Layer widths are truncated toward zero (like `int(c * width)`), and a layer needs at least one output.'),
  E0407: e('the network gives outputs of shape {shape}, but the data has {classes} classes', 'The last layer must produce one logit per class.', 'end the network with `linear({classes})`'),
  E0408: e('a repeat count must be a non-negative integer, found {value}', '`repeat N { ... }` makes N copies.'),
  E0409: e('the condition of `if` must be true or false, found {found}', 'Conditions are boolean expressions such as `stride != 1`.'),
  E0410: e('the network has more than {limit} layers', 'A limit that stops runaway `repeat` counts from exhausting memory.'),
  E0411: e('`input` must be a list of 1 or 3 positive integers, found {found}', 'Shapes are [features] or [channels, height, width], without the batch dimension.'),
  E0412: e('network `{name}` has no `linear` or `conv` layer', 'A model needs at least one weight layer to mask or train.'),
  E0414: e('`keep` and `mask: dense` are both given on `{layer}`', 'A layer is either unmasked (`mask: dense`) or masked with its own `keep`.'),
  W0401: w('`{arg}` on `{layer}` has no effect under `{policy}`', 'A per-layer override that the experiment\'s mask policy does not use.'),
  W0402: w('`{what}` has no effect under `{policy}`: {why}', 'An experiment setting that its mask policy does not use.'),

  // ---- experiments and sweeps
  E0501: e('unknown path `{path}`', 'A sweep or `--set` path names an experiment field and, optionally, an argument of its value (`mask.keep`, `model.width`, `train.epochs`).'),
  E0502: e('`{path}` is swept twice', 'Each path may be swept once per experiment.'),
  E0503: e('the lists of `zip` have different lengths: {lengths}', '`zip` pairs the i-th values of each list, so the lists must be equally long.'),
  E0504: e('sweep values must be a list, found {found}', 'Write the values as `[a, b, c]`.'),
  E0505: e('the sweep over `{path}` has no values', 'An empty sweep would produce no runs.'),
  E0506: e('experiment `{name}` expands to {count} runs, more than the limit of {limit}', 'A limit that stops accidental huge grids.'),
  E0507: e('normalize `{preset}` has {presetChannels} channels, but the data has {channels}', 'Normalisation statistics are per channel.'),
  E0508: e('the image data cannot be used: {message}', 'An `imagefolder` source is listed when the program is checked: the directory (or every shard) must exist, the class folders of train/ and val/ must agree, and each split must hold images.', 'an ImageFolder is `DIR/train/CLASS/*.jpg` and `DIR/val/CLASS/*.jpg`, class index = sorted folder name'),
  E0509: e('`imagefolder` needs {what}', 'The images are either a directory (`dir:`) or WebDataset shards (`shards:` for training and `val_shards:` for validation), never both.'),
  E0510: e('`{pattern}` is not a shard pattern', 'Shards are named with one brace range of equally wide numbers, as WebDataset writes them.', 'write e.g. `"shards/train-{000000..000127}.tar"`'),
  W0501: w('runs {first} and {second} of `{experiment}` are identical; the second is dropped', 'Two points of the sweep grid resolve to the same configuration, so they would be the same run.'),
  W0502: w('`--set {path}` replaces the sweep over `{path}`', 'A command-line override fixes a value that the file sweeps; the sweep axis is dropped.'),
  W0504: w('{list}: no images; kept as classes without examples (`on_bad: skip`)', 'An empty class folder still takes its class index (as torchvision\'s ImageFolder with empty classes allowed), so the model\'s output count is unchanged.'),
  W0503: w('`--set {path}` replaces `{other}`', '`seed` and `seeds` exclude each other, so setting one drops the other.'),

  // ---- back end (planning and lowering); E0600–E0699 are reserved for it
  E0601: e('binding `{name}` needs {bytes} bytes, over this adapter\'s maxStorageBufferBindingSize of {limit} bytes', 'A buffer of the plan is larger than the GPU adapter allows for one storage binding.', 'use a smaller batch or a narrower network'),
  E0602: e('{feature} is not supported by the back end yet', 'The program is valid, but the code generator cannot lower this construct yet.'),
  E0603: e('the network\'s output has {got} features but the data has {classes} classes', 'The classifier must produce one logit per class.'),
} satisfies Record<string, MessageDef>;

export type MessageCode = keyof typeof MESSAGES;
export type MessageArgs = Record<string, string | number>;

function fill(template: string, args: MessageArgs): string {
  return template.replace(/\{(\w+)\}/g, (whole, k: string) => (k in args ? String(args[k]) : whole));
}

/** The message text of `code` with its holes filled. */
export function formatMessage(code: MessageCode, args: MessageArgs = {}): string {
  return fill(MESSAGES[code].template, args);
}

export interface DiagnosticExtras {
  notes?: { message: string; span?: Span }[];
  /** Replaces the catalog's hint; `null` drops it. */
  hint?: string | null;
}

/** Builds a Diagnostic from a catalog code: the one way messages are made, front end and back end. */
export function makeDiagnostic(code: MessageCode, args: MessageArgs = {}, span?: Span, extras: DiagnosticExtras = {}): Diagnostic {
  const def: MessageDef = MESSAGES[code];
  const d: Diagnostic = { code, severity: def.severity, message: fill(def.template, args), notes: extras.notes ?? [] };
  if (span) d.span = span;
  const hint = extras.hint === null ? undefined : (extras.hint ?? (def.hint ? fill(def.hint, args) : undefined));
  if (hint !== undefined) d.hint = hint;
  return d;
}

/** "`a`, `b` or `c`" */
export function listOptions(options: readonly string[], conj = 'or'): string {
  const q = options.map((o) => `\`${o}\``);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} ${conj} ${q[q.length - 1]}`;
}

const RANGES: [string, string][] = [
  ['E00', 'Syntax'],
  ['E01', 'Names, files and declarations'],
  ['E02', 'Arguments and records'],
  ['E03', 'Types and units'],
  ['E04', 'Networks and shapes'],
  ['E05', 'Experiments and sweeps'],
  ['E06', 'Back end (planning and lowering)'],
];

/** docs/errors.md, generated from this catalog (a test keeps the file in step). */
export function catalogMarkdown(): string {
  const esc = (t: string): string => t.replace(/\|/g, '\\|');
  const lines = [
    '# Diagnostic codes',
    '',
    '<!-- Generated from diagnostics/messages.ts by catalogMarkdown(); run the catalog test with UPDATE_DOCS=1 to refresh. -->',
    '',
    'Every message the compiler prints has a stable code. `E` codes are errors (the program does not',
    'run), `W` codes are warnings. `{name}` marks the parts filled in for each occurrence. The',
    'golden tests in test/fixtures/check hold at least one program for every front-end code.',
  ];
  for (const [prefix, title] of RANGES) {
    lines.push('', `## ${prefix}xx — ${title}`, '', '| code | message | explanation |', '|---|---|---|');
    const entries = Object.entries(MESSAGES as Record<string, MessageDef>)
      .filter(([code]) => code.slice(1, 3) === prefix.slice(1, 3))
      .sort(([a], [b]) => a.slice(1).localeCompare(b.slice(1)) || a.localeCompare(b));
    for (const [code, def] of entries) {
      const hint = def.hint ? ` Hint: ${def.hint}.` : '';
      lines.push(`| ${code} | ${esc(def.template)} | ${esc(def.explain + hint)} |`);
    }
  }
  return lines.join('\n') + '\n';
}
