// Runs the fuzz property in a worker so the test can stop a case that hangs: before each case it
// posts the case to the parent, which kills the worker if the next message is late.
import * as fc from 'fast-check';
import { parentPort, workerData } from 'node:worker_threads';
import { checkCase, corpus, mutate, opArb } from './fuzz-cases.js';

const { runs, seed } = workerData as { runs: number; seed: number };
const files = corpus();
let count = 0;
let slowest = 0;
try {
  fc.assert(
    fc.property(fc.nat(files.length - 1), fc.array(opArb, { minLength: 1, maxLength: 3 }), (fi, ops) => {
      const text = mutate(files[fi]!, ops);
      parentPort!.postMessage({ type: 'case', text });
      const t0 = performance.now();
      const problem = checkCase(text);
      slowest = Math.max(slowest, performance.now() - t0);
      count++;
      if (problem) throw new Error(problem);
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  parentPort!.postMessage({ type: 'done', count, slowest });
} catch (e) {
  parentPort!.postMessage({ type: 'failed', message: (e as Error).message.slice(0, 4000), count });
}
