// The direct row convolution (compiler/kernels/conv-row.ts), forward and dX, against the
// reference ops: kernel sizes 1, 3 and 5, padding 0 to 2, widths that no tile divides, channel
// counts below and past a tile and past the 8 broadcast lanes, masked and plain weights, every
// epilogue; with the subgroup broadcast of the weights (when the adapter has 8-lane subgroups)
// and without. The summation order differs from the implicit GEMM's only within a channel's
// taps, so the same tolerance as test/kernels/conv.test.ts holds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { convKernel, type ConvShape, type ConvTile } from '../../compiler/kernels/conv.js';
import { rowConvApplies } from '../../compiler/kernels/conv-row.js';
import * as C from '../../runtime/reference/conv-ops.js';
import { gpu } from '../helpers/gpu.js';
import { dwMatchesReference, dxMatchesReference, fwdMatchesReference } from '../helpers/conv-checks.js';

function shape(B: number, Ci: number, H: number, W: number, Co: number, K: number, pad: number): ConvShape {
  return { ...C.convGeom(B, Ci, H, W, Co, K, 1, pad) };
}

const SHAPES: ConvShape[] = [
  shape(2, 3, 7, 5, 5, 3, 1),
  shape(1, 7, 4, 6, 9, 3, 1),
  shape(2, 5, 1, 1, 7, 1, 0),
  shape(1, 4, 9, 11, 6, 5, 2),
  shape(2, 6, 8, 10, 10, 3, 0),
  shape(3, 2, 5, 13, 3, 3, 2),
];
const TILES: ConvTile[] = [
  { tm: 16, tn: 8, wx: 8, wy: 1, row: true, broadcast: true },
  { tm: 3, tn: 5, wx: 8, wy: 1, row: true, broadcast: true },
  { tm: 4, tn: 4, wx: 8, wy: 1, row: true, broadcast: true },
  { tm: 2, tn: 4, wx: 16, wy: 4, row: true },
];
const label = (s: ConvShape, t: ConvTile) => `B${s.B} ${s.Ci}→${s.Co} ${s.H}x${s.W} k${s.K} p${s.pad}, ${t.tm}×${t.tn}${t.broadcast ? ' broadcast' : ''}`;

/** Broadcast tiles need 8-lane subgroups; other adapters skip them (the lowering never picks them there). */
async function usable(t: ConvTile): Promise<boolean> {
  return !t.broadcast || (await gpu()).limits.subgroupSize === 8;
}

const fwd = suite('row conv forward');
SHAPES.forEach((s, n) => {
  TILES.forEach((tile, ti) => {
    const isMasked = (n + ti) % 2 === 0;
    const relu = (n + ti) % 3 !== 0;
    fwd(`${label(s, tile)}${isMasked ? ' masked' : ''}${relu ? ' +relu' : ''}`, async () => {
      if (!(await usable(tile))) return;
      await fwdMatchesReference(s, tile, isMasked, relu, n, (wgsl) => assert.ok(wgsl.includes('(row)'), 'the row kernel'));
    });
  });
});
fwd.run();

const dx = suite('row conv backward data');
SHAPES.forEach((s, n) => {
  TILES.forEach((tile, ti) => {
    const isMasked = (n + ti) % 2 === 1;
    const reluMask = (n + ti) % 3 !== 1;
    dx(`${label(s, tile)}${isMasked ? ' masked' : ''}${reluMask ? ' +relu mask' : ''}`, async () => {
      if (!(await usable(tile))) return;
      await dxMatchesReference(s, tile, isMasked, reluMask, n, (wgsl) => assert.ok(wgsl.includes('(row)'), 'the row kernel'));
    });
  });
});
dx.run();

// The dw pass keeps the implicit GEMM; with `broadcast` its output-gradient operand is loaded
// once per 8 lanes. Strided shapes too: dw broadcasts at any stride. Small tiles (one and two
// broadcast groups): a large dw tile with its optimiser epilogue takes lavapipe a minute to compile.
const dw = suite('broadcast conv backward weights + optimiser (split-K and not)');
const DW_SHAPES: ConvShape[] = [...SHAPES, { ...C.convGeom(1, 4, 9, 9, 6, 3, 2, 1) }, { ...C.convGeom(3, 2, 7, 7, 3, 7, 2, 3) }];
const DW_TILES: ConvTile[] = [
  { tm: 16, tn: 2, wx: 8, wy: 1, broadcast: true },
  { tm: 3, tn: 4, wx: 8, wy: 1, broadcast: true },
  { tm: 9, tn: 3, wx: 8, wy: 1, broadcast: true },
  // The row dw (kernels/conv-dw-row.ts) where tn is a multiple of K and the stride 1; else the above.
  { tm: 8, tn: 6, wx: 8, wy: 1, row: true, broadcast: true },
  { tm: 3, tn: 3, wx: 8, wy: 1, row: true, broadcast: true },
  { tm: 9, tn: 5, wx: 8, wy: 1, row: true, broadcast: true },
];
DW_SHAPES.forEach((s, n) => {
  DW_TILES.forEach((tile, ti) => {
    const splits = (n + ti) % 2 === 0 ? 1 : 3;
    const score = (n + ti) % 3 !== 2;
    dw(`${label(s, tile)}${tile.row ? ' row' : ''} s${s.stride} split ${splits} ${score ? 'scores' : 'weights'}`, async () => {
      if (!(await usable(tile))) return;
      await dwMatchesReference(s, tile, splits, score, n, (wgsl) => {
        assert.ok(wgsl.includes('subgroupBroadcast'), 'the broadcast loader');
        assert.is(wgsl.includes('(row)'), !!tile.row && s.stride === 1 && tile.tn % s.K === 0, 'the row dw where it applies');
      });
    });
  });
});

dw.run();

const scope = suite('row conv scope');
scope('strided convolutions and the dW pass keep the implicit GEMM', () => {
  const strided = { ...C.convGeom(1, 4, 9, 9, 6, 3, 2, 1) };
  assert.not.ok(rowConvApplies({ pass: 'fwd', shape: strided }));
  assert.not.ok(rowConvApplies({ pass: 'dw', shape: SHAPES[0] }));
  const tile = TILES[0];
  const k = convKernel({ pass: 'fwd', shape: strided, epilogue: { kind: 'store' }, tile });
  assert.not.ok(k.wgsl.includes('(row)'));
});
scope('a grid too long for the row segments falls back to the implicit GEMM', () => {
  const tall = shape(64, 1, 1024, 65, 1, 3, 1);
  const k = convKernel({ pass: 'fwd', shape: tall, epilogue: { kind: 'store' }, tile: TILES[0] });
  assert.not.ok(k.wgsl.includes('(row)'));
  assert.not.ok(k.wgsl.includes('subgroups'));
});
scope.run();
