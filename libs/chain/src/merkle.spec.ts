import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { getAddress } from 'ethers';
import fc from 'fast-check';
import { PayoutTree, payoutLeafHash, type Payout } from './merkle';

const TYPES = ['uint256', 'address', 'uint256'];

function account(i: number): string {
  return `0x${(i + 1).toString(16).padStart(40, '0')}`;
}

describe('PayoutTree', () => {
  it('has the root and proofs of OpenZeppelin StandardMerkleTree for the same leaves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: (1n << 128n) - 1n }), { minLength: 1, maxLength: 40 }),
        (amounts) => {
          const payouts: Payout[] = amounts.map((amountMinor, i) => ({
            account: account(i * 7919),
            amountMinor,
          }));
          const ours = PayoutTree.build(payouts);
          const theirs = StandardMerkleTree.of(
            payouts.map((p, i) => [i, p.account, p.amountMinor]),
            TYPES,
          );
          expect(ours.root).toBe(theirs.root);
          for (let i = 0; i < payouts.length; i++) {
            expect(ours.proof(i)).toEqual(theirs.getProof(i));
            expect(payoutLeafHash(ours.leaves[i])).toBe(
              theirs.leafHash([i, payouts[i].account, payouts[i].amountMinor]),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses an empty list, a duplicate account, a zero amount and a malformed address', () => {
    expect(() => PayoutTree.build([])).toThrow('PAYOUTS_EMPTY');
    const a = account(1);
    expect(() =>
      PayoutTree.build([
        { account: a, amountMinor: 1n },
        { account: a.toUpperCase().replace('0X', '0x'), amountMinor: 2n },
      ]),
    ).toThrow('PAYOUT_DUPLICATE');
    expect(() => PayoutTree.build([{ account: a, amountMinor: 0n }])).toThrow('PAYOUT_AMOUNT');
    expect(() => PayoutTree.build([{ account: '0x1234', amountMinor: 1n }])).toThrow('PAYOUT_ACCOUNT');
    expect(() => PayoutTree.build([{ account: a, amountMinor: 1n }]).proof(1)).toThrow('PAYOUT_INDEX');
  });

  it('matches OpenZeppelin on trees of several batches, large amounts and checksummed addresses', () => {
    // 1 and 2 leaves, a full level, one past it, and trees whose levels span several hash batches
    for (const n of [1, 2, 3, 1_023, 1_025, 2_500]) {
      const payouts: Payout[] = Array.from({ length: n }, (_, i) => ({
        account: getAddress(
          `0x${((i * 2_654_435_761) % 2 ** 32).toString(16).padStart(8, '0')}${'ab'.repeat(16)}`,
        ),
        amountMinor:
          i % 3 === 0 ? (1n << 256n) - 1n - BigInt(i) : i % 3 === 1 ? BigInt(i + 1) : 2n ** 53n + BigInt(i),
      }));
      const ours = PayoutTree.build(payouts);
      const theirs = StandardMerkleTree.of(
        payouts.map((p, i) => [i, p.account, p.amountMinor]),
        TYPES,
      );
      expect(ours.root).toBe(theirs.root);
      for (const i of [0, Math.floor(n / 2), n - 1]) expect(ours.proof(i)).toEqual(theirs.getProof(i));
    }
  });

  it('checks each payout in order: a repeated account, then the amount, then the address', () => {
    const a = account(1);
    const upper = `0x${a.slice(2).toUpperCase()}`;
    // the duplicate is found before its zero amount, whatever the case of its hex digits
    expect(() =>
      PayoutTree.build([
        { account: upper, amountMinor: 1n },
        { account: a, amountMinor: 0n },
      ]),
    ).toThrow('PAYOUT_DUPLICATE');
    // a zero amount is reported before a malformed address in the same payout
    expect(() => PayoutTree.build([{ account: '0xzz', amountMinor: 0n }])).toThrow('PAYOUT_AMOUNT');
    expect(() =>
      PayoutTree.build([
        { account: a, amountMinor: 1n },
        { account: `0X${a.slice(2)}`, amountMinor: 1n },
      ]),
    ).toThrow('PAYOUT_ACCOUNT');
    expect(() => PayoutTree.build([{ account: `${a.slice(0, 41)}g`, amountMinor: 1n }])).toThrow(
      'PAYOUT_ACCOUNT',
    );
    expect(() => PayoutTree.build([{ account: a, amountMinor: 1n << 256n }])).toThrow('PAYOUT_AMOUNT');
    // distinct accounts sharing most of their bytes are not duplicates
    const near = Array.from({ length: 256 }, (_, i) => ({
      account: `0x${'00'.repeat(19)}${i.toString(16).padStart(2, '0')}`,
      amountMinor: 1n,
    }));
    expect(PayoutTree.build(near).leaves).toHaveLength(256);
  });

  it('sums the payouts', () => {
    const tree = PayoutTree.build([
      { account: account(1), amountMinor: 5n },
      { account: account(2), amountMinor: 7n },
    ]);
    expect(tree.totalMinor).toBe(12n);
    expect(tree.proof(0)).toHaveLength(1);
  });
});
