import fc from 'fast-check';
import { byAccount, DuplicateAccounts } from './validate';

/** The helpers that let sorted input skip a sort and a set, against the obvious versions. */
describe('account order helpers', () => {
  const ids = fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 });

  it('DuplicateAccounts answers as a set of the ids seen so far, ascending input or not', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          ids,
          ids.map((a) => [...a].sort((x, y) => x - y)),
        ),
        (list) => {
          const items = list.map((accountId) => ({ accountId }));
          const d = new DuplicateAccounts(items);
          const seen = new Set<number>();
          items.forEach((item, i) => {
            expect(d.repeats(i)).toBe(seen.has(item.accountId));
            seen.add(item.accountId);
          });
        },
      ),
      { numRuns: 300 },
    );
    // a repeat right after an ascending run, and one far back
    const d = new DuplicateAccounts([1, 4, 9, 4, 1].map((accountId) => ({ accountId })));
    expect([0, 1, 2, 3, 4].map((i) => d.repeats(i))).toEqual([false, false, false, true, true]);
  });

  it('byAccount equals a stable sort by account, and returns ascending input itself', () => {
    fc.assert(
      fc.property(ids, (list) => {
        const items = list.map((accountId, k) => ({ accountId, k }));
        const sorted = [...items].sort((a, b) => a.accountId - b.accountId);
        expect(byAccount(items)).toEqual(sorted);
        expect(byAccount(sorted)).toBe(sorted);
      }),
      { numRuns: 300 },
    );
  });
});
