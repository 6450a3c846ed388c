// `imagefolder` end to end on generated data (scripts/make-imagefolder.mjs): Fashion-MNIST as
// RGB JPEGs. The same images are also written in CIFAR-10's binary layout, in the folder's order
// (class, then file), so the two runs below are the same computation up to JPEG loss: same
// network, same initial weights, same permutation, same batches. The JPEG run must land within
// 1 point of it (Adam: plain SGD from these weights sits on a plateau whose escape time JPEG noise
// moves, so two such runs may differ by more, while their losses here agree to three digits); tar shards of the same JPEGs must give exactly the folder's metrics; a bad
// image stops the run with one line naming the file, or is skipped and counted.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CIFAR_RECORD, CIFAR_RECORDS_PER_FILE, CIFAR_TEST_FILES, CIFAR_TRAIN_FILES } from '../../runtime/data/cifar.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../../runtime/checkpoint.js';
import { TIMING_FIELDS } from '../../runtime/results/epoch.js';
import { ROOT, subnet } from '../helpers/cli.js';

const FMNIST = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const TRAIN = 3000;
const VAL = 1000;
const root = mkdtempSync(join(tmpdir(), 'subnet-imagefolder-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

const gen = spawnSync(process.execPath, [join(ROOT, 'scripts', 'make-imagefolder.mjs'), join(root, 'gen'), '--side', '37', '--inner', '28', '--offset', '4', '--train', String(TRAIN), '--val', String(VAL), '--per-shard', '1200', '--quality', '100', '--src', FMNIST], { encoding: 'utf8' });
if (gen.status !== 0) throw new Error(gen.stderr);
const made = JSON.parse(gen.stdout.trim()) as { folder: string; shards: string; val_shards: string };

function idx(name: string): Uint8Array {
  const b = gunzipSync(readFileSync(join(FMNIST, `${name}.gz`)));
  return b.subarray(4 + 4 * b[3]!);
}

/** The first `n` images of a split in the folder's order, then the rest, as CIFAR-10 records. */
function cifarRecords(prefix: string, n: number, total: number): Uint8Array {
  const images = idx(`${prefix}-images-idx3-ubyte`);
  const labels = idx(`${prefix}-labels-idx1-ubyte`);
  const first = Array.from({ length: n }, (_, i) => i).sort((a, b) => labels[a]! - labels[b]! || a - b);
  const order = [...first, ...Array.from({ length: total - n }, (_, i) => n + i)];
  const out = new Uint8Array(total * CIFAR_RECORD);
  order.forEach((i, r) => {
    const at = r * CIFAR_RECORD;
    out[at] = labels[i]!;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 28; y++) out.set(images.subarray(i * 784 + y * 28, i * 784 + y * 28 + 28), at + 1 + c * 1024 + (y + 2) * 32 + 2);
  });
  return out;
}

const cifar = join(root, 'cifar');
mkdirSync(cifar);
const train = cifarRecords('train', TRAIN, 5 * CIFAR_RECORDS_PER_FILE);
CIFAR_TRAIN_FILES.forEach((f, i) => writeFileSync(join(cifar, f), train.subarray(i * CIFAR_RECORDS_PER_FILE * CIFAR_RECORD, (i + 1) * CIFAR_RECORDS_PER_FILE * CIFAR_RECORD)));
writeFileSync(join(cifar, CIFAR_TEST_FILES[0]!), cifarRecords('t10k', VAL, CIFAR_RECORDS_PER_FILE));

const NORM = '{ mean: [0.286, 0.286, 0.286], std: [0.353, 0.353, 0.353] }';

function program(name: string, data: string, epochs = 2): string {
  const f = join(root, `${name}.subnet`);
  writeFileSync(
    f,
    `network Narrow(classes: int = 10) {
  input [3, 32, 32]
  conv(8, 3) relu maxpool(2)
  conv(16, 3) relu maxpool(2)
  flatten
  linear(classes)
}
experiment e {
  model     = Narrow()
  data      = ${data}
  weights   = kaiming_normal()
  mask      = dense
  optimizer = adam(lr: 0.002)
  train     = { epochs: ${epochs}, batch: 64 }
  seed      = 1
}
`,
  );
  return f;
}

function run(name: string, data: string, epochs = 2) {
  const r = subnet(['run', program(name, data, epochs), '--out', join(root, `runs-${name}`), '--json'], { SUBNET_DATA_WORKERS: '2' });
  assert.is(r.code, 0, r.stderr);
  return { summary: JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr, metrics: (id: string) => readFileSync(join(root, `runs-${name}`, id, 'metrics.jsonl'), 'utf8') };
}

const folderData = (dir: string, extra = '') => `imagefolder(dir: "${dir}", size: 32, augment: [], normalize: ${NORM}${extra})`;

test('JPEGs through imagefolder train like the same images read from a binary file', () => {
  const ref = run('binary', `cifar10(dir: "${cifar}", subset: ${TRAIN}, test_subset: ${VAL}, augment: [], normalize: ${NORM})`);
  const jpeg = run('folder', folderData(made.folder));
  const gap = Math.abs(jpeg.summary.final_test_accuracy - ref.summary.final_test_accuracy);
  assert.ok(ref.summary.final_test_accuracy > 0.6, `the reference run learns: ${ref.summary.final_test_accuracy}`);
  assert.ok(gap <= 0.01, `folder ${jpeg.summary.final_test_accuracy} vs binary ${ref.summary.final_test_accuracy}`);
});

test('tar shards give exactly what the folder gives, with augmentation on', () => {
  const aug = '[random_resized_crop(scale: [0.5, 1]), hflip]';
  const folder = run('aug-folder', `imagefolder(dir: "${made.folder}", size: 32, augment: ${aug}, normalize: ${NORM}, subset: 1000, test_subset: 300)`, 1);
  const shards = run('aug-shards', `imagefolder(shards: "${made.shards}", val_shards: "${made.val_shards}", size: 32, augment: ${aug}, normalize: ${NORM}, subset: 1000, test_subset: 300)`, 1);
  // Same images and same results: the run ids agree too (where the files are is not part of a run).
  assert.is(shards.summary.run_id, folder.summary.run_id);
  const strip = (s: string) => s.split('\n').filter(Boolean).map((l) => {
    const { train_loss, train_accuracy, test_loss, test_accuracy } = JSON.parse(l);
    return { train_loss, train_accuracy, test_loss, test_accuracy };
  });
  assert.equal(strip(shards.metrics(shards.summary.run_id)), strip(folder.metrics(folder.summary.run_id)));
});

test('a bad image: stop names the file in one line; skip counts it in the summary', () => {
  const dir = join(root, 'bad');
  for (const split of ['train', 'val'])
    for (const c of ['0-tshirt', '1-trouser']) {
      mkdirSync(join(dir, split, c), { recursive: true });
      for (const f of ['000001.jpg', '000016.jpg', '000021.jpg']) {
        try {
          copyFileSync(join(made.folder, 'train', c, f), join(dir, split, c, f));
        } catch {
          /* not every class has these files */
        }
      }
    }
  writeFileSync(join(dir, 'train', '1-trouser', 'zz-broken.jpg'), readFileSync(join(made.folder, 'train', '0-tshirt', '000001.jpg')).subarray(0, 300));
  const data = (extra: string) => `imagefolder(dir: "${dir}", size: 32, normalize: ${NORM}${extra})`;
  const tiny = (name: string, extra: string) => {
    const f = join(root, `${name}.subnet`);
    writeFileSync(f, `network T(classes: int = 2) {\n  flatten\n  linear(classes)\n}\nexperiment e {\n  model = T()\n  data = ${data(extra)}\n  mask = dense\n  optimizer = sgd(lr: 0.1)\n  train = { epochs: 1, batch: 4 }\n}\n`);
    return subnet(['run', f, '--out', join(root, `runs-${name}`), '--json'], { SUBNET_DATA_WORKERS: '1' });
  };
  const stop = tiny('bad-stop', '');
  assert.is(stop.code, 1, stop.stderr);
  assert.match(stop.stderr, /^error: .*bad\/train\/1-trouser\/zz-broken\.jpg: is truncated or corrupt .*on_bad: skip/m, stop.stderr);
  assert.not.match(stop.stderr, /    at /);
  const skip = tiny('bad-skip', ', on_bad: skip');
  assert.is(skip.code, 0, skip.stderr);
  assert.match(skip.stderr, /warning: skipped .*zz-broken\.jpg: is truncated or corrupt/, skip.stderr);
  assert.is(JSON.parse(skip.stdout.trim().split('\n').pop()!).data_skipped, 1);
});

test('a standalone runner trains on a JPEG folder with only webgpu beside it, as subnet run does; a PNG without sharp is named', () => {
  const data = `imagefolder(dir: "${made.folder}", size: 32, augment: [random_resized_crop(scale: [0.5, 1]), hflip], normalize: ${NORM}, subset: 320, test_subset: 100)`;
  const file = program('runner', data, 1);
  const ref = run('runner', data, 1);
  const dir = join(root, 'runner-dir');
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  const c = subnet(['compile', file, '-o', join(dir, 'runner.mjs')]);
  assert.is(c.code, 0, c.stderr);
  assert.match(c.stderr, /next to a node_modules with webgpu \(and sharp, if its image folders hold images other than JPEG\)/);
  symlinkSync(join(ROOT, 'node_modules', 'webgpu'), join(dir, 'node_modules', 'webgpu'));
  const exec = (runner: string, out: string) => spawnSync(process.execPath, [join(dir, runner), '--out', out, '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, SUBNET_DATA_WORKERS: '2' }, timeout: 300_000 });
  const r = exec('runner.mjs', join(root, 'runner-runs'));
  assert.is(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
  for (const k of ['run_id', 'final_test_accuracy', 'final_train_loss', 'final_test_loss']) assert.equal(summary[k], ref.summary[k], k);
  // A folder with a PNG: without sharp the run stops naming the file and what to install; with
  // sharp beside the runner it trains.
  const png = join(root, 'png-folder');
  for (const split of ['train', 'val'])
    for (const cls of ['a', 'b']) {
      mkdirSync(join(png, split, cls), { recursive: true });
      copyFileSync(join(made.folder, 'train', '0-tshirt', '000001.jpg'), join(png, split, cls, '1.jpg'));
    }
  copyFileSync(join(ROOT, 'test', 'fixtures', 'pillow', 'alpha.png'), join(png, 'train', 'b', '2.png'));
  const pf = join(root, 'png.subnet');
  writeFileSync(pf, `network T(classes: int = 2) {\n  flatten\n  linear(classes)\n}\nexperiment e {\n  model = T()\n  data = imagefolder(dir: "${png}", size: 16, normalize: ${NORM})\n  mask = dense\n  optimizer = sgd(lr: 0.1)\n  train = { epochs: 1, batch: 2 }\n}\n`);
  assert.is(subnet(['compile', pf, '-o', join(dir, 'png.mjs')]).code, 0);
  const without = exec('png.mjs', join(root, 'png-runs-0'));
  assert.is(without.status, 1, without.stderr);
  assert.match(without.stderr, /^error: .*png-folder\/train\/b\/2\.png: needs sharp, which is not installed here \(PNG, WebP, TIFF, GIF and CMYK JPEG images are decoded with it\): npm install sharp@0\.34\.5/m, without.stderr);
  assert.ok(without.stderr.length < 2000, 'one short line, not the worker source');
  assert.not.match(without.stderr, /    at /);
  for (const m of ['sharp', '@img']) symlinkSync(join(ROOT, 'node_modules', m), join(dir, 'node_modules', m));
  const withSharp = exec('png.mjs', join(root, 'png-runs'));
  assert.is(withSharp.status, 0, withSharp.stderr);
});

test('a streamed run killed mid-epoch resumes to the uninterrupted result, augmentation on', async () => {
  // Decoded crops and flips are drawn from (seed, epoch, index), and the feed restarts at the
  // checkpoint's step: the resumed run sees the same images and ends with the same numbers.
  const data = `imagefolder(dir: "${made.folder}", size: 32, augment: [random_resized_crop(scale: [0.5, 1]), hflip], normalize: ${NORM}, subset: 640, test_subset: 200)`;
  const file = program('streamed-resume', data, 2);
  const every = ['--checkpoint-every', '2'];
  const env = { SUBNET_DATA_WORKERS: '2' };
  const ref = join(root, 'runs-stream-ref');
  const a = subnet(['run', file, '--out', ref, ...every], env);
  assert.is(a.code, 0, a.stderr);
  const out = join(root, 'runs-stream-killed');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'subnet.mjs'), 'run', file, '--out', out, ...every], {
    cwd: ROOT,
    env: { ...process.env, ...env, NO_COLOR: '1', SUBNET_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('close', r));
  const midEpoch = () => {
    const dirs = existsSync(out) ? readdirSync(out) : [];
    const p = dirs.length ? join(out, dirs[0]!, CHECKPOINT_FILE) : '';
    if (!p || !existsSync(p)) return false;
    try {
      const m = readCheckpoint(p).meta;
      return m.epoch === 1 && m.next_step > 0;
    } catch {
      return false; // being replaced right now
    }
  };
  while (!midEpoch()) {
    if (child.exitCode !== null) assert.unreachable(`the run ended before a mid-epoch checkpoint of epoch 2: ${stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  await exited;
  const b = subnet(['run', file, '--out', out, ...every, '--resume'], env);
  assert.is(b.code, 0, b.stderr);
  assert.match(b.stdout, /resuming from .*checkpoint\.safetensors at epoch 2, step \d+\/10/);
  const id = readdirSync(out)[0]!;
  const strip = (dir: string) =>
    readFileSync(join(dir, id, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => Object.fromEntries(Object.entries(JSON.parse(l)).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k) && !k.startsWith('data_'))));
  assert.equal(strip(out), strip(ref));
});

test.run();
