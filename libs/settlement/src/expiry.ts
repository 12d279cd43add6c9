import { QUOTE_CURRENCY, type OptionRight, type SettlementType } from '@exchange/domain';
import { SettlementAccount, type SettlementRejectCode } from './codes';
import { finalPrice, type FinalPriceInput } from './final-price';
import {
  closeAgainstClearing,
  futurePositionsProblem,
  type FuturePosition,
  type MarkedPosition,
} from './mark-to-market';
import { pushSigned, type SettlementTransfer } from './transfer';
import { byAccount, DuplicateAccounts, isSafeInt, isUserAccount } from './validate';

/**
 * Expiry of a future and of the options on it, at the future's final settlement price F (ticks).
 *
 * - Futures (cash- and physically settled alike) pay their last difference against Clearing:
 *   qtyLots x F x tickValueMinor - costMinor (reason FUTURE_FINAL_SETTLEMENT), which realises all
 *   their P&L. A cash-settled future is then closed; a physically settled one goes to delivery: its
 *   longs and shorts (lots, FIFO rank) are what allocateDelivery matches into leases priced at F.
 * - Options (European, cash-settled): a call is in the money when F > strike, a put when F < strike.
 *   In the money, every position is exercised automatically: the long receives and the short pays
 *   qtyLots x intrinsicTicks x tickValueMinor through Clearing (reason OPTION_EXERCISE), where
 *   tickValueMinor is one tick of the future's price on one option lot (tick size x GPU-hours per
 *   lot x 10^6): intrinsic x GPU-hours per lot x lots, exact. At or out of the money they expire
 *   worthless; no money moves.
 *
 * Each instrument settles once: its key is EXPIRY:<instrumentId>.
 */
export interface FuturePositionAtExpiry extends FuturePosition {
  /**
   * FIFO rank for delivery: the seq at which the position was opened (lower is older). Ties are
   * broken by account id.
   */
  readonly fifoSeq: number;
}

export interface FutureExpiryInput {
  readonly instrumentId: number;
  readonly settlement: SettlementType;
  readonly tickValueMinor: bigint;
  readonly positions: readonly FuturePositionAtExpiry[];
}

export interface DeliveryParty {
  readonly accountId: number;
  readonly lots: number;
  readonly fifoSeq: number;
}

export type FutureExpiryResult =
  | {
      readonly status: 'SETTLED';
      readonly key: string;
      readonly finalPriceTicks: number;
      readonly transfers: readonly SettlementTransfer[];
      readonly closed: readonly MarkedPosition[];
      /** Physically settled: who delivers and who takes delivery. Null for cash settlement. */
      readonly delivery: { readonly longs: DeliveryParty[]; readonly shorts: DeliveryParty[] } | null;
    }
  | { readonly status: 'REJECTED'; readonly code: SettlementRejectCode; readonly key: string };

export function expiryKey(instrumentId: number): string {
  return `EXPIRY:${instrumentId}`;
}

export function settleFutureExpiry(
  input: FutureExpiryInput,
  finalPriceTicks: number,
  settledKeys: ReadonlySet<string>,
): FutureExpiryResult {
  const key = expiryKey(input.instrumentId);
  if (settledKeys.has(key)) return { status: 'REJECTED', code: 'ALREADY_SETTLED', key };
  const problem = futurePositionsProblem(input.positions, finalPriceTicks, input.tickValueMinor);
  if (problem !== null) return { status: 'REJECTED', code: problem, key };
  if (input.positions.some((p) => !isSafeInt(p.fifoSeq))) return { status: 'REJECTED', code: 'INVALID_POSITION', key }; // prettier-ignore
  const { transfers, positions } = closeAgainstClearing(
    input.instrumentId,
    input.positions,
    finalPriceTicks,
    input.tickValueMinor,
    'FUTURE_FINAL_SETTLEMENT',
  );
  let delivery: { longs: DeliveryParty[]; shorts: DeliveryParty[] } | null = null;
  if (input.settlement === 'physical') {
    delivery = { longs: [], shorts: [] };
    for (const p of input.positions) {
      if (p.qtyLots > 0) delivery.longs.push({ accountId: p.accountId, lots: p.qtyLots, fifoSeq: p.fifoSeq });
      if (p.qtyLots < 0)
        delivery.shorts.push({ accountId: p.accountId, lots: -p.qtyLots, fifoSeq: p.fifoSeq });
    }
  }
  return { status: 'SETTLED', key, finalPriceTicks, transfers, closed: positions, delivery };
}

export interface OptionPosition {
  readonly accountId: number;
  /** Signed lots: + long (holder), - short (writer). */
  readonly qtyLots: number;
}

export interface OptionExpiryInput {
  readonly instrumentId: number;
  readonly right: OptionRight;
  /** The strike in ticks of the underlying future's price. */
  readonly strikeTicks: number;
  /** One tick of the future's price on one option lot, in quote minor units. */
  readonly tickValueMinor: bigint;
  readonly positions: readonly OptionPosition[];
}

export interface ExercisedPosition {
  readonly accountId: number;
  readonly qtyLots: number;
  /** Received (+) or paid (-). */
  readonly payoutMinor: bigint;
}

export type OptionExpiryResult =
  | {
      readonly status: 'SETTLED';
      readonly key: string;
      readonly outcome: 'EXERCISED' | 'EXPIRED_WORTHLESS';
      readonly intrinsicTicks: number;
      readonly payoffPerLotMinor: bigint;
      readonly transfers: readonly SettlementTransfer[];
      readonly closed: readonly ExercisedPosition[];
    }
  | { readonly status: 'REJECTED'; readonly code: SettlementRejectCode; readonly key: string };

/** Intrinsic value in ticks of a call or put at the final price (0 at or out of the money). */
export function intrinsicTicks(right: OptionRight, strikeTicks: number, finalPriceTicks: number): number {
  const v = right === 'call' ? finalPriceTicks - strikeTicks : strikeTicks - finalPriceTicks;
  return v > 0 ? v : 0;
}

function optionInputProblem(input: OptionExpiryInput, finalPriceTicks: number): SettlementRejectCode | null {
  if (!isSafeInt(finalPriceTicks) || finalPriceTicks <= 0) return 'INVALID_PRICE';
  if (!isSafeInt(input.strikeTicks) || input.strikeTicks <= 0) return 'INVALID_PRICE';
  if (input.right !== 'call' && input.right !== 'put') return 'INVALID_POSITION';
  if (typeof input.tickValueMinor !== 'bigint' || input.tickValueMinor <= 0n) return 'INVALID_TICK_VALUE';
  const duplicates = new DuplicateAccounts(input.positions);
  for (let i = 0; i < input.positions.length; i++) {
    const p = input.positions[i]!;
    if (!isUserAccount(p.accountId) || !isSafeInt(p.qtyLots)) return 'INVALID_POSITION';
    if (duplicates.repeats(i)) return 'DUPLICATE_ACCOUNT';
  }
  return null;
}

export function exerciseOptions(
  input: OptionExpiryInput,
  finalPriceTicks: number,
  settledKeys: ReadonlySet<string>,
): OptionExpiryResult {
  const key = expiryKey(input.instrumentId);
  if (settledKeys.has(key)) return { status: 'REJECTED', code: 'ALREADY_SETTLED', key };
  const problem = optionInputProblem(input, finalPriceTicks);
  if (problem !== null) return { status: 'REJECTED', code: problem, key };
  const intrinsic = intrinsicTicks(input.right, input.strikeTicks, finalPriceTicks);
  const payoffPerLotMinor = BigInt(intrinsic) * input.tickValueMinor;
  const transfers: SettlementTransfer[] = [];
  const closed: ExercisedPosition[] = [];
  for (const p of byAccount(input.positions)) {
    if (p.qtyLots === 0) continue;
    const payoutMinor = BigInt(p.qtyLots) * payoffPerLotMinor;
    pushSigned(transfers, SettlementAccount.Clearing, p.accountId, payoutMinor, QUOTE_CURRENCY, 'OPTION_EXERCISE', input.instrumentId); // prettier-ignore
    closed.push({ accountId: p.accountId, qtyLots: p.qtyLots, payoutMinor });
  }
  const outcome = intrinsic > 0 ? 'EXERCISED' : 'EXPIRED_WORTHLESS';
  return { status: 'SETTLED', key, outcome, intrinsicTicks: intrinsic, payoffPerLotMinor, transfers, closed };
}

export interface ExpiryInput {
  readonly finalPrice: FinalPriceInput;
  readonly future: FutureExpiryInput;
  readonly options: readonly OptionExpiryInput[];
}

export type ExpiryResult =
  | { readonly status: 'WAIT'; readonly reason: string; readonly samples: number; readonly detail: string }
  | { readonly status: 'REJECTED'; readonly code: SettlementRejectCode; readonly key: string }
  | {
      readonly status: 'SETTLED';
      readonly finalPriceTicks: number;
      readonly future: Extract<FutureExpiryResult, { status: 'SETTLED' }>;
      readonly options: readonly Extract<OptionExpiryResult, { status: 'SETTLED' }>[];
      /** Every transfer: the future's first, then each option's in the order given. */
      readonly transfers: readonly SettlementTransfer[];
      /** The keys to record as settled. */
      readonly keys: readonly string[];
    };

/**
 * A whole expiry: the final price (or WAIT and why), the future and its options. All or nothing: a
 * refusal of any part refuses the whole (and changes nothing).
 */
export function settleExpiry(input: ExpiryInput, settledKeys: ReadonlySet<string>): ExpiryResult {
  const price = finalPrice(input.finalPrice);
  if (price.status === 'WAIT') return price;
  const future = settleFutureExpiry(input.future, price.priceTicks, settledKeys);
  if (future.status === 'REJECTED') return future;
  const options: Extract<OptionExpiryResult, { status: 'SETTLED' }>[] = [];
  const keys = new Set<string>([future.key]);
  for (const o of input.options) {
    const r = exerciseOptions(o, price.priceTicks, settledKeys);
    if (r.status === 'REJECTED') return r;
    if (keys.has(r.key)) return { status: 'REJECTED', code: 'ALREADY_SETTLED', key: r.key };
    keys.add(r.key);
    options.push(r);
  }
  const transfers = [...future.transfers, ...options.flatMap((o) => o.transfers)];
  return {
    status: 'SETTLED',
    finalPriceTicks: price.priceTicks,
    future,
    options,
    transfers,
    keys: [...keys],
  };
}
