// TensorBoard event files, written natively (no TensorFlow, no protobuf library). An event file
// is a sequence of TFRecords: u64 length (LE), u32 masked CRC-32C of those 8 bytes, the payload,
// u32 masked CRC-32C of the payload; mask(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8
// (tensorflow core/lib/io/record_writer.cc). Each payload is an `Event` protobuf:
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
// The first event carries file_version "brain.Event:2". The reader below exists for tests and
// tools: it checks both CRCs of every record and decodes the same subset.
import { ProtoWriter, ProtoReader } from './export/protobuf.js';

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), reflected, as TensorFlow and iSCSI compute it. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

export interface TbEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Record<string, number>;
}

export function encodeEvent(e: TbEvent): Uint8Array {
  const w = new ProtoWriter();
  w.double(1, e.wallTime);
  if (e.step) w.varint(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.scalars) {
    w.message(5, (summary) => {
      for (const [tag, v] of Object.entries(e.scalars!)) {
        summary.message(1, (value) => {
          value.string(1, tag);
          value.float(2, v);
        });
      }
    });
  }
  return w.finish();
}

export function tfrecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(payload.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return out;
}

export function eventFileBytes(events: TbEvent[]): Uint8Array {
  const records = events.map((e) => tfrecord(encodeEvent(e)));
  const out = new Uint8Array(records.reduce((a, r) => a + r.length, 0));
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

export function eventFileName(unixSeconds: number, host: string): string {
  return `events.out.tfevents.${Math.floor(unixSeconds)}.${host}`;
}

export interface EpochScalars {
  epoch: number; // 1-based: the TensorBoard step
  wallTime: number;
  lr: number;
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
}

/** The events of a run: the file-version header, then one event with the five scalars per epoch. */
export function runEvents(startWallTime: number, epochs: EpochScalars[]): TbEvent[] {
  return [
    { wallTime: startWallTime, step: 0, fileVersion: 'brain.Event:2' },
    ...epochs.map((r) => ({
      wallTime: r.wallTime,
      step: r.epoch,
      scalars: {
        'train/loss': r.train_loss,
        'train/accuracy': r.train_accuracy,
        'test/loss': r.test_loss,
        'test/accuracy': r.test_accuracy,
        lr: r.lr,
      },
    })),
  ];
}

export class EventFileError extends Error {}

/** Reads an event file, checking the length and payload CRC of every record. */
export function readEventFile(bytes: Uint8Array): TbEvent[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: TbEvent[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new EventFileError(`record at byte ${at}: truncated header`);
    const len = Number(view.getBigUint64(at, true));
    if (view.getUint32(at + 8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) throw new EventFileError(`record at byte ${at}: length CRC mismatch`);
    const start = at + 12;
    if (start + len + 4 > bytes.length) throw new EventFileError(`record at byte ${at}: truncated payload`);
    const payload = bytes.subarray(start, start + len);
    if (view.getUint32(start + len, true) !== maskedCrc32c(payload)) throw new EventFileError(`record at byte ${at}: payload CRC mismatch`);
    out.push(decodeEvent(payload));
    at = start + len + 4;
  }
  return out;
}

function decodeEvent(payload: Uint8Array): TbEvent {
  const e: TbEvent = { wallTime: 0, step: 0 };
  new ProtoReader(payload).each((field, r) => {
    if (field === 1) e.wallTime = r.double();
    else if (field === 2) e.step = r.varint();
    else if (field === 3) e.fileVersion = r.string();
    else if (field === 5) {
      e.scalars = {};
      r.message().each((f, sr) => {
        if (f !== 1) return sr.skip();
        let tag = '';
        let value = NaN;
        sr.message().each((vf, vr) => {
          if (vf === 1) tag = vr.string();
          else if (vf === 2) value = vr.float();
          else vr.skip();
        });
        e.scalars![tag] = value;
      });
    } else r.skip();
  });
  return e;
}
