// Golden diagnostics: every fixture under test/fixtures/check states its diagnostics inline (see
// fixtures.ts), and the compiler must produce exactly those.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basename, join } from 'node:path';
import { compileFixture, diffFixture, FIXTURES, listFixtures, readFixture } from './fixtures.js';

for (const path of listFixtures(join(FIXTURES, 'check'))) {
  test(basename(path), () => {
    const fx = readFixture(path);
    const r = compileFixture(fx);
    const diff = diffFixture(fx, r);
    if (diff) assert.unreachable(`diagnostics differ for ${basename(path)}:\n${diff}`);
    const hasError = fx.expectations.some((e) => e.severity === 'error');
    const runs = r.experiments.reduce((n, x) => n + x.runs.length, 0);
    if (hasError) assert.is(runs, 0, 'a program with errors produces no runs');
  });
}

test.run();
