import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';

/**
 * Merkle tree of an expiry's net payouts, built exactly as OpenZeppelin's StandardMerkleTree builds
 * it for the leaf types (uint256 index, address account, uint256 amount): leaf =
 * keccak256(keccak256(abi.encode(index, account, amount))), leaves sorted by hash, the tree an array
 * where node i = hashPair(node 2i+1, node 2i+2) and a pair is hashed in sorted order. Its root and
 * proofs are therefore the ones @openzeppelin/merkle-tree gives for the same values, and
 * MerkleProof.verify in CollateralVault accepts them. `index` is the leaf's position in the input
 * (the order the settlement core emits payouts in), so the tree is a function of that list.
 */
export interface Payout {
  readonly account: string;
  readonly amountMinor: bigint;
}

export interface PayoutLeaf extends Payout {
  readonly index: number;
}

const NODE_BYTES = 32;
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
    const leafHashes = new Uint8Array(n * NODE_BYTES);
    const seen = new Set<string>();
    const leaves: PayoutLeaf[] = new Array(n);
    const encoded = new Uint8Array(96);
    for (let i = 0; i < n; i++) {
      const { account, amountMinor } = payouts[i];
      const key = account.toLowerCase();
      if (seen.has(key)) throw new Error(`PAYOUT_DUPLICATE: ${account} appears twice`);
      seen.add(key);
      if (amountMinor <= 0n || amountMinor > MAX_UINT256) {
        throw new Error(`PAYOUT_AMOUNT: ${account} has ${amountMinor}`);
      }
      encodeLeaf(encoded, i, account, amountMinor);
      leafHashes.set(keccak_256(keccak_256(encoded)), i * NODE_BYTES);
      leaves[i] = { index: i, account, amountMinor };
    }
    const order = sortedOrder(leafHashes, n);
    const size = 2 * n - 1;
    const nodes = new Uint8Array(size * NODE_BYTES);
    const positions = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const position = size - 1 - k;
      const leaf = order[k];
      nodes.set(leafHashes.subarray(leaf * NODE_BYTES, (leaf + 1) * NODE_BYTES), position * NODE_BYTES);
      positions[leaf] = position;
    }
    const pair = new Uint8Array(2 * NODE_BYTES);
    for (let i = size - 1 - n; i >= 0; i--) {
      const a = nodes.subarray((2 * i + 1) * NODE_BYTES, (2 * i + 2) * NODE_BYTES);
      const b = nodes.subarray((2 * i + 2) * NODE_BYTES, (2 * i + 3) * NODE_BYTES);
      const aFirst = compare(a, b) <= 0;
      pair.set(aFirst ? a : b, 0);
      pair.set(aFirst ? b : a, NODE_BYTES);
      nodes.set(keccak_256(pair), i * NODE_BYTES);
    }
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
  const encoded = new Uint8Array(96);
  encodeLeaf(encoded, leaf.index, leaf.account, leaf.amountMinor);
  return `0x${bytesToHex(keccak_256(keccak_256(encoded)))}`;
}

function encodeLeaf(out: Uint8Array, index: number, account: string, amountMinor: bigint): void {
  if (!/^0x[0-9a-fA-F]{40}$/.test(account)) throw new Error(`PAYOUT_ACCOUNT: ${account} is not an address`);
  out.fill(0);
  writeUint256(out, 0, BigInt(index));
  out.set(hexToBytes(account.slice(2)), 44);
  writeUint256(out, 64, amountMinor);
}

function writeUint256(out: Uint8Array, offset: number, value: bigint): void {
  let v = value;
  for (let i = offset + 31; i >= offset && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
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
  for (let i = 0; i < n; i++) order[i] = i;
  // the first 6 bytes as a number decide almost every comparison without a byte loop
  const prefix = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * NODE_BYTES;
    prefix[i] =
      hashes[o] * 2 ** 40 +
      hashes[o + 1] * 2 ** 32 +
      hashes[o + 2] * 2 ** 24 +
      hashes[o + 3] * 2 ** 16 +
      hashes[o + 4] * 2 ** 8 +
      hashes[o + 5];
  }
  order.sort((x, y) => {
    if (prefix[x] !== prefix[y]) return prefix[x] - prefix[y];
    const c = compare(hashes.subarray(x * NODE_BYTES), hashes.subarray(y * NODE_BYTES));
    return c !== 0 ? c : x - y;
  });
  return order;
}
