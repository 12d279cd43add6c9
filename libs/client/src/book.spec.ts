import fc from 'fast-check';
import { crc32 } from '@exchange/domain';
import { LocalBook, bookChecksum, compareDecimal, isZero } from './book';
import type { BookLevel, BookMessage } from './messages';

describe('compareDecimal', () => {
  it('orders decimal strings exactly', () => {
    expect(compareDecimal('2.5', '2.50')).toBe(0);
    expect(compareDecimal('2.5', '2.49')).toBeGreaterThan(0);
    expect(compareDecimal('10', '9.9999')).toBeGreaterThan(0);
    expect(compareDecimal('0.0001', '0.001')).toBeLessThan(0);
    expect(compareDecimal('123456789012345678.1', '123456789012345678.09')).toBeGreaterThan(0);
  });

  it('agrees with integer comparison of scaled values (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.integer({ min: 0, max: 8 }),
        (a, b, scale) => {
          const fmt = (v: bigint) => {
            const s = v.toString().padStart(scale + 1, '0');
            return scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
          };
          expect(Math.sign(compareDecimal(fmt(a), fmt(b)))).toBe(a === b ? 0 : a > b ? 1 : -1);
        },
      ),
    );
  });

  it('knows zero quantities', () => {
    expect(isZero('0')).toBe(true);
    expect(isZero('0.000')).toBe(true);
    expect(isZero('0.001')).toBe(false);
  });
});

const snap = (changeId: number, bids: BookLevel[], asks: BookLevel[]): BookMessage => ({
  type: 'snapshot',
  instrument: 'X',
  changeId,
  bids,
  asks,
  checksum: bookChecksum(bids, asks),
  timestampMs: 0,
});

describe('LocalBook', () => {
  it('applies a snapshot and changes, keeping both sides sorted best first', () => {
    const b = new LocalBook('X');
    expect(
      b.apply(
        snap(
          10,
          [
            ['2.4', '1', 1],
            ['2.5', '2', 1],
          ],
          [
            ['2.7', '1', 1],
            ['2.6', '3', 2],
          ],
        ),
        false,
      ),
    ).toBe('ok');
    expect(b.bids.map((l) => l[0])).toEqual(['2.5', '2.4']);
    expect(b.asks.map((l) => l[0])).toEqual(['2.6', '2.7']);
    const expected = {
      bids: [
        ['2.55', '1', 1],
        ['2.4', '1', 1],
      ] as BookLevel[],
      asks: [
        ['2.6', '1', 1],
        ['2.7', '1', 1],
      ] as BookLevel[],
    };
    const change: BookMessage = {
      type: 'change', instrument: 'X', changeId: 12, prevChangeId: 10, timestampMs: 0,
      bids: [['2.5', '0', 0], ['2.55', '1', 1]], asks: [['2.6', '1', 1]],
      checksum: bookChecksum(expected.bids, expected.asks),
    }; // prettier-ignore
    expect(b.apply(change)).toBe('ok');
    expect(b.top(10)).toEqual(expected);
    expect(b.changeId).toBe(12);
  });

  it('detects a gap and a wrong checksum, and resets', () => {
    const b = new LocalBook('X');
    b.apply(snap(10, [['1', '1', 1]], []));
    const change = (prev: number, checksum: number): BookMessage => ({
      type: 'change', instrument: 'X', changeId: 20, prevChangeId: prev, bids: [['1', '2', 2]], asks: [], checksum, timestampMs: 0,
    }); // prettier-ignore
    expect(b.apply(change(11, 0))).toBe('gap');
    expect(b.ready).toBe(false);
    expect(b.apply(change(10, 0))).toBe('no-snapshot');
    b.apply(snap(10, [['1', '1', 1]], []));
    expect(b.apply(change(10, 12345))).toBe('checksum');
    expect(b.ready).toBe(false);
  });

  it('checksums only the top levels, as price:quantity', () => {
    const many: BookLevel[] = Array.from({ length: 15 }, (_, i) => [String(100 - i), '1', 1]);
    expect(bookChecksum(many, [])).toBe(bookChecksum(many.slice(0, 10), []));
    expect(bookChecksum([['1', '1', 1]], [])).not.toBe(bookChecksum([], [['1', '1', 1]]));
  });

  it('is the CRC32 of the levels written out: bids best first, "|", asks best first', () => {
    const text = (bids: BookLevel[], asks: BookLevel[]) =>
      [bids, asks]
        .map((side) =>
          side
            .slice(0, 10)
            .map((l) => `${l[0]}:${l[1]}`)
            .join(','),
        )
        .join('|');
    const bids: BookLevel[] = [
      ['2.5', '3', 1],
      ['2.4', '10', 2],
    ];
    const asks: BookLevel[] = [['2.6', '1', 1]];
    expect(text(bids, asks)).toBe('2.5:3,2.4:10|2.6:1');
    expect(bookChecksum(bids, asks)).toBe(crc32(new TextEncoder().encode('2.5:3,2.4:10|2.6:1')));
    const text8 = fc.string({ unit: fc.constantFrom('grapheme', 'grapheme-ascii'), maxLength: 8 });
    const level = fc.tuple(text8, text8, fc.nat());
    fc.assert(
      fc.property(fc.array(level, { maxLength: 14 }), fc.array(level, { maxLength: 14 }), (b, a) => {
        expect(bookChecksum(b, a)).toBe(crc32(new TextEncoder().encode(text(b, a))));
      }),
    );
  });
});
