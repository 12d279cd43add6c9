import { dailySettlementPrice, finalSettlementPrice, updateMark } from '@exchange/pricing';
import type { MarkState } from '@exchange/pricing';

const params = { halfLifeMs: 60_000, bandBps: 50, tickSize: '0.001' };

describe('futures mark price', () => {
  it('seeds with the basis, decays by half-life, clamps to the band', () => {
    const a = updateMark(
      undefined,
      { tsMs: 0, indexTicks: 2000, impactBidTicks: 2004, impactAskTicks: 2006 },
      params,
    );
    expect(a.status).toBe('OK');
    expect(a.state!.markTicks).toBe(2005);
    // one half-life later with basis 1: ema = 5 + 0.5 (1 - 5) = 3
    const b = updateMark(
      a.state,
      { tsMs: 60_000, indexTicks: 2000, impactBidTicks: 2000, impactAskTicks: 2002 },
      params,
    );
    expect(b.state!.emaBasisTicks).toBeCloseTo(3, 12);
    expect(b.state!.markTicks).toBe(2003);
    // band 50 bps of 2000 = 10 ticks
    const c = updateMark(
      b.state,
      { tsMs: 60_001, indexTicks: 2000, impactBidTicks: 2500, impactAskTicks: 2500 },
      { ...params, halfLifeMs: 1e-9 },
    );
    expect(c.state!.markTicks).toBe(2010);
  });
  it('refuses out-of-order and invalid samples without changing state', () => {
    const s: MarkState = { lastTsMs: 10, emaBasisTicks: 1, markTicks: 101 };
    expect(
      updateMark(s, { tsMs: 10, indexTicks: 100, impactBidTicks: 100, impactAskTicks: 100 }, params),
    ).toEqual({ status: 'OUT_OF_ORDER', state: s });
    expect(
      updateMark(s, { tsMs: 11, indexTicks: 100, impactBidTicks: 102, impactAskTicks: 101 }, params).status,
    ).toBe('INVALID_SAMPLE');
  });
});

describe('settlement prices', () => {
  it('daily: VWAP, then last trade, then mark', () => {
    const trades = [
      { tsMs: 5, priceTicks: 100, qtyLots: 1 },
      { tsMs: 10, priceTicks: 101, qtyLots: 3 },
      { tsMs: 20, priceTicks: 104, qtyLots: 0 },
      { tsMs: 99, priceTicks: 200, qtyLots: 5 },
    ];
    expect(dailySettlementPrice(trades, 0, 50, 90)).toEqual({ priceTicks: 101, source: 'VWAP' }); // 403/4 = 100.75
    expect(dailySettlementPrice(trades, 15, 50, 90)).toEqual({ priceTicks: 104, source: 'LAST_TRADE' });
    expect(dailySettlementPrice(trades, 30, 50, 90)).toEqual({ priceTicks: 90, source: 'MARK' });
  });
  it('final: time-weighted TWAP with stale and insufficient statuses', () => {
    const p = { windowStartMs: 100, windowEndMs: 200, minSamples: 2, maxGapMs: 50 };
    const samples = [
      { tsMs: 90, priceTicks: 10 },
      { tsMs: 120, priceTicks: 20 },
      { tsMs: 160, priceTicks: 40 },
    ];
    // 10 x 20 + 20 x 40 + 40 x 40 = 2600 over 100 ms
    expect(finalSettlementPrice(samples, p)).toEqual({ status: 'OK', priceTicks: 26, samples: 2 });
    expect(finalSettlementPrice(samples.slice(0, 2), p).status).toBe('INSUFFICIENT_SAMPLES');
    expect(finalSettlementPrice(samples, { ...p, minSamples: 1, maxGapMs: 39 }).status).toBe('STALE');
  });
});
