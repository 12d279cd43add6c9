import {
  InstrumentRegistry,
  PRODUCTS,
  listCatalogue,
  monthlyExpiryMs,
  strikeGrid,
  upcomingExpiries,
} from './catalogue';
import { bookSpecProblems } from './instrument';
import { tickValueMinor } from './money';

const NOV_23_2026 = Date.UTC(2026, 10, 23, 12);

describe('instrument catalogue', () => {
  it('expires on the last Friday of the month at 08:00 UTC', () => {
    expect(new Date(monthlyExpiryMs(2026, 11)).toISOString()).toBe('2026-12-25T08:00:00.000Z');
    expect(new Date(monthlyExpiryMs(2027, 1)).toISOString()).toBe('2027-02-26T08:00:00.000Z');
    expect(new Date(monthlyExpiryMs(2027, 3)).toISOString()).toBe('2027-04-30T08:00:00.000Z');
    for (let m = 0; m < 24; m++) {
      const d = new Date(monthlyExpiryMs(2026 + Math.floor(m / 12), m % 12));
      expect(d.getUTCDay()).toBe(5);
      expect(new Date(d.getTime() + 7 * 86_400_000).getUTCMonth()).not.toBe(d.getUTCMonth());
    }
  });

  it('lists the next three months and four quarters, merged', () => {
    const e = upcomingExpiries(NOV_23_2026, 3, 4);
    expect(e.map((x) => `${x.year}-${x.month + 1}:${x.cadence}`)).toEqual([
      '2026-11:monthly',
      '2026-12:quarterly',
      '2027-1:monthly',
      '2027-3:quarterly',
      '2027-6:quarterly',
      '2027-9:quarterly',
    ]);
    // after this month's expiry, the month drops out
    expect(upcomingExpiries(Date.UTC(2026, 10, 27, 9), 3, 4)[0]).toMatchObject({ year: 2026, month: 11 });
  });

  it('builds symbols, strikes and specs for every class', () => {
    const all = listCatalogue(NOV_23_2026);
    const symbols = all.map((i) => i.symbol);
    expect(new Set(symbols).size).toBe(symbols.length);
    expect(symbols).toContain('H100-USDC');
    expect(symbols).toContain('H100-2612');
    expect(symbols).toContain('H100-2612-C-2.50');
    expect(symbols).toContain('RTX4090-2703-P-0.40');
    const future = all.find((i) => i.symbol === 'H100-2612')!;
    expect(future.future).toMatchObject({
      settlement: 'physical',
      cadence: 'quarterly',
      settlementWindowMs: 1_800_000,
    });
    expect(future.future!.deliveryEndMs - future.future!.deliveryStartMs).toBe(30 * 86_400_000);
    expect(all.find((i) => i.symbol === 'L40S-2612')!.future!.settlement).toBe('cash');
    const option = all.find((i) => i.symbol === 'A100-2701-P-1.40')!;
    expect(option.option).toMatchObject({
      underlyingSymbol: 'A100-2701',
      right: 'put',
      strike: '1.40',
      exercise: 'european',
    });
    for (const i of all) {
      expect(bookSpecProblems(i.contract)).toEqual([]);
      expect(tickValueMinor(i.contract.tickSize, i.contract.lotSize, i.contract.multiplier)).toBeGreaterThan(
        0n,
      );
    }
    expect(all.filter((i) => i.kind === 'spot')).toHaveLength(PRODUCTS.length);
  });

  it('rounds strikes to the strike step', () => {
    expect(strikeGrid('2.50', PRODUCTS[0]!.options)).toEqual([
      '1.50',
      '1.75',
      '2.00',
      '2.25',
      '2.50',
      '2.75',
      '3.00',
      '3.50',
      '4.00',
    ]);
    expect(strikeGrid('0.40', PRODUCTS[3]!.options)).toEqual([
      '0.24',
      '0.28',
      '0.32',
      '0.36',
      '0.40',
      '0.44',
      '0.48',
      '0.56',
      '0.64',
    ]);
  });

  it('gives each symbol one id forever, new symbols the next id', () => {
    const defs = listCatalogue(NOV_23_2026);
    const first = new InstrumentRegistry().assign(defs);
    expect(first.map((i) => i.instrumentId)).toEqual(defs.map((_, k) => k + 1));
    const later = listCatalogue(Date.UTC(2027, 0, 30, 12));
    const registry = new InstrumentRegistry(first);
    const next = registry.assign(later);
    for (const i of next) {
      const before = first.find((f) => f.symbol === i.symbol);
      if (before) expect(i.instrumentId).toBe(before.instrumentId);
      else expect(i.instrumentId).toBeGreaterThan(first.length);
    }
    expect(registry.idOf('H100-USDC')).toBe(1);
  });
});
