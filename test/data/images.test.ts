// Image datasets without a device: the transforms' boxes are their Philox draws and torchvision's
// arithmetic, decoding crops the drawn box (Pillow's bytes for a box: pillow.test.ts), tar shards are indexed to the
// bytes tar-stream wrote, and every kind of bad data gets its message naming the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import tar from 'tar-stream';
import { Stream, philox4x32 } from '../../compiler/index.js';
import { expandShards } from '../../compiler/plan/shards.js';
import { decodeInto, sharpPixels, type DecodeJob } from '../../runtime/data/decode.js';
import { resampleInto } from '../../runtime/data/resample.js';
import { ImageFeed } from '../../runtime/data/image-feed.js';
import { indexImageFolder, indexShards } from '../../runtime/data/image-index.js';
import { DataError } from '../../runtime/data/idx.js';
import { indexTar } from '../../runtime/data/tar-index.js';
import { centerCropBox, flipOf, resizeShorter, resizedCropBox, roundHalfEven, valResizeSide } from '../../runtime/data/transforms.js';
import type { DataConfig } from '../../compiler/plan/config.js';

const root = mkdtempSync(join(tmpdir(), 'subnet-images-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

/** A fixed test image: a colour gradient with a diagonal, so crops, flips and channels all show. */
async function fixedImage(width: number, height: number, format: 'jpeg' | 'png' = 'png'): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      px[at] = (x * 255) / (width - 1);
      px[at + 1] = (y * 255) / (height - 1);
      px[at + 2] = Math.abs(x - y) < 3 ? 255 : 40;
    }
  const img = sharp(px, { raw: { width, height, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 95 }).toBuffer();
}

function write(name: string, bytes: Uint8Array | string): string {
  const p = join(root, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, bytes);
  return p;
}

const job = (file: string, over: Partial<DecodeJob> = {}): DecodeJob => ({ file, index: 7, train: true, side: 32, seed: 5, epoch: 2, crop: [0.08, 1], flip: true, ...over });

test('python rounding, and the validation geometry of the reference', () => {
  assert.equal([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, 2, 3]);
  assert.is(valResizeSide(224), 256);
  assert.equal(resizeShorter(500, 375, 256), { width: 341, height: 256 });
  assert.equal(resizeShorter(375, 500, 256), { width: 256, height: 341 });
  // (341 − 224)/2 = 58.5 rounds to 58, as torchvision's int(round(·)).
  assert.equal(centerCropBox(341, 256, 224), { top: 16, left: 58, width: 224, height: 224 });
});

test('crop boxes and flips are their Philox draws', () => {
  const [W, H, seed, epoch, index] = [500, 375, 5, 3, 11];
  const box = resizedCropBox(W, H, seed, epoch, index, [0.08, 1]);
  // The first attempt whose box fits is taken: recompute it from its Philox block.
  const r = new Uint32Array(4);
  let expected;
  for (let attempt = 0; attempt < 10 && !expected; attempt++) {
    philox4x32(index, 1 + attempt, Stream.augment, epoch, seed, 0, r);
    const area = W * H * (0.08 + (r[0]! / 2 ** 32) * 0.92);
    const aspect = Math.exp(Math.log(3 / 4) + (r[1]! / 2 ** 32) * (Math.log(4 / 3) - Math.log(3 / 4)));
    const w = roundHalfEven(Math.sqrt(area * aspect));
    const h = roundHalfEven(Math.sqrt(area / aspect));
    if (w <= W && h <= H) expected = { top: Math.floor((r[2]! / 2 ** 32) * (H - h + 1)), left: Math.floor((r[3]! / 2 ** 32) * (W - w + 1)), width: w, height: h };
  }
  assert.equal(box, expected);
  assert.is(flipOf(seed, epoch, index), philox4x32(index, 0, Stream.augment, epoch, seed, 0, r)[2]! >>> 31 === 1);
  // Boxes stay inside the image, with torchvision's area and aspect ranges, and vary.
  const seen = new Set<string>();
  let flips = 0;
  for (let i = 0; i < 400; i++) {
    const b = resizedCropBox(W, H, seed, epoch, i, [0.08, 1]);
    assert.ok(b.left >= 0 && b.top >= 0 && b.left + b.width <= W && b.top + b.height <= H, JSON.stringify(b));
    assert.ok(b.width * b.height >= 0.075 * W * H && b.width * b.height <= 1.01 * W * H);
    assert.ok(b.width / b.height >= 0.74 && b.width / b.height <= 1.35);
    seen.add(JSON.stringify(b));
    if (flipOf(seed, epoch, i)) flips++;
  }
  assert.ok(seen.size > 390);
  assert.ok(flips > 150 && flips < 250, `${flips} flips of 400`);
  // Same (seed, epoch, image): same box; another epoch or seed: another box.
  assert.equal(resizedCropBox(W, H, seed, epoch, index, [0.08, 1]), box);
  assert.not.equal(resizedCropBox(W, H, seed, epoch + 1, index, [0.08, 1]), box);
  assert.not.equal(resizedCropBox(W, H, seed + 1, epoch, index, [0.08, 1]), box);
  // A strip no attempt fits falls back to the central crop at the extreme ratio.
  assert.equal(resizedCropBox(400, 10, 1, 0, 0, [0.99, 1]), { top: 0, left: 193, width: 13, height: 10 });
});

test('decode jobs crop their Philox box, flip by their draw, and without a crop take the validation transform', async () => {
  const bytes = await fixedImage(120, 90);
  const file = write('fixed/a.png', bytes);
  const px = await sharpPixels(bytes);
  assert.ok(!('error' in px));
  if ('error' in px) return;
  let flips = 0;
  for (const index of [0, 1, 2, 3, 4, 5]) {
    const j = job(file, { index });
    const out = new Uint8Array(3 * 32 * 32);
    const r = await decodeInto(j, out);
    assert.ok(r.ok);
    const flip = flipOf(j.seed, j.epoch, index);
    if (flip) flips++;
    const expected = new Uint8Array(out.length);
    resampleInto({ src: px.rgb, width: 120, height: 90, box: resizedCropBox(120, 90, j.seed, j.epoch, index, [0.08, 1]), outWidth: 32, outHeight: 32, flip }, expected);
    assert.equal(out, expected, `image ${index}`);
  }
  assert.ok(flips > 0 && flips < 6, 'both flipped and unflipped images were checked');
  const out = new Uint8Array(3 * 32 * 32);
  assert.ok((await decodeInto(job(file, { train: false }), out)).ok);
  const rs = resizeShorter(120, 90, valResizeSide(32));
  const expected = new Uint8Array(out.length);
  resampleInto({ src: px.rgb, width: 120, height: 90, box: { left: 0, top: 0, width: 120, height: 90 }, outWidth: rs.width, outHeight: rs.height, window: centerCropBox(rs.width, rs.height, 32), flip: false }, expected);
  assert.equal(out, expected);
  // Without random_resized_crop, training images get the validation transform (and the flip).
  const plain = new Uint8Array(3 * 32 * 32);
  assert.ok((await decodeInto(job(file, { crop: null, flip: false }), plain)).ok);
  assert.equal(plain, out);
});

test('bad data: each case has its message naming what is wrong', async () => {
  const good = await fixedImage(40, 30, 'jpeg');
  const out = new Uint8Array(3 * 32 * 32);
  const cases: [string, Uint8Array | string, RegExp][] = [
    ['bad/corrupt.jpg', Buffer.concat([good.subarray(0, 200), Buffer.alloc(good.length - 200, 0x55)]), /cannot be decoded|truncated or corrupt/],
    ['bad/truncated.jpg', good.subarray(0, Math.floor(good.length / 2)), /truncated or corrupt/],
    ['bad/notes.png', 'these are notes, not an image\n', /is not an image/],
    ['bad/empty.jpg', '', /is empty \(0 bytes\)/],
  ];
  for (const [name, bytes, re] of cases) {
    const r = await decodeInto(job(write(name, bytes)), out);
    assert.ok(!r.ok, name);
    if (!r.ok) assert.match(r.error, re, `${name}: ${r.error}`);
  }
  const gray = await sharp(good).grayscale().toColourspace('b-w').jpeg().toBuffer();
  const cmyk = await sharp(good).toColourspace('cmyk').jpeg().toBuffer();
  const g = await decodeInto(job(write('bad/gray.jpg', gray)), out);
  assert.equal(g, { ok: true, converted: 'grayscale' });
  const c = await decodeInto(job(write('bad/cmyk.jpg', cmyk)), out);
  assert.equal(c, { ok: true, converted: 'CMYK' });
});

function folderConfig(dir: string, onBad: 'stop' | 'skip', n: { train: number; test: number }): Extract<DataConfig, { kind: 'imagefolder' }> {
  return { kind: 'imagefolder', dir, shards: '', valShards: '', size: 16, classes: 2, trainSize: n.train, testSize: n.test, normalize: { mean: [0, 0, 0], std: [1, 1, 1] }, augment: [{ kind: 'random_resized_crop', scale: [0.08, 1] }, { kind: 'hflip' }], onBad, trainSubset: 0, testSubset: 0, padTo: 0 };
}

test('the feed: batches follow the order, bad images stop the run or are skipped and counted', async () => {
  const dir = join(root, 'feed');
  const img = await fixedImage(24, 20, 'jpeg');
  for (const c of ['a', 'b']) for (const i of [0, 1, 2]) write(`feed/train/${c}/${i}.jpg`, img);
  write('feed/val/a/0.jpg', img);
  write('feed/val/b/0.jpg', img);
  write('feed/train/b/1.jpg', 'not a jpeg');
  const ix = indexImageFolder(dir);
  assert.equal(ix.classes, ['a', 'b']);
  assert.equal(ix.train.map((e) => `${e.label}:${e.name.slice(dir.length)}`), ['0:/train/a/0.jpg', '0:/train/a/1.jpg', '0:/train/a/2.jpg', '1:/train/b/0.jpg', '1:/train/b/1.jpg', '1:/train/b/2.jpg']);
  const order = Uint32Array.from([5, 3, 4, 2, 1, 0]);
  const notices: string[] = [];
  const stop = new ImageFeed(folderConfig(dir, 'stop', { train: 6, test: 2 }), ix.train, ix.test, 2, (l) => notices.push(l));
  try {
    const first = await stop.trainBatch(1, 0, order, 0, 2);
    assert.equal([...first.labels], [1, 1]);
    assert.is(first.valid, 2);
    await stop.trainBatch(1, 0, order, 1, 2).then(
      () => assert.unreachable('a bad image stops the run'),
      (e: unknown) => {
        assert.instance(e, DataError);
        assert.match((e as Error).message, /feed\/train\/b\/1\.jpg: is not an image .*on_bad: skip/);
      },
    );
  } finally {
    await stop.close();
  }
  const skip = new ImageFeed(folderConfig(dir, 'skip', { train: 6, test: 2 }), ix.train, ix.test, 2, (l) => notices.push(l));
  try {
    const b = await skip.trainBatch(1, 0, order, 0, 4);
    // Images 5, 3, 4 (bad), 2: three rows, the bad one dropped.
    assert.is(b.valid, 3);
    assert.equal([...b.labels.subarray(0, 3)], [1, 1, 0]);
    assert.is(skip.stats.skipped.size, 1);
    assert.match(notices.join('\n'), /warning: skipped .*feed\/train\/b\/1\.jpg: is not an image/);
    // The same batch again (a resumed run) is the same bytes; a known bad image is not decoded again.
    const again = await skip.trainBatch(1, 0, order, 0, 4);
    assert.equal(again.images, b.images);
    assert.is(skip.stats.skipped.size, 1);
    const val = await skip.testBatch(0, 2);
    assert.equal([...val.labels], [0, 1]);
    assert.equal(val.images.subarray(0, 768), val.images.subarray(768, 1536));
  } finally {
    await skip.close();
  }
});

test('the feed gives the same batches with 1 and 3 workers (two chunks held by each), buffers recycled or not', async () => {
  const dir = join(root, 'feed-workers');
  for (const c of ['a', 'b', 'c']) for (let i = 0; i < 14; i++) write(`feed-workers/train/${c}/${i}.jpg`, await fixedImage(30 + i, 26 + ((i * 7) % 11), 'jpeg'));
  for (const c of ['a', 'b', 'c']) write(`feed-workers/val/${c}/0.png`, await fixedImage(21, 33));
  write('feed-workers/train/b/bad.jpg', 'not a jpeg');
  const ix = indexImageFolder(dir);
  const order = Uint32Array.from({ length: ix.train.length }, (_, i) => (i * 17) % ix.train.length);
  const batches = async (workers: number, recycle: boolean) => {
    const feed = new ImageFeed(folderConfig(dir, 'skip', { train: ix.train.length, test: 3 }), ix.train, ix.test, workers, () => {});
    try {
      const out: string[] = [];
      // Many small chunks in flight: batch 4 over 1 to 3 workers, three steps requested ahead,
      // so that recycled buffers are filled again while later batches are pending.
      for (let s = 0; s < 10; s++) {
        const b = await feed.trainBatch(3, 1, order, s, 4);
        out.push(`${b.valid}:${[...b.labels.subarray(0, b.valid)]}:${Buffer.from(b.images).toString('base64')}`);
        if (recycle) feed.recycle(b);
      }
      const v = await feed.testBatch(0, 3);
      out.push(Buffer.from(v.images).toString('base64'));
      if (recycle) feed.recycle(v);
      return out;
    } finally {
      await feed.close();
    }
  };
  const one = await batches(1, false);
  assert.equal(await batches(3, true), one);
  assert.equal(await batches(2, true), one);
  assert.ok(one.some((b) => b.startsWith('3:')), 'the bad image was skipped in its batch');
});

test('shard patterns and tar indexes', async () => {
  assert.equal(expandShards('d/train-{000..002}.tar'), ['d/train-000.tar', 'd/train-001.tar', 'd/train-002.tar']);
  assert.equal(expandShards('one.tar'), ['one.tar']);
  for (const bad of ['', 'a-{1..}.tar', 'a-{3..1}.tar', 'a-{0..1}-{0..1}.tar', 'a-{0..1.tar', 'a}.tar']) assert.is(expandShards(bad), undefined, bad);
  const img = await fixedImage(24, 20, 'jpeg');
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  const long = `${'x'.repeat(120)}_0`;
  pack.entry({ name: 'k0.jpg' }, img);
  pack.entry({ name: 'k0.cls' }, '1');
  pack.entry({ name: `${long}.jpg` }, img);
  pack.entry({ name: `${long}.cls` }, '0');
  pack.entry({ name: 'k2.json' }, '{}');
  pack.finalize();
  await ended;
  const file = write('shards/s-0.tar', Buffer.concat(chunks));
  const members = indexTar(file);
  assert.equal(members.map((m) => m.name), ['k0.jpg', 'k0.cls', `${long}.jpg`, `${long}.cls`, 'k2.json']);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(members[0]!.offset, members[0]!.offset + members[0]!.size), img);
  write('shards/v-0.tar', Buffer.concat(chunks));
  const ix = indexShards(join(root, 'shards/s-{0..0}.tar'), join(root, 'shards/v-{0..0}.tar'));
  assert.equal(ix.classes, ['0', '1']);
  assert.equal(ix.train.map((e) => e.label), [1, 0]);
  const corrupt = Buffer.from(bytes);
  corrupt[100] ^= 0xff;
  assert.throws(() => indexTar(write('shards/bad.tar', corrupt)), /corrupt at byte 0 \(header checksum\)/);
  assert.throws(() => indexTar(write('shards/short.tar', bytes.subarray(0, 700))), /truncated: member at byte 0/);
  assert.throws(() => indexShards(join(root, 'shards/s-{0..1}.tar'), join(root, 'shards/v-{0..0}.tar')), /s-1\.tar: missing \(training shard 2 of 2/);
});

test.run();
