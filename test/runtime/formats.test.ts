// The file formats the runtime writes natively: TensorBoard event files (TFRecord framing with
// masked CRC-32C, Event protobufs), safetensors (read back by the spec's rules), and the program
// hash the run directory and checkpoints carry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runId } from '../../compiler/expand/expand.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, tensor } from '../../runtime/export/safetensors.js';
import { idText, programHash } from '../../runtime/results/rundir.js';
import { crc32c, EventFileError, eventFileBytes, maskedCrc32c, readEventFile, runEvents } from '../../runtime/tensorboard.js';
import { SUBNET_VERSION } from '../../runtime/version.js';
import { ROOT } from '../helpers/cli.js';
import { mlp, synthetic } from '../helpers/configs.js';

test('CRC-32C: the check value of "123456789" and the mask of TensorFlow', () => {
  const bytes = new TextEncoder().encode('123456789');
  assert.is(crc32c(bytes), 0xe3069283);
  const c = 0xe3069283;
  assert.is(maskedCrc32c(bytes), (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0);
});

test('event file: header event, then train/test loss and accuracy and lr per epoch; CRCs checked', () => {
  const epochs = [1, 2].map((e) => ({ epoch: e, wallTime: 1700000000 + e, lr: 0.1 / e, train_loss: 1 / e, train_accuracy: 0.5 + e / 10, test_loss: 2 / e, test_accuracy: 0.4 + e / 10 }));
  const bytes = eventFileBytes(runEvents(1700000000.5, epochs));
  const events = readEventFile(bytes);
  assert.is(events.length, 3);
  assert.is(events[0].fileVersion, 'brain.Event:2');
  assert.is(events[0].wallTime, 1700000000.5);
  assert.equal(events.slice(1).map((e) => e.step), [1, 2]);
  assert.is(events[2].wallTime, 1700000002);
  assert.equal(events[2].scalars, {
    'train/loss': Math.fround(0.5),
    'train/accuracy': Math.fround(0.7),
    'test/loss': Math.fround(1),
    'test/accuracy': Math.fround(0.6),
    lr: Math.fround(0.05),
  });
  // Framing: u64 length, masked CRC of the length, payload, masked CRC of the payload.
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const len = Number(view.getBigUint64(0, true));
  assert.is(view.getUint32(8, true), maskedCrc32c(bytes.subarray(0, 8)));
  assert.is(view.getUint32(12 + len, true), maskedCrc32c(bytes.subarray(12, 12 + len)));
  const bad = bytes.slice();
  bad[bad.length - 10] ^= 1;
  assert.throws(() => readEventFile(bad), (e: Error) => e instanceof EventFileError && /payload CRC mismatch/.test(e.message));
  const badLen = bytes.slice();
  badLen[0] ^= 1;
  assert.throws(() => readEventFile(badLen), /length CRC mismatch/);
});

test('safetensors: 8-byte aligned header, offsets cover the buffer; violations are rejected', () => {
  const w = new Float32Array([1.5, -2, 3.25]);
  const m = new Uint8Array([1, 0, 1]);
  const file = encodeSafetensors([tensor('a.weight', 'F32', [3], w), tensor('a.mask', 'U8', [3], m)], { seed: '7' });
  const n = Number(new DataView(file.buffer).getBigUint64(0, true));
  assert.is((8 + n) % 8, 0);
  const d = decodeSafetensors(file);
  assert.equal(d.metadata, { seed: '7' });
  assert.equal([...new Float32Array(d.tensors.get('a.weight')!.data.slice().buffer)], [1.5, -2, 3.25]);
  assert.equal([...d.tensors.get('a.mask')!.data], [1, 0, 1]);
  const header = (h: object, data = 12) => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + data);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };
  assert.throws(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } })), (e: Error) => e instanceof SafetensorsError && /4 bytes after the last tensor/.test(e.message));
  assert.throws(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } })), /a hole of 4 bytes before x/);
  assert.throws(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } })), /8 bytes for shape \[3\] F32/);
  assert.throws(() => decodeSafetensors(header({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, y: { dtype: 'U8', shape: [4], data_offsets: [8, 12] } })), /overlaps/);
  assert.throws(() => decodeSafetensors(header({ x: { dtype: 'Q4', shape: [3], data_offsets: [0, 12] } })), /unknown dtype/);
  assert.throws(() => decodeSafetensors(new Uint8Array([255, 0, 0, 0, 0, 0, 0, 0, 123])), /past the end/);
});

test('program hash: the runtime hashes exactly what the compiler hashes for the run id', () => {
  for (const cfg of [mlp(), mlp({ seed: 2 ** 40 + 3, hidden: [7], data: synthetic([3, 4, 4], 3, 10, 5) }), { ...mlp(), data: { ...synthetic([1, 28, 28], 10, 1, 1), kind: 'mnist' as const, dir: '/x', padTo: 0 } } as never]) {
    assert.is(programHash(cfg).slice(0, 12), runId(cfg));
    assert.ok(!idText(cfg).includes('"evalBatch"') && !idText(cfg).includes('"/x"'));
  }
});

test('the version constant is package.json\'s', () => {
  assert.is(SUBNET_VERSION, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test.run();
