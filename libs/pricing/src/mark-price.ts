import { Dec, roundToTicks } from '@exchange/domain';

/**
 * Futures mark price. GPU-hours are non-storable, so there is no cost-of-carry term: the fair basis is
 * learned from the book, not computed from rates. Formula, for a sample at time t with index I_t and
 * impact bid/ask (the average fill prices of a reference-size market order on each side):
 *   basis_t = (impactBid_t + impactAsk_t) / 2 - I_t
 *   ema_t   = ema_prev + alpha (basis_t - ema_prev),  alpha = 1 - exp(-(t - t_prev) / halfLife * ln 2)
 *   mark_t  = clamp(I_t + ema_t, I_t (1 - bandBps / 10^4), I_t (1 + bandBps / 10^4))
 * The first sample seeds the EMA with its basis. Samples with a time not after the previous one
 * are refused (status) and change nothing. The mark is rounded to the nearest tick, ties to even
 * (computed price, see @exchange/domain money rules).
 */
export interface MarkParams {
  readonly halfLifeMs: number;
  readonly bandBps: number;
  readonly tickSize: string;
}

export interface MarkState {
  readonly lastTsMs: number;
  /** EMA of the basis in ticks (float). */
  readonly emaBasisTicks: number;
  readonly markTicks: number;
}

export interface MarkSample {
  readonly tsMs: number;
  readonly indexTicks: number;
  readonly impactBidTicks: number;
  readonly impactAskTicks: number;
}

export type MarkUpdate =
  | { readonly status: 'OK'; readonly state: MarkState }
  | { readonly status: 'OUT_OF_ORDER' | 'INVALID_SAMPLE'; readonly state: MarkState | undefined };

export function updateMark(state: MarkState | undefined, sample: MarkSample, params: MarkParams): MarkUpdate {
  const { tsMs, indexTicks, impactBidTicks, impactAskTicks } = sample;
  if (
    ![tsMs, indexTicks, impactBidTicks, impactAskTicks].every(Number.isFinite) ||
    indexTicks <= 0 ||
    impactBidTicks > impactAskTicks
  )
    return { status: 'INVALID_SAMPLE', state };
  if (state !== undefined && tsMs <= state.lastTsMs) return { status: 'OUT_OF_ORDER', state };
  const basis = (impactBidTicks + impactAskTicks) / 2 - indexTicks;
  const alpha =
    state === undefined ? 1 : 1 - Math.exp((-(tsMs - state.lastTsMs) / params.halfLifeMs) * Math.LN2);
  const ema = state === undefined ? basis : state.emaBasisTicks + alpha * (basis - state.emaBasisTicks);
  const band = (indexTicks * params.bandBps) / 10_000;
  const raw = Math.min(Math.max(indexTicks + ema, indexTicks - band), indexTicks + band);
  // ticks -> price -> ticks with half-even rounding (roundToTicks works on prices)
  const markTicks = roundToTicks(new Dec(raw).mul(params.tickSize), params.tickSize);
  return { status: 'OK', state: { lastTsMs: tsMs, emaBasisTicks: ema, markTicks } };
}
