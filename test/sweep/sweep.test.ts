// `subnet sweep FILE` on this machine's adapter: every run of the grid, N at a time; resumable
// (complete runs skipped); a failing run recorded while the others go on; Ctrl-C stops cleanly
// and the next sweep resumes the stopped runs from their checkpoints; progress bars on a
// terminal; bad options as one line and exit 1.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subnet } from '../helpers/cli.js';
import { startSubnet, tinyProgram } from './proc.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'subnet-sweep-'));
const TIMEOUT = 120_000;

function program(text: string): { dir: string; file: string; out: string } {
  const dir = tmp();
  const file = join(dir, 'p.subnet');
  writeFileSync(file, text);
  return { dir, file, out: join(dir, 'runs') };
}

function ids(file: string, out: string): string[] {
  const r = subnet(['sweep', file, '--out', out, '--dry-run', '--json'], {}, TIMEOUT);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l).run_id);
}

const summary = (out: string, id: string) => JSON.parse(readFileSync(join(out, id, 'summary.json'), 'utf8'));
const epochsOf = (out: string, id: string) => readFileSync(join(out, id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);

test('runs the whole grid N at a time, then skips what is complete', () => {
  const p = program(tinyProgram({ sweeps: ['sweep mask.keep in [30%, 50%, 70%]'] }));
  const all = ids(p.file, p.out);
  assert.is(all.length, 6);
  const r = subnet(['sweep', p.file, '--out', p.out, '--parallel', '3', '--json'], {}, TIMEOUT);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal([...j.completed].sort(), [...all].sort());
  for (const id of all) assert.is(summary(p.out, id).status, 'complete');
  // Three lanes: the first three runs start before any finishes.
  const events = r.stderr.split('\n').filter((l) => /^\[\d+\/6\] (start|done)/.test(l)).map((l) => l.split(/\s+/)[1]);
  assert.equal(events.slice(0, 3), ['start', 'start', 'start'], r.stderr);
  assert.match(r.stderr, /6 runs: 6 complete\./);

  const again = subnet(['sweep', p.file, '--out', p.out, '--parallel', '3', '--json'], {}, TIMEOUT);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, /all 6 runs are complete/);
  assert.not.match(again.stderr, /start/);
  assert.is(JSON.parse(again.stdout).skipped, 6);
});

test('a failing run is recorded with its error; the others go on; the next sweep retries it', () => {
  const p = program(tinyProgram({ sweeps: ['sweep mask.keep in [30%, 70%]'] }));
  const all = ids(p.file, p.out);
  const bad = all[1];
  // A corrupt checkpoint makes the resume of that run fail.
  const ckpt = join(p.out, bad, 'checkpoint.safetensors');
  assert.is(subnet(['sweep', p.file, '--out', p.out, '--index', '0'], {}, TIMEOUT).code, 0, 'run 0 alone first');
  mkdirSync(join(p.out, bad), { recursive: true });
  writeFileSync(ckpt, 'not a checkpoint');
  const r = subnet(['sweep', p.file, '--out', p.out], {}, TIMEOUT);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /1 of 4 runs already complete/);
  assert.match(r.stderr, new RegExp(`4 runs: 3 complete \\(1 skipped\\), 1 failed`));
  assert.match(r.stderr, new RegExp(`failed ${bad}: .*checkpoint\\.safetensors: not a valid checkpoint`));
  const failure = JSON.parse(readFileSync(join(p.out, bad, 'failure.json'), 'utf8'));
  assert.is(failure.run_id, bad);
  assert.match(failure.error, /not a valid checkpoint/);
  for (const id of all.filter((i) => i !== bad)) assert.is(summary(p.out, id).status, 'complete');

  rmSync(ckpt);
  const retry = subnet(['sweep', p.file, '--out', p.out], {}, TIMEOUT);
  assert.is(retry.code, 0, retry.stderr);
  assert.match(retry.stderr, /3 of 4 runs already complete/);
  assert.match(retry.stderr, new RegExp(`start ${bad}`));
  assert.not.ok(existsSync(join(p.out, bad, 'failure.json')), 'failure.json removed on success');
});

test('Ctrl-C: active runs checkpoint and stop, exit 130; the next sweep resumes them', async () => {
  const p = program(tinyProgram({ n: 8192, epochs: 5, seeds: 2 }));
  const all = ids(p.file, p.out);
  const sweep = startSubnet(['sweep', p.file, '--out', p.out, '--parallel', '2']);
  try {
    await sweep.waitFor(/epoch 1\/5/, TIMEOUT);
    sweep.kill('SIGINT');
    assert.is(await sweep.exited(60_000), 130, sweep.output());
  } finally {
    sweep.kill('SIGKILL');
  }
  const out = sweep.output();
  assert.match(out, /SIGINT: stopping/);
  assert.match(out, /Interrupted: run the same command again to resume/);
  for (const id of all) {
    assert.ok(existsSync(join(p.out, id, 'checkpoint.safetensors')), `checkpoint of ${id}`);
    assert.not.ok(existsSync(join(p.out, id, 'summary.json')), `${id} is not complete`);
  }
  const r = subnet(['sweep', p.file, '--out', p.out, '--parallel', '2'], {}, TIMEOUT);
  assert.is(r.code, 0, r.stderr);
  for (const id of all) {
    assert.match(r.stderr, new RegExp(`${id}  resuming from .*checkpoint\\.safetensors at epoch \\d`));
    assert.equal(epochsOf(p.out, id), [1, 2, 3, 4, 5], 'every epoch once');
  }
});

test('a terminal gets a total bar and one bar per active run', () => {
  const p = program(tinyProgram({ n: 2048, seeds: 2 })); // long enough for a few redraws (10 a second)
  // Without the launcher, which tells the CLI what its real stderr is.
  const r = subnet(['sweep', p.file, '--out', p.out, '--parallel', '2'], { SUBNET_CHILD: '1', SUBNET_STDERR_TTY: '1', SUBNET_COLUMNS: '120', CI: '' }, TIMEOUT);
  assert.is(r.code, 0, r.stderr);
  const plain = r.stderr.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  assert.match(plain, /total\s+\|[█░]+\| \d\/2 runs/);
  assert.match(plain, /[0-9a-f]{12} \|[█░]+\| epoch \d\/2 step \d+\/128/);
  assert.match(plain, /done  [0-9a-f]{12}/);
});

test('bad options: one line, exit 1', () => {
  const p = program(tinyProgram());
  const cases: [string[], RegExp][] = [
    [['--parallel', '0'], /--parallel must be an integer ≥ 1, got `0`/],
    [['--index', '9'], /--index 9 is out of range: the sweep of .* has 2 runs \(0–1\)/],
    [['--index', '0', '--expect-id', 'abcdefabcdef'], /run 0 of .* is [0-9a-f]{12}, not abcdefabcdef: the program or its overrides changed/],
    [['--emit', 'pbs'], /argument 'pbs' is invalid/],
    [['--queue', 'http://localhost'], /--queue: expected redis:\/\/HOST:PORT/],
    [['--queue', 'redis://127.0.0.1:1'], /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/],
    [['--expect-id', 'x'], /--expect-id needs --index/],
  ];
  for (const [args, re] of cases) {
    const r = subnet(['sweep', p.file, '--out', p.out, ...args], {}, TIMEOUT);
    assert.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.not.match(r.stderr, /\n\s+at /);
  }
});

test.run();
