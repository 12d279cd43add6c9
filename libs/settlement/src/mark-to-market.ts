import { QUOTE_CURRENCY } from '@exchange/domain';
import { SettlementAccount, type SettlementRejectCode } from './codes';
import { pushSigned, type SettlementTransfer } from './transfer';
import { byAccount, DuplicateAccounts, isSafeInt, isUserAccount } from './validate';

/**
 * Daily mark-to-market of a future. Each open position carries its reference value `costMinor`
 * (signed like the lots: what it cost at entry prices, or lots x the last settlement price x tick
 * value once it has been marked). At the daily settlement price S the variation margin is
 *
 *   variationMinor = qtyLots x S x tickValueMinor - costMinor
 *
 * paid by Clearing to the account when positive, by the account to Clearing when negative, and the
 * position's reference becomes qtyLots x S x tickValueMinor (its reference price S). All exact bigint:
 * no rounding happens here (the tick value is a whole number of minor units by catalogue rule).
 *
 * This is the same cost convention as the risk stage (PositionChanged.costMinor), so a marked
 * position goes on realising P&L against Clearing from its new reference. When the positions given
 * are all of an instrument's (they net to zero lots), Clearing pays out exactly minus the sum of their
 * costs, which is what it held for them: after the mark Clearing holds nothing for the instrument.
 *
 * Idempotency: a mark is keyed by (instrument, business date); the caller keeps the keys it applied
 * and passes them in, and the same key again is refused with ALREADY_SETTLED.
 */
export interface FuturePosition {
  readonly accountId: number;
  /** Signed lots: + long, - short. */
  readonly qtyLots: number;
  /** Reference value in quote minor units, signed like qtyLots. */
  readonly costMinor: bigint;
}

export interface MarkToMarketInput {
  readonly instrumentId: number;
  /** The business day being settled, YYYY-MM-DD (UTC). */
  readonly businessDate: string;
  readonly settlementPriceTicks: number;
  /** Value of one tick on one lot in quote minor units. */
  readonly tickValueMinor: bigint;
  readonly positions: readonly FuturePosition[];
}

export interface MarkedPosition {
  readonly accountId: number;
  readonly qtyLots: number;
  /** The new reference: qtyLots x settlementPriceTicks x tickValueMinor. */
  readonly costMinor: bigint;
  readonly referencePriceTicks: number;
  /** What the account received (+) or paid (-). */
  readonly variationMinor: bigint;
}

export type MarkToMarketResult =
  | {
      readonly status: 'APPLIED';
      readonly key: string;
      readonly transfers: readonly SettlementTransfer[];
      readonly positions: readonly MarkedPosition[];
      /** Clearing's net change (= minus the sum of the variation paid to accounts). */
      readonly clearingChangeMinor: bigint;
    }
  | { readonly status: 'REJECTED'; readonly code: SettlementRejectCode; readonly key: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isBusinessDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** The UTC business date (YYYY-MM-DD) of an instant given in ms since the epoch. */
export function businessDateOf(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** The idempotency key of an instrument's daily mark. */
export function markToMarketKey(instrumentId: number, businessDate: string): string {
  return `MTM:${instrumentId}:${businessDate}`;
}

/** The reference value of a position marked at a price: qtyLots x priceTicks x tickValueMinor. */
export function referenceCostMinor(qtyLots: number, priceTicks: number, tickValueMinor: bigint): bigint {
  return BigInt(qtyLots) * BigInt(priceTicks) * tickValueMinor;
}

/** Checks the common inputs of a mark or a close-out; null when valid. */
export function futurePositionsProblem(
  positions: readonly FuturePosition[],
  priceTicks: number,
  tickValueMinor: bigint,
): SettlementRejectCode | null {
  if (!isSafeInt(priceTicks) || priceTicks <= 0) return 'INVALID_PRICE';
  if (typeof tickValueMinor !== 'bigint' || tickValueMinor <= 0n) return 'INVALID_TICK_VALUE';
  const duplicates = new DuplicateAccounts(positions);
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    if (!isUserAccount(p.accountId) || !isSafeInt(p.qtyLots) || typeof p.costMinor !== 'bigint')
      return 'INVALID_POSITION';
    if (duplicates.repeats(i)) return 'DUPLICATE_ACCOUNT';
  }
  return null;
}

/** Marks every position to the settlement price; see the module comment for the rules. */
export function markToMarket(input: MarkToMarketInput, settledKeys: ReadonlySet<string>): MarkToMarketResult {
  const key = markToMarketKey(input.instrumentId, input.businessDate);
  if (!isBusinessDate(input.businessDate)) return { status: 'REJECTED', code: 'INVALID_BUSINESS_DATE', key };
  if (settledKeys.has(key)) return { status: 'REJECTED', code: 'ALREADY_SETTLED', key };
  const problem = futurePositionsProblem(input.positions, input.settlementPriceTicks, input.tickValueMinor);
  if (problem !== null) return { status: 'REJECTED', code: problem, key };
  const { transfers, positions, clearingChangeMinor } = closeAgainstClearing(
    input.instrumentId,
    input.positions,
    input.settlementPriceTicks,
    input.tickValueMinor,
    'VARIATION_MARGIN',
  );
  return { status: 'APPLIED', key, transfers, positions, clearingChangeMinor };
}

/**
 * Pays each position's difference between its value at `priceTicks` and its reference value, against
 * Clearing, in ascending account order (a canonical order, so a replay emits the same transfers).
 */
export function closeAgainstClearing(
  instrumentId: number,
  input: readonly FuturePosition[],
  priceTicks: number,
  tickValueMinor: bigint,
  reason: 'VARIATION_MARGIN' | 'FUTURE_FINAL_SETTLEMENT',
): { transfers: SettlementTransfer[]; positions: MarkedPosition[]; clearingChangeMinor: bigint } {
  const transfers: SettlementTransfer[] = [];
  const positions: MarkedPosition[] = [];
  let clearingChangeMinor = 0n;
  const lotValueMinor = BigInt(priceTicks) * tickValueMinor;
  for (const p of byAccount(input)) {
    if (p.qtyLots === 0 && p.costMinor === 0n) continue;
    const costMinor = BigInt(p.qtyLots) * lotValueMinor; // referenceCostMinor, the price's factor once
    const variationMinor = costMinor - p.costMinor;
    pushSigned(
      transfers,
      SettlementAccount.Clearing,
      p.accountId,
      variationMinor,
      QUOTE_CURRENCY,
      reason,
      instrumentId,
    );
    clearingChangeMinor -= variationMinor;
    positions.push({
      accountId: p.accountId,
      qtyLots: p.qtyLots,
      costMinor,
      referencePriceTicks: priceTicks,
      variationMinor,
    });
  }
  return { transfers, positions, clearingChangeMinor };
}
