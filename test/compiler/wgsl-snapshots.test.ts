// WGSL snapshots: every kernel that FC edge-popup, FC supermask and a Conv2 program lower to, as
// one file per program under test/snapshots/. A change to code generation shows up as a diff of
// the shader text in review. Regenerate after a deliberate change with
//   SUBNET_UPDATE_SNAPSHOTS=1 node scripts/test.mjs compiler/wgsl-snapshots
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunConfig } from '../../compiler/plan/config.js';
import { compileProgram } from '../../compiler/frontend/frontend.js';
import { lower } from '../../compiler/lower/index.js';
import { DEFAULT_LIMITS } from '../../compiler/plan/plan.js';
import { nodeHost } from '../../runtime/session/host.js';
import { ROOT } from '../helpers/cli.js';

const SNAPSHOTS = join(ROOT, 'test', 'snapshots');
const update = process.env.SUBNET_UPDATE_SNAPSHOTS === '1';

function shaders(file: string, experiment?: string, adapterClass?: 'cpu'): string {
  const r = compileProgram(join(ROOT, file), nodeHost(process.env), { experiment });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const run = r.experiments[0]!.runs[0]!;
  // Default tiles (no autotune cache) and WebGPU's default limits: the snapshot must not depend
  // on the machine that produced it.
  const plan = lower(run.config as RunConfig, run.id, { ...DEFAULT_LIMITS, ...(adapterClass ? { adapterClass } : {}) });
  return plan.kernels.map((k) => `// ===== kernel ${k.name} (${k.family}) workgroup_size ${k.workgroupSize.join('x')}\n${k.wgsl.trimEnd()}\n`).join('\n');
}

const CASES: [name: string, file: string, experiment?: string, adapterClass?: 'cpu'][] = [
  ['fc-edge-popup', 'examples/quickstart.subnet'],
  // CPU adapters: large masked weights packed once per step (mask_pack kernels), other tiles.
  ['fc-edge-popup-cpu', 'examples/quickstart.subnet', undefined, 'cpu'],
  ['fc-supermask', 'examples/fmnist-trends.subnet', 'fc_supermask'],
  ['conv2-edge-popup', 'examples/fmnist-trends.subnet', 'conv_keep'],
];

for (const [name, file, experiment, adapterClass] of CASES) {
  test(`WGSL of ${file}${experiment ? ` (${experiment})` : ''}${adapterClass ? ` for a ${adapterClass} adapter` : ''} matches test/snapshots/${name}.wgsl`, () => {
    const text = shaders(file, experiment, adapterClass);
    const path = join(SNAPSHOTS, `${name}.wgsl`);
    if (update || !existsSync(path)) {
      mkdirSync(SNAPSHOTS, { recursive: true });
      writeFileSync(path, text);
      if (!update) assert.unreachable(`wrote missing snapshot ${path}; commit it and rerun`);
      return;
    }
    const want = readFileSync(path, 'utf8');
    if (text !== want) {
      const a = text.split('\n');
      const b = want.split('\n');
      const i = a.findIndex((l, j) => l !== b[j]);
      assert.unreachable(`${name}.wgsl differs at line ${i + 1}:\n  got:  ${a[i]}\n  want: ${b[i]}\n(SUBNET_UPDATE_SNAPSHOTS=1 to accept a deliberate change)`);
    }
  });
}

test.run();
