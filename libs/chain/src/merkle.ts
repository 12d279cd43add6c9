import { bytesToHex } from '@noble/hashes/utils';
import { keccak256, keccak256Many } from '@exchange/keccak';

/**
 * Merkle tree of an expiry's net payouts, built exactly as OpenZeppelin's StandardMerkleTree builds
 * it for the leaf types (uint256 index, address account, uint256 amount): leaf =
 * keccak256(keccak256(abi.encode(index, account, amount))), leaves sorted by hash, the tree an array
 * where node i = hashPair(node 2i+1, node 2i+2) and a pair is hashed in sorted order. Its root and
 * proofs are therefore the ones @openzeppelin/merkle-tree gives for the same values, and
 * MerkleProof.verify in CollateralVault accepts them. `index` is the leaf's position in the input
 * (the order the settlement core emits payouts in), so the tree is a function of that list.
 *
 * Speed: the leaves are ABI-encoded by hand (three 32-byte words written into a small buffer reused
 * batch after batch, no ethers AbiCoder) and hashed with @exchange/keccak's batch (up to 1,024
 * one-block messages per WebAssembly call): the leaves twice, then the inner nodes one tree level
 * at a time (a level's children are contiguous in the node array, and so are its parents).
 */
export interface Payout {
  readonly account: string;
  readonly amountMinor: bigint;
}

export interface PayoutLeaf extends Payout {
  readonly index: number;
}

const NODE_BYTES = 32;
const NODE_WORDS = NODE_BYTES / 4;
const LEAF_BYTES = 96;
const ADDRESS_BYTES = 20;
/** Leaves encoded, or node pairs copied, per hash batch (small buffers, reused). */
const BATCH = 1_024;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Leaf indices below this fit beside a 32-bit hash prefix in a double's 53 bits. */
const INDEX_SPAN = 2 ** 21;
const MAX_UINT256 = (1n << 256n) - 1n;

export class PayoutTree {
  private readonly nodes: Uint8Array;
  /** tree position of each input index */
  private readonly positions: Uint32Array;

  private constructor(
    readonly leaves: readonly PayoutLeaf[],
    nodes: Uint8Array,
    positions: Uint32Array,
  ) {
    this.nodes = nodes;
    this.positions = positions;
  }

  /** Builds the tree; every account at most once, amounts above zero. Throws on bad input. */
  static build(payouts: readonly Payout[]): PayoutTree {
    const n = payouts.length;
    if (n === 0) throw new Error('PAYOUTS_EMPTY: a payout tree needs at least one payout');
    // addresses kept for the duplicate check; leaves encoded a batch at a time into one small
    // buffer (words never written stay zero) and hashed from there
    const addresses = new Uint8Array(n * ADDRESS_BYTES);
    const seen = new AddressSet(addresses, n);
    const encoded = new Uint8Array(BATCH * LEAF_BYTES);
    const words = new DataView(encoded.buffer);
    const addressWords = new Uint32Array(addresses.buffer);
    const encodedWords = new Uint32Array(encoded.buffer);
    const leafHashes = new Uint8Array(n * NODE_BYTES);
    const leaves: PayoutLeaf[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const { account, amountMinor } = payouts[i];
      // the checks' order: a duplicate, then the amount, then the address's form (a malformed
      // address cannot repeat an earlier, well-formed one)
      const wellFormed = writeAddress(addresses, i * ADDRESS_BYTES, account);
      if (wellFormed && !seen.add(i * ADDRESS_BYTES))
        throw new Error(`PAYOUT_DUPLICATE: ${account} appears twice`);
      if (amountMinor <= 0n || amountMinor > MAX_UINT256) {
        throw new Error(`PAYOUT_AMOUNT: ${account} has ${amountMinor}`);
      }
      if (!wellFormed) throw new Error(`PAYOUT_ACCOUNT: ${account} is not an address`);
      const slot = i % BATCH;
      const at = slot * LEAF_BYTES;
      words.setUint32(at + 28, i);
      for (let w = 0; w < ADDRESS_BYTES / 4; w++) encodedWords[(at + 44) / 4 + w] = addressWords[i * 5 + w];
      writeUint256(encoded, words, at + 64, amountMinor);
      leaves[i] = { index: i, account, amountMinor };
      if (slot === BATCH - 1 || i === n - 1) {
        keccak256Many(encoded, 0, LEAF_BYTES, slot + 1, leafHashes, (i - slot) * NODE_BYTES);
      }
    }
    // leaf = keccak256(keccak256(abi.encode(...))): the second pass hashes the first's digests
    keccak256Many(leafHashes, 0, NODE_BYTES, n, leafHashes, 0);
    const order = sortedOrder(leafHashes, n);
    const size = 2 * n - 1;
    const nodes = new Uint8Array(size * NODE_BYTES);
    const positions = new Uint32Array(n);
    // leaves at the end of the node array, in reverse hash order; copied as 32-bit words
    const from = new Uint32Array(leafHashes.buffer);
    const to = new Uint32Array(nodes.buffer);
    for (let k = 0; k < n; k++) {
      const position = size - 1 - k;
      const leaf = order[k];
      for (let w = 0; w < NODE_WORDS; w++) to[position * NODE_WORDS + w] = from[leaf * NODE_WORDS + w];
      positions[leaf] = position;
    }
    hashInnerNodes(nodes, n);
    return new PayoutTree(leaves, nodes, positions);
  }

  get root(): string {
    return `0x${bytesToHex(this.nodes.subarray(0, NODE_BYTES))}`;
  }

  get totalMinor(): bigint {
    let total = 0n;
    for (const leaf of this.leaves) total += leaf.amountMinor;
    return total;
  }

  /** The sibling hashes from leaf `index` (input position) up to the root. */
  proof(index: number): string[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.leaves.length) {
      throw new Error(`PAYOUT_INDEX: no leaf ${index}`);
    }
    const proof: string[] = [];
    for (let i = this.positions[index]; i > 0; i = (i - 1) >> 1) {
      const sibling = i % 2 === 1 ? i + 1 : i - 1;
      proof.push(`0x${bytesToHex(this.nodes.subarray(sibling * NODE_BYTES, (sibling + 1) * NODE_BYTES))}`);
    }
    return proof;
  }
}

/** keccak256(keccak256(abi.encode(index, account, amount))) as a 0x hex string. */
export function payoutLeafHash(leaf: PayoutLeaf): string {
  const encoded = new Uint8Array(LEAF_BYTES);
  encodeLeaf(encoded, new DataView(encoded.buffer), 0, leaf.index, leaf.account, leaf.amountMinor);
  return `0x${bytesToHex(keccak256(keccak256(encoded)))}`;
}

/**
 * Inner node i (0..n-2) = hash of its children 2i+1 and 2i+2 in sorted order, one tree level at a
 * time from the deepest: the children of a level's nodes lo..hi are the contiguous nodes
 * 2lo+1..2hi+2, copied as pairs (each in sorted order) into a small buffer, a batch at a time, and
 * hashed into lo..hi.
 */
function hashInnerNodes(nodes: Uint8Array, n: number): void {
  const inner = n - 1;
  if (inner === 0) return;
  let depth = 0;
  while (2 ** (depth + 1) - 1 < inner) depth++;
  const pairs = new Uint8Array(BATCH * 2 * NODE_BYTES);
  for (; depth >= 0; depth--) {
    const hi = Math.min(2 ** (depth + 1) - 2, inner - 1);
    for (let lo = 2 ** depth - 1; lo <= hi; lo += BATCH) {
      const count = Math.min(BATCH, hi - lo + 1);
      pairs.set(nodes.subarray((2 * lo + 1) * NODE_BYTES, (2 * lo + 2 * count + 1) * NODE_BYTES));
      for (let k = 0; k < count; k++) sortPair(pairs, 2 * k * NODE_BYTES);
      keccak256Many(pairs, 0, 2 * NODE_BYTES, count, nodes, lo * NODE_BYTES);
    }
  }
}

/** Puts the two 32-byte hashes at `at` and `at + 32` in ascending byte order. */
function sortPair(pairs: Uint8Array, at: number): void {
  const b = at + NODE_BYTES;
  let i = 0;
  while (i < NODE_BYTES && pairs[at + i] === pairs[b + i]) i++;
  if (i === NODE_BYTES || pairs[at + i] < pairs[b + i]) return;
  for (let j = i; j < NODE_BYTES; j++) {
    const t = pairs[at + j];
    pairs[at + j] = pairs[b + j];
    pairs[b + j] = t;
  }
}

/** abi.encode(uint256 index, address account, uint256 amount) into out[at..at+96) (zeroed before). */
function encodeLeaf(
  out: Uint8Array,
  words: DataView,
  at: number,
  index: number,
  account: string,
  amountMinor: bigint,
): void {
  if (!writeAddress(out, at + 44, account)) throw new Error(`PAYOUT_ACCOUNT: ${account} is not an address`);
  words.setUint32(at + 28, index);
  writeUint256(out, words, at + 64, amountMinor);
}

/** The 20 bytes of a 0x-prefixed 40-digit hex address at out[at..at+20); false if it is not one. */
function writeAddress(out: Uint8Array, at: number, account: string): boolean {
  if (account.length !== 42 || account.charCodeAt(0) !== 0x30 || account.charCodeAt(1) !== 0x78) return false;
  for (let k = 0; k < 20; k++) {
    const hi = HEX[account.charCodeAt(2 + 2 * k)] ?? 255;
    const lo = HEX[account.charCodeAt(3 + 2 * k)] ?? 255;
    if ((hi | lo) > 15) return false;
    out[at + k] = (hi << 4) | lo;
  }
  return true;
}

/**
 * The set of addresses seen so far, each named by its offset in a buffer of 20-byte addresses: open
 * addressing on a hash of the bytes (an address is the same account whatever the case of its hex
 * digits).
 */
class AddressSet {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly words: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    capacity: number,
  ) {
    let size = 16;
    while (size < 2 * capacity) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Adds the address at bytes[at..at+20); false if it was already there. */
  add(at: number): boolean {
    const w = this.words;
    let h = Math.imul(w.getUint32(at + 16), 0x9e3779b1);
    h = Math.imul(h ^ w.getUint32(at + 12) ^ (h >>> 15), 0x85ebca6b);
    h = Math.imul(h ^ w.getUint32(at) ^ (h >>> 13), 0xc2b2ae35);
    for (let slot = (h ^ (h >>> 16)) & this.mask; ; slot = (slot + 1) & this.mask) {
      const other = this.slots[slot];
      if (other === -1) {
        this.slots[slot] = at;
        return true;
      }
      if (this.same(other, at)) return false;
    }
  }

  private same(x: number, y: number): boolean {
    for (let k = 0; k < 20; k++) if (this.bytes[x + k] !== this.bytes[y + k]) return false;
    return true;
  }
}

/** Hex digit values by character code (255: not a hex digit). */
const HEX = (() => {
  const t = new Uint8Array(128).fill(255);
  for (let d = 0; d < 16; d++) {
    t['0123456789abcdef'.charCodeAt(d)] = d;
    t['0123456789ABCDEF'.charCodeAt(d)] = d;
  }
  return t;
})();

/** A uint256 as a 32-byte big-endian word at out[at..at+32). */
function writeUint256(out: Uint8Array, words: DataView, at: number, value: bigint): void {
  if (value <= MAX_SAFE) {
    const v = Number(value);
    out.fill(0, at, at + 24);
    words.setUint32(at + 24, Math.floor(v / 2 ** 32));
    words.setUint32(at + 28, v >>> 0);
    return;
  }
  for (let k = 0; k < 4; k++)
    words.setBigUint64(at + 8 * k, BigInt.asUintN(64, value >> BigInt(192 - 64 * k)));
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < NODE_BYTES; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/** Leaf indices ordered by hash (byte order), ties by index. */
function sortedOrder(hashes: Uint8Array, n: number): Uint32Array {
  const order = new Uint32Array(n);
  if (n > INDEX_SPAN) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((x, y) => compareLeaves(hashes, x, y));
  }
  // key = first 4 bytes x 2^21 + index, exact in a double: a native numeric sort orders by the
  // prefix, then index; runs with an equal prefix (rare) are then ordered by the whole hash
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * NODE_BYTES;
    const prefix = ((hashes[o] << 24) | (hashes[o + 1] << 16) | (hashes[o + 2] << 8) | hashes[o + 3]) >>> 0;
    keys[i] = prefix * INDEX_SPAN + i;
  }
  keys.sort();
  for (let k = 0; k < n; k++) order[k] = keys[k] % INDEX_SPAN;
  for (let k = 0; k < n - 1;) {
    let end = k + 1;
    const prefix = Math.floor(keys[k] / INDEX_SPAN);
    while (end < n && Math.floor(keys[end] / INDEX_SPAN) === prefix) end++;
    if (end - k > 1) order.subarray(k, end).sort((x, y) => compareLeaves(hashes, x, y));
    k = end;
  }
  return order;
}

/** Leaves x and y by hash, then index. */
function compareLeaves(hashes: Uint8Array, x: number, y: number): number {
  const c = compare(hashes.subarray(x * NODE_BYTES), hashes.subarray(y * NODE_BYTES));
  return c !== 0 ? c : x - y;
}
