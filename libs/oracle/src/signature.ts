import secp256k1 from 'secp256k1/bindings.js';
import { bytesToHex, hexToBytes } from './eip712';
import { keccak256 } from '@exchange/keccak';

/**
 * secp256k1 signatures over 32-byte EIP-712 digests, in Ethereum's 65-byte r ‖ s ‖ v form.
 * Rule: high-s signatures are rejected (EIP-2 malleability), where ethers' recovery would accept
 * them; for canonical signatures the result equals ethers.verifyTypedData (tested).
 *
 * The curve work is libsecp256k1's (the `secp256k1` package's prebuilt N-API binary, loaded without
 * install scripts; a platform without a prebuilt binary fails at import, with no JavaScript
 * fallback). A check is one public-key recovery with the signature's recovery bit, compared with
 * the signer's key: recovery rather than verification (x-only, blind to R's y parity) so that a
 * flipped v is rejected exactly as ethers rejects it. A signer's key is learned from its address by
 * one recovery plus Keccak and then cached (33 bytes), so later checks skip the address hash.
 */
const ORDER_N = hexToBytes('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
const HALF_N = hexToBytes('0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0');

/** Hex digit values by char code, -1 for any other character. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** a[from..from+32) compared with b (32 bytes) as big-endian integers. */
function compare32(a: Uint8Array, from: number, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = a[from + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function isZero32(a: Uint8Array, from: number): boolean {
  for (let i = from; i < from + 32; i++) if (a[i] !== 0) return false;
  return true;
}

/**
 * Decodes 0x r ‖ s ‖ v (130 hex digits) into out[0..64) = r ‖ s; returns the recovery bit, or -1
 * when malformed: v not in {0, 1, 27, 28}, r not in [1, n-1], s not in [1, n/2] (low s).
 */
export function decodeSignature(signature: string, out: Uint8Array): number {
  if (typeof signature !== 'string' || signature.length !== 132) return -1;
  if (signature.charCodeAt(0) !== 48 || signature.charCodeAt(1) !== 120) return -1; // '0x'
  let v = 0;
  for (let i = 0; i < 65; i++) {
    const hi = signature.charCodeAt(2 + 2 * i);
    const lo = signature.charCodeAt(3 + 2 * i);
    if ((hi | lo) > 255) return -1;
    const h = HEX_VALUE[hi]!;
    const l = HEX_VALUE[lo]!;
    if ((h | l) < 0) return -1;
    if (i < 64) out[i] = (h << 4) | l;
    else v = (h << 4) | l;
  }
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return -1;
  if (isZero32(out, 0) || compare32(out, 0, ORDER_N) >= 0) return -1;
  if (isZero32(out, 32) || compare32(out, 32, HALF_N) > 0) return -1;
  return recovery;
}

export interface ParsedSignature {
  readonly r: bigint;
  readonly s: bigint;
  readonly recovery: number;
}

export function parseSignature(signature: string): ParsedSignature | undefined {
  const rs = new Uint8Array(64);
  const recovery = decodeSignature(signature, rs);
  if (recovery < 0) return undefined;
  return {
    r: BigInt(bytesToHex(rs.subarray(0, 32))),
    s: BigInt(bytesToHex(rs.subarray(32, 64))),
    recovery,
  };
}

/** Signs a digest; returns 0x r ‖ s ‖ v with v in {27, 28} and low s (RFC 6979 nonce). */
export function signDigest(digest: Uint8Array, privateKeyHex: string): string {
  const sig = secp256k1.ecdsaSign(digest, hexToBytes(privateKeyHex));
  return `${bytesToHex(sig.signature)}${(27 + sig.recid).toString(16)}`;
}

export function addressOfPublicKey(uncompressed: Uint8Array): string {
  return bytesToHex(keccak256(uncompressed.subarray(1)).subarray(12));
}

export function addressOfPrivateKey(privateKeyHex: string): string {
  return addressOfPublicKey(secp256k1.publicKeyCreate(hexToBytes(privateKeyHex), false));
}

/** The signer's public key into `out` (33 or 65 bytes); false when none can be recovered. */
function recoverInto(digest: Uint8Array, rs: Uint8Array, recovery: number, out: Uint8Array): boolean {
  try {
    secp256k1.ecdsaRecover(rs, recovery, digest, out.length === 33, out);
    return true;
  } catch {
    return false;
  }
}

/** Recovers the signer's lower-case address, or undefined for a malformed signature. */
export function recoverAddress(digest: Uint8Array, signature: string): string | undefined {
  const rs = new Uint8Array(64);
  const recovery = decodeSignature(signature, rs);
  if (recovery < 0) return undefined;
  const key = new Uint8Array(65);
  return recoverInto(digest, rs, recovery, key) ? addressOfPublicKey(key) : undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks signatures against expected addresses, caching each signer's compressed public key. */
export class SignatureVerifier {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly rs = new Uint8Array(64);
  private readonly recovered = new Uint8Array(33);
  private readonly recoveredFull = new Uint8Array(65);

  /** A cached key is 33 bytes; the oldest is dropped when the cache is full. */
  constructor(private readonly maxCachedKeys = 65_536) {}

  get cachedKeys(): number {
    return this.keys.size;
  }

  /** The cached compressed public key of an address, if it has been learned. */
  publicKeyOf(address: string): Uint8Array | undefined {
    return this.keys.get(address.toLowerCase())?.slice();
  }

  verify(digest: Uint8Array, signature: string, expectedAddress: string): boolean {
    const recovery = decodeSignature(signature, this.rs);
    if (recovery < 0) return false;
    const address = expectedAddress.toLowerCase();
    const key = this.keys.get(address);
    if (key !== undefined)
      return recoverInto(digest, this.rs, recovery, this.recovered) && equalBytes(this.recovered, key);
    const full = this.recoveredFull;
    if (!recoverInto(digest, this.rs, recovery, full) || addressOfPublicKey(full) !== address) return false;
    if (this.keys.size >= this.maxCachedKeys) this.keys.delete(this.keys.keys().next().value as string);
    const compressed = new Uint8Array(33);
    compressed[0] = 2 | (full[64]! & 1);
    compressed.set(full.subarray(1, 33), 1);
    this.keys.set(address, compressed);
    return true;
  }
}

export interface VerifyItem {
  readonly digest: Uint8Array;
  readonly signature: string;
  readonly expectedAddress: string;
}

/** SignatureVerifier.verify over a batch, results item by item. */
export function verifyBatch(verifier: SignatureVerifier, items: readonly VerifyItem[]): boolean[] {
  const results = new Array<boolean>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    results[i] = verifier.verify(item.digest, item.signature, item.expectedAddress);
  }
  return results;
}
