// The native JPEG path (runtime/data/native/subnet_jpeg.c: the system's libjpeg-turbo with its
// SIMD, and Pillow's resize in C), when scripts/build-native.sh has built it. It gives the same
// bytes as the portable path (WebAssembly libjpeg-turbo + resample.ts), only faster, so it is
// optional: without it (a machine without libturbojpeg, a standalone runner) the portable path runs.
// SUBNET_NATIVE_JPEG=off takes the portable path; =require makes a missing addon an error
// (except in a standalone runner, which never carries it).
import { createRequire } from 'node:module';
import type { Transform } from './transforms.js';

interface Addon {
  transform(bytes: Uint8Array, params: Int32Array, out: Uint8Array): number | string;
}

/** What the addon said: decoded (from colour or grayscale), a CMYK file it leaves to libvips, or damage. */
export type NativeResult = { kind: 'rgb' | 'gray' | 'cmyk' } | { kind: 'error'; error: string };

const ADDON = '../../../runtime/data/native/build/Release/subnet_jpeg.node';
let addon: Addon | null | undefined;

export function nativeJpeg(env: Record<string, string | undefined> = process.env): boolean {
  if (addon === undefined) addon = loadAddon(env.SUBNET_NATIVE_JPEG ?? 'auto');
  return addon !== null;
}

function loadAddon(mode: string): Addon | null {
  // A standalone runner's decode worker is a data: URL module with no addon beside it: it takes
  // the portable path whatever the setting.
  if (mode === 'off' || import.meta.url.startsWith('data:')) return null;
  try {
    return createRequire(import.meta.url)(ADDON) as Addon;
  } catch (e) {
    if (mode === 'require') throw new Error(`SUBNET_NATIVE_JPEG=require, but the native JPEG addon does not load (${(e as Error).message.split('\n')[0]}); build it with scripts/build-native.sh`);
    return null;
  }
}

/** Decodes a JPEG of width×height and writes `t`'s planar RGB into `out`; needs nativeJpeg(). */
export function nativeTransform(bytes: Uint8Array, width: number, height: number, t: Transform, out: Uint8Array): NativeResult {
  const win = t.window ?? { left: 0, top: 0, width: t.outWidth, height: t.outHeight };
  const params = Int32Array.of(width, height, t.box.left, t.box.top, t.box.width, t.box.height, t.outWidth, t.outHeight, win.left, win.top, win.width, win.height, t.flip ? 1 : 0);
  const r = addon!.transform(bytes, params, out);
  if (typeof r === 'string') return { kind: 'error', error: r };
  return { kind: r === 2 ? 'cmyk' : r === 1 ? 'gray' : 'rgb' };
}
