// JPEG decoding with libjpeg-turbo compiled to WebAssembly (the build @cwasm/jpeg-turbo ships;
// this file is our own wrapper around its TurboJPEG exports). It decodes exactly as Pillow does
// (the same library, ISLOW DCT, fancy upsampling: the bytes are equal, test/data/pillow.test.ts),
// without libvips' fixed cost per image (a pipeline and a thread-pool hop, ~1.5 ms of a 256×256
// JPEG's 1.9 ms): docs/performance.md.
//
// libjpeg's errors leave through longjmp, which this build imports from JavaScript: it throws
// out of the module and leaves its stack pointer and heap as they were mid-call, so an instance
// that threw is dropped and the next call starts a fresh one (a module instantiates in ~0.1 ms).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

declare global {
  /** Set by a standalone runner (`subnet compile`): the decoder's .wasm bytes, base64. */
  var __subnetJpegWasm: string | undefined;
}

interface Exports {
  memory: WebAssembly.Memory;
  malloc(n: number): number;
  free(p: number): void;
  tjInitDecompress(): number;
  tjDestroy(h: number): number;
  tjDecompressHeader3(h: number, src: number, n: number, w: number, hgt: number, sub: number, space: number): number;
  tjDecompress2(h: number, src: number, n: number, dst: number, w: number, pitch: number, hgt: number, format: number, flags: number): number;
}

const TJPF_RGB = 0;
/** TurboJPEG's colourspaces (tjDecompressHeader3): 0 RGB, 1 YCbCr, 2 gray, 3 CMYK, 4 YCCK. */
const TJCS_GRAY = 2;
const TJCS_CMYK = 3;
const TJCS_YCCK = 4;

let module: WebAssembly.Module | undefined;

function wasmBytes(): Uint8Array<ArrayBuffer> {
  const bundled = globalThis.__subnetJpegWasm;
  if (bundled) return new Uint8Array(Buffer.from(bundled, 'base64'));
  return readFileSync(createRequire(import.meta.url).resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm'));
}

const unsupported = (name: string) => () => {
  throw new Error(`libjpeg-turbo called ${name}`);
};

class Decoder {
  readonly x: Exports;
  private readonly handle: number;
  private src = 0;
  private srcBytes = 0;
  private dst = 0;
  private dstBytes = 0;
  private readonly meta: number;

  constructor() {
    module ??= new WebAssembly.Module(wasmBytes());
    const instance = new WebAssembly.Instance(module, {
      env: {
        setjmp: () => 0,
        longjmp: () => {
          throw new JpegError('damaged');
        },
      },
      wasi_snapshot_preview1: {
        environ_sizes_get: () => 0,
        environ_get: () => 0,
        proc_exit: unsupported('proc_exit'),
        fd_close: unsupported('fd_close'),
        fd_seek: unsupported('fd_seek'),
        fd_write: unsupported('fd_write'),
      },
    });
    this.x = instance.exports as unknown as Exports;
    this.handle = this.x.tjInitDecompress();
    this.meta = this.x.malloc(16);
    if (!this.handle || !this.meta) throw new Error('libjpeg-turbo: out of memory');
  }

  private reserve(kind: 'src' | 'dst', bytes: number): number {
    const size = kind === 'src' ? this.srcBytes : this.dstBytes;
    if (bytes > size) {
      const at = kind === 'src' ? this.src : this.dst;
      if (at) this.x.free(at);
      const grown = Math.max(bytes, Math.ceil(size * 1.5));
      const p = this.x.malloc(grown);
      if (!p) throw new Error(`libjpeg-turbo: cannot allocate ${grown} bytes`);
      if (kind === 'src') [this.src, this.srcBytes] = [p, grown];
      else [this.dst, this.dstBytes] = [p, grown];
    }
    return kind === 'src' ? this.src : this.dst;
  }

  decode(bytes: Uint8Array): DecodedJpeg {
    const src = this.reserve('src', bytes.length);
    new Uint8Array(this.x.memory.buffer, src, bytes.length).set(bytes);
    if (this.x.tjDecompressHeader3(this.handle, src, bytes.length, this.meta, this.meta + 4, this.meta + 8, this.meta + 12) !== 0) {
      throw new JpegError('header');
    }
    const [width, height, , space] = new Int32Array(this.x.memory.buffer, this.meta, 4);
    if (space === TJCS_CMYK || space === TJCS_YCCK) return { kind: 'cmyk' };
    const n = width! * height! * 3;
    const dst = this.reserve('dst', n);
    // Non-zero is an error or a warning (a truncated file decodes with grey fill): both are damage.
    if (this.x.tjDecompress2(this.handle, src, bytes.length, dst, width!, width! * 3, height!, TJPF_RGB, 0) !== 0) throw new JpegError('damaged');
    return { kind: 'rgb', width: width!, height: height!, gray: space === TJCS_GRAY, rgb: new Uint8Array(this.x.memory.buffer, dst, n) };
  }
}

export class JpegError extends Error {
  constructor(readonly reason: 'header' | 'damaged') {
    super(reason === 'header' ? 'libjpeg-turbo cannot read its header' : 'libjpeg-turbo stopped at damaged or missing data');
  }
}

/**
 * A decoded JPEG: interleaved RGB (grayscale replicated, as Pillow's convert('RGB')), a view into
 * the decoder's memory that the next decode overwrites; or CMYK, which is left to libvips (its
 * colour management, not a naive inversion).
 */
export type DecodedJpeg = { kind: 'rgb'; width: number; height: number; gray: boolean; rgb: Uint8Array } | { kind: 'cmyk' };

let decoder: Decoder | undefined;

/** Decodes `bytes`; throws JpegError for a file libjpeg-turbo refuses or finds damaged. */
export function decodeJpeg(bytes: Uint8Array): DecodedJpeg {
  decoder ??= new Decoder();
  try {
    return decoder.decode(bytes);
  } catch (e) {
    decoder = undefined;
    throw e instanceof JpegError ? e : new JpegError('damaged');
  }
}
