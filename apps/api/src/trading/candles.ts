import type { CandleResolution } from '@exchange/client';

/** Bucket widths of the candle resolutions, ms (days are UTC days). */
export const CANDLE_RESOLUTION_MS: Readonly<Record<CandleResolution, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};
export const RESOLUTIONS = Object.keys(CANDLE_RESOLUTION_MS) as CandleResolution[];

/** One bucket: integer ticks and lots (converted to decimal strings at the edge). */
export interface Candle {
  startMs: number;
  openTicks: number;
  highTicks: number;
  lowTicks: number;
  closeTicks: number;
  volumeLots: number;
  trades: number;
}

/**
 * The candles of one instrument at one resolution, oldest first, at most `capacity` (the oldest go).
 * Trades arrive in engine time order; one that is older than the newest bucket (not expected from
 * the engine, whose time never goes back) still lands in its own bucket.
 */
export class CandleSeries {
  readonly candles: Candle[] = [];

  constructor(
    readonly widthMs: number,
    private readonly capacity: number,
  ) {}

  add(timeMs: number, priceTicks: number, qtyLots: number): void {
    const startMs = timeMs - (((timeMs % this.widthMs) + this.widthMs) % this.widthMs);
    const list = this.candles;
    let i = list.length - 1;
    while (i >= 0 && list[i]!.startMs > startMs) i--;
    const c = i >= 0 ? list[i] : undefined;
    if (c !== undefined && c.startMs === startMs) {
      // a late trade (i below the newest) cannot know its place among the bucket's trades: it only widens the range
      if (i === list.length - 1) c.closeTicks = priceTicks;
      if (priceTicks > c.highTicks) c.highTicks = priceTicks;
      if (priceTicks < c.lowTicks) c.lowTicks = priceTicks;
      c.volumeLots += qtyLots;
      c.trades++;
      return;
    }
    const fresh: Candle = {
      startMs,
      openTicks: priceTicks,
      highTicks: priceTicks,
      lowTicks: priceTicks,
      closeTicks: priceTicks,
      volumeLots: qtyLots,
      trades: 1,
    };
    list.splice(i + 1, 0, fresh);
    if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
  }

  /** Buckets starting in [fromMs, toMs): the newest `limit` of them, oldest first. */
  range(fromMs: number, toMs: number, limit: number): Candle[] {
    const list = this.candles;
    let hi = list.length;
    while (hi > 0 && list[hi - 1]!.startMs >= toMs) hi--;
    let lo = hi;
    while (lo > 0 && hi - lo < limit && list[lo - 1]!.startMs >= fromMs) lo--;
    return list.slice(lo, hi);
  }
}

/** Every instrument's candles at every resolution, fed trade by trade. */
export class CandleBook {
  private readonly series = new Map<number, Map<CandleResolution, CandleSeries>>();

  constructor(private readonly capacity = 5000) {}

  add(instrumentId: number, timeMs: number, priceTicks: number, qtyLots: number): void {
    let byRes = this.series.get(instrumentId);
    if (byRes === undefined) {
      byRes = new Map(
        RESOLUTIONS.map((r) => [r, new CandleSeries(CANDLE_RESOLUTION_MS[r], this.capacity)] as const),
      );
      this.series.set(instrumentId, byRes);
    }
    for (const s of byRes.values()) s.add(timeMs, priceTicks, qtyLots);
  }

  range(instrumentId: number, resolution: CandleResolution, fromMs: number, toMs: number, limit: number) {
    return this.series.get(instrumentId)?.get(resolution)?.range(fromMs, toMs, limit) ?? [];
  }
}
