import { keccak256, keccak256Into } from '@exchange/keccak';
import { TypedDataEncoder } from 'ethers';

/**
 * A minimal, fast EIP-712 encoder for flat structs of `string`, `address` and `uintN` fields: the
 * type hash and domain separator are computed once; hashes of repeated strings (provider ids,
 * classes, suites) are cached in a bounded map. Agreement with ethers' TypedDataEncoder is tested.
 */
export interface Eip712Domain {
  readonly name: string;
  readonly version: string;
  readonly chainId: number;
  readonly verifyingContract: string;
}

export type FlatFieldType = 'string' | 'address' | `uint${number}`;
export interface FlatField {
  readonly name: string;
  readonly type: FlatFieldType;
}

const encoder = new TextEncoder();
const STRING_CACHE_MAX = 4096;

export class FlatStructHasher {
  readonly typeHash: Uint8Array;
  readonly domainSeparator: Uint8Array;
  readonly ethersTypes: Record<string, { name: string; type: string }[]>;
  private readonly stringHashes = new Map<string, Uint8Array>();
  private readonly buffer: Uint8Array;
  private readonly digestInput = new Uint8Array(66);

  constructor(
    readonly primaryType: string,
    readonly fields: readonly FlatField[],
    readonly domain: Eip712Domain,
  ) {
    const typeString = `${primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`;
    this.typeHash = keccak256(encoder.encode(typeString));
    this.ethersTypes = { [primaryType]: fields.map((f) => ({ name: f.name, type: f.type })) };
    this.domainSeparator = hexToBytes(TypedDataEncoder.hashDomain(domain));
    this.buffer = new Uint8Array(32 * (fields.length + 1));
    this.digestInput[0] = 0x19;
    this.digestInput[1] = 0x01;
    this.digestInput.set(this.domainSeparator, 2);
  }

  /** The EIP-712 digest keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(value)). */
  digest(value: Readonly<Record<string, unknown>>): Uint8Array {
    const buf = this.buffer;
    buf.fill(0);
    buf.set(this.typeHash, 0);
    for (let i = 0; i < this.fields.length; i++) {
      const field = this.fields[i]!;
      const offset = 32 * (i + 1);
      const v = value[field.name];
      if (field.type === 'string') buf.set(this.hashString(String(v)), offset);
      else if (field.type === 'address') buf.set(hexToBytes(String(v)), offset + 12);
      else writeUint256(buf, offset, v as number | bigint);
    }
    keccak256Into(buf, this.digestInput, 34);
    const digest = new Uint8Array(32);
    keccak256Into(this.digestInput, digest, 0);
    return digest;
  }

  private hashString(s: string): Uint8Array {
    let h = this.stringHashes.get(s);
    if (h === undefined) {
      h = keccak256(encoder.encode(s));
      if (this.stringHashes.size >= STRING_CACHE_MAX) this.stringHashes.clear();
      this.stringHashes.set(s, h);
    }
    return h;
  }
}

function writeUint256(buf: Uint8Array, offset: number, v: number | bigint): void {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    // big-endian: the low 32 bits and the high 21 bits, split with exact float arithmetic (v < 2^53)
    const hi = Math.floor(v / 0x1_0000_0000);
    const lo = v - hi * 0x1_0000_0000;
    const end = offset + 31;
    buf[end] = lo & 0xff;
    buf[end - 1] = (lo >>> 8) & 0xff;
    buf[end - 2] = (lo >>> 16) & 0xff;
    buf[end - 3] = lo >>> 24;
    buf[end - 4] = hi & 0xff;
    buf[end - 5] = (hi >>> 8) & 0xff;
    buf[end - 6] = hi >>> 16;
    return;
  }
  let x = BigInt(v);
  if (x < 0n) throw new RangeError('uint field is negative');
  for (let i = offset + 31; i >= offset && x > 0n; i--) {
    buf[i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new RangeError('not a hex string');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '0x';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
