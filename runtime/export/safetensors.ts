// The safetensors format (huggingface/safetensors, "Format"): an unsigned 64-bit little-endian
// header size N, N bytes of UTF-8 JSON (right-padded with spaces), then the byte buffer. The
// header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to
// the buffer), plus an optional "__metadata__" object of string → string. The buffer is fully
// covered by the tensors, without holes or overlaps; data is little-endian, C order.
//
// Checkpoints and exports both use it: one self-describing file that PyTorch reads with
// `safetensors.torch.load_file`. We pad the header so the buffer starts 8-byte aligned, which the
// format allows and which lets readers view F32 data in place.

export type Dtype = 'F32' | 'U32' | 'I32' | 'U8' | 'BOOL' | 'F64' | 'I64' | 'F16' | 'BF16' | 'U16' | 'I16' | 'I8' | 'U64';

export const DTYPE_BYTES: Record<Dtype, number> = { F64: 8, I64: 8, U64: 8, F32: 4, U32: 4, I32: 4, F16: 2, BF16: 2, U16: 2, I16: 2, U8: 1, I8: 1, BOOL: 1 };

export interface NamedTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Little-endian bytes, C order. */
  data: Uint8Array;
}

export class SafetensorsError extends Error {}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export function tensor(name: string, dtype: Dtype, shape: number[], data: ArrayBufferView): NamedTensor {
  const t = { name, dtype, shape, data: bytesOf(data) };
  const want = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
  if (t.data.byteLength !== want) throw new Error(`internal: ${name} has ${t.data.byteLength} bytes for shape [${shape.join(', ')}] ${dtype}`);
  return t;
}

export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === '__metadata__' || seen.has(t.name)) throw new Error(`internal: tensor name ${t.name} is taken`);
    seen.add(t.name);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const t of tensors) {
    out.set(t.data, at);
    at += t.data.byteLength;
  }
  return out;
}

export interface DecodedSafetensors {
  metadata: Record<string, string>;
  tensors: Map<string, NamedTensor>;
  /** Byte offset of the buffer in the file (8 + header size). */
  dataStart: number;
}

/** Parses and validates a file by the spec; every violation is a SafetensorsError. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < 8) throw new SafetensorsError(`${bytes.length} bytes: too short for the 8-byte header size`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw new SafetensorsError(`the header size ${n} is past the end of the file (${bytes.length} bytes)`);
  const headerLen = Number(n);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  if (!text.startsWith('{')) throw new SafetensorsError('the header does not start with `{`');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`the header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, NamedTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') throw new SafetensorsError(`__metadata__.${k} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = info.dtype as Dtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) throw new SafetensorsError(`${name}: unknown dtype ${JSON.stringify(info.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`${name}: bad shape ${JSON.stringify(shape)}`);
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0) || offs[0] > offs[1]) {
      throw new SafetensorsError(`${name}: bad data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    const want = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (end - begin !== want) throw new SafetensorsError(`${name}: ${end - begin} bytes for shape [${shape.join(', ')}] ${dtype} (needs ${want})`);
    if (end > dataLen) throw new SafetensorsError(`${name}: data_offsets end ${end} is past the buffer (${dataLen} bytes)`);
    spans.push([begin, end, name]);
    tensors.set(name, { name, dtype, shape: shape as number[], data: bytes.subarray(dataStart + begin, dataStart + end) });
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [begin, end, name] of spans) {
    if (begin < at) throw new SafetensorsError(`${name} overlaps the tensor before it`);
    if (begin > at) throw new SafetensorsError(`a hole of ${begin - at} bytes before ${name}`);
    at = end;
  }
  if (at !== dataLen) throw new SafetensorsError(`${dataLen - at} bytes after the last tensor are not covered`);
  return { metadata, tensors, dataStart };
}

/**
 * A copy of a tensor's data as a typed array of its dtype (a copy: offsets in the file need not
 * be aligned, and a Node Buffer's slice() is a view of a shared pool, not a copy).
 */
export function asF32(t: NamedTensor): Float32Array {
  return new Float32Array(new Uint8Array(t.data).buffer);
}

export function asU32(t: NamedTensor): Uint32Array {
  return new Uint32Array(new Uint8Array(t.data).buffer);
}
