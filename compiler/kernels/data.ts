// Batch loading from the device-resident dataset: image = perm[batch_start + b] (train) or
// batch_start + b (test); pixels are bytes packed four to a u32 word, normalised per channel as
// x = byte·a_c + b_c with a_c = 1/(255·std_c) and b_c = −mean_c/std_c (both f32, computed once on
// the host). Rows past `valid` (the last, partial batch) are zero. Optional zero padding to a
// larger square side (padTo) places the image in the centre.
//
// Training batches may be augmented, as torchvision's RandomCrop(size, padding=pad) followed by
// RandomHorizontalFlip(): the image (after padTo) is padded with black pixels (byte 0, so the
// padding normalises to −mean/std, as the reference pads before ToTensor/Normalize), cropped
// back to its size at offsets (dy, dx) uniform in [0, 2·pad], then mirrored with probability ½.
// The draws are one Philox block per example: key = seed, counter = (image index in the dataset,
// 0, Stream.augment, epoch), so they depend on (seed, epoch, image) only: not on the batch an
// image lands in, and the same after a resume. dy = mulhi(r.x, 2·pad+1), dx = mulhi(r.y, 2·pad+1),
// flip = top bit of r.z (runtime/reference/batch.ts draws the same).
//
// A dataset larger than maxStorageBufferBindingSize (CIFAR-10's 50,000 × 3,072 bytes) is split
// into shards of whole images, one buffer and one binding each.
import type { Augment, Normalize } from '../plan/config.js';
import type { PlanBuffer, Plan, TargetLimits, ImageShards } from '../plan/plan.js';
import { LowerError } from '../lower/alloc.js';
import { Stream } from '../semantics/philox.js';
import { PHILOX_WGSL } from './philox.js';
import { STEP_STRUCT, declareBindings, f32lit, layoutOf, type BindingDecl } from './wgsl.js';

export interface LoadBatchSpec {
  batch: number;
  /** Stored image shape [C, H, W] (or [features]). */
  stored: number[];
  /** Output shape per example (padTo may make it larger than stored). */
  out: number[];
  normalize: Normalize;
  /** Train batches go through the epoch's permutation. */
  shuffled: boolean;
  /** Image buffers: shard s holds images [s·imagesPerShard, (s+1)·imagesPerShard). Default 1. */
  shards?: number;
  imagesPerShard?: number;
  /** Augmentations, in order (train batches only; images must be [C, H, W]). */
  augment?: Augment[];
}

export const LOAD_THREADS = 256;

/** Normalisation constants (a_c, b_c) per channel, as f32. */
export function normConstants(n: Normalize): { a: number[]; b: number[] } {
  return {
    a: n.std.map((s) => Math.fround(1 / (255 * s))),
    b: n.mean.map((m, c) => Math.fround(-m / n.std[c])),
  };
}

/** The crop padding and whether to flip, from the augmentation list. */
export function augmentParams(augment: readonly Augment[] | undefined): { pad: number; flip: boolean; any: boolean } {
  let pad = 0;
  let flip = false;
  for (const a of augment ?? []) {
    if (a.kind === 'random_crop') pad = a.pad;
    else flip = true;
  }
  return { pad, flip, any: pad > 0 || flip };
}

/** Binding names of the image shards: IMAGES, IMAGES1, IMAGES2, … */
export function shardBinding(s: number): string {
  return s === 0 ? 'IMAGES' : `IMAGES${s}`;
}

export function loadBatchKernel(spec: LoadBatchSpec) {
  const shards = spec.shards ?? 1;
  const decls: BindingDecl[] = [
    ...Array.from({ length: shards }, (_, s): BindingDecl => ({ name: shardBinding(s), access: 'read', type: 'u32' })),
    { name: 'LABELS_IN', access: 'read', type: 'u32' },
    ...(spec.shuffled ? [{ name: 'PERM', access: 'read', type: 'u32' } as BindingDecl] : []),
    { name: 'X', access: 'read_write', type: 'f32' },
    { name: 'LABELS', access: 'read_write', type: 'u32' },
    { name: 'step', access: 'uniform', type: 'Step' },
  ];
  const storedN = spec.stored.reduce((a, b) => a * b, 1);
  const outN = spec.out.reduce((a, b) => a * b, 1);
  const channels = spec.stored.length === 3 ? spec.stored[0] : 1;
  const hw = storedN / channels;
  const { a, b } = normConstants(spec.normalize);
  const normA = (c: string) => (channels === 1 ? f32lit(a[0]) : `NORM_A[${c}]`);
  const normB = (c: string) => (channels === 1 ? f32lit(b[0]) : `NORM_B[${c}]`);
  const padded = outN !== storedN;
  const aug = augmentParams(spec.augment);
  if (aug.any && spec.out.length !== 3) throw new Error('internal: augmentation needs [C, H, W] images');
  if (padded && spec.stored[0] !== spec.out[0]) throw new Error('internal: padding cannot change the channel count');

  // Output pixel p → `src`, the stored pixel (or NONE in padTo padding, or CROP in crop padding).
  let srcIndex: string;
  if (!padded && !aug.any) srcIndex = 'let src = p;';
  else {
    const [, H, W] = spec.stored;
    const [, OH, OW] = spec.out;
    const top = Math.floor((OH - H) / 2);
    const left = Math.floor((OW - W) / 2);
    const lines = [`let c = p / ${OH * OW}u; let oy = (p / ${OW}u) % ${OH}u; let ox = p % ${OW}u;`];
    if (aug.any) {
      const span = 2 * aug.pad + 1;
      lines.push(
        `let r = philox(vec4u(image, 0u, ${Stream.augment}u, step.epoch), vec2u(step.seed_lo, step.seed_hi));`,
        aug.flip ? `let fx = select(ox, ${OW - 1}u - ox, (r.z >> 31u) != 0u);` : 'let fx = ox;',
        `let cy = i32(oy) + i32(philox_mulhi(r.x, ${span}u)) - ${aug.pad};`,
        `let cx = i32(fx) + i32(philox_mulhi(r.y, ${span}u)) - ${aug.pad};`,
        `let in_canvas = cy >= 0 && cy < ${OH} && cx >= 0 && cx < ${OW};`,
        'let y = u32(max(cy, 0)); let x = u32(max(cx, 0));',
      );
    } else lines.push('let y = oy; let x = ox;');
    lines.push(
      padded
        ? `let inside = y >= ${top}u && y < ${top + H}u && x >= ${left}u && x < ${left + W}u;
    let stored_src = select(NONE, c * ${H * W}u + (y - ${top}u) * ${W}u + (x - ${left}u), inside);`
        : `let stored_src = c * ${H * W}u + y * ${W}u + x;`,
      aug.any ? 'let src = select(stored_src, CROP, !in_canvas);' : 'let src = stored_src;',
    );
    srcIndex = lines.join('\n    ');
  }

  // Reading byte `src` of image `image`, from whichever shard holds it.
  let readByte: string;
  if (shards === 1) {
    readByte = `fn read_byte(image: u32, src: u32) -> u32 {
  let bi = image * ${storedN}u + src;
  return (IMAGES[bi >> 2u] >> ((bi & 3u) * 8u)) & 255u;
}`;
  } else {
    const per = spec.imagesPerShard;
    if (!per || per <= 0) throw new Error('internal: sharded images need imagesPerShard');
    const pick = Array.from({ length: shards }, (_, s) => {
      const body = `w = ${shardBinding(s)}[bi >> 2u];`;
      if (s === shards - 1) return `{ ${body} }`;
      return `if (shard == ${s}u) { ${body} }`;
    }).join(' else ');
    readByte = `fn read_byte(image: u32, src: u32) -> u32 {
  let shard = image / ${per}u;
  let bi = (image - shard * ${per}u) * ${storedN}u + src;
  var w = 0u;
  ${pick}
  return (w >> ((bi & 3u) * 8u)) & 255u;
}`;
  }

  const wgsl = `// load batch: ${spec.batch} × [${spec.out.join(', ')}]${spec.shuffled ? ' through the permutation' : ''}${shards > 1 ? `, ${shards} image shards` : ''}${aug.any ? `, augmented (crop pad ${aug.pad}${aug.flip ? ', hflip' : ''})` : ''}
${declareBindings(decls)}
${STEP_STRUCT}
${aug.any ? PHILOX_WGSL : ''}
${padded ? 'const NONE = 0xffffffffu;' : ''}
${aug.any ? 'const CROP = 0xfffffffeu;' : ''}
${channels > 1 ? `const NORM_A = array<f32, ${channels}>(${a.map(f32lit).join(', ')});\nconst NORM_B = array<f32, ${channels}>(${b.map(f32lit).join(', ')});` : ''}
${readByte}
@compute @workgroup_size(${LOAD_THREADS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let total = ${spec.batch * outN}u;
  let stride = nwg.x * ${LOAD_THREADS}u;
  for (var e = gid.x; e < total; e = e + stride) {
    let row = e / ${outN}u;
    let p = e % ${outN}u;
    if (row >= step.valid) {
      X[e] = 0.0;
      if (p == 0u) { LABELS[row] = 0u; }
      continue;
    }
    let image = ${spec.shuffled ? 'PERM[step.batch_start + row]' : 'step.batch_start + row'};
    ${srcIndex}
    ${padded ? 'if (src == NONE) { X[e] = 0.0; } else ' : ''}${aug.any ? `if (src == CROP) { X[e] = ${normB('c')}; } else ` : ''}{
      let byte = read_byte(image, src);
      X[e] = f32(byte) * ${normA(`src / ${hw}u`)} + ${normB(`src / ${hw}u`)};
    }
    if (p == 0u) { LABELS[row] = LABELS_IN[image]; }
  }
}
`;
  const workgroups = Math.min(65535, Math.ceil((spec.batch * outN) / LOAD_THREADS / 4));
  return {
    wgsl,
    bindings: decls.map((d) => d.name),
    layout: layoutOf(decls),
    workgroupSize: [LOAD_THREADS, 1, 1] as [number, number, number],
    workgroups: [Math.max(1, workgroups), 1, 1] as [number, number, number],
  };
}

/** How many whole images fit one binding, and how many shards `n` images need. */
export function shardLayout(n: number, imageBytes: number, limits: TargetLimits): { shards: number; imagesPerShard: number } {
  const limit = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 4) * 4;
  const fit = Math.floor(limit / imageBytes);
  if (fit < 1) throw new LowerError('E0601', `one image of ${imageBytes} bytes is over this adapter's maxStorageBufferBindingSize of ${limits.maxStorageBufferBindingSize} bytes`);
  const shards = Math.max(1, Math.ceil(n / fit));
  // Even shards (the last one is not left nearly empty).
  return { shards, imagesPerShard: Math.ceil(n / shards) };
}

interface BufferList {
  readonly list: PlanBuffer[];
  readonly limits: TargetLimits;
  add(b: PlanBuffer): number;
}

/**
 * Splits a split's image buffer into shards when it is over the binding limit: the buffer the
 * plan already has becomes shard 0 and the others are added after it. Records the layout in
 * `data` so the runtime uploads each shard. Idempotent.
 */
export function shardImages(bufs: BufferList, data: Plan['data'], split: 'train' | 'test', n: number, imageBytes: number, otherBindings: number): ImageShards {
  const key = split === 'train' ? 'trainImageShards' : 'testImageShards';
  const have = data[key];
  if (have) return have;
  const first = split === 'train' ? data.trainImages : data.testImages;
  const { shards, imagesPerShard } = shardLayout(n, imageBytes, bufs.limits);
  const budget = bufs.limits.maxStorageBuffersPerShaderStage - otherBindings;
  if (shards > budget) {
    throw new LowerError(
      'E0601',
      `the ${split} images (${n} × ${imageBytes} bytes) need ${shards} bindings of at most ${bufs.limits.maxStorageBufferBindingSize} bytes; this adapter allows ${budget} besides the loader's other ${otherBindings}`,
    );
  }
  const bytes = (count: number) => Math.max(16, Math.ceil((count * imageBytes) / 4) * 4);
  const buffers = [first];
  if (shards > 1) {
    const name = bufs.list[first].name;
    bufs.list[first].size = bytes(imagesPerShard);
    for (let s = 1; s < shards; s++) {
      const count = Math.min(imagesPerShard, n - s * imagesPerShard);
      buffers.push(bufs.add({ name: `${name}${s}`, size: bytes(count), role: 'data' }));
    }
  }
  const out: ImageShards = { buffers, imagesPerShard };
  data[key] = out;
  return out;
}
