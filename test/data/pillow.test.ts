// Our images are the reference's: libjpeg-turbo decodes as Pillow does, and our resize is
// Pillow's bilinear, so a crop box gives torchvision's bytes exactly, on both paths: the portable
// one (WebAssembly libjpeg-turbo, resample.ts) and the native addon (runtime/data/native), when built. The expected
// bytes are Pillow's own (scripts/pillow-golden.py wrote test/fixtures/pillow/ with Debian's
// Pillow 9.4): crops up- and down-sampled, at the image's edges, flipped; the validation resize
// and centre crop; 4:2:0, progressive 4:4:4 and grayscale JPEGs, and a PNG with alpha (libvips).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeInto, transformImage } from '../../runtime/data/decode.js';
import { nativeJpeg } from '../../runtime/data/jpeg-native.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'pillow');

interface Case {
  image: string;
  kind: 'train' | 'val';
  box: [number, number, number, number];
  size: [number, number];
  resize: [number, number] | null;
  flip: boolean;
  rgb: string;
}

const { cases } = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as { cases: Case[] };

/** Pillow's interleaved bytes as our planar layout. */
function planar(rgb: Buffer, n: number): Uint8Array {
  const out = new Uint8Array(3 * n);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[c * n + p] = rgb[3 * p + c]!;
  return out;
}

const PATHS = nativeJpeg() ? ['portable', 'native'] : ['portable'];
if (process.env.SUBNET_NATIVE_JPEG === 'require') assert.ok(PATHS.includes('native'));

for (const path of PATHS) {
  test(`every fixture case, ${path} path: our decode and resize give Pillow’s bytes, all cases in flight at once`, async () => {
    assert.ok(cases.length >= 20);
    // All at once, as a decode worker keeps images in flight: the WebAssembly decoder's pixels
    // are a view its next decode overwrites, so a yield between decode and resize would mix images.
    await Promise.all(cases.map(async (c) => {
      const [left, top, width, height] = c.box;
      const [w, h] = c.size;
      const out = new Uint8Array(3 * w * h);
      const r = await transformImage(
        readFileSync(join(FIXTURES, c.image)),
        (iw, ih) =>
          c.kind === 'train'
            ? { box: { left, top, width, height }, outWidth: w, outHeight: h, flip: c.flip }
            : { box: { left: 0, top: 0, width: iw, height: ih }, outWidth: c.resize![0], outHeight: c.resize![1], window: { left, top, width, height }, flip: c.flip },
        out,
        path === 'portable',
      );
      assert.equal(r, c.image === 'gray.jpg' ? { ok: true, converted: 'grayscale' } : { ok: true }, c.image);
      assert.equal(out, planar(Buffer.from(c.rgb, 'base64'), w * h), `${c.image} ${c.kind} ${c.box} → ${c.size}${c.flip ? ' flipped' : ''}`);
    }));
  });
}

test('the validation transform of a decode job is Resize + CenterCrop as torchvision computes them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subnet-pillow-'));
  try {
    for (const c of cases.filter((x) => x.kind === 'val')) {
      const file = join(dir, c.image);
      writeFileSync(file, readFileSync(join(FIXTURES, c.image)));
      const out = new Uint8Array(3 * 20 * 20);
      const r = await decodeInto({ file, index: 0, train: false, side: 20, seed: 1, epoch: 0, crop: null, flip: false }, out);
      assert.ok(r.ok, c.image);
      assert.equal(out, planar(Buffer.from(c.rgb, 'base64'), 400), c.image);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
