// `subnet sweep --emit slurm`: the sbatch array script by content, and a dry run of the script
// itself for several array indices (each must select the run at that position of the sweep,
// checked against `--dry-run`), plus its refusals (no index, an index past the end, a program
// that changed since the script was written).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, subnet } from '../helpers/cli.js';
import { tinyProgram } from './proc.js';

const dir = mkdtempSync(join(tmpdir(), 'subnet-slurm-'));
const file = join(dir, 'grid.subnet');
const out = join(dir, 'runs');
writeFileSync(file, tinyProgram({ sweeps: ['sweep mask.keep in [30%, 50%, 70%]', 'sweep model.width in [1, 2]'] }));
const SET = ['--set', 'train.epochs=1', '--set', 'optimizer.lr=0.05'];

function expected(): { index: number; run_id: string; axes: Record<string, string>; status: string }[] {
  const r = subnet(['sweep', file, '--out', out, ...SET, '--dry-run', '--json']);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

function emit(pack = 'off'): string {
  const r = subnet(['sweep', file, '--out', out, ...SET, '--emit', 'slurm', '--parallel', '4', '--pack', pack]);
  assert.is(r.code, 0, r.stderr);
  const path = r.stdout.trim();
  assert.is(path, join(out, 'grid.sbatch'));
  return path;
}

function task(script: string, index: string | undefined, extra: string[] = []) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), NO_COLOR: '1', SUBNET: `${process.execPath} ${join(ROOT, 'bin', 'subnet.mjs')}` };
  if (index === undefined) delete env.SLURM_ARRAY_TASK_ID;
  else env.SLURM_ARRAY_TASK_ID = index;
  const r = spawnSync('bash', [script, ...extra], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the script: one array task per run, at most N at once, the same overrides, index → id table', () => {
  const runs = expected();
  assert.is(runs.length, 12);
  const text = readFileSync(emit(), 'utf8');
  assert.match(text, /^#!\/bin\/bash\n/);
  assert.match(text, /^#SBATCH --array=0-11%4$/m);
  assert.match(text, /^#SBATCH --job-name=subnet-grid$/m);
  assert.match(text, new RegExp(`^#SBATCH --output=${out}/slurm-%A_%a\\.out$`, 'm'));
  assert.match(text, /^#SBATCH --gres=gpu:1$/m);
  assert.match(text, new RegExp(`^IDS=\\(${runs.map((r) => r.run_id).join(' ')}\\)$`, 'm'));
  for (const r of runs) assert.match(text, new RegExp(`^#\\s+${r.index}  ${r.run_id}  tiny  mask\\.keep=${r.axes['mask.keep']} model\\.width=${r.axes['model.width']} seed=${r.axes.seed}$`, 'm'));
  assert.match(text, new RegExp(`exec \\$SUBNET sweep ${file} --out ${out} --set train\\.epochs=1 --set optimizer\\.lr=0\\.05 --index "\\$INDEX" --expect-id "\\$\\{IDS\\[\\$INDEX\\]\\}" "\\$@"`));
  const syntax = spawnSync('bash', ['-n', join(out, 'grid.sbatch')], { encoding: 'utf8' });
  assert.is(syntax.status, 0, syntax.stderr);
});

test('dry run of the mapping: array index i runs exactly run i', () => {
  const runs = expected();
  const script = emit();
  for (const i of [0, 5, 11]) {
    const r = task(script, String(i), ['--dry-run', '--json']);
    assert.is(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout.trim());
    assert.equal([got.index, got.run_id, got.axes], [i, runs[i].run_id, runs[i].axes]);
  }
});

test('the script refuses a missing or out-of-range index and a changed program', () => {
  const script = emit();
  const none = task(script, undefined, ['--dry-run']);
  assert.is(none.code, 1);
  assert.match(none.stderr, /run this script with sbatch, or set SLURM_ARRAY_TASK_ID/);
  const past = task(script, '12', ['--dry-run']);
  assert.is(past.code, 1);
  assert.match(past.stderr, /array index 12 is outside 0-11/);
  // The program changes after the script was written: task 3 now names another run.
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, original.replace('momentum: 0.9', 'momentum: 0.8'));
    const changed = task(script, '3', ['--dry-run']);
    assert.is(changed.code, 1);
    assert.match(changed.stderr, /the program or its overrides changed since the script was written/);
  } finally {
    writeFileSync(file, original);
  }
});

test('with --pack: one array task per pack, and each task trains its pack', () => {
  const runs = expected();
  const script = emit('auto'); // packs as a GPU node trains them: keeps × seeds share kernels, widths do not
  const text = readFileSync(script, 'utf8');
  assert.match(text, /^#SBATCH --array=0-1%4$/m);
  const tasks = /^RUNS=\((.*)\)$/m.exec(text)![1].split(' ').map((t) => t.split(',').map(Number));
  assert.is(tasks.length, 2);
  assert.equal(tasks.flat().sort((a, b) => a - b), runs.map((r) => r.index));
  for (const t of tasks) assert.is(new Set(t.map((i) => runs[i].axes['model.width'])).size, 1, 'a pack holds one width');
  assert.match(text, /--pack 6 --index "\$\{RUNS\[\$TASK\]\}" --expect-id "\$\{IDS\[\$TASK\]\}" "\$@"/);
  const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.is(syntax.status, 0, syntax.stderr);
  // Task 1's dry run lists exactly its runs, as one pack.
  const r = task(script, '1', ['--dry-run', '--json']);
  assert.is(r.code, 0, r.stderr);
  const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(got.map((g) => g.index), tasks[1]);
  assert.equal(got.map((g) => g.run_id), tasks[1].map((i) => runs[i].run_id));
  if (!/a CPU adapter/.test(r.stderr)) assert.ok(got.every((g) => g.pack === 1), r.stderr);
  // A task trains its pack: every run of task 0 complete, nothing else.
  const t0 = task(script, '0');
  assert.is(t0.code, 0, t0.stderr);
  assert.match(t0.stderr, /6 runs: 6 complete\. 6 trained packed, in 1 pack\./);
  for (const r2 of expected()) assert.is(r2.status, tasks[0].includes(r2.index) ? 'complete' : 'to do', r2.run_id);
});

test.run();
