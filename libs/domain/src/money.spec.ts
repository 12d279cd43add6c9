import fc from 'fast-check';
import {
  Dec,
  fromMinor,
  lotsToQuantity,
  plainDecimal,
  priceToTicks,
  quantityToLots,
  roundToMinor,
  roundToTicks,
  tickValueMinor,
  ticksToPrice,
  toMinor,
} from './money';

describe('money and ticks', () => {
  it('converts prices to ticks exactly, leaving off-tick prices fractional for the book to reject', () => {
    expect(priceToTicks('2.505', '0.001')).toBe(2505);
    expect(priceToTicks('2.5055', '0.001')).toBe(2505.5);
    // off tick by less than a float64 can tell: still not a whole number of ticks
    expect(Number.isInteger(priceToTicks('2.400000000000000001', '0.001'))).toBe(false);
    expect(Number.isInteger(quantityToLots('3.0000000000000000001', '1'))).toBe(false);
    expect(Number.isInteger(priceToTicks('0.1', '0.0003'))).toBe(false);
    expect(priceToTicks('abc', '0.001')).toBeNaN();
    expect(priceToTicks('1e3', '0.001')).toBeNaN(); // only plain decimals
    expect(ticksToPrice(2505, '0.001')).toBe('2.505');
    expect(ticksToPrice(1, '0.0001')).toBe('0.0001');
  });

  it('converts quantities to lots the same way', () => {
    expect(quantityToLots('30', '1')).toBe(30);
    expect(quantityToLots('1.5', '1')).toBe(1.5);
    expect(lotsToQuantity(7, '0.5')).toBe('3.5');
  });

  it('rounds computed prices and money half to even', () => {
    expect(roundToTicks(new Dec('2.5005'), '0.001')).toBe(2500);
    expect(roundToTicks(new Dec('2.5015'), '0.001')).toBe(2502);
    expect(roundToTicks(new Dec('2.50151'), '0.001')).toBe(2502);
    expect(roundToMinor(new Dec('0.0000005'))).toBe(0n);
    expect(roundToMinor(new Dec('0.0000015'))).toBe(2n);
  });

  it('keeps money in bigint minor units and refuses to drop digits', () => {
    expect(toMinor('1234.567891')).toBe(1_234_567_891n);
    expect(toMinor('-0.5')).toBe(-500_000n);
    expect(() => toMinor('0.0000001')).toThrow(RangeError);
    expect(() => toMinor('NaN')).toThrow(RangeError);
    expect(fromMinor(1_234_567_891n)).toBe('1234.567891');
    expect(fromMinor(toMinor('99999999999999.999999'))).toBe('99999999999999.999999');
  });

  it('gives a whole tick value in minor units or refuses the contract', () => {
    expect(tickValueMinor('0.001', '1', '720')).toBe(720_000n);
    expect(tickValueMinor('0.0001', '1', '1')).toBe(100n);
    expect(() => tickValueMinor('0.0000001', '1', '1')).toThrow(RangeError);
  });
});

describe('integer fast paths agree with decimal.js', () => {
  const step = fc
    .tuple(fc.constantFrom(1, 2, 5, 25, 125), fc.integer({ min: 0, max: 12 }))
    .map(([m, scale]) => new Dec(m).div(new Dec(10).pow(scale)).toFixed(scale));

  it('ticks and lots to decimal strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), step, (n, s) => {
        const expected = new Dec(n).mul(s).toFixed();
        expect(ticksToPrice(n, s)).toBe(expected);
        expect(lotsToQuantity(n, s)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    expect(ticksToPrice(250, '0.01')).toBe('2.5');
    expect(ticksToPrice(3, '0.0001')).toBe('0.0003');
    expect(ticksToPrice(0, '0.01')).toBe('0');
    expect(ticksToPrice(-7, '0.5')).toBe('-3.5');
    expect(lotsToQuantity(2 ** 52, '0.125')).toBe(new Dec(2 ** 52).mul('0.125').toFixed()); // past 2^53 units: decimal.js
  });

  it('plain decimals only', () => {
    expect(plainDecimal('2.50')).toEqual({ mantissa: 250, scale: 2 });
    expect(plainDecimal('007')).toEqual({ mantissa: 7, scale: 0 });
    for (const s of [
      '-1',
      '1e3',
      '.5',
      '5.',
      ' 1',
      '1234567890123456',
      '0.1234567890123456',
      '',
      '1.2.3',
      '1,5',
      '٣',
    ])
      expect(plainDecimal(s)).toBeUndefined();
  });

  it('plainDecimal reads exactly the strings of the plain-decimal pattern, to the same value', () => {
    const pattern = /^(\d{1,15})(?:\.(\d{1,15}))?$/;
    const reference = (s: string) => {
      const m = pattern.exec(s);
      if (m === null || m[1]!.length + (m[2] ?? '').length > 15) return undefined;
      return { mantissa: Number(m[1]! + (m[2] ?? '')), scale: (m[2] ?? '').length };
    };
    const digits = (min: number, max: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const decimal = fc.oneof(
      fc.tuple(digits(0, 17), fc.constantFrom('', '.'), digits(0, 17)).map(([a, dot, b]) => a + dot + b),
      fc.string({ unit: fc.constantFrom(...'0123456789.-e+ x'), maxLength: 20 }),
    );
    fc.assert(
      fc.property(decimal, (s) => {
        expect(plainDecimal(s)).toEqual(reference(s));
      }),
      { numRuns: 20_000 },
    );
  });
});
