import fc from 'fast-check';
import { listCatalogue, SystemAccount } from '@exchange/domain';
import { exerciseOptions, expiryKey, intrinsicTicks, settleExpiry, settleFutureExpiry } from './expiry';
import { finalPrice } from './final-price';
import { futureSettlementTerms, optionSettlementTerms } from './instrument-terms';
import { netChanges } from './transfer';

const TV = 720_000n;
const EXPIRY = Date.UTC(2026, 11, 25, 8);
const WINDOW = 30 * 60_000;
/** An index sample every minute over the window, at `priceAt(t)`. */
const samples = (priceAt: (i: number) => number, from = EXPIRY - WINDOW, to = EXPIRY, stepMs = 60_000) =>
  Array.from({ length: Math.floor((to - from) / stepMs) + 1 }, (_, i) => ({ tsMs: from + i * stepMs, priceTicks: priceAt(i) })); // prettier-ignore
const rules = { minSamples: 12, maxGapMs: 5 * 60_000 };

describe('final settlement price', () => {
  it('is the TWAP of the index over the window once it has closed', () => {
    const s = samples((i) => (i < 15 ? 2500 : 2600));
    expect(
      finalPrice({ expiryMs: EXPIRY, settlementWindowMs: WINDOW, nowMs: EXPIRY, samples: s, ...rules }),
    ).toEqual({
      status: 'FINAL',
      priceTicks: 2550,
      samples: 30,
    });
    // order and junk samples do not matter
    const junk = [
      { tsMs: EXPIRY - 1000, priceTicks: 0 },
      { tsMs: Number.NaN, priceTicks: 9999 },
    ];
    expect(finalPrice({ expiryMs: EXPIRY, settlementWindowMs: WINDOW, nowMs: EXPIRY, samples: [...s].reverse().concat(junk), ...rules })).toMatchObject({ priceTicks: 2550 }); // prettier-ignore
  });

  it('waits, and says why, while the window is open, the index is stale or too thin', () => {
    const base = { expiryMs: EXPIRY, settlementWindowMs: WINDOW, ...rules };
    const s = samples(() => 2500);
    expect(finalPrice({ ...base, nowMs: EXPIRY - 1, samples: s })).toMatchObject({ status: 'WAIT', reason: 'WINDOW_OPEN' }); // prettier-ignore
    const gap = s.filter((x) => x.tsMs < EXPIRY - 20 * 60_000 || x.tsMs > EXPIRY - 10 * 60_000);
    expect(finalPrice({ ...base, nowMs: EXPIRY, samples: gap })).toMatchObject({ status: 'WAIT', reason: 'INDEX_STALE' }); // prettier-ignore
    // a sample at the window's start holds from it but is not inside it: 7 inside
    const thin = samples(() => 2500, EXPIRY - WINDOW, EXPIRY, 4 * 60_000);
    expect(finalPrice({ ...base, nowMs: EXPIRY, samples: thin })).toMatchObject({ status: 'WAIT', reason: 'INSUFFICIENT_SAMPLES', samples: 7 }); // prettier-ignore
    // the index stopped ten minutes before the end: stale, never settled on its last value
    const stopped = s.filter((x) => x.tsMs <= EXPIRY - 10 * 60_000);
    expect(finalPrice({ ...base, nowMs: EXPIRY + 3_600_000, samples: stopped })).toMatchObject({ status: 'WAIT', reason: 'INDEX_STALE' }); // prettier-ignore
  });
});

describe('futures at expiry', () => {
  const positions = [
    { accountId: 1, qtyLots: 3, costMinor: 3n * 2500n * TV, fifoSeq: 10 },
    { accountId: 2, qtyLots: -2, costMinor: -2n * 2400n * TV, fifoSeq: 5 },
    { accountId: 3, qtyLots: -1, costMinor: -1n * 2550n * TV, fifoSeq: 7 },
  ];

  it('cash-settled: close against the final price, P&L against the last reference', () => {
    const r = settleFutureExpiry(
      { instrumentId: 9, settlement: 'cash', tickValueMinor: TV, positions },
      2600,
      new Set(),
    );
    if (r.status !== 'SETTLED') throw new Error(r.code);
    expect(r.delivery).toBeNull();
    expect(r.closed.map((p) => [p.accountId, p.variationMinor])).toEqual([
      [1, 3n * 100n * TV],
      [2, -2n * 200n * TV],
      [3, -1n * 50n * TV],
    ]);
    expect(r.transfers.every((t) => t.reason === 'FUTURE_FINAL_SETTLEMENT')).toBe(true);
    const net = netChanges(r.transfers, 'USDC');
    expect(net.get(SystemAccount.Clearing)).toBe(-(3n * 100n - 400n - 50n) * TV);
  });

  it('physically settled: the final difference is paid and the positions go to delivery', () => {
    const r = settleFutureExpiry({ instrumentId: 9, settlement: 'physical', tickValueMinor: TV, positions }, 2600, new Set()); // prettier-ignore
    if (r.status !== 'SETTLED') throw new Error(r.code);
    expect(r.delivery).toEqual({
      longs: [{ accountId: 1, lots: 3, fifoSeq: 10 }],
      shorts: [
        { accountId: 2, lots: 2, fifoSeq: 5 },
        { accountId: 3, lots: 1, fifoSeq: 7 },
      ],
    });
    expect(r.transfers).toHaveLength(3);
  });

  it('settles once', () => {
    const r = settleFutureExpiry({ instrumentId: 9, settlement: 'cash', tickValueMinor: TV, positions }, 2600, new Set([expiryKey(9)])); // prettier-ignore
    expect(r).toEqual({ status: 'REJECTED', code: 'ALREADY_SETTLED', key: 'EXPIRY:9' });
    expect(settleFutureExpiry({ instrumentId: 9, settlement: 'cash', tickValueMinor: TV, positions }, 0, new Set())).toMatchObject({ code: 'INVALID_PRICE' }); // prettier-ignore
  });
});

describe('options at expiry', () => {
  const positions = [
    { accountId: 1, qtyLots: 3 },
    { accountId: 2, qtyLots: -3 },
  ];

  it('in the money: exercised for intrinsic x GPU-hours per lot x lots', () => {
    // strike 2.50, final 2.60: 0.10 USDC x 720 GPU-hours x 3 lots = 216 USDC
    const r = exerciseOptions({ instrumentId: 20, right: 'call', strikeTicks: 2500, tickValueMinor: TV, positions }, 2600, new Set()); // prettier-ignore
    if (r.status !== 'SETTLED') throw new Error(r.code);
    expect(r.outcome).toBe('EXERCISED');
    expect(r.payoffPerLotMinor).toBe(72_000_000n);
    expect(r.closed).toEqual([
      { accountId: 1, qtyLots: 3, payoutMinor: 216_000_000n },
      { accountId: 2, qtyLots: -3, payoutMinor: -216_000_000n },
    ]);
    expect(r.transfers.map((t) => [t.debitAccountId, t.creditAccountId, t.amountMinor, t.reason])).toEqual([
      [SystemAccount.Clearing, 1, 216_000_000n, 'OPTION_EXERCISE'],
      [2, SystemAccount.Clearing, 216_000_000n, 'OPTION_EXERCISE'],
    ]);
    const put = exerciseOptions({ instrumentId: 21, right: 'put', strikeTicks: 2700, tickValueMinor: TV, positions }, 2600, new Set()); // prettier-ignore
    expect(put).toMatchObject({ outcome: 'EXERCISED', payoffPerLotMinor: 72_000_000n });
  });

  it('at or out of the money: expire worthless, nothing moves', () => {
    for (const [right, strike] of [
      ['call', 2600],
      ['call', 2700],
      ['put', 2600],
      ['put', 2500],
    ] as const) {
      const r = exerciseOptions({ instrumentId: 20, right, strikeTicks: strike, tickValueMinor: TV, positions }, 2600, new Set()); // prettier-ignore
      expect(r).toMatchObject({
        status: 'SETTLED',
        outcome: 'EXPIRED_WORTHLESS',
        intrinsicTicks: 0,
        transfers: [],
      });
    }
  });

  it('is zero-sum over holders and writers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (lots, strike, final, call) => {
        const ps = lots.map((q, i) => ({ accountId: i + 1, qtyLots: q }));
        ps.push({ accountId: 99, qtyLots: -lots.reduce((a, b) => a + b, 0) });
        const r = exerciseOptions({ instrumentId: 20, right: call ? 'call' : 'put', strikeTicks: strike, tickValueMinor: TV, positions: ps }, final, new Set()); // prettier-ignore
        if (r.status !== 'SETTLED') throw new Error(r.code);
        expect(netChanges(r.transfers, 'USDC').get(SystemAccount.Clearing) ?? 0n).toBe(0n);
        expect(r.intrinsicTicks).toBe(intrinsicTicks(call ? 'call' : 'put', strike, final));
      }), // prettier-ignore
    );
  });
});

describe('a whole expiry from the catalogue', () => {
  const catalogue = listCatalogue(Date.UTC(2026, 10, 1));
  const future = catalogue.find((d) => d.symbol === 'H100-2611')!;
  const call = catalogue.find((d) => d.symbol === 'H100-2611-C-2.50')!;
  const put = catalogue.find((d) => d.symbol === 'H100-2611-P-2.50')!;
  const f = futureSettlementTerms(future);

  it('reads integer terms from the definitions', () => {
    expect(f).toMatchObject({ settlement: 'physical', tickValueMinor: TV, tickMinorPerGpuHour: 1000n, gpusPerLot: 1, settlementWindowMs: WINDOW }); // prettier-ignore
    expect(optionSettlementTerms(call, future)).toEqual({
      right: 'call',
      strikeTicks: 2500,
      tickValueMinor: TV,
    });
    expect(futureSettlementTerms(catalogue.find((d) => d.symbol === 'L40S-2611')!).settlement).toBe('cash');
    expect(() =>
      optionSettlementTerms(
        call,
        catalogue.find((d) => d.symbol === 'A100-2611')!,
      ),
    ).toThrow(RangeError);
  });

  it('waits on a stale index, then settles the future and its options at the TWAP', () => {
    const finalInput = (s: ReturnType<typeof samples>) => ({ expiryMs: f.expiryMs, settlementWindowMs: f.settlementWindowMs, nowMs: f.expiryMs, samples: s, ...rules }); // prettier-ignore
    const input = (s: ReturnType<typeof samples>) => ({
      finalPrice: finalInput(s),
      future: { instrumentId: 1, settlement: f.settlement, tickValueMinor: f.tickValueMinor, positions: [
        { accountId: 1, qtyLots: 2, costMinor: 2n * 2500n * TV, fifoSeq: 1 },
        { accountId: 2, qtyLots: -2, costMinor: -2n * 2500n * TV, fifoSeq: 2 },
      ] },
      options: [
        { instrumentId: 2, ...optionSettlementTerms(call, future), positions: [{ accountId: 1, qtyLots: 1 }, { accountId: 3, qtyLots: -1 }] },
        { instrumentId: 3, ...optionSettlementTerms(put, future), positions: [{ accountId: 2, qtyLots: 4 }, { accountId: 3, qtyLots: -4 }] },
      ],
    }); // prettier-ignore
    const windowStart = f.expiryMs - f.settlementWindowMs;
    const stale = samples(() => 2800, windowStart, f.expiryMs - 10 * 60_000);
    expect(settleExpiry(input(stale), new Set())).toMatchObject({ status: 'WAIT', reason: 'INDEX_STALE' });
    const r = settleExpiry(input(samples(() => 2800, windowStart, f.expiryMs)), new Set());
    if (r.status !== 'SETTLED') throw new Error(r.status);
    expect(r.finalPriceTicks).toBe(2800);
    expect(r.keys).toEqual(['EXPIRY:1', 'EXPIRY:2', 'EXPIRY:3']);
    expect(r.options.map((o) => o.outcome)).toEqual(['EXERCISED', 'EXPIRED_WORTHLESS']);
    expect(netChanges(r.transfers, 'USDC').get(SystemAccount.Clearing)).toBe(0n);
    expect(r.future.delivery?.longs).toEqual([{ accountId: 1, lots: 2, fifoSeq: 1 }]);
    expect(settleExpiry(input(samples(() => 2800, windowStart, f.expiryMs)), new Set(r.keys))).toMatchObject({ status: 'REJECTED', code: 'ALREADY_SETTLED' }); // prettier-ignore
  });
});
