// An experiment's fields (docs/language.md §4): collecting them, their defaults, and decoding one
// point of the sweep grid into a RunConfig. Decoding is memoised per field value, so a sweep over
// `mask.keep` decodes the optimizer once and elaborates the network once per distinct model.
import type * as A from '../../grammar/ast.js';
import type { InitSpec, Layer, MaskSpec, ModelConfig, OptimizerConfig, RunConfig, ScoreInitSpec, TrainConfig } from '../plan/config.js';
import type { Span } from '../../diagnostics/diagnostics.js';
import { listOptions } from '../../diagnostics/messages.js';
import { asCall, readList, readNum, unexpected } from './args.js';
import type { Ctx, Note } from './context.js';
import { readData, type DecodedData } from './data.js';
import { DEFAULT_INIT, DEFAULT_SCORES, readInit, readScores } from './inits.js';
import { shapeText } from './layers.js';
import { readMask, resolveLayerMask, type DecodedMask } from './masks.js';
import { elaborateModel, type ElaboratedModel, type NetworkTable } from './network.js';
import { readOptimizer, readTrain } from './optim.js';
import { closest, didYouMean } from './suggest.js';
import { valueKey, type Value } from './values.js';

export const FIELDS = ['model', 'data', 'weights', 'scores', 'mask', 'optimizer', 'train', 'seed', 'seeds'] as const;
export type FieldName = (typeof FIELDS)[number];
export const REQUIRED_FIELDS: readonly FieldName[] = ['model', 'data', 'mask', 'optimizer', 'train'];

export interface FieldValue {
  value: Value;
  /** The whole `name = value` item (or the `--set` argument). */
  span: Span;
  nameSpan: Span;
}

/** Fields with a default get a synthetic value, so sweeps and `--set` can reach into them. */
export function defaultFieldValue(name: FieldName, at: Span): Value | undefined {
  const call = (n: string): Value => ({ k: 'call', name: n, nameSpan: at, args: [], span: at });
  if (name === 'weights') return call('kaiming_normal');
  if (name === 'scores') return call('kaiming_uniform');
  return undefined;
}

/** Collects the fields of an experiment, reporting duplicates and unknown names. */
export function collectFields(ctx: Ctx, decl: A.ExperimentDecl, evalExpr: (e: A.Expr) => Value): { fields: Map<FieldName, FieldValue>; misspelt: Set<string> } {
  const fields = new Map<FieldName, FieldValue>();
  const misspelt = new Set<string>();
  for (const item of decl.items) {
    if (item.kind !== 'field') continue;
    const name = item.name.text;
    if (!(FIELDS as readonly string[]).includes(name)) {
      const near = closest(name, FIELDS);
      if (near) misspelt.add(near);
      const hint = didYouMean(name, FIELDS) ?? `fields are ${listOptions(FIELDS, 'and')}`;
      ctx.report('E0115', { name }, item.name.span, { hint });
      continue;
    }
    const prev = fields.get(name as FieldName);
    if (prev) {
      ctx.report('E0114', { name }, item.name.span, { notes: [{ message: 'first given here', span: prev.nameSpan }] });
      continue;
    }
    fields.set(name as FieldName, { value: evalExpr(item.value), span: item.span, nameSpan: item.name.span });
  }
  const seed = fields.get('seed');
  const seeds = fields.get('seeds');
  if (seed && seeds) {
    const [later] = [seed, seeds].sort((a, b) => b.span.offset - a.span.offset);
    ctx.report('E0117', {}, later!.nameSpan);
  }
  return { fields, misspelt };
}

/** `seed = 3` → [3]; `seeds = 5` → [0..4]; `seeds = [1, 7, 9]`. */
export function readSeeds(ctx: Ctx, fields: Map<FieldName, FieldValue>): number[] | undefined {
  const seed = fields.get('seed');
  const seeds = fields.get('seeds');
  if (seed && seeds) return undefined;
  if (seed) {
    const n = readNum(ctx, seed.value, '`seed`', { int: true, min: 0, max: 2 ** 32 - 1 });
    return n === undefined ? undefined : [n];
  }
  if (!seeds) return [0];
  const v = seeds.value;
  if (v.k === 'num') {
    const n = readNum(ctx, v, '`seeds`', { int: true, min: 1, max: 10_000 });
    return n === undefined ? undefined : Array.from({ length: n }, (_, i) => i);
  }
  if (v.k !== 'list') return unexpected(ctx, v, '`seeds`', 'a count or a list of seeds');
  const items = readList(ctx, v, '`seeds`')!;
  const out: number[] = [];
  for (const item of items) {
    const n = readNum(ctx, item, 'a seed', { int: true, min: 0, max: 2 ** 32 - 1 });
    if (n === undefined) return undefined;
    if (out.includes(n)) {
      ctx.report('E0304', { what: 'a seed', range: 'distinct from the others', value: `\`${n}\`` }, item.span);
      return undefined;
    }
    out.push(n);
  }
  if (out.length === 0) {
    ctx.report('E0505', { path: 'seeds' }, v.span);
    return undefined;
  }
  return out;
}

/** One sweep point's values of the fields, and notes saying which swept values they came from. */
export interface PointFields {
  values: Map<FieldName, Value>;
  notes: Map<FieldName, Note[]>;
}

export class RunDecoder {
  private readonly memo = new Map<string, unknown>();

  constructor(
    readonly ctx: Ctx,
    readonly table: NetworkTable,
    readonly experiment: string,
  ) {}

  private once<T>(key: string, notes: Note[], f: () => T | undefined): T | undefined {
    if (this.memo.has(key)) return this.memo.get(key) as T | undefined;
    let r: T | undefined;
    const run = (i: number): T | undefined => (i < notes.length ? this.ctx.within(notes[i], () => run(i + 1)) : f());
    r = run(0);
    this.memo.set(key, r);
    return r;
  }

  /** Settings the mask policy makes meaningless are warned about, never silently dropped. */
  private unusedSettings(p: PointFields, mask: DecodedMask, weights: InitSpec | undefined): void {
    const policy = mask.spec.kind;
    const scoresV = p.values.get('scores');
    if (policy === 'dense' && scoresV) {
      this.once(`unused-scores|${valueKey(scoresV)}`, p.notes.get('scores') ?? [], () =>
        this.ctx.report('W0402', { what: 'scores', policy, why: 'dense training has no scores' }, scoresV.span),
      );
    }
    const weightsV = p.values.get('weights');
    if (weights?.scaled && weightsV && (policy === 'dense' || policy === 'supermask')) {
      const why = policy === 'dense' ? 'every weight is kept' : 'a Bernoulli mask has no fixed keep';
      this.once(`unused-scaled|${policy}|${valueKey(weightsV)}`, p.notes.get('weights') ?? [], () =>
        this.ctx.report('W0402', { what: 'scaled: true', policy, why }, weightsV.span),
      );
    }
  }

  /** Decodes every field of a point; the configuration without seed, or undefined on errors. */
  decode(p: PointFields): Omit<RunConfig, 'seed' | 'axes'> | undefined {
    const get = (f: FieldName): [Value | undefined, Note[]] => [p.values.get(f), p.notes.get(f) ?? []];
    const field = <T>(f: FieldName, read: (v: Value) => T | undefined, dflt?: T): T | undefined => {
      const [v, notes] = get(f);
      if (!v) return dflt;
      return this.once(`${f}|${valueKey(v)}`, notes, () => read(v));
    };
    const data = field<DecodedData>('data', (v) => readData(this.ctx, v));
    const weights = field<InitSpec>('weights', (v) => readInit(this.ctx, v, '`weights`'), DEFAULT_INIT);
    const scores = field<ScoreInitSpec>('scores', (v) => readScores(this.ctx, v), DEFAULT_SCORES);
    const mask = field<DecodedMask>('mask', (v) => readMask(this.ctx, v));
    const optimizer = field<OptimizerConfig>('optimizer', (v) => readOptimizer(this.ctx, v));
    const train = field<TrainConfig>('train', (v) => readTrain(this.ctx, v));
    const [modelV, modelNotes] = get('model');
    let model: ElaboratedModel | undefined;
    const modelCall = modelV ? asCall(modelV) : undefined;
    if (modelCall && !this.table.get(modelCall.name)) {
      // Reported even when the data is broken: the network name does not depend on it.
      this.once(`model-name|${modelCall.name}`, modelNotes, () => {
        const hint = didYouMean(modelCall.name, this.table.names());
        this.ctx.report('E0103', { name: modelCall.name }, modelCall.nameSpan, hint ? { hint } : {});
        return undefined;
      });
    } else if (modelV) {
      const call = asCall(modelV);
      const notes = [...modelNotes, ...(p.notes.get('data') ?? [])];
      if (!call) {
        this.once(`model-type|${valueKey(modelV)}`, modelNotes, () => unexpected(this.ctx, modelV, '`model`', 'a network call such as `Conv4(width: 2)`'));
      } else {
        // Broken data: still check the network's arguments and body, without shapes.
        const key = data ? `${shapeText(data.shape)}|${data.classes}` : 'no-data';
        model = this.once(`model|${valueKey(modelV)}|${key}`, notes, () => {
          const m = this.ctx.within({ message: `in the model of experiment \`${this.experiment}\``, span: call.span }, () =>
            elaborateModel(this.ctx, this.table, call, data ? data.shape : null),
          );
          if (m && data && (m.outShape.length !== 1 || m.outShape[0] !== data.classes)) {
            this.ctx.report('E0407', { shape: shapeText(m.outShape), classes: data.classes }, call.span);
            return undefined;
          }
          return m;
        });
      }
    }
    if (mask) this.unusedSettings(p, mask, weights);
    if (!data || !weights || !scores || !mask || !optimizer || !train || !model) return undefined;
    const resolvedKey = `resolve|${valueKey(modelV!)}|${shapeText(data.shape)}|${valueKey(p.values.get('mask')!)}|${JSON.stringify(weights)}`;
    const layers = this.once(resolvedKey, [...modelNotes, ...(p.notes.get('mask') ?? [])], () => resolveLayers(this.ctx, model!, mask, weights));
    if (!layers) return undefined;
    const modelConfig: ModelConfig = { network: model.network, args: { ...model.args }, input: [...data.shape], classes: data.classes, layers };
    return {
      format: 1,
      experiment: this.experiment,
      model: modelConfig,
      data: data.config,
      weights,
      scores,
      mask: cloneMask(mask.spec),
      optimizer,
      train,
    };
  }
}

function cloneMask(m: MaskSpec): MaskSpec {
  return { ...m };
}

/** Copies the elaborated layer tree with each weight layer's mask and init resolved. */
function resolveLayers(ctx: Ctx, model: ElaboratedModel, mask: DecodedMask, weights: InitSpec): Layer[] {
  const last = model.weights.length - 1;
  const resolved = new Map<Layer, Layer>();
  model.weights.forEach((w, i) => {
    const m = resolveLayerMask(ctx, mask, w.overrides, { first: i === 0, last: i === last }, w.layer.name);
    resolved.set(w.layer, { ...w.layer, mask: m, init: { ...(w.init ?? weights) } } as Layer);
  });
  const copy = (l: Layer): Layer => {
    const r = resolved.get(l);
    if (r) return { ...r, inShape: [...r.inShape], outShape: [...r.outShape], origin: r.origin ? { ...r.origin } : undefined } as Layer;
    if (l.kind === 'residual') return { ...l, inShape: [...l.inShape], outShape: [...l.outShape], body: l.body.map(copy), shortcut: l.shortcut.map(copy) };
    return { ...l, inShape: [...l.inShape], outShape: [...l.outShape] } as Layer;
  };
  return model.layers.map(copy);
}
