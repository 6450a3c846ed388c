// Default tiles: on a CPU adapter a large register tile only where the run is long enough to
// repay its LLVM compile; small tiles on GPUs, for small kernels and for short runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../compiler/lower/index.js';
import { DEFAULT_LIMITS } from '../../compiler/plan/plan.js';
import type { MatmulTile } from '../../compiler/kernels/matmul.js';
import { defaultTile, repaysLargeTile, tileCandidates, type TileRequest } from '../../compiler/kernels/tiles.js';
import { CIFAR, networkConfig } from '../helpers/networks.js';

// Conv4's second convolution, dx pass, at batch 128: 64 × 131072 × 576 multiply-adds.
const convDx: TileRequest = {
  family: 'conv',
  spec: { pass: 'dx', shape: { B: 128, Ci: 64, H: 32, W: 32, Co: 64, K: 3, stride: 1, pad: 1, OH: 32, OW: 32 }, epilogue: { kind: 'store' } },
};
const small = { tm: 4, tn: 4, wx: 16, wy: 4 };

test('a CPU adapter takes the large tile for a long run and the small one for a short run', () => {
  assert.equal(defaultTile(convDx, 'cpu'), { tm: 8, tn: 16, wx: 8, wy: 1 });
  assert.equal(defaultTile(convDx, 'cpu', 2000), { tm: 8, tn: 16, wx: 8, wy: 1 });
  assert.equal(defaultTile(convDx, 'cpu', 3), small);
  assert.equal(defaultTile(convDx, 'gpu'), small);
  assert.ok(repaysLargeTile(convDx, 2000) && !repaysLargeTile(convDx, 3));
});

test('a CPU adapter with 8-lane subgroups takes the broadcast convolutions for a long run only', () => {
  assert.equal(defaultTile(convDx, 'cpu', Infinity, 8), { tm: 16, tn: 8, wx: 8, wy: 1, row: true, broadcast: true });
  const convDw: TileRequest = { family: 'conv', spec: { ...convDx.spec, pass: 'dw', epilogue: { kind: 'store' } } } as TileRequest;
  assert.equal(defaultTile(convDw, 'cpu', Infinity, 8), { tm: 8, tn: 6, wx: 8, wy: 1, row: true, broadcast: true });
  const narrow = { family: 'conv', spec: { ...convDw.spec, shape: { ...convDx.spec.shape, H: 16, W: 16, OH: 16, OW: 16 } } } as TileRequest;
  assert.equal(defaultTile(narrow, 'cpu', Infinity, 8), { tm: 8, tn: 6, wx: 8, wy: 1, row: true, broadcast: true });
  const strided = { family: 'conv', spec: { ...convDw.spec, shape: { ...convDx.spec.shape, stride: 2, OH: 16, OW: 16 } } } as TileRequest;
  assert.equal(defaultTile(strided, 'cpu', Infinity, 8), { tm: 16, tn: 8, wx: 8, wy: 1, broadcast: true });
  assert.equal(defaultTile(convDx, 'cpu', 3, 8), small);
  assert.equal(defaultTile(convDx, 'gpu', Infinity, 8), small);
  assert.equal(defaultTile(convDx, 'cpu', Infinity, 16), { tm: 8, tn: 16, wx: 8, wy: 1 });
});

test('lowering picks the broadcast kernels only where the device has 8-lane subgroups', () => {
  const cfg = networkConfig('Conv4(width: 0.25)', CIFAR, 4);
  const withLanes = lower(cfg, 'long', { ...DEFAULT_LIMITS, adapterClass: 'cpu', subgroupSize: 8 }, { tileSteps: 1e6 });
  const rows = withLanes.kernels.filter((k) => k.wgsl.includes('(row)'));
  assert.ok(rows.length >= 4, `${rows.length} row kernels`);
  assert.ok(withLanes.kernels.every((k) => !k.wgsl.includes('subgroupBroadcast') || k.wgsl.startsWith('enable subgroups;')));
  // Tiles recorded on such a device, lowered for one without subgroups: the implicit GEMM again.
  const without = lower(cfg, 'long', { ...DEFAULT_LIMITS, adapterClass: 'cpu' }, { tileSteps: 1e6, tiles: withLanes.tuning.tiles });
  assert.ok(without.kernels.every((k) => !k.wgsl.includes('subgroups')));
});

// FC's first layer at batch 128: forward (mk × nk), and its weight gradient (km × kn).
const fcFwd: TileRequest = { family: 'matmul', spec: { M: 128, N: 300, K: 784, a: 'mk', b: 'nk', epilogue: { kind: 'relu' } } };
const fcDw: TileRequest = {
  family: 'matmul',
  spec: { M: 300, N: 784, K: 128, a: 'km', b: 'kn', epilogue: { kind: 'optim', score: 'sign', optim: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 } } },
};

test('a CPU adapter with 8-lane subgroups takes the broadcast matmul tiles for a long run only', () => {
  const broadcast = (t: unknown) => (t as MatmulTile).broadcast === true;
  assert.ok(broadcast(defaultTile(fcFwd, 'cpu', Infinity, 8)));
  assert.ok(broadcast(defaultTile(fcDw, 'cpu', Infinity, 8)));
  // A quickstart-length run: below the tuning threshold, but long enough for a large tile.
  assert.ok(broadcast(defaultTile(fcDw, 'cpu', 5000, 8)));
  assert.equal(defaultTile(fcFwd, 'cpu', 3, 8), { tm: 4, tn: 4, wx: 8, wy: 8 });
  assert.equal(defaultTile(fcFwd, 'gpu', Infinity, 8), { tm: 4, tn: 4, wx: 8, wy: 8 });
  assert.equal(defaultTile(fcFwd, 'cpu', Infinity, 16), { tm: 8, tn: 4, wx: 8, wy: 1, acc: 'scalar' });
  assert.equal(defaultTile(fcFwd, 'cpu', Infinity), { tm: 8, tn: 4, wx: 8, wy: 1, acc: 'scalar' });
  // Every candidate on such a device is a broadcast tile of one subgroup; none elsewhere.
  for (const r of [fcFwd, fcDw]) {
    const c = tileCandidates(r, 'cpu', 8) as MatmulTile[];
    assert.ok(c.length >= 3 && c.every((t) => t.broadcast && t.wx === 8 && t.wy === 1), JSON.stringify(c));
    assert.ok((tileCandidates(r, 'cpu') as MatmulTile[]).every((t) => !t.broadcast));
  }
});

test('lowering FC gives broadcast matmuls only where the device has 8-lane subgroups', () => {
  const cfg = networkConfig('FC()', 'synthetic(shape: [1, 28, 28], classes: 10, n: 8, test_n: 4)', 128);
  const withLanes = lower(cfg, 'long', { ...DEFAULT_LIMITS, adapterClass: 'cpu', subgroupSize: 8 }, { tileSteps: 1e6 });
  const bc = withLanes.kernels.filter((k) => k.wgsl.includes('subgroupBroadcast'));
  assert.ok(bc.length >= 2, `${bc.length} broadcast kernels`);
  assert.ok(bc.every((k) => k.wgsl.startsWith('enable subgroups;') && k.wgsl.includes('matmul')));
  const without = lower(cfg, 'long', { ...DEFAULT_LIMITS, adapterClass: 'cpu' }, { tileSteps: 1e6, tiles: withLanes.tuning.tiles });
  assert.ok(without.kernels.every((k) => !k.wgsl.includes('subgroups')));
});

test('lowering counts the run: a 2-step Conv4 on a CPU adapter has no large tile, a long one does', () => {
  const cpu = { ...DEFAULT_LIMITS, adapterClass: 'cpu' as const };
  const cfg = networkConfig('Conv4(width: 0.25)', CIFAR, 4);
  const large = (wgsl: string) => wgsl.includes('@workgroup_size(8, 1, 1)');
  const short = lower(cfg, 'short', cpu).kernels.filter((k) => large(k.wgsl));
  assert.is(short.length, 0, short.map((k) => k.name).join(', '));
  const long = lower(cfg, 'long', cpu, { tileSteps: 1e6 }).kernels.filter((k) => large(k.wgsl));
  assert.ok(long.length >= 6, `${long.length} large-tile kernels`);
});

test.run();
