// The few protobuf wire-format pieces that TensorBoard events and ONNX models need, by hand:
// varints (wire type 0), 64-bit (1), length-delimited (2: strings, bytes, nested messages,
// packed repeated) and 32-bit (5). Field order is ours to choose; readers accept any.

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(v: number | bigint): void {
    // Negative int64 values are ten bytes of two's complement, as protobuf encodes them.
    let x = typeof v === 'bigint' ? v : BigInt(v);
    if (x < 0n) x += 1n << 64n;
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  varint(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.rawVarint(v);
    return this;
  }

  double(field: number, v: number): this {
    this.tag(field, 1);
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.len, v, true);
    this.len += 8;
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, fill: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    fill(w);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated varint field (int64 lists such as dims and ints). */
  packedVarints(field: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.rawVarint(v);
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ProtoError extends Error {}

export class ProtoReader {
  private pos = 0;
  private wire = -1;

  constructor(private readonly bytes: Uint8Array) {}

  private rawVarint(): bigint {
    let x = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new ProtoError('truncated varint');
      const b = this.bytes[this.pos++];
      x |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return x;
      shift += 7n;
      if (shift > 63n) throw new ProtoError('varint longer than 10 bytes');
    }
  }

  /** Calls `f(field, this)` for each field; `f` must read the value (or skip it). */
  each(f: (field: number, r: ProtoReader) => void): void {
    while (this.pos < this.bytes.length) {
      const tag = Number(this.rawVarint());
      this.wire = tag & 7;
      const before = this.pos;
      f(tag >>> 3, this);
      if (this.pos === before) this.skip();
    }
  }

  varint(): number {
    let v = this.rawVarint();
    if (v >= 1n << 63n) v -= 1n << 64n;
    return Number(v);
  }

  double(): number {
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  float(): number {
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  bytesField(): Uint8Array {
    const n = Number(this.rawVarint());
    if (this.pos + n > this.bytes.length) throw new ProtoError('truncated length-delimited field');
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(): string {
    return new TextDecoder().decode(this.bytesField());
  }

  message(): ProtoReader {
    return new ProtoReader(this.bytesField());
  }

  packedVarints(): number[] {
    if (this.wire === 0) return [this.varint()];
    const r = new ProtoReader(this.bytesField());
    const out: number[] = [];
    while (r.pos < r.bytes.length) out.push(r.varint());
    return out;
  }

  skip(): void {
    switch (this.wire) {
      case 0:
        this.rawVarint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.bytesField();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new ProtoError(`unsupported wire type ${this.wire}`);
    }
  }
}
