import type { ComputeClassId } from './compute-class';

export type InstrumentKind = 'spot' | 'future' | 'option';
export type SettlementType = 'physical' | 'cash';
export type FutureCadence = 'monthly' | 'quarterly' | 'demo';
export type OptionRight = 'call' | 'put';

/**
 * What the order book needs to know of a contract: everything in integer ticks and lots.
 * Carried by the ListInstrument command, so a replay lists the same book with the same rules.
 */
export interface BookSpec {
  readonly minPriceTicks: number;
  readonly maxPriceTicks: number;
  readonly minSizeLots: number;
  readonly maxSizeLots: number;
  /** Half-width of the price band around the reference price, in basis points of that price. */
  readonly priceBandBps: number;
  /** Lower bound on the band's half-width in ticks (keeps bands usable for cheap options). */
  readonly priceBandMinTicks: number;
  /** A market order without an explicit protection price may trade this far through the best price. */
  readonly marketProtectionBps: number;
  /** Open orders (resting and untriggered stops) one account may have on this instrument. */
  readonly maxOpenOrders: number;
}

/** A contract specification: the book's rules plus the decimal meaning of a tick and a lot. */
export interface ContractSpec extends BookSpec {
  /** Price increment in the quote currency per GPU-hour, a decimal string. */
  readonly tickSize: string;
  /** Quantity increment in contracts (tokens for spot), a decimal string. */
  readonly lotSize: string;
  /** GPU-hours per contract (1 for spot tokens). */
  readonly multiplier: string;
}

export interface FutureTerms {
  readonly cadence: FutureCadence;
  readonly settlement: SettlementType;
  /** Expiry and last trading time, ms since the Unix epoch (UTC). */
  readonly expiryMs: number;
  /** The final settlement price is the TWAP of the index over [expiryMs - settlementWindowMs, expiryMs]. */
  readonly settlementWindowMs: number;
  /** Physical delivery: the lease runs over [deliveryStartMs, deliveryEndMs). */
  readonly deliveryStartMs: number;
  readonly deliveryEndMs: number;
}

export interface OptionTerms {
  readonly underlyingSymbol: string;
  readonly right: OptionRight;
  /** Strike in the quote currency per GPU-hour, a decimal string. */
  readonly strike: string;
  readonly expiryMs: number;
  readonly exercise: 'european';
  readonly settlement: 'cash';
}

/** An instrument as the catalogue defines it, before the registry gives it an id. */
export interface InstrumentDefinition {
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly computeClass: ComputeClassId;
  readonly quoteCurrency: string;
  readonly contract: ContractSpec;
  readonly future?: FutureTerms;
  readonly option?: OptionTerms;
}

/** A listed instrument: a definition with its numeric id (the key in every log, table and message). */
export interface Instrument extends InstrumentDefinition {
  readonly instrumentId: number;
}

/** Largest price in ticks and quantity in lots a book accepts (keeps every product a safe integer). */
export const MAX_PRICE_TICKS = 2 ** 31 - 1;
export const MAX_QTY_LOTS = 2 ** 31 - 1;

/** Checks that a book spec is internally consistent; returns a list of problems (empty when valid). */
export function bookSpecProblems(spec: BookSpec): string[] {
  const problems: string[] = [];
  const positiveInt = (name: keyof BookSpec, max = Number.MAX_SAFE_INTEGER, min = 1) => {
    const v = spec[name];
    if (!Number.isInteger(v) || v < min || v > max)
      problems.push(`${name} must be an integer in [${min}, ${max}]`);
  };
  positiveInt('minPriceTicks', MAX_PRICE_TICKS);
  positiveInt('maxPriceTicks', MAX_PRICE_TICKS);
  positiveInt('minSizeLots', MAX_QTY_LOTS);
  positiveInt('maxSizeLots', MAX_QTY_LOTS);
  positiveInt('priceBandBps', 1_000_000, 0);
  positiveInt('priceBandMinTicks', MAX_PRICE_TICKS, 0);
  positiveInt('marketProtectionBps', 1_000_000, 0);
  positiveInt('maxOpenOrders', 1_000_000);
  if (spec.minPriceTicks > spec.maxPriceTicks) problems.push('minPriceTicks must not exceed maxPriceTicks');
  if (spec.minSizeLots > spec.maxSizeLots) problems.push('minSizeLots must not exceed maxSizeLots');
  return problems;
}

/** Picks the book's part of a contract spec (the fields in the ListInstrument command). */
export function bookSpecOf(contract: ContractSpec): BookSpec {
  return {
    minPriceTicks: contract.minPriceTicks,
    maxPriceTicks: contract.maxPriceTicks,
    minSizeLots: contract.minSizeLots,
    maxSizeLots: contract.maxSizeLots,
    priceBandBps: contract.priceBandBps,
    priceBandMinTicks: contract.priceBandMinTicks,
    marketProtectionBps: contract.marketProtectionBps,
    maxOpenOrders: contract.maxOpenOrders,
  };
}
