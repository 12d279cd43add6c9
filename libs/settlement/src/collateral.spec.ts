import fc from 'fast-check';
import { collateralOnNotionalMinor, providerCollateralRequirementMinor } from './collateral';

const TV = 720_000n;

describe('provider collateral requirement', () => {
  it('is 25% of the physically settled notional a provider is short, by default', () => {
    // 10 lots x 2.500 USDC x 720 GPU-hours = 18,000 USDC; 25% = 4,500 USDC
    const legs = [
      { qtyLots: -10, settlement: 'physical' as const, priceTicks: 2500, tickValueMinor: TV },
      { qtyLots: 4, settlement: 'physical' as const, priceTicks: 2500, tickValueMinor: TV },
      { qtyLots: -7, settlement: 'cash' as const, priceTicks: 900, tickValueMinor: TV },
    ];
    expect(providerCollateralRequirementMinor(legs)).toBe(4_500_000_000n);
    expect(providerCollateralRequirementMinor(legs, 1_000)).toBe(1_800_000_000n);
    expect(providerCollateralRequirementMinor([])).toBe(0n);
  });

  it('rounds up to the minor unit', () => {
    expect(collateralOnNotionalMinor(1n, 2_500)).toBe(1n);
    expect(collateralOnNotionalMinor(4n, 2_500)).toBe(1n);
    expect(collateralOnNotionalMinor(5n, 2_500)).toBe(2n);
    expect(collateralOnNotionalMinor(0n, 2_500)).toBe(0n);
    expect(() => collateralOnNotionalMinor(-1n, 2_500)).toThrow(RangeError);
  });

  it('is the exact fraction rounded up, and grows with the short', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 10_000 }), (lots, price, bps) => {
        const leg = { qtyLots: -lots, settlement: 'physical' as const, priceTicks: price, tickValueMinor: TV };
        const req = providerCollateralRequirementMinor([leg], bps);
        const exact = BigInt(lots) * BigInt(price) * TV * BigInt(bps);
        expect(req * 10_000n >= exact && (req - 1n) * 10_000n < exact).toBe(true);
        expect(providerCollateralRequirementMinor([{ ...leg, qtyLots: -lots - 1 }], bps) >= req).toBe(true);
      }), // prettier-ignore
    );
  });
});
