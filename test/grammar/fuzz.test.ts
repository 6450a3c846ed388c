// Robustness: damaged programs (tokens and characters deleted, duplicated, swapped) always end
// in diagnostics or a valid program: no exception, no hang, every span inside its source, and
// the formatter stays idempotent on whatever still parses. 10,000 cases in total; each case has
// a time bound enforced from outside the worker that runs it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';

const CASE_LIMIT_MS = 5_000;

function fuzz(runs: number, seed: number): Promise<{ count: number; slowest: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: { runs, seed } });
    let last = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error(`a case ran longer than ${CASE_LIMIT_MS} ms:\n${last}`));
      }, CASE_LIMIT_MS);
    };
    arm();
    worker.on('message', (m: { type: string; text?: string; message?: string; count?: number; slowest?: number }) => {
      if (m.type === 'case') {
        last = m.text!;
        arm();
      } else if (m.type === 'done') {
        clearTimeout(timer);
        resolve({ count: m.count!, slowest: m.slowest! });
      } else {
        clearTimeout(timer);
        reject(new Error(`${m.message}\n--- last case:\n${last}`));
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test('10,000 mutated programs', async () => {
  // Two workers share the cases (two cores); fixed seeds keep failures reproducible.
  const results = await Promise.all([fuzz(5_000, 20251128), fuzz(5_000, 42)]);
  const total = results.reduce((n, r) => n + r.count, 0);
  assert.is(total, 10_000);
  console.log(`fuzz: ${total} cases, slowest ${Math.max(...results.map((r) => r.slowest)).toFixed(0)} ms`);
});

test.run();
