// The list of images an `imagefolder` source holds, as torchvision's ImageFolder builds it: class
// index = position of the class folder's name in sorted order, images = every file with an image
// extension below the class folder (recursively, sorted), other files ignored. WebDataset shards
// are listed by their tar headers (runtime/data/tar-index.ts): a sample is the members sharing a
// key, its image the .jpg/.jpeg/.png/… member and its class the .cls member (a decimal index).
// The same listing serves the checker (SourceHost.scanImages: names and counts) and the loader.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageScan, ImageSource } from '../../compiler/plan/config.js';
import { expandShards } from '../../compiler/plan/shards.js';
import { DataError } from './idx.js';
import { indexTar } from './tar-index.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

export function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** One image: a file, or a member of a tar shard (bytes [offset, offset + size) of `file`). */
export interface ImageEntry {
  file: string;
  offset?: number;
  size?: number;
  /** The sample's name in messages: the path, or `shard.tar:key.jpg`. */
  name: string;
  label: number;
}

export interface ImageIndex {
  classes: string[];
  train: ImageEntry[];
  test: ImageEntry[];
  /** Class folders without a single image (per split), for the checker's message. */
  empty: string[];
}

/** Python's sorted() order on names (code points), which is what ImageFolder uses. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort(byCodePoint);
  } catch (e) {
    throw new DataError(dir, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function walkImages(dir: string, out: string[]): void {
  for (const name of listDir(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walkImages(p, out);
    else if (isImageName(name)) out.push(p);
  }
}

function classFolders(split: string): string[] {
  if (!existsSync(split)) throw new DataError(split, 'missing (an ImageFolder holds train/CLASS/*.jpg and val/CLASS/*.jpg)');
  if (!statSync(split).isDirectory()) throw new DataError(split, 'is a file, expected a folder of class folders');
  const classes = listDir(split).filter((n) => statSync(join(split, n)).isDirectory());
  if (classes.length === 0) throw new DataError(split, 'has no class folders (an ImageFolder holds train/CLASS/*.jpg and val/CLASS/*.jpg)');
  return classes;
}

function differ(a: string[], b: string[]): string {
  const inA = a.filter((x) => !b.includes(x));
  const inB = b.filter((x) => !a.includes(x));
  const show = (xs: string[]) => xs.slice(0, 3).join(', ') + (xs.length > 3 ? ` and ${xs.length - 3} more` : '');
  return [inA.length ? `only train/ has ${show(inA)}` : '', inB.length ? `only val/ has ${show(inB)}` : ''].filter(Boolean).join('; ');
}

export function indexImageFolder(dir: string): ImageIndex {
  if (!existsSync(dir)) throw new DataError(dir, 'no such directory');
  if (!statSync(dir).isDirectory()) throw new DataError(dir, 'is a file, expected a directory with train/ and val/');
  const trainDir = join(dir, 'train');
  const valDir = join(dir, 'val');
  const classes = classFolders(trainDir);
  const valClasses = classFolders(valDir);
  if (classes.join('\n') !== valClasses.join('\n')) {
    throw new DataError(dir, `the class folders of train/ (${classes.length}) and val/ (${valClasses.length}) differ: ${differ(classes, valClasses)}`);
  }
  const empty: string[] = [];
  const split = (root: string): ImageEntry[] => {
    const out: ImageEntry[] = [];
    classes.forEach((c, label) => {
      const files: string[] = [];
      walkImages(join(root, c), files);
      if (files.length === 0) empty.push(join(root, c));
      for (const f of files) out.push({ file: f, name: f, label });
    });
    return out;
  };
  return { classes, train: split(trainDir), test: split(valDir), empty };
}

function shardSplit(pattern: string, what: string): { entries: ImageEntry[]; labels: Set<number> } {
  const files = expandShards(pattern);
  if (!files) throw new DataError(pattern, 'is not a shard pattern');
  const entries: ImageEntry[] = [];
  const labels = new Set<number>();
  for (const file of files) {
    if (!existsSync(file)) throw new DataError(file, `missing (${what} shard ${files.indexOf(file) + 1} of ${files.length} of \`${pattern}\`)`);
    const samples = new Map<string, { image?: { name: string; offset: number; size: number }; cls?: number }>();
    for (const m of indexTar(file)) {
      const dot = m.name.indexOf('.', m.name.lastIndexOf('/') + 1);
      if (dot < 0) continue;
      const key = m.name.slice(0, dot);
      const ext = m.name.slice(dot);
      const s = samples.get(key) ?? {};
      samples.set(key, s);
      if (ext === '.cls') {
        const text = m.text ?? '';
        const v = Number(text.trim());
        if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v)) throw new DataError(`${file}:${m.name}`, `is not a class index (found \`${text.trim().slice(0, 20)}\`)`);
        s.cls = v;
      } else if (isImageName(ext)) s.image = { name: m.name, offset: m.offset, size: m.size };
    }
    for (const [key, s] of samples) {
      if (!s.image) continue; // a sample without an image (metadata only) is not an example
      if (s.cls === undefined) throw new DataError(`${file}:${s.image.name}`, `has no class: the sample \`${key}\` needs a \`${key}.cls\` member`);
      labels.add(s.cls);
      entries.push({ file, offset: s.image.offset, size: s.image.size, name: `${file}:${s.image.name}`, label: s.cls });
    }
  }
  if (entries.length === 0) throw new DataError(pattern, `${what} shards hold no images`);
  return { entries, labels };
}

export function indexShards(shards: string, valShards: string): ImageIndex {
  const train = shardSplit(shards, 'training');
  const test = shardSplit(valShards, 'val');
  const classes = Math.max(...train.labels) + 1;
  const outside = [...test.labels].find((l) => l >= classes);
  if (outside !== undefined) throw new DataError(valShards, `has class ${outside}, but the training shards have classes 0..${classes - 1}`);
  const empty: string[] = [];
  for (let c = 0; c < classes; c++) if (!train.labels.has(c)) empty.push(`class ${c} of the training shards`);
  return { classes: Array.from({ length: classes }, (_, i) => String(i)), train: train.entries, test: test.entries, empty };
}

export function indexImages(source: ImageSource): ImageIndex {
  return 'dir' in source ? indexImageFolder(source.dir) : indexShards(source.shards, source.valShards);
}

/** What the checker needs: class names and counts, or the problem in one line. */
export function scanImages(source: ImageSource): ImageScan | { error: string } {
  try {
    const ix = indexImages(source);
    return { classes: ix.classes, train: ix.train.length, test: ix.test.length, empty: ix.empty };
  } catch (e) {
    if (e instanceof DataError) return { error: e.message };
    throw e;
  }
}
