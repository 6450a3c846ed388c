// What a run leaves behind, used: `subnet eval` reproduces the run's last test accuracy from the
// checkpoint; `subnet export` writes safetensors (read back here by the format's rules: the
// weights are the seed's, the scores the checkpoint's, the masks the exact top-k) and ONNX
// (run with onnxruntime-node on the test set: the same accuracy as eval), for an MLP and for a
// small residual conv net with batch norm; `subnet compile` makes a runner that, next to a
// node_modules holding only webgpu, trains to the same metrics as `subnet run`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ort from 'onnxruntime-node';
import type { RunConfig } from '../../compiler/plan/config.js';
import { weightDraw, drawTensor } from '../../compiler/semantics/init.js';
import { weightLayers, fans } from '../../compiler/ir/build.js';
import { normConstants } from '../../compiler/kernels/data.js';
import { Stream } from '../../compiler/semantics/philox.js';
import { keptCount, isKept, selectThreshold } from '../../compiler/semantics/topk.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../../runtime/checkpoint.js';
import { loadDataset } from '../../runtime/data/dataset.js';
import { asF32 } from '../../runtime/export/safetensors.js';
import { TIMING_FIELDS } from '../../runtime/results/epoch.js';
import { ROOT, subnet } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-artifacts-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

const DATA = 'synthetic(shape: [3, 8, 8], classes: 4, n: 600, test_n: 200, normalize: cifar10, augment: [random_crop(pad: 1), hflip])';
const FC = `network Small(classes: int = 4) {
  input [3, 8, 8]
  flatten
  linear(32) relu
  linear(classes)
}
experiment fc {
  model     = Small()
  data      = ${DATA}
  weights   = signed_kaiming_constant(mode: fan_in)
  mask      = edge_popup(keep: 30%)
  optimizer = sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4, schedule: cosine)
  train     = { epochs: 2, batch: 16 }
  seed      = 5
}
`;
const CONV = `network Res(classes: int = 4) {
  input [3, 8, 8]
  conv(6, 3) batchnorm(affine: true) relu
  residual { conv(6, 3) batchnorm relu conv(6, 3) batchnorm } shortcut { }
  relu maxpool(2)
  flatten
  linear(classes)
}
experiment conv {
  model     = Res()
  data      = ${DATA}
  weights   = signed_kaiming_constant(mode: fan_in)
  mask      = edge_popup(keep: 50%)
  optimizer = sgd(lr: 0.05, momentum: 0.9, schedule: cosine)
  train     = { epochs: 1, batch: 16 }
  seed      = 9
}
`;

function train(name: string, text: string, extra: string[] = []): string {
  const f = join(root, `${name}.subnet`);
  writeFileSync(f, text);
  const out = join(root, `runs-${name}`);
  const r = subnet(['run', f, '--out', out, ...extra]);
  assert.is(r.code, 0, r.stderr);
  return join(out, readdirSync(out)[0]);
}

function metrics(dir: string) {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

function evalJson(dir: string) {
  const r = subnet(['eval', dir, '--json']);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

/** The safetensors file parsed the way the spec says, independently of runtime/export. */
function parseSafetensors(bytes: Uint8Array) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  assert.is((8 + n) % 8, 0, 'data starts 8-byte aligned');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const base = 8 + n;
  const spans: number[][] = [];
  const get = (name: string) => {
    const h = header[name];
    assert.ok(h, `no tensor ${name}`);
    return new Uint8Array(bytes.subarray(base + h.data_offsets[0], base + h.data_offsets[1]));
  };
  for (const [k, v] of Object.entries(header)) if (k !== '__metadata__') spans.push((v as { data_offsets: number[] }).data_offsets);
  spans.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [b, e] of spans) {
    assert.is(b, at, 'no holes or overlaps');
    at = e;
  }
  assert.is(at, bytes.length - base, 'the buffer is covered');
  return { header, meta: header.__metadata__ as Record<string, string>, f32: (k: string) => new Float32Array(get(k).buffer), u8: (k: string) => get(k) };
}

async function onnxAccuracy(file: string, cfg: RunConfig): Promise<number> {
  const ds = loadDataset(cfg.data);
  const { a, b } = normConstants(cfg.data.normalize);
  const P = 192;
  const x = new Float32Array(ds.test.n * P);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(Math.fround(ds.test.images[i] * a[Math.floor((i % P) / 64)]) + b[Math.floor((i % P) / 64)]);
  const session = await ort.InferenceSession.create(readFileSync(file));
  const out = await session.run({ input: new ort.Tensor('float32', x, [ds.test.n, 3, 8, 8]) });
  const logits = out.logits.data as Float32Array;
  let correct = 0;
  for (let e = 0; e < ds.test.n; e++) {
    const row = logits.subarray(e * 4, e * 4 + 4);
    if (row.indexOf(Math.max(...row)) === ds.test.labels[e]) correct++;
  }
  return correct / ds.test.n;
}

let fcDir = '';

test('eval reproduces the last epoch\'s test accuracy and loss from the checkpoint', () => {
  fcDir = train('fc', FC);
  const last = metrics(fcDir).pop();
  const e = evalJson(fcDir);
  assert.is(e.test_accuracy, last.test_accuracy);
  assert.is(e.test_loss, last.test_loss);
  assert.is(e.epoch, 2);
  const none = subnet(['eval', join(root, 'missing-run')]);
  assert.is(none.code, 1);
  assert.match(none.stderr, /missing-run: no such run directory/);
});

test('safetensors: seed-regenerated weights, checkpoint scores, exact top-k masks, metadata', () => {
  const file = join(root, 'fc.safetensors');
  const r = subnet(['export', fcDir, '--format', 'safetensors', '-o', file]);
  assert.is(r.code, 0, r.stderr);
  const st = parseSafetensors(readFileSync(file));
  const cfg: RunConfig = JSON.parse(readFileSync(join(fcDir, 'config.json'), 'utf8'));
  const ckpt = readCheckpoint(join(fcDir, CHECKPOINT_FILE));
  assert.is(st.meta.seed, '5');
  assert.is(st.meta.policy, 'edge_popup');
  assert.equal(JSON.parse(st.meta.keep), { linear1: 0.3, linear2: 0.3 });
  assert.equal(JSON.parse(st.meta.init), cfg.weights);
  assert.equal(JSON.parse(st.meta.shapes)['linear1.weight'], [32, 192]);
  weightLayers(cfg.model.layers).forEach((l, index) => {
    const w = st.f32(`${l.name}.weight`);
    const { fanIn, fanOut } = fans(l);
    assert.equal([...w], [...drawTensor(weightDraw(cfg.weights, fanIn, fanOut, 0.3), cfg.seed, index, Stream.weights, w.length)], `${l.name}.weight is the seed's`);
    const s = st.f32(`${l.name}.scores`);
    assert.equal([...s], [...asF32(ckpt.tensors.get(`${l.name}.scores`)!)]);
    const m = st.u8(`${l.name}.mask`);
    assert.is(st.header[`${l.name}.mask`].dtype, 'U8');
    const thr = selectThreshold(s, keptCount(s.length, 0.3));
    assert.equal([...m], [...s].map((v, i) => (isKept(v, i, thr) ? 1 : 0)));
    assert.is(m.reduce((x, y) => x + y, 0), keptCount(s.length, 0.3));
  });
});

test('ONNX (MLP): onnxruntime-node gets the test accuracy subnet eval reports', async () => {
  const file = join(root, 'fc.onnx');
  const r = subnet(['export', fcDir, '--format', 'onnx', '-o', file]);
  assert.is(r.code, 0, r.stderr);
  const cfg: RunConfig = JSON.parse(readFileSync(join(fcDir, 'config.json'), 'utf8'));
  assert.is(await onnxAccuracy(file, cfg), evalJson(fcDir).test_accuracy);
});

test('ONNX and safetensors (conv, batch norm, residual, max pool): same accuracy; BN statistics exported', async () => {
  const dir = train('conv', CONV);
  const file = join(root, 'conv.onnx');
  const r = subnet(['export', dir, '--format', 'onnx', '-o', file]);
  assert.is(r.code, 0, r.stderr);
  const cfg: RunConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const e = evalJson(dir);
  assert.is(e.test_accuracy, metrics(dir).pop().test_accuracy);
  assert.is(await onnxAccuracy(file, cfg), e.test_accuracy);
  const st = join(root, 'conv.safetensors');
  assert.is(subnet(['export', dir, '--format', 'safetensors', '-o', st]).code, 0);
  const names = Object.keys(parseSafetensors(readFileSync(st)).header);
  for (const n of ['conv1.weight', 'conv1.scores', 'conv1.mask', 'batchnorm1.running_mean', 'batchnorm1.running_var', 'batchnorm1.weight', 'batchnorm1.bias']) {
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  }
});

test('dense learned weights: the checkpoint stores them, so eval reproduces the run; the export has no masks', () => {
  const dir = train('dense', FC.replace('edge_popup(keep: 30%)', 'dense').replace('signed_kaiming_constant(mode: fan_in)', 'kaiming_uniform(mode: fan_in)'));
  const e = evalJson(dir);
  assert.is(e.test_accuracy, metrics(dir).pop().test_accuracy);
  const file = join(root, 'dense.safetensors');
  assert.is(subnet(['export', dir, '--format', 'safetensors', '-o', file]).code, 0);
  const st = parseSafetensors(readFileSync(file));
  assert.equal(Object.keys(st.header).sort(), ['__metadata__', 'linear1.weight', 'linear2.weight']);
  const cfg: RunConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const l = weightLayers(cfg.model.layers)[0];
  const { fanIn, fanOut } = fans(l);
  const initial = drawTensor(weightDraw(cfg.weights, fanIn, fanOut, 1), cfg.seed, 0, Stream.weights, 32 * 192);
  assert.not.equal([...st.f32('linear1.weight')], [...initial], 'the learned weights, not the initial ones');
});

test('bad export requests: unknown format, unwritable output', () => {
  const r = subnet(['export', fcDir, '--format', 'pt', '-o', join(root, 'x.pt')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /--format must be safetensors or onnx, not `pt`/);
  // Under a regular file: no directory can be made there.
  const blocker = join(root, 'a-file');
  writeFileSync(blocker, '');
  const w = subnet(['export', fcDir, '--format', 'onnx', '-o', join(blocker, 'x.onnx')]);
  assert.is(w.code, 1);
  assert.match(w.stderr, /a-file\/x\.onnx: cannot write \((ENOTDIR|EEXIST)\)/);
  assert.not.match(w.stderr, /    at /);
});

test('compile: the runner, next to webgpu alone, gives subnet run\'s metrics', () => {
  const prog = join(root, 'fc.subnet');
  const dir = join(root, 'standalone');
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', 'webgpu'), join(dir, 'node_modules', 'webgpu'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'runner-test', private: true, dependencies: { webgpu: '0.6.2' } }));
  const c = subnet(['compile', prog, '-o', join(dir, 'runner.mjs')]);
  assert.is(c.code, 0, c.stderr);
  const size = statSync(join(dir, 'runner.mjs')).size;
  console.log(`runner.mjs: ${(size / 1024).toFixed(1)} KiB`);
  const r = spawnSync(process.execPath, ['runner.mjs', '--out', join(dir, 'out'), '--epochs', '3', '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const ref = subnet(['run', prog, '--set', 'train.epochs=3', '--out', join(root, 'ref'), '--json']);
  assert.is(ref.code, 0, ref.stderr);
  const rs = JSON.parse(ref.stdout.trim().split('\n').pop()!);
  assert.is(s.run_id, rs.run_id, 'the same configuration, the same run id');
  const strip = (d: string) => metrics(d).map((m) => (TIMING_FIELDS.forEach((k) => delete m[k]), m));
  assert.equal(strip(s.out_dir), strip(rs.out_dir));
  assert.is(strip(s.out_dir).length, 3);
});

test.run();
