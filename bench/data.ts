// `npm run bench -- --data`: decoded-and-augmented images per second at 224×224 for our loader
// (runtime/data/image-feed.ts: W worker threads, RandomResizedCrop + flip drawn from Philox, on
// both decode paths: the native addon when built, and the portable WebAssembly + JS one) and for torchvision's ImageFolder + DataLoader with W worker processes and the
// reference's transforms, on the same generated ImageFolder (scripts/make-imagefolder.mjs,
// Fashion-MNIST rendered as 256×256 RGB JPEGs), in one invocation. Prints figures; asserts nothing.
//
//   npm run bench -- --data [--workers 2] [--batches 30] [--batch 64] [--images 2000] [--rounds 3] [--side 256] [--json]
// Ours stops at bytes ready for the device (normalisation is the load kernel's); torchvision's
// workers also run ToTensor + Normalize, as the reference's training loop needs them to.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConfig } from '../compiler/plan/config.js';
import { ImageFeed } from '../runtime/data/image-feed.js';
import { indexImageFolder } from '../runtime/data/image-index.js';
import { nativeJpeg } from '../runtime/data/jpeg-native.js';
import { Stream, permutation } from '../compiler/index.js';
import type { ShuffleSpec } from '../compiler/plan/plan.js';
import { median } from './rounds.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DataBenchOptions {
  workers: number;
  batches: number;
  batch: number;
  images: number;
  json: boolean;
  rounds: number;
  /** Side of the generated JPEGs (256 by default; ImageNet's average image is about 400×350). */
  side: number;
}

function folder(images: number, side: number): string {
  const out = join(tmpdir(), `subnet-bench-imagefolder-${side}-${images}`);
  if (!existsSync(join(out, 'folder', 'val'))) {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'make-imagefolder.mjs'), out, '--side', String(side), '--train', String(images), '--val', '20', '--per-shard', '100000'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make-imagefolder failed: ${r.stderr}`);
  }
  return join(out, 'folder');
}

async function ours(dir: string, o: DataBenchOptions): Promise<{ images: number; seconds: number }> {
  const ix = indexImageFolder(dir);
  const data: Extract<DataConfig, { kind: 'imagefolder' }> = {
    kind: 'imagefolder', dir, shards: '', valShards: '', size: 224, classes: ix.classes.length, trainSize: ix.train.length, testSize: ix.test.length,
    normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, augment: [{ kind: 'random_resized_crop', scale: [0.08, 1] }, { kind: 'hflip' }],
    onBad: 'stop', trainSubset: 0, testSubset: 0, padTo: 0,
  };
  const feed = new ImageFeed(data, ix.train, ix.test, o.workers);
  const steps = Math.floor(ix.train.length / o.batch);
  const warmup = 3;
  let epoch = 0;
  const shuffle: ShuffleSpec = { algorithm: 'philox-fisher-yates', seed: 0, stream: Stream.shuffle };
  let order = permutation(shuffle, epoch, ix.train.length);
  let s = 0;
  const next = async () => {
    if (s >= steps) {
      s = 0;
      order = permutation(shuffle, ++epoch, ix.train.length);
    }
    return feed.trainBatch(0, epoch, order, s++, o.batch);
  };
  try {
    for (let i = 0; i < warmup; i++) await next();
    let n = 0;
    const t0 = performance.now();
    // As the training loop: each batch's buffer goes back to the feed once it has been used.
    for (let i = 0; i < o.batches; i++) {
      const b = await next();
      n += b.valid;
      feed.recycle(b);
    }
    return { images: n, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await feed.close();
  }
}

function torchvision(dir: string, o: DataBenchOptions): { images_per_second: number; torch: string } | { error: string } {
  const py = process.env.SUBNET_PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(py, [join(ROOT, 'bench', 'torchvision_loader.py'), join(dir, 'train'), '--workers', String(o.workers), '--batch', String(o.batch), '--batches', String(o.batches)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}


/** Our loader with the native JPEG addon (when built) or the portable path forced. */
async function oursWith(path: 'native' | 'portable', dir: string, o: DataBenchOptions) {
  const before = process.env.SUBNET_NATIVE_JPEG;
  // Worker threads copy the environment when they start, so this picks the path of this feed's pool.
  process.env.SUBNET_NATIVE_JPEG = path === 'native' ? 'require' : 'off';
  try {
    return await ours(dir, o);
  } finally {
    if (before === undefined) delete process.env.SUBNET_NATIVE_JPEG;
    else process.env.SUBNET_NATIVE_JPEG = before;
  }
}

export async function dataBench(o: DataBenchOptions): Promise<void> {
  const dir = folder(o.images, o.side);
  const paths: ('native' | 'portable')[] = nativeJpeg() ? ['native', 'portable'] : ['portable'];
  // Alternating rounds, median of each: on a shared machine the load drifts within a minute.
  const mineRates: Record<string, number[]> = { native: [], portable: [] };
  const peerRates: number[] = [];
  let peer: ReturnType<typeof torchvision> = { error: 'not run' };
  for (let round = 0; round < o.rounds; round++) {
    for (const path of paths) {
      const mine = await oursWith(path, dir, o);
      mineRates[path]!.push(mine.images / mine.seconds);
    }
    peer = torchvision(dir, o);
    if ('error' in peer) break;
    peerRates.push(peer.images_per_second);
  }
  if (!('error' in peer)) peer = { ...peer, images_per_second: median(peerRates) };
  const theirs = 'error' in peer ? null : peer.images_per_second;
  const rate = (path: string) => (mineRates[path]!.length ? median(mineRates[path]!) : null);
  const ratio = (x: number | null) => (x === null || theirs === null ? null : x / theirs);
  const row = {
    machine: `${availableParallelism()} cores`,
    workers: o.workers,
    batch: o.batch,
    size: 224,
    side: o.side,
    native_images_per_second: rate('native'),
    portable_images_per_second: rate('portable'),
    torchvision_images_per_second: theirs,
    native_ratio: ratio(rate('native')),
    portable_ratio: ratio(rate('portable')),
    peer_error: 'error' in peer ? peer.error : undefined,
    torch: 'error' in peer ? undefined : peer.torch,
    rounds: { native: mineRates.native!.map(Math.round), portable: mineRates.portable!.map(Math.round), torchvision: peerRates.map(Math.round) },
  };
  if (o.json) {
    process.stdout.write(JSON.stringify(row) + '\n');
    return;
  }
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(0));
  const line = (label: string, x: number | null, r: number | null, rounds: number[]) =>
    `  ${label.padEnd(44)} ${f(x).padStart(5)} img/s  ${f(x === null ? null : x / o.workers).padStart(4)} per core` + (r === null ? '' : `  ${r.toFixed(2)}× torchvision`) + (rounds.length ? `  (rounds ${rounds.map(Math.round).join(', ')})` : '') + '\n';
  process.stdout.write(
    `data: ${o.side}×${o.side} JPEGs → RandomResizedCrop(224) + flip, batch ${o.batch}, ${o.workers} workers, ${o.batches} batches, medians of ${o.rounds} alternating rounds\n` +
      (row.native_images_per_second === null ? '  ours, native libjpeg-turbo + C resize         not built (scripts/build-native.sh)\n' : line('ours, native libjpeg-turbo + C resize', row.native_images_per_second, row.native_ratio, mineRates.native!)) +
      line('ours, portable (WebAssembly + JS resize)', row.portable_images_per_second, row.portable_ratio, mineRates.portable!) +
      line('torchvision ImageFolder + DataLoader', theirs, null, peerRates) +
      (row.peer_error ? `  torchvision: ${row.peer_error}\n` : ''),
  );
}
