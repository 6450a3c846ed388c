// Runs you can resume: a run killed with SIGKILL at a random moment mid-epoch (after at least
// one checkpoint) and resumed gives, number for number, the metrics of an uninterrupted run with
// the same seed; SIGINT stops at a step boundary, checkpoints and says how to resume; a
// checkpoint from another run or another version is refused.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHECKPOINT_FILE, readCheckpoint } from '../../runtime/checkpoint.js';
import { decodeSafetensors } from '../../runtime/export/safetensors.js';
import { encodeWithDigest } from '../../runtime/results/integrity.js';
import { readEventFile } from '../../runtime/tensorboard.js';
import { TIMING_FIELDS } from '../../runtime/results/epoch.js';
import { ROOT, subnet } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-resume-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
const prog = join(root, 'resume.subnet');
writeFileSync(
  prog,
  `network Small(classes: int = 4) {
  input [3, 8, 8]
  flatten
  linear(48) relu
  linear(classes)
}
experiment resume {
  model     = Small()
  data      = synthetic(shape: [3, 8, 8], classes: 4, n: 2000, test_n: 200, augment: [random_crop(pad: 2), hflip])
  weights   = signed_kaiming_constant(mode: fan_in)
  mask      = edge_popup(keep: 40%)
  optimizer = sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-4, schedule: cosine)
  train     = { epochs: 3, batch: 8 }
  seed      = 7
}
`,
);
const EVERY = ['--checkpoint-every', '9'];

function runDir(out: string): string {
  const ids = readdirSync(out);
  assert.is(ids.length, 1);
  return join(out, ids[0]);
}

/** metrics.jsonl without the timing fields (the only ones a resume may change). */
function results(dir: string): Record<string, number>[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const r = JSON.parse(l);
      for (const k of TIMING_FIELDS) delete r[k];
      return r;
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `subnet run` in-process (no launcher, so the signal reaches the trainer itself). */
function start(out: string, extra: string[] = []) {
  return spawn(process.execPath, [join(ROOT, 'bin', 'subnet.mjs'), 'run', prog, '--out', out, ...EVERY, ...extra], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', SUBNET_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function checkpointState(out: string): { epoch: number; step: number } | undefined {
  if (!existsSync(out) || readdirSync(out).length === 0) return undefined;
  const p = join(runDir(out), CHECKPOINT_FILE);
  if (!existsSync(p)) return undefined;
  const m = readCheckpoint(p).meta;
  return { epoch: m.epoch, step: m.next_step };
}

let reference: Record<string, number>[] = [];

test('uninterrupted run', () => {
  const r = subnet(['run', prog, '--out', join(root, 'a'), ...EVERY]);
  assert.is(r.code, 0, r.stderr);
  reference = results(runDir(join(root, 'a')));
  assert.is(reference.length, 3);
});

test('SIGKILL at a random moment mid-epoch, resume (until a kill lands mid-epoch): the same metrics, exactly', async () => {
  const out = join(root, 'b');
  let landedMidEpoch = false;
  for (let attempt = 0; attempt < 6 && !landedMidEpoch; attempt++) {
    const child = start(out, attempt ? ['--resume'] : []);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // Wait for a mid-epoch checkpoint of this attempt, then kill after a random delay.
    const before = checkpointState(out);
    for (;;) {
      const s = checkpointState(out);
      if (s && s.step > 0 && (!before || s.epoch !== before.epoch || s.step !== before.step)) break;
      if (child.exitCode !== null) assert.unreachable(`the run ended before a mid-epoch checkpoint: ${stderr}`);
      await sleep(5);
    }
    await sleep(Math.random() * 150);
    child.kill('SIGKILL');
    await exited;
    const s = checkpointState(out)!;
    landedMidEpoch = s.step > 0 && s.epoch < 3;
  }
  assert.ok(landedMidEpoch, 'a kill landed mid-epoch');
  const r = subnet(['run', prog, '--out', out, ...EVERY, '--resume']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /resuming from .*checkpoint\.safetensors at epoch \d, step \d+\/250/);
  assert.equal(results(runDir(out)), reference);
  // The TensorBoard file holds each epoch once, with the same values.
  const dir = runDir(out);
  const ev = readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.'));
  assert.is(ev.length, 1);
  const events = readEventFile(readFileSync(join(dir, ev[0]))).filter((e) => e.scalars);
  assert.equal(events.map((e) => e.step), [1, 2, 3]);
  assert.is(events[2].scalars!['test/accuracy'], Math.fround(reference[2].test_accuracy));
  // A finished run is not trained again.
  const again = subnet(['run', prog, '--out', out, '--resume']);
  assert.is(again.code, 0);
  assert.match(again.stdout, /already complete/);
});

test('SIGINT stops at a step boundary, checkpoints, exits 130 with the resume command; the resumed run matches', async () => {
  const out = join(root, 'c');
  const child = start(out);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  while (!checkpointState(out)?.step) await sleep(5);
  child.kill('SIGINT');
  assert.is(await exited, 130, stderr);
  assert.match(stderr, /interrupted in epoch \d at step \d+\/250; checkpoint .*checkpoint\.safetensors/);
  assert.match(stderr, /resume with: subnet run \S+resume\.subnet --out \S+ --resume/);
  assert.not.match(stderr, /    at /);
  const s = checkpointState(out)!;
  assert.ok(s.step > 0, 'stopped mid-epoch');
  const r = subnet(['run', prog, '--out', out, ...EVERY, '--resume']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`at epoch ${s.epoch + 1}, step ${s.step}/250`), `resumed where it stopped: ${r.stdout}`);
  assert.equal(results(runDir(out)), reference);
});

test('a checkpoint from another run, format or version is refused with a clear message', () => {
  const src = join(runDir(join(root, 'a')), CHECKPOINT_FILE);
  const other = join(root, 'd');
  // The same program with another learning rate: another run id, whose directory gets a foreign checkpoint.
  const first = subnet(['run', prog, '--out', other, '--set', 'train.epochs=1']);
  assert.is(first.code, 0, first.stderr);
  const dir = runDir(other);
  copyFileSync(src, join(dir, CHECKPOINT_FILE));
  rmSync(join(dir, 'summary.json'));
  const r = subnet(['run', prog, '--out', other, '--set', 'train.epochs=1', '--resume']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /cannot resume from this checkpoint: it belongs to run \w{12} .*not to run \w{12} .*the program or its settings changed/);
  assert.match(r.stderr, /run without --resume to start this run over/);
  assert.not.match(r.stderr, /    at /);

  const rewrite = (edit: (m: Record<string, unknown>) => void) => {
    const bytes = readFileSync(src);
    const d = decodeSafetensors(bytes);
    const meta = JSON.parse(d.metadata.subnet);
    edit(meta);
    const dirA = join(root, 'e');
    rmSync(dirA, { recursive: true, force: true });
    mkdirSync(join(dirA, 'x'), { recursive: true });
    const target = join(runDir(join(root, 'a')));
    const copy = join(dirA, target.split('/').pop()!);
    rmSync(join(dirA, 'x'), { recursive: true });
    mkdirSync(copy);
    // Rewritten with a fresh digest: the file is intact, only its contents are foreign.
    writeFileSync(join(copy, CHECKPOINT_FILE), encodeWithDigest([...d.tensors.values()], { subnet: JSON.stringify(meta) }));
    return subnet(['run', prog, '--out', dirA, '--resume']);
  };
  const v = rewrite((m) => (m.subnet_version = '0.0.1'));
  assert.is(v.code, 1);
  assert.match(v.stderr, /it was written by subnet 0\.0\.1, this is subnet \d+\.\d+\.\d+/);
  const f = rewrite((m) => (m.version = 99));
  assert.is(f.code, 1);
  assert.match(f.stderr, /it has checkpoint format 99, this subnet reads format 1/);
});

test.run();
