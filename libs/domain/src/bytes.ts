/**
 * Little-endian byte writer and reader used by the codec. The writer grows as needed and is reused
 * across records (call `reset`), so encoding allocates nothing on the hot path.
 */
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.pos = 0;
  }

  /** The bytes written since the last reset (a view: copy it if the writer will be reused). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * Makes room for a fixed-size record of `n` bytes and returns where it starts; the caller then
   * writes into `buf` and `view` at offsets from there (one capacity check per record).
   */
  reserve(n: number): number {
    if (this.pos + n > this.buf.length) this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(value: number): void {
    if ((value & 0xff) !== value) throw new RangeError(`not a byte: ${value}`);
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  u32(value: number): void {
    if (value >>> 0 !== value) throw new RangeError(`not a u32: ${value}`);
    this.ensure(4);
    this.view.setUint32(this.pos, value, true);
    this.pos += 4;
  }

  f64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  bool(value: boolean): void {
    this.u8(value ? 1 : 0);
  }

  /** A string of at most 255 UTF-8 bytes, length-prefixed. */
  str(value: string): void {
    const n = value.length;
    this.ensure(1 + 3 * n);
    let ascii = n <= 255;
    for (let i = 0; ascii && i < n; i++) if (value.charCodeAt(i) > 0x7f) ascii = false;
    if (ascii) {
      this.buf[this.pos++] = n;
      for (let i = 0; i < n; i++) this.buf[this.pos++] = value.charCodeAt(i);
      return;
    }
    const encoded = textEncoder.encode(value);
    if (encoded.length > 255) throw new RangeError(`string longer than 255 bytes: ${value.slice(0, 32)}...`);
    this.buf[this.pos++] = encoded.length;
    this.buf.set(encoded, this.pos);
    this.pos += encoded.length;
  }

  /** A string of any length, UTF-8 with a u32 length prefix (JSON documents, long names). */
  text(value: string): void {
    const encoded = textEncoder.encode(value);
    this.u32(encoded.length);
    this.raw(encoded);
  }

  /** A bigint as its decimal string (exact at any size; amounts in minor units). */
  bigint(value: bigint): void {
    this.str(value.toString());
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}

export class CodecError extends Error {}

export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new CodecError(`record truncated at byte ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /**
   * A float64. Whole numbers in int32 range come back as small integers (V8 Smis), like the numbers
   * they were encoded from, so decoded commands keep integer field representations and integer map
   * keys in the engine (a decoded double would turn every order's fields into heap doubles). -0 stays -0.
   */
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    const i = v | 0;
    return i === v && (i !== 0 || 1 / v > 0) ? i : v;
  }

  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new CodecError(`not a boolean: ${v}`);
    return v === 1;
  }

  text(): string {
    const n = this.u32();
    this.need(n);
    const start = this.pos;
    this.pos += n;
    try {
      return textDecoder.decode(this.buf.subarray(start, this.pos));
    } catch {
      throw new CodecError(`invalid UTF-8 at byte ${start}`);
    }
  }

  bigint(): bigint {
    const s = this.str();
    if (!/^-?\d{1,78}$/.test(s)) throw new CodecError(`not an integer: ${s.slice(0, 32)}`);
    return BigInt(s);
  }

  str(): string {
    const n = this.u8();
    this.need(n);
    const start = this.pos;
    this.pos += n;
    let ascii = true;
    for (let i = start; i < this.pos; i++) if (this.buf[i]! > 0x7f) ascii = false;
    if (ascii) {
      let s = '';
      for (let i = start; i < this.pos; i++) s += String.fromCharCode(this.buf[i]!);
      return s;
    }
    try {
      return textDecoder.decode(this.buf.subarray(start, this.pos));
    } catch {
      throw new CodecError(`invalid UTF-8 at byte ${start}`);
    }
  }
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256 * 4);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n]!;
    for (let t = 1; t < 4; t++) {
      c = table[c & 0xff]! ^ (c >>> 8);
      table[t * 256 + n] = c;
    }
  }
  return table;
})();

/**
 * CRC-32 (IEEE 802.3, as zlib). It can also be kept running: start from `CRC32_START`, feed bytes
 * or the UTF-8 bytes of strings in turn (`crc32Text`), finish with `crc32End`.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32End(crc32Bytes(CRC32_START, bytes, start, end));
}

export const CRC32_START = -1;

/** The running CRC over bytes[start, end), slicing-by-4. */
function crc32Bytes(crc: number, bytes: Uint8Array, start: number, end: number): number {
  const t = CRC_TABLE;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    crc =
      t[768 + (crc & 0xff)]! ^
      t[512 + ((crc >>> 8) & 0xff)]! ^
      t[256 + ((crc >>> 16) & 0xff)]! ^
      t[crc >>> 24]!;
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/**
 * The running CRC over the UTF-8 bytes of `text`. ASCII (decimal prices and quantities) is fed
 * without encoding; the rest of a string from its first other character is encoded.
 */
export function crc32Text(crc: number, text: string): number {
  const t = CRC_TABLE;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      const bytes = textEncoder.encode(text.slice(i));
      return crc32Bytes(crc, bytes, 0, bytes.length);
    }
    crc = t[(crc ^ c) & 0xff]! ^ (crc >>> 8);
  }
  return crc;
}

export function crc32End(crc: number): number {
  return (crc ^ -1) >>> 0;
}
