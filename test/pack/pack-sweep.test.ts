// `subnet sweep --pack`: the packs --dry-run shows are the packs that train; a packed sweep's
// run directories hold what `--pack off` writes (metrics less timings, checkpoint tensors); a
// sweep killed mid-pack resumes every member to the uninterrupted result; bad values are refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subnet } from '../helpers/cli.js';
import { startSubnet, tinyProgram } from '../sweep/proc.js';

const TIMEOUT = 180_000;
const TIMINGS = new Set(['train_images_per_second', 'train_seconds', 'eval_seconds']);

function program(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'subnet-pack-'));
  const file = join(dir, 'p.subnet');
  writeFileSync(file, text);
  return { dir, file };
}

function metrics(out: string, id: string): unknown[] {
  return readFileSync(join(out, id, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => Object.fromEntries(Object.entries(JSON.parse(l)).filter(([k]) => !TIMINGS.has(k))));
}

/** The checkpoint's tensor bytes (its header holds timestamps). */
function tensors(out: string, id: string): Buffer {
  const b = readFileSync(join(out, id, 'checkpoint.safetensors'));
  return b.subarray(8 + Number(b.readBigUInt64LE(0)));
}

function dryRunOutput(file: string, out: string, extra: string[]) {
  const r = subnet(['sweep', file, '--out', out, '--dry-run', '--json', ...extra], {}, TIMEOUT);
  assert.is(r.code, 0, r.stderr);
  return { stderr: r.stderr, runs: r.stdout.trim().split('\n').map((l) => JSON.parse(l)) as { run_id: string; pack: number | null }[] };
}

const dryRun = (file: string, out: string, extra: string[] = ['--pack', '4']) => dryRunOutput(file, out, extra).runs;

function sameAsUnpacked(out: string, ref: string, ids: string[]): void {
  for (const id of ids) {
    assert.equal(metrics(out, id), metrics(ref, id), `${id}: metrics.jsonl`);
    assert.ok(tensors(out, id).equals(tensors(ref, id)), `${id}: checkpoint tensors`);
  }
}

const TEXT = tinyProgram({ n: 1024, epochs: 3, seeds: 2, sweeps: ['sweep mask.keep in [30%, 70%]', 'sweep model.width in [1, 2]'] });

test('packs by shape; a packed sweep writes what an unpacked one does', () => {
  const p = program(TEXT);
  const ref = join(p.dir, 'ref');
  const out = join(p.dir, 'runs');
  const plan = dryRun(p.file, out);
  assert.is(plan.length, 8);
  // Width changes the shapes: two packs of four (keeps × seeds); --pack off and --pack 1 none.
  const packOf = new Map(plan.map((r) => [r.run_id, r.pack]));
  assert.equal([...new Set(plan.map((r) => r.pack))].sort(), [1, 2]);
  assert.ok(dryRun(p.file, out, ['--pack', 'off']).every((r) => r.pack === null));
  // auto: packs on a GPU; on this CPU adapter (lavapipe) one run at a time, and it says so.
  const auto = dryRunOutput(p.file, out, []);
  if (/a CPU adapter: --pack auto trains runs one at a time/.test(auto.stderr)) assert.ok(auto.runs.every((r) => r.pack === null));
  else assert.equal(auto.runs.map((r) => r.pack), plan.map((r) => r.pack));
  assert.ok(dryRun(p.file, out, ['--pack', '1']).every((r) => r.pack === null));
  assert.equal([...new Set(dryRun(p.file, out, ['--pack', '2']).map((r) => r.pack))].sort(), [1, 2, 3, 4]);

  const a = subnet(['sweep', p.file, '--out', ref, '--pack', 'off'], {}, TIMEOUT);
  assert.is(a.code, 0, a.stderr);
  const b = subnet(['sweep', p.file, '--out', out, '--json', '--pack', '4'], {}, TIMEOUT);
  assert.is(b.code, 0, b.stderr);
  assert.match(b.stderr, /8 runs: 8 complete\. 8 trained packed, in 2 packs\./);
  const res = JSON.parse(b.stdout.trim().split('\n').pop()!);
  assert.is(res.packs.length, 2);
  for (const pack of res.packs as string[][]) assert.is(new Set(pack.map((id) => packOf.get(id))).size, 1, 'trained as --dry-run showed');
  sameAsUnpacked(out, ref, plan.map((r) => r.run_id));
});

test('SIGKILL mid-pack: the next sweep resumes every member to the uninterrupted result', async () => {
  const p = program(tinyProgram({ n: 4096, epochs: 3, seeds: 2, sweeps: ['sweep mask.keep in [30%, 70%]'] }));
  const ref = join(p.dir, 'ref');
  const out = join(p.dir, 'runs');
  const ids = dryRun(p.file, out).map((r) => r.run_id);
  assert.is(ids.length, 4);
  const a = subnet(['sweep', p.file, '--out', ref, '--pack', 'off'], {}, TIMEOUT);
  assert.is(a.code, 0, a.stderr);

  const sweep = startSubnet(['sweep', p.file, '--out', out, '--pack', '4'], { direct: true });
  try {
    // Every member past its first epoch (checkpointed), then killed without warning.
    await sweep.waitFor(new RegExp('^' + ids.map((id) => `(?=[\\s\\S]*${id}  epoch 1/3)`).join('')), TIMEOUT);
    sweep.kill('SIGKILL');
    await sweep.exited(30_000);
  } finally {
    sweep.kill('SIGKILL');
  }
  const b = subnet(['sweep', p.file, '--out', out, '--json', '--pack', '4'], {}, TIMEOUT);
  assert.is(b.code, 0, b.stderr);
  for (const id of ids) assert.match(b.stderr, new RegExp(`${id}  resuming from .*checkpoint\\.safetensors at epoch [23]`));
  assert.ok(JSON.parse(b.stdout.trim().split('\n').pop()!).packs.length >= 1, 'the resumed runs train packed');
  sameAsUnpacked(out, ref, ids);
});

test('subnet plan --pack: each pack\'s dispatches and memory beside its runs one at a time', () => {
  const p = program(TEXT);
  const r = subnet(['plan', p.file, '--json', '--pack', '4'], {}, TIMEOUT);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const runs = lines.filter((l) => l.run_id);
  const packs = lines.filter((l) => l.pack);
  assert.is(runs.length, 8);
  assert.is(packs.length, 2);
  for (const k of packs) {
    assert.is(k.runs, 4);
    const solo = runs.find((x) => x.run_id === k.pack[0]);
    assert.is(k.dispatches_per_train_step, solo.dispatches_per_train_step, 'one dispatch per kernel per step for the whole pack');
    assert.is(k.dispatches_per_train_step_one_at_a_time, 4 * solo.dispatches_per_train_step);
    assert.ok(k.device_bytes >= 4 * k.bytes_per_run);
  }
});

test('bad --pack values: one line, exit 1', () => {
  const p = program(TEXT);
  for (const v of ['0', 'x', '1.5']) {
    const r = subnet(['sweep', p.file, '--out', join(p.dir, 'runs'), '--pack', v], {}, TIMEOUT);
    assert.is(r.code, 1, `${v}: ${r.stderr}`);
    assert.match(r.stderr, /^error: --pack must be auto, off or a number of runs ≥ 1/);
  }
});

test.run();
