import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from './eip712';
import { FIELD_P, addMultiple, buildTable, type FixedBaseTable, type Jacobian } from './secp256k1-tables';

/**
 * secp256k1 signatures over 32-byte EIP-712 digests, in Ethereum's 65-byte r ‖ s ‖ v form.
 * Rule: high-s signatures are rejected (EIP-2 malleability), where ethers' recovery would accept
 * them; for canonical signatures the result equals ethers.verifyTypedData (tested).
 *
 * Fast path: a provider's public key is learned by one full recovery (@noble/curves), then cached
 * as a fixed-base wNAF table (secp256k1-tables.ts) so that later checks cost two table
 * multiplications, u1·G + u2·Q, instead of a recovery (square root plus a variable-base
 * multiplication). The recovery bit is checked against R's y parity, so the fast path accepts
 * exactly what recovery accepts. verifyBatch also shares the two modular inversions of a batch.
 */
type Point = InstanceType<typeof secp256k1.Point>;
const Point = secp256k1.Point;
const Fn = Point.Fn;
const Fp = Point.Fp;
const HALF_N = Fn.ORDER >> 1n;
const G_WINDOW = 10;
let baseTable: FixedBaseTable | undefined;

function gTable(): FixedBaseTable {
  return (baseTable ??= buildTable(Point.BASE, G_WINDOW));
}

export interface ParsedSignature {
  readonly r: bigint;
  readonly s: bigint;
  readonly recovery: number;
}

export function parseSignature(signature: string): ParsedSignature | undefined {
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) return undefined;
  const r = BigInt(signature.slice(0, 66));
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130, 132), 16);
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return undefined;
  if (r <= 0n || r >= Fn.ORDER || s <= 0n || s > HALF_N) return undefined;
  return { r, s, recovery };
}

/** Signs a digest; returns 0x r ‖ s ‖ v with v in {27, 28} and low s. */
export function signDigest(digest: Uint8Array, privateKeyHex: string): string {
  const sig = secp256k1.sign(digest, hexToBytes(privateKeyHex), { lowS: true });
  const hex = bytesToHex(sig.toCompactRawBytes());
  return `${hex}${(27 + sig.recovery).toString(16)}`;
}

export function addressOfPublicKey(uncompressed: Uint8Array): string {
  return bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12));
}

export function addressOfPrivateKey(privateKeyHex: string): string {
  return addressOfPublicKey(secp256k1.getPublicKey(hexToBytes(privateKeyHex), false));
}

function recoverPoint(digest: Uint8Array, sig: ParsedSignature): Point | undefined {
  try {
    return new secp256k1.Signature(sig.r, sig.s).addRecoveryBit(sig.recovery).recoverPublicKey(digest);
  } catch {
    return undefined;
  }
}

/** Recovers the signer's lower-case address, or undefined for a malformed signature. */
export function recoverAddress(digest: Uint8Array, signature: string): string | undefined {
  const sig = parseSignature(signature);
  if (sig === undefined) return undefined;
  const q = recoverPoint(digest, sig);
  return q === undefined ? undefined : addressOfPublicKey(q.toRawBytes(false));
}

function digestScalar(digest: Uint8Array): bigint {
  let h = 0n;
  for (const b of digest) h = (h << 8n) | BigInt(b);
  return Fn.create(h);
}

/** Checks signatures against expected addresses, caching each signer's public key table. */
export class SignatureVerifier {
  private readonly keys = new Map<string, FixedBaseTable>();

  /** A key table of window 8 holds 4,224 affine points (about 0.4 MB) and takes ~35 ms to build. */
  constructor(
    private readonly keyWindow = 8,
    private readonly maxCachedKeys = 256,
  ) {}

  get cachedKeys(): number {
    return this.keys.size;
  }

  /** The cached key table for an address, if its key has been learned. */
  tableOf(address: string): FixedBaseTable | undefined {
    return this.keys.get(address.toLowerCase());
  }

  verify(digest: Uint8Array, signature: string, expectedAddress: string): boolean {
    const sig = parseSignature(signature);
    if (sig === undefined) return false;
    const address = expectedAddress.toLowerCase();
    const q = this.keys.get(address);
    if (q !== undefined) return fastVerify(digest, sig, q);
    const recovered = recoverPoint(digest, sig);
    if (recovered === undefined || addressOfPublicKey(recovered.toRawBytes(false)) !== address) return false;
    if (this.keys.size >= this.maxCachedKeys) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(address, buildTable(recovered, this.keyWindow));
    return true;
  }
}

export interface VerifyItem {
  readonly digest: Uint8Array;
  readonly signature: string;
  readonly expectedAddress: string;
}

/** u1*G + u2*Q for a cached key, before the final checks. */
function combine(digest: Uint8Array, sig: ParsedSignature, sInv: bigint, q: FixedBaseTable): Jacobian {
  const acc: Jacobian = { X: 0n, Y: 1n, Z: 0n };
  addMultiple(acc, gTable(), Fn.create(digestScalar(digest) * sInv));
  addMultiple(acc, q, Fn.create(sig.r * sInv));
  return acc;
}

/** R.x = X / Z^2 must equal r (recovery ids 0/1 mean R.x < n), and y's parity the recovery bit. */
function finish(acc: Jacobian, sig: ParsedSignature, zInv: bigint): boolean {
  const z2 = (acc.Z * acc.Z) % FIELD_P;
  if (acc.X !== (sig.r * z2) % FIELD_P) return false;
  const y = (((acc.Y * zInv) % FIELD_P) * ((zInv * zInv) % FIELD_P)) % FIELD_P;
  return Number(y & 1n) === sig.recovery;
}

function fastVerify(digest: Uint8Array, sig: ParsedSignature, q: FixedBaseTable): boolean {
  const acc = combine(digest, sig, Fn.inv(sig.s), q);
  return acc.Z !== 0n && finish(acc, sig, Fp.inv(acc.Z));
}

/**
 * Batch form of SignatureVerifier.verify, same results item by item: cached keys share two
 * Montgomery batch inversions (s^-1 mod n, Z^-1 mod p) instead of two inversions each.
 */
export function verifyBatch(verifier: SignatureVerifier, items: readonly VerifyItem[]): boolean[] {
  const results = new Array<boolean>(items.length).fill(false);
  const pending: { index: number; sig: ParsedSignature; table: FixedBaseTable }[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const table = verifier.tableOf(item.expectedAddress);
    const sig = table === undefined ? undefined : parseSignature(item.signature);
    if (table === undefined) results[i] = verifier.verify(item.digest, item.signature, item.expectedAddress);
    else if (sig !== undefined) pending.push({ index: i, sig, table });
  }
  const sInvs = Fn.invertBatch(pending.map((p) => p.sig.s));
  const accs = pending.map((p, k) => combine(items[p.index]!.digest, p.sig, sInvs[k]!, p.table));
  const zInvs = Fp.invertBatch(accs.map((a) => (a.Z === 0n ? 1n : a.Z)));
  for (let k = 0; k < pending.length; k++) {
    const acc = accs[k]!;
    results[pending[k]!.index] = acc.Z !== 0n && finish(acc, pending[k]!.sig, zInvs[k]!);
  }
  return results;
}
