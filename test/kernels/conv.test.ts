// Implicit-GEMM convolution kernels against the reference ops: kernel sizes 1, 3 and 7, strides
// 1 and 2, padding, channel counts that are not multiples of 4, 1×1 maps, batch 1; masked and
// plain weights; every epilogue; split-K with its deterministic reduction.
import { suite } from 'uvu';
import type { ConvShape, ConvTile } from '../../compiler/kernels/conv.js';
import * as C from '../../runtime/reference/conv-ops.js';
import { dwMatchesReference, dxMatchesReference, fwdMatchesReference } from '../helpers/conv-checks.js';

function shape(B: number, Ci: number, H: number, W: number, Co: number, K: number, stride: number, pad: number): ConvShape {
  const g = C.convGeom(B, Ci, H, W, Co, K, stride, pad);
  return { ...g };
}

const SHAPES: ConvShape[] = [
  shape(2, 3, 7, 5, 5, 3, 1, 1),
  shape(1, 4, 9, 9, 6, 3, 2, 1),
  shape(3, 2, 7, 7, 3, 7, 2, 3),
  shape(2, 5, 1, 1, 7, 1, 1, 0),
  shape(2, 6, 6, 6, 4, 1, 2, 0),
  shape(1, 7, 4, 6, 9, 3, 1, 1),
];
const TILES: ConvTile[] = [
  { tm: 4, tn: 4, wx: 8, wy: 8 },
  { tm: 2, tn: 4, wx: 16, wy: 4 },
];
const label = (s: ConvShape) => `B${s.B} ${s.Ci}→${s.Co} ${s.H}x${s.W} k${s.K} s${s.stride} p${s.pad}`;

const fwd = suite('conv forward');
SHAPES.forEach((s, n) => {
  const tile = TILES[n % 2];
  const isMasked = n % 2 === 0;
  const relu = n % 3 !== 0;
  fwd(`${label(s)}${isMasked ? ' masked' : ''}${relu ? ' +relu' : ''}`, () => fwdMatchesReference(s, tile, isMasked, relu, n));
});
fwd.run();

const dx = suite('conv backward data');
SHAPES.forEach((s, n) => {
  const tile = TILES[(n + 1) % 2];
  const isMasked = n % 2 === 1;
  const reluMask = n % 3 !== 1;
  dx(`${label(s)}${isMasked ? ' masked' : ''}${reluMask ? ' +relu mask' : ''}`, () => dxMatchesReference(s, tile, isMasked, reluMask, n));
});
dx.run();

const dw = suite('conv backward weights + optimiser (split-K and not)');
SHAPES.forEach((s, n) => {
  const tile = TILES[n % 2];
  const splits = n % 2 === 0 ? 1 : 3;
  const score = n % 3 !== 2;
  dw(`${label(s)} split ${splits} ${score ? 'scores' : 'weights'}`, () => dwMatchesReference(s, tile, splits, score, n));
});
dw.run();
