import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
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

  it('sums the payouts', () => {
    const tree = PayoutTree.build([
      { account: account(1), amountMinor: 5n },
      { account: account(2), amountMinor: 7n },
    ]);
    expect(tree.totalMinor).toBe(12n);
    expect(tree.proof(0)).toHaveLength(1);
  });
});
