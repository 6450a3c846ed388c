// Every example program plans: the first and the last run of each experiment lower to a Plan
// (for WebGPU's default limits; the ImageNet-scale ones for a large GPU's), with the parameter
// counts of the paper's networks and bounded dispatch counts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfig } from '../../compiler/plan/config.js';
import { compileProgram } from '../../compiler/frontend/frontend.js';
import { lower } from '../../compiler/lower/index.js';
import { DEFAULT_LIMITS, type TargetLimits } from '../../compiler/plan/plan.js';
import { nodeHost } from '../../runtime/session/host.js';
import { ROOT } from '../helpers/cli.js';

/** What an H200 class adapter offers through Dawn (bindings up to 2 GiB). */
const BIG_GPU: TargetLimits = { ...DEFAULT_LIMITS, maxStorageBufferBindingSize: 2 ** 31 - 4, maxBufferSize: 2 ** 40 };

const PARAMS: Record<string, number> = {
  FC: 266200,
  Conv2: 4300992,
  Conv4: 2425024,
  Conv6: 2261184,
  Conv8: 5275840,
};

const dir = join(ROOT, 'examples');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.subnet'))) {
  test(`${file}: first and last run of every experiment plan`, () => {
    const r = compileProgram(join(dir, file), nodeHost({ ...process.env, CIFAR10_DIR: '/nonexistent' }));
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const limits = /imagenet/.test(file) ? BIG_GPU : DEFAULT_LIMITS;
    for (const e of r.experiments) {
      for (const run of [e.runs[0], e.runs[e.runs.length - 1]]) {
        const cfg = run.config as RunConfig;
        const plan = lower(cfg, run.id, limits);
        const s = plan.stats;
        assert.ok(s.dispatchesPerTrainStep > 0 && s.dispatchesPerTrainStep < s.unfusedDispatchesPerTrainStep, `${e.name}: ${s.dispatchesPerTrainStep} dispatches`);
        const net = cfg.model.network;
        const width = cfg.model.args.width ?? 1;
        const paperInput = net === 'FC' ? '1,28,28' : '3,32,32';
        if (PARAMS[net] !== undefined && width === 1 && cfg.model.input.join() === paperInput) assert.is(s.params, PARAMS[net], `${e.name}: ${net} params`);
        if (net === 'ResNet50' && width === 1) assert.ok(Math.abs(s.params - 25.5e6) < 0.1e6, `ResNet-50 params ${s.params}`);
        const kept = s.layers.reduce((a, l) => a + l.kept, 0);
        assert.is(kept, s.keptParams);
      }
    }
  });
}

test.run();
