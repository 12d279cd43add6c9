import { Dec } from '@exchange/domain';

/**
 * Settlement prices, exact in decimal and rounded to a whole tick half-even (computed prices, see
 * @exchange/domain money rules).
 */
export interface TradeSample {
  readonly tsMs: number;
  readonly priceTicks: number;
  readonly qtyLots: number;
}

export interface IndexSample {
  readonly tsMs: number;
  readonly priceTicks: number;
}

export type DailySettlementSource = 'VWAP' | 'LAST_TRADE' | 'MARK';

const roundHalfEven = (d: InstanceType<typeof Dec>): number =>
  d.toDecimalPlaces(0, Dec.ROUND_HALF_EVEN).toNumber();

/**
 * Daily settlement: VWAP of the trades in [windowStartMs, windowEndMs]; if they have no volume, the
 * last trade in the window; if there is none, the mark.
 */
export function dailySettlementPrice(
  trades: readonly TradeSample[],
  windowStartMs: number,
  windowEndMs: number,
  markTicks: number,
): { priceTicks: number; source: DailySettlementSource } {
  let notional = new Dec(0);
  let volume = 0;
  let last: TradeSample | undefined;
  for (const t of trades) {
    if (t.tsMs < windowStartMs || t.tsMs > windowEndMs) continue;
    notional = notional.plus(new Dec(t.priceTicks).mul(t.qtyLots));
    volume += t.qtyLots;
    if (last === undefined || t.tsMs >= last.tsMs) last = t;
  }
  if (volume > 0) return { priceTicks: roundHalfEven(notional.div(volume)), source: 'VWAP' };
  if (last !== undefined) return { priceTicks: last.priceTicks, source: 'LAST_TRADE' };
  return { priceTicks: markTicks, source: 'MARK' };
}

export interface FinalSettlementParams {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Fewer samples inside the window than this: INSUFFICIENT_SAMPLES. */
  readonly minSamples: number;
  /** A gap between consecutive samples (or from the window's start/to its end) longer than this: STALE. */
  readonly maxGapMs: number;
}

export type FinalSettlement =
  | { readonly status: 'OK'; readonly priceTicks: number; readonly samples: number }
  | { readonly status: 'INSUFFICIENT_SAMPLES' | 'STALE'; readonly samples: number };

/**
 * Final settlement: time-weighted average of the index over the window. The index is a step function:
 * each sample holds until the next one; before the first sample in the window the last sample before
 * the window holds (if there is one, else the window effectively starts at the first sample, which
 * counts toward the staleness check). Samples must be sorted by time.
 */
export function finalSettlementPrice(
  samples: readonly IndexSample[],
  p: FinalSettlementParams,
): FinalSettlement {
  let value: number | undefined;
  let from = p.windowStartMs;
  let weighted = new Dec(0);
  let covered = 0;
  let inWindow = 0;
  let maxGap = 0;
  for (const s of samples) {
    if (s.tsMs <= p.windowStartMs) {
      value = s.priceTicks;
      continue;
    }
    if (s.tsMs > p.windowEndMs) break;
    inWindow++;
    maxGap = Math.max(maxGap, s.tsMs - from);
    if (value !== undefined) {
      weighted = weighted.plus(new Dec(value).mul(s.tsMs - from));
      covered += s.tsMs - from;
    }
    value = s.priceTicks;
    from = s.tsMs;
  }
  maxGap = Math.max(maxGap, p.windowEndMs - from);
  if (inWindow < p.minSamples || value === undefined)
    return { status: 'INSUFFICIENT_SAMPLES', samples: inWindow };
  if (maxGap > p.maxGapMs) return { status: 'STALE', samples: inWindow };
  weighted = weighted.plus(new Dec(value).mul(p.windowEndMs - from));
  covered += p.windowEndMs - from;
  return { status: 'OK', priceTicks: roundHalfEven(weighted.div(covered)), samples: inWindow };
}
