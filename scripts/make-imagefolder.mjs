#!/usr/bin/env node
// Writes a small ImageNet-style dataset from Fashion-MNIST: real JPEGs in an ImageFolder
// (OUT/folder/train/CLASS/*.jpg, OUT/folder/val/CLASS/*.jpg) and the same images as WebDataset tar
// shards (OUT/shards/train-{000000..}.tar, OUT/shards/val-{000000..}.tar; members KEY.jpg and
// KEY.cls), in the same order, so both sources are the same data. Each 28×28 image is scaled to
// round(side·28/32) and centred on a black side×side RGB canvas: at side 32 the validation
// transform of `imagefolder(size: 28)` (resize to 32, centre crop 28) gives back the original
// pixels up to JPEG loss, so a run on the folder is comparable with one on the IDX files.
//
// --inner and --offset place the image otherwise: `--side 37 --inner 28 --offset 4` makes the
// validation transform of `imagefolder(size: 32)` (resize to 37, centre crop 32 at offset 2) give
// the 28×28 image padded by 2 on each side, CIFAR-10's [3, 32, 32] layout.
//
//   node scripts/make-imagefolder.mjs OUT [--side 32] [--inner N] [--offset N] [--train 6000] [--val 1000]
//        [--per-shard 2500] [--src /usr/share/datasets/fashion-mnist] [--quality 95]
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import tar from 'tar-stream';

const CLASSES = ['0-tshirt', '1-trouser', '2-pullover', '3-dress', '4-coat', '5-sandal', '6-shirt', '7-sneaker', '8-bag', '9-boot'];

function parseArgs(argv) {
  const o = { side: 32, train: 6000, val: 1000, perShard: 2500, src: process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist', quality: 95 };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--side') o.side = Number(next());
    else if (a === '--train') o.train = Number(next());
    else if (a === '--inner') o.inner = Number(next());
    else if (a === '--offset') o.offset = Number(next());
    else if (a === '--val') o.val = Number(next());
    else if (a === '--per-shard') o.perShard = Number(next());
    else if (a === '--src') o.src = next();
    else if (a === '--quality') o.quality = Number(next());
    else rest.push(a);
  }
  if (rest.length !== 1) {
    process.stderr.write('usage: make-imagefolder.mjs OUT [--side 32] [--train 6000] [--val 1000] [--per-shard 2500] [--src DIR] [--quality 95]\n');
    process.exit(2);
  }
  o.out = rest[0];
  return o;
}

function idx(dir, name) {
  for (const p of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (!existsSync(p)) continue;
    const raw = readFileSync(p);
    const b = p.endsWith('.gz') ? gunzipSync(raw) : raw;
    const ndim = b[3];
    return b.subarray(4 + 4 * ndim);
  }
  throw new Error(`${join(dir, name)}: missing`);
}

/** One Fashion-MNIST image as an RGB JPEG of side×side. */
async function render(pixels, side, quality, o) {
  const inner = o.inner ?? Math.round((side * 28) / 32);
  const gray = await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
    .resize(inner, inner, { kernel: 'linear' })
    .extractChannel(0) // libvips hands back sRGB otherwise
    .raw()
    .toBuffer();
  const rgb = Buffer.alloc(side * side * 3);
  const off = o.offset ?? Math.floor((side - inner) / 2);
  for (let y = 0; y < inner; y++)
    for (let x = 0; x < inner; x++) {
      const v = gray[y * inner + x];
      const at = ((y + off) * side + x + off) * 3;
      rgb[at] = rgb[at + 1] = rgb[at + 2] = v;
    }
  return sharp(rgb, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer();
}

async function writeSplit(o, split, prefix, count) {
  const images = idx(o.src, `${prefix}-images-idx3-ubyte`);
  const labels = idx(o.src, `${prefix}-labels-idx1-ubyte`);
  const n = Math.min(count, labels.length);
  // Folder order is (class, file name): write the shards in that order too.
  const byClass = CLASSES.map(() => []);
  for (let i = 0; i < n; i++) byClass[labels[i]].push(i);
  const samples = [];
  for (const [c, list] of byClass.entries()) {
    mkdirSync(join(o.out, 'folder', split, CLASSES[c]), { recursive: true });
    for (const i of list) samples.push({ c, i, name: `${String(i).padStart(6, '0')}.jpg` });
  }
  const jpegs = new Array(samples.length);
  const batch = 64;
  for (let s = 0; s < samples.length; s += batch) {
    await Promise.all(
      samples.slice(s, s + batch).map(async (smp, k) => {
        const jpg = await render(images.subarray(smp.i * 784, (smp.i + 1) * 784), o.side, o.quality, o);
        jpegs[s + k] = jpg;
      }),
    );
  }
  // The same bytes in the folder and in the shards.
  samples.forEach((smp, k) => writeFileSync(join(o.out, 'folder', split, CLASSES[smp.c], smp.name), jpegs[k]));
  mkdirSync(join(o.out, 'shards'), { recursive: true });
  const shards = Math.max(1, Math.ceil(samples.length / o.perShard));
  for (let sh = 0; sh < shards; sh++) {
    const pack = tar.pack();
    const done = pipeline(pack, createWriteStream(join(o.out, 'shards', `${split}-${String(sh).padStart(6, '0')}.tar`)));
    for (let k = sh * o.perShard; k < Math.min(samples.length, (sh + 1) * o.perShard); k++) {
      const key = `${CLASSES[samples[k].c]}_${samples[k].name.replace(/\.jpg$/, '')}`;
      pack.entry({ name: `${key}.jpg` }, jpegs[k]);
      pack.entry({ name: `${key}.cls` }, String(samples[k].c));
    }
    pack.finalize();
    await done;
  }
  return { n: samples.length, shards };
}

const o = parseArgs(process.argv.slice(2));
const train = await writeSplit(o, 'train', 'train', o.train);
const val = await writeSplit(o, 'val', 't10k', o.val);
const range = (split, k) => `${join(o.out, 'shards', split)}-{000000..${String(k - 1).padStart(6, '0')}}.tar`;
process.stdout.write(
  JSON.stringify({ folder: join(o.out, 'folder'), shards: range('train', train.shards), val_shards: range('val', val.shards), train: train.n, val: val.n, side: o.side }) + '\n',
);
