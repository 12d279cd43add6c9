/**
 * The demo market maker's quoting rule, in integer ticks (pure: the random draws come in as
 * arguments). Around a fair price F (the instrument's mark, or for spot its class index):
 * - half spread h = max(1, ceil(F x halfSpreadBps / 10,000)) ticks, plus a jitter of 0 or 1 tick;
 * - `levels` bids at F - h, F - h - step, ... and asks at F + h, F + h + step, ..., where
 *   step = max(1, ceil(F x levelStepBps / 10,000));
 * - each level's size is 1 to maxLots lots;
 * - levels outside [minPriceTicks, maxPriceTicks] are left out (a cheap option gets asks only).
 */
export interface QuotingRule {
  readonly halfSpreadBps: number;
  readonly levelStepBps: number;
  readonly levels: number;
  readonly maxLots: number;
}

export const DEFAULT_QUOTING: QuotingRule = { halfSpreadBps: 50, levelStepBps: 40, levels: 2, maxLots: 5 };

export interface QuoteLevel {
  readonly side: 'buy' | 'sell';
  readonly priceTicks: number;
  readonly lots: number;
}

const bpsOf = (ticks: number, bps: number) => Math.max(1, Math.ceil((ticks * bps) / 10_000));

/** The quotes for fair price `fairTicks`; `draw()` returns uniform numbers in [0, 1). */
export function quoteLevels(
  fairTicks: number,
  limits: { minPriceTicks: number; maxPriceTicks: number },
  rule: QuotingRule,
  draw: () => number,
): QuoteLevel[] {
  if (!Number.isSafeInteger(fairTicks) || fairTicks <= 0) return [];
  const half = bpsOf(fairTicks, rule.halfSpreadBps) + (draw() < 0.5 ? 0 : 1);
  const step = bpsOf(fairTicks, rule.levelStepBps);
  const out: QuoteLevel[] = [];
  for (let i = 0; i < rule.levels; i++) {
    for (const side of ['buy', 'sell'] as const) {
      const priceTicks = side === 'buy' ? fairTicks - half - i * step : fairTicks + half + i * step;
      const lots = 1 + Math.floor(draw() * rule.maxLots);
      if (priceTicks >= limits.minPriceTicks && priceTicks <= limits.maxPriceTicks && priceTicks > 0)
        out.push({ side, priceTicks, lots });
    }
  }
  return out;
}
