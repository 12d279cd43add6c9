import { finalSettlementPrice, type IndexSample } from '@exchange/pricing';
import type { SettlementWaitReason } from './codes';

/**
 * The final settlement price of a future: the time-weighted average of the oracle index over the
 * settlement window [expiryMs - settlementWindowMs, expiryMs], computed by @exchange/pricing's
 * finalSettlementPrice (a step function of the samples, rounded to a whole tick half-even). It is
 * never taken from a stale or thin index: the answer is then WAIT with the reason, and the caller
 * asks again later (with more samples, or after an operator's decision outside this core).
 *
 * Samples are index values in the future's ticks (the mark feed's conversion), at the oracle's
 * computation cadence; samples that are not a positive whole number of ticks or not at a finite time
 * are left out (they are not index values), and the rest are taken in time order.
 */
export interface FinalPriceInput {
  readonly expiryMs: number;
  readonly settlementWindowMs: number;
  /** The time of the command asking (the log's clock). */
  readonly nowMs: number;
  readonly samples: readonly IndexSample[];
  /** Fewer samples inside the window: INSUFFICIENT_SAMPLES. */
  readonly minSamples: number;
  /** A gap between samples (or to an end of the window) longer than this: INDEX_STALE. */
  readonly maxGapMs: number;
}

export type FinalPrice =
  | { readonly status: 'FINAL'; readonly priceTicks: number; readonly samples: number }
  | {
      readonly status: 'WAIT';
      readonly reason: SettlementWaitReason;
      readonly samples: number;
      /** Plain words for operators: what is missing. */
      readonly detail: string;
    };

/**
 * Defaults: the oracle computes the index every 5 s; at least 12 samples (a minute's worth) in the
 * 30-minute window and no gap over 5 minutes.
 */
export const DEFAULT_FINAL_PRICE_RULES = { minSamples: 12, maxGapMs: 5 * 60_000 } as const;

export function finalPrice(input: FinalPriceInput): FinalPrice {
  const windowStartMs = input.expiryMs - input.settlementWindowMs;
  if (!(input.nowMs >= input.expiryMs))
    return {
      status: 'WAIT',
      reason: 'WINDOW_OPEN',
      samples: 0,
      detail: `the settlement window closes at ${input.expiryMs}, now is ${input.nowMs}`,
    };
  const samples = input.samples
    .filter((s) => Number.isFinite(s.tsMs) && Number.isSafeInteger(s.priceTicks) && s.priceTicks > 0)
    .sort((a, b) => a.tsMs - b.tsMs);
  const r = finalSettlementPrice(samples, {
    windowStartMs,
    windowEndMs: input.expiryMs,
    minSamples: input.minSamples,
    maxGapMs: input.maxGapMs,
  });
  if (r.status === 'OK') return { status: 'FINAL', priceTicks: r.priceTicks, samples: r.samples };
  if (r.status === 'STALE')
    return {
      status: 'WAIT',
      reason: 'INDEX_STALE',
      samples: r.samples,
      detail: `the index has a gap longer than ${input.maxGapMs} ms in [${windowStartMs}, ${input.expiryMs}]`,
    };
  return {
    status: 'WAIT',
    reason: 'INSUFFICIENT_SAMPLES',
    samples: r.samples,
    detail: `${r.samples} index samples in [${windowStartMs}, ${input.expiryMs}], at least ${input.minSamples} needed`,
  };
}
