import fc from 'fast-check';
import { SystemAccount } from '@exchange/domain';
import { Ledger } from './ledger';

describe('double-entry ledger', () => {
  it('moves money between accounts and keeps every asset summing to zero', () => {
    const l = new Ledger();
    l.transfer(SystemAccount.External, 1, 'USDC', 1_000_000n);
    l.transfer(1, 2, 'USDC', 250_000n);
    l.transfer(1, SystemAccount.Fees, 'USDC', 100n);
    expect(l.balance(1, 'USDC')).toBe(749_900n);
    expect(l.balance(2, 'USDC')).toBe(250_000n);
    expect(l.netDeposits('USDC')).toBe(1_000_000n);
    expect(l.conservationProblems()).toEqual([]);
  });

  it('refuses non-positive amounts and self-transfers, changing nothing', () => {
    const l = new Ledger();
    expect(() => l.transfer(1, 2, 'USDC', 0n)).toThrow(RangeError);
    expect(() => l.transfer(1, 2, 'USDC', -5n)).toThrow(RangeError);
    expect(() => l.transfer(1, 1, 'USDC', 5n)).toThrow(RangeError);
    expect(l.entries()).toEqual([]);
  });

  it('conserves under any sequence of transfers and round-trips its canonical entries', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.integer({ min: -4, max: 6 }),
            to: fc.integer({ min: -4, max: 6 }),
            asset: fc.constantFrom('USDC', 'H100'),
            amount: fc.bigInt({ min: 1n, max: 10n ** 20n }),
          }),
          { maxLength: 60 },
        ),
        (moves) => {
          const l = new Ledger();
          for (const m of moves) if (m.from !== m.to) l.transfer(m.from, m.to, m.asset, m.amount);
          expect(l.conservationProblems()).toEqual([]);
          expect(Ledger.fromEntries(l.entries()).entries()).toEqual(l.entries());
        },
      ),
    );
  });

  it('refuses a snapshot whose balances do not sum to zero', () => {
    expect(() => Ledger.fromEntries([[1, 'USDC', 5n]])).toThrow(/conservation/);
  });
});
