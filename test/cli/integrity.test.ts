// A damaged checkpoint or export is refused, never used: one byte flipped in each tensor in turn,
// truncation at seeded random points and every byte of the header flipped, each refused with a
// message naming the file (and the tensor, when a tensor's bytes changed); the intact file still
// loads. Through the CLI, `eval`, `run --resume`, `export`, `fixed(run:)` and `sweep` refuse a
// damaged checkpoint with one message and exit 1; a resume offers the previous checkpoint, and
// following its advice gives the same numbers. summary.json and metrics.jsonl cut short are
// rewritten from the checkpoint or refused, never half-read.
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHECKPOINT_FILE, CheckpointError, DamagedCheckpointError, PREVIOUS_CHECKPOINT_FILE, readCheckpoint } from '../../runtime/checkpoint.js';
import { decodeSafetensors } from '../../runtime/export/safetensors.js';
import { IntegrityError } from '../../runtime/results/integrity.js';
import { verifySafetensorsFile } from '../../runtime/cli/verify-command.js';
import { subnet } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-integrity-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

const program = (mask: string) => `network Small(classes: int = 4) {
  input [3, 8, 8]
  flatten
  linear(16) relu
  linear(classes)
}
experiment tiny {
  model     = Small()
  data      = synthetic(shape: [3, 8, 8], classes: 4, n: 256, test_n: 64)
  weights   = signed_kaiming_constant(mode: fan_in)
  mask      = ${mask}
  optimizer = sgd(lr: 0.1, momentum: 0.9, schedule: cosine)
  train     = { epochs: 2, batch: 32 }
  seed      = 3
}
`;
const prog = join(root, 'tiny.subnet');
writeFileSync(prog, program('edge_popup(keep: 40%)'));
const out = join(root, 'runs');
let runDir = '';
let ckpt = '';
let exported = '';
let pristine: Buffer;
let accuracy = '';

/** A seeded generator (mulberry32), so the "random" points are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each tensor's byte range in the file, in file order. */
function tensorRanges(bytes: Uint8Array): { name: string; begin: number; end: number }[] {
  const d = decodeSafetensors(bytes);
  return [...d.tensors.values()]
    .map((t) => ({ name: t.name, begin: t.data.byteOffset - (bytes as Buffer).byteOffset, end: t.data.byteOffset - (bytes as Buffer).byteOffset + t.data.byteLength }))
    .sort((a, b) => a.begin - b.begin);
}

function headerEnd(bytes: Uint8Array): number {
  return 8 + Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
}

/** Every damaged variant of a file: one flip per tensor (first, last and a random byte), seeded truncations, every header byte flipped. */
function damagedVariants(good: Buffer): { label: string; bytes: Buffer; tensor?: string }[] {
  const out: { label: string; bytes: Buffer; tensor?: string }[] = [];
  const r = rng(18);
  for (const t of tensorRanges(good)) {
    for (const at of [t.begin, t.end - 1, t.begin + Math.floor(r() * (t.end - t.begin))]) {
      const b = Buffer.from(good);
      b[at] ^= 0x01 << Math.floor(r() * 8);
      out.push({ label: `flip byte ${at} in ${t.name}`, bytes: b, tensor: t.name });
    }
  }
  for (let i = 0; i < 24; i++) {
    const n = Math.floor(r() * good.length);
    out.push({ label: `truncated at ${n} of ${good.length}`, bytes: good.subarray(0, n) });
  }
  for (const n of [0, 7, 8, headerEnd(good), good.length - 1]) out.push({ label: `truncated at ${n} of ${good.length}`, bytes: good.subarray(0, n) });
  for (let at = 0; at < headerEnd(good); at++) {
    for (const mask of [0x01, 0x80]) {
      const b = Buffer.from(good);
      b[at] ^= mask;
      out.push({ label: `header byte ${at} ^ 0x${mask.toString(16)}`, bytes: b });
    }
  }
  return out;
}

test('a real run and its export', () => {
  const r = subnet(['run', prog, '--out', out]);
  assert.is(r.code, 0, r.stderr);
  runDir = join(out, readdirSync(out)[0]);
  ckpt = join(runDir, CHECKPOINT_FILE);
  pristine = readFileSync(ckpt);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  accuracy = (100 * summary.final_test_accuracy).toFixed(2);
  // Two checkpoints are kept: the newest and the one before it.
  assert.is(readCheckpoint(join(runDir, PREVIOUS_CHECKPOINT_FILE)).meta.epoch, 1);
  exported = join(root, 'tiny.safetensors');
  const e = subnet(['export', runDir, '--format', 'safetensors', '-o', exported]);
  assert.is(e.code, 0, e.stderr);
});

test('the checkpoint: every damaged variant is refused with a message naming the file (and the tensor), the intact one loads', () => {
  const path = join(root, 'variant.safetensors');
  const cases = damagedVariants(pristine);
  assert.ok(cases.length > 500, `${cases.length} cases`);
  for (const c of cases) {
    writeFileSync(path, c.bytes);
    try {
      readCheckpoint(path);
      assert.unreachable(`accepted: ${c.label}`);
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw new Error(`${c.label}: ${(e as Error).stack}`);
      assert.ok(e.message.startsWith(`${path}: `), `${c.label}: ${e.message}`);
      if (c.tensor) {
        assert.ok(e instanceof DamagedCheckpointError && e.tensor === c.tensor, `${c.label}: ${e.message}`);
        assert.is(e.message, `${path}: damaged checkpoint: the bytes of tensor ${c.tensor} do not match their SHA-256 digest (the file changed after subnet wrote it)`);
      }
    }
  }
  writeFileSync(path, pristine);
  assert.is(readCheckpoint(path).meta.epoch, 2);
});

test('the export: every damaged variant is refused when subnet reads it back; the intact one is standard safetensors and verifies', () => {
  const good = readFileSync(exported);
  const d = decodeSafetensors(good);
  assert.is(d.metadata.format, 'subnet-v1');
  assert.ok(d.tensors.has('linear1.mask'));
  assert.is(verifySafetensorsFile(exported), 'export, 6 tensors, SHA-256 verified');
  const path = join(root, 'variant-export.safetensors');
  for (const c of damagedVariants(good)) {
    writeFileSync(path, c.bytes);
    try {
      verifySafetensorsFile(path);
      assert.unreachable(`accepted: ${c.label}`);
    } catch (e) {
      if (!(e instanceof IntegrityError)) throw new Error(`${c.label}: ${(e as Error).stack}`);
      assert.ok(e.message.startsWith(`${path}: `), `${c.label}: ${e.message}`);
      if (c.tensor) assert.is(e.message, `${path}: damaged export: the bytes of tensor ${c.tensor} do not match their SHA-256 digest (the file changed after subnet wrote it)`);
    }
  }
  const v = subnet(['verify', path]);
  assert.is(v.code, 1);
  const ok = subnet(['verify', exported, runDir]);
  assert.is(ok.code, 0, ok.stderr);
  assert.is(
    ok.stdout,
    [
      `ok     ${exported}: export, 6 tensors, SHA-256 verified`,
      `ok     ${ckpt}: checkpoint, 7 tensors, SHA-256 verified`,
      `ok     ${join(runDir, PREVIOUS_CHECKPOINT_FILE)}: checkpoint, 7 tensors, SHA-256 verified`,
      `ok     ${join(runDir, 'summary.json')}: complete, 2 epochs`,
      `ok     ${join(runDir, 'metrics.jsonl')}: 2 epoch records`,
      '',
    ].join('\n'),
  );
});

/** The checkpoint with one byte of linear2.scores flipped. */
function damage(path: string): void {
  const b = Buffer.from(pristine);
  b[tensorRanges(b).find((t) => t.name === 'linear2.scores')!.begin + 5] ^= 0x10;
  writeFileSync(path, b);
}
const DAMAGED = `damaged checkpoint: the bytes of tensor linear2.scores do not match their SHA-256 digest (the file changed after subnet wrote it)`;

test('subnet eval, export, verify and fixed(run:) refuse a damaged checkpoint with one message; the intact one evaluates to the run\'s accuracy', () => {
  const intact = subnet(['eval', runDir]);
  assert.is(intact.code, 0, intact.stderr);
  assert.match(intact.stdout, `test accuracy ${accuracy}%`);
  damage(ckpt);
  const e = subnet(['eval', runDir]);
  assert.is(e.code, 1);
  assert.is(e.stderr, `error: ${ckpt}: ${DAMAGED}\n`);
  const x = subnet(['export', runDir, '--format', 'onnx', '-o', join(root, 'x.onnx')]);
  assert.is(x.code, 1);
  assert.is(x.stderr, `error: ${ckpt}: ${DAMAGED}\n`);
  const v = subnet(['verify', runDir]);
  assert.is(v.code, 1);
  assert.is(v.stderr, `error: ${ckpt}: ${DAMAGED}\n`);
  const fixed = join(root, 'fixed.subnet');
  writeFileSync(fixed, program(`fixed(run: "${runDir}", keep: 40%)`));
  const f = subnet(['run', fixed, '--out', join(root, 'runs-fixed')]);
  assert.is(f.code, 1);
  assert.is(f.stderr, `error: fixed(run: "${runDir}"): ${ckpt}: ${DAMAGED}\n`);
  writeFileSync(ckpt, pristine);
});

test('run --resume of a finished run verifies its checkpoint and offers the previous one; following the advice gives the same numbers', () => {
  const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8');
  damage(ckpt);
  const prev = join(runDir, PREVIOUS_CHECKPOINT_FILE);
  const r = subnet(['run', prog, '--out', out, '--resume']);
  assert.is(r.code, 1);
  assert.is(
    r.stderr,
    `error: run ${runDir.split('/').pop()} finished (${accuracy}% test accuracy), but its checkpoint is refused: ${ckpt}: ${DAMAGED}\n` +
      `the previous checkpoint ${prev} is intact (after epoch 1 of 2); to continue from it, move it over the damaged one:\n` +
      `  mv ${prev} ${ckpt}\nand resume again (the steps after it are trained again, to the same numbers)\n` +
      '(run without --resume to start this run over)\n',
  );
  renameSync(prev, ckpt);
  const again = subnet(['run', prog, '--out', out, '--resume']);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'at epoch 2');
  const strip = (s: string) => s.replace(/"(train_images_per_second|train_seconds|eval_seconds)":[^,}]+/g, '');
  assert.is(strip(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')), strip(metrics));
  assert.is(readCheckpoint(ckpt).meta.epoch, 2);
  pristine = readFileSync(ckpt);
});

test('run --resume mid-run with a damaged checkpoint and no previous one: refused, saying so', () => {
  const copy = join(root, 'runs-mid');
  cpSync(out, copy, { recursive: true });
  const dir = join(copy, readdirSync(copy)[0]);
  rmSync(join(dir, 'summary.json'));
  rmSync(join(dir, PREVIOUS_CHECKPOINT_FILE), { force: true });
  damage(join(dir, CHECKPOINT_FILE));
  const r = subnet(['run', prog, '--out', copy, '--resume']);
  assert.is(r.code, 1);
  assert.ok(r.stderr.endsWith(`error: ${join(dir, CHECKPOINT_FILE)}: ${DAMAGED}\nno previous checkpoint is kept in ${dir}\n(run without --resume to start this run over)\n`), r.stderr);
  assert.not.match(r.stderr, /    at /);
});

test('a sweep does not count a run with a damaged checkpoint as complete: it fails naming the file', () => {
  const copy = join(root, 'runs-sweep');
  cpSync(out, copy, { recursive: true });
  const dir = join(copy, readdirSync(copy)[0]);
  rmSync(join(dir, PREVIOUS_CHECKPOINT_FILE), { force: true });
  damage(join(dir, CHECKPOINT_FILE));
  const r = subnet(['sweep', prog, '--out', copy]);
  assert.is(r.code, 1);
  assert.match(r.stderr, `failed ${dir.split('/').pop()}: ${join(dir, CHECKPOINT_FILE)}: ${DAMAGED}`);
  assert.not.match(r.stderr, /    at /);
  // The results themselves are kept.
  assert.is(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status, 'complete');
});

test('summary.json cut short: --resume and sweep rewrite it from the checkpoint; metrics.jsonl cut short: report rewrites it, or refuses without a checkpoint', () => {
  const copy = join(root, 'runs-trunc');
  cpSync(out, copy, { recursive: true });
  const dir = join(copy, readdirSync(copy)[0]);
  const summary = readFileSync(join(dir, 'summary.json'), 'utf8');
  writeFileSync(join(dir, 'summary.json'), summary.slice(0, 120));
  const r = subnet(['run', prog, '--out', copy, '--resume']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `warning: ${join(dir, 'summary.json')}: truncated (120 bytes, the JSON ends early); resuming from the checkpoint rewrites it`);
  assert.is(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).final_test_accuracy.toFixed(6), JSON.parse(summary).final_test_accuracy.toFixed(6));

  writeFileSync(join(dir, 'summary.json'), summary.slice(0, 200));
  const sw = subnet(['sweep', prog, '--out', copy]);
  assert.is(sw.code, 0, sw.stderr);
  assert.match(sw.stderr, `warning: ${join(dir, 'summary.json')}: truncated (200 bytes, the JSON ends early); the run is resumed from its checkpoint, which rewrites it`);
  assert.is(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status, 'complete');

  const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
  writeFileSync(join(dir, 'metrics.jsonl'), metrics.slice(0, metrics.length - 40));
  const rep = subnet(['report', copy, '--out', join(root, 'report')]);
  assert.is(rep.code, 0, rep.stderr);
  assert.match(rep.stderr, `warning: ${join(dir, 'metrics.jsonl')}: line 2 is cut off (the file ends mid-record); rewritten from the checkpoint's history (2 epochs)`);
  assert.is(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'), metrics);

  writeFileSync(join(dir, 'metrics.jsonl'), metrics.slice(0, metrics.length - 40));
  rmSync(join(dir, CHECKPOINT_FILE));
  const refused = subnet(['report', copy, '--out', join(root, 'report')]);
  assert.is(refused.code, 1);
  assert.is(
    refused.stderr,
    `error: ${copy}: no readable runs:\n  ${join(dir, 'metrics.jsonl')}: line 2 is cut off (the file ends mid-record); it cannot be rebuilt (no ${CHECKPOINT_FILE}); run skipped\n`,
  );
  copyFileSync(ckpt, join(dir, CHECKPOINT_FILE));
});

test.run();
