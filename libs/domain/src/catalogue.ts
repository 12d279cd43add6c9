import { COMPUTE_CLASSES, type ComputeClassId } from './compute-class';
import {
  bookSpecProblems,
  type ContractSpec,
  type FutureCadence,
  type Instrument,
  type InstrumentDefinition,
  type OptionRight,
  type SettlementType,
} from './instrument';
import { Dec, QUOTE_CURRENCY, tickValueMinor } from './money';

/**
 * The product catalogue as data: per compute class a spot token, a futures product (monthly and
 * quarterly series) and European options on every listed future. `listCatalogue(asOfMs)` turns it
 * into the instruments that are live at a given time; nothing here reads a clock.
 */
export interface FuturesProduct {
  readonly contract: ContractSpec;
  readonly settlement: SettlementType;
  /** How many monthly and quarterly expiries are listed ahead. */
  readonly monthlyCount: number;
  readonly quarterlyCount: number;
  readonly settlementWindowMs: number;
  readonly deliveryDays: number;
}

export interface OptionsProduct {
  readonly contract: ContractSpec;
  /** Strikes are the class reference price times these percentages, rounded to the strike step. */
  readonly strikePercents: readonly number[];
  readonly strikeStep: string;
}

export interface ProductDefinition {
  readonly computeClass: ComputeClassId;
  readonly spot: ContractSpec;
  readonly futures: FuturesProduct;
  readonly options: OptionsProduct;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Futures and options expire on the last Friday of the month at 08:00 UTC, as on Deribit. */
export const EXPIRY_HOUR_UTC = 8;
/** GPU-hours per futures contract: one GPU for a 30-day delivery window. */
export const FUTURES_MULTIPLIER = '720';

const spotContract: ContractSpec = {
  tickSize: '0.0001',
  lotSize: '1',
  multiplier: '1',
  minPriceTicks: 1,
  maxPriceTicks: 1_000_000,
  minSizeLots: 1,
  maxSizeLots: 1_000_000,
  priceBandBps: 1000,
  priceBandMinTicks: 10,
  marketProtectionBps: 500,
  maxOpenOrders: 1000,
};

const futuresContract: ContractSpec = {
  tickSize: '0.001',
  lotSize: '1',
  multiplier: FUTURES_MULTIPLIER,
  minPriceTicks: 1,
  maxPriceTicks: 100_000,
  minSizeLots: 1,
  maxSizeLots: 100_000,
  priceBandBps: 2000,
  priceBandMinTicks: 10,
  marketProtectionBps: 500,
  maxOpenOrders: 500,
};

const optionsContract: ContractSpec = {
  tickSize: '0.0005',
  lotSize: '1',
  multiplier: FUTURES_MULTIPLIER,
  minPriceTicks: 1,
  maxPriceTicks: 200_000,
  minSizeLots: 1,
  maxSizeLots: 100_000,
  priceBandBps: 5000,
  priceBandMinTicks: 200,
  marketProtectionBps: 2000,
  maxOpenOrders: 500,
};

const STRIKE_PERCENTS = [60, 70, 80, 90, 100, 110, 120, 140, 160] as const;

function product(
  computeClass: ComputeClassId,
  settlement: SettlementType,
  strikeStep: string,
): ProductDefinition {
  return {
    computeClass,
    spot: spotContract,
    futures: {
      contract: futuresContract,
      settlement,
      monthlyCount: 3,
      quarterlyCount: 4,
      settlementWindowMs: 30 * 60_000,
      deliveryDays: 30,
    },
    options: { contract: optionsContract, strikePercents: STRIKE_PERCENTS, strikeStep },
  };
}

/** H100 and A100 futures deliver leases; L40S and RTX4090 futures settle in cash. */
export const PRODUCTS: readonly ProductDefinition[] = [
  product('H100', 'physical', '0.05'),
  product('A100', 'physical', '0.05'),
  product('L40S', 'cash', '0.05'),
  product('RTX4090', 'cash', '0.02'),
];

/**
 * The demo session's short-dated future: physically settled, expiring minutes after the exchange
 * starts, its final price the index TWAP over a short window before expiry, and a delivery window of
 * two hours from expiry, so a running exchange shows the whole lease lifecycle within about two
 * hours: leases open after expiry and are verified a little later, and escrow pays whole verified
 * hours only, so two hours is the shortest window in which a delivered lease releases an hour.
 * One lot is one 8-GPU node for the delivery window (16 GPU-hours).
 */
export interface DemoFutureProduct {
  readonly computeClass: ComputeClassId;
  readonly contract: ContractSpec;
  readonly settlementWindowMs: number;
  readonly deliveryHours: number;
}

export const DEMO_FUTURE_PRODUCT: DemoFutureProduct = {
  computeClass: 'H100',
  contract: { ...futuresContract, multiplier: '16' },
  settlementWindowMs: 4 * 60_000,
  deliveryHours: 2,
};

/** `H100-DEMO-261124-0035`: the class, then the expiry's UTC date and time to the minute. */
export function demoFutureSymbol(computeClass: string, expiryMs: number): string {
  const iso = new Date(expiryMs).toISOString(); // 2026-11-24T00:35:00.000Z
  return `${computeClass}-DEMO-${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/**
 * The demo future listed at `asOfMs`, expiring `expiryAfterMs` later, rounded up to a whole minute;
 * delivery runs from expiry for the product's delivery hours.
 */
export function demoFuture(
  asOfMs: number,
  expiryAfterMs: number,
  p: DemoFutureProduct = DEMO_FUTURE_PRODUCT,
): InstrumentDefinition {
  if (!Number.isSafeInteger(asOfMs) || !Number.isSafeInteger(expiryAfterMs) || expiryAfterMs <= 0)
    throw new RangeError(`demo future: bad times ${asOfMs} + ${expiryAfterMs}`);
  if (!COMPUTE_CLASSES.some((c) => c.id === p.computeClass))
    throw new RangeError(`unknown compute class ${p.computeClass}`);
  const expiryMs = Math.ceil((asOfMs + expiryAfterMs) / 60_000) * 60_000;
  const symbol = demoFutureSymbol(p.computeClass, expiryMs);
  const d: InstrumentDefinition = {
    computeClass: p.computeClass,
    quoteCurrency: QUOTE_CURRENCY,
    symbol,
    kind: 'future',
    contract: p.contract,
    future: {
      cadence: 'demo',
      settlement: 'physical',
      expiryMs,
      settlementWindowMs: p.settlementWindowMs,
      deliveryStartMs: expiryMs,
      deliveryEndMs: expiryMs + p.deliveryHours * HOUR_MS,
    },
  };
  checkContract(symbol, d.contract);
  return d;
}

/** Expiry (last Friday of the month, 08:00 UTC) of a given UTC year and month (0-11). */
export function monthlyExpiryMs(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  const back = (lastDay.getUTCDay() - 5 + 7) % 7;
  return Date.UTC(year, month, lastDay.getUTCDate() - back, EXPIRY_HOUR_UTC);
}

interface Expiry {
  readonly year: number;
  readonly month: number;
  readonly expiryMs: number;
  readonly cadence: FutureCadence;
}

/** The next `monthly` month expiries and `quarterly` quarter expiries after asOfMs, merged, by date. */
export function upcomingExpiries(asOfMs: number, monthly: number, quarterly: number): Expiry[] {
  const start = new Date(asOfMs);
  const byMonth = new Map<string, Expiry>();
  let months = 0;
  let quarters = 0;
  for (let i = 0; (months < monthly || quarters < quarterly) && i < 240; i++) {
    const year = start.getUTCFullYear() + Math.floor((start.getUTCMonth() + i) / 12);
    const month = (start.getUTCMonth() + i) % 12;
    const expiryMs = monthlyExpiryMs(year, month);
    if (expiryMs <= asOfMs) continue;
    const isQuarter = month % 3 === 2;
    const takeMonthly = months < monthly;
    const takeQuarterly = isQuarter && quarters < quarterly;
    if (takeMonthly) months++;
    if (takeQuarterly) quarters++;
    if (takeMonthly || takeQuarterly) {
      byMonth.set(`${year}-${month}`, {
        year,
        month,
        expiryMs,
        cadence: isQuarter ? 'quarterly' : 'monthly',
      });
    }
  }
  return [...byMonth.values()].sort((a, b) => a.expiryMs - b.expiryMs);
}

export function futureSymbol(computeClass: string, year: number, month: number): string {
  return `${computeClass}-${String(year % 100).padStart(2, '0')}${String(month + 1).padStart(2, '0')}`;
}

export function optionSymbol(futureSym: string, right: OptionRight, strike: string): string {
  return `${futureSym}-${right === 'call' ? 'C' : 'P'}-${strike}`;
}

export function strikeGrid(referencePrice: string, options: OptionsProduct): string[] {
  const decimals = new Dec(options.strikeStep).decimalPlaces();
  const strikes = new Set<string>();
  for (const pct of options.strikePercents) {
    const raw = new Dec(referencePrice).mul(pct).div(100);
    const strike = raw
      .div(options.strikeStep)
      .toDecimalPlaces(0, Dec.ROUND_HALF_EVEN)
      .mul(options.strikeStep);
    if (strike.gt(0)) strikes.add(strike.toFixed(decimals));
  }
  return [...strikes];
}

function checkContract(symbol: string, c: ContractSpec): void {
  const problems = bookSpecProblems(c);
  if (problems.length > 0) throw new RangeError(`${symbol}: ${problems.join('; ')}`);
  tickValueMinor(c.tickSize, c.lotSize, c.multiplier);
}

/** Every instrument listed at `asOfMs`, in a canonical order (class, kind, expiry, strike, right). */
export function listCatalogue(
  asOfMs: number,
  products: readonly ProductDefinition[] = PRODUCTS,
): InstrumentDefinition[] {
  const out: InstrumentDefinition[] = [];
  for (const p of products) {
    const cls = COMPUTE_CLASSES.find((c) => c.id === p.computeClass);
    if (cls === undefined) throw new RangeError(`unknown compute class ${p.computeClass}`);
    const base = { computeClass: p.computeClass, quoteCurrency: QUOTE_CURRENCY };
    out.push({ ...base, symbol: `${p.computeClass}-${QUOTE_CURRENCY}`, kind: 'spot', contract: p.spot });
    for (const e of upcomingExpiries(asOfMs, p.futures.monthlyCount, p.futures.quarterlyCount)) {
      const symbol = futureSymbol(p.computeClass, e.year, e.month);
      out.push({
        ...base,
        symbol,
        kind: 'future',
        contract: p.futures.contract,
        future: {
          cadence: e.cadence,
          settlement: p.futures.settlement,
          expiryMs: e.expiryMs,
          settlementWindowMs: p.futures.settlementWindowMs,
          deliveryStartMs: e.expiryMs,
          deliveryEndMs: e.expiryMs + p.futures.deliveryDays * DAY_MS,
        },
      });
      for (const strike of strikeGrid(cls.referencePrice, p.options)) {
        for (const right of ['call', 'put'] as const) {
          out.push({
            ...base,
            symbol: optionSymbol(symbol, right, strike),
            kind: 'option',
            contract: p.options.contract,
            option: {
              underlyingSymbol: symbol,
              right,
              strike,
              expiryMs: e.expiryMs,
              exercise: 'european',
              settlement: 'cash',
            },
          });
        }
      }
    }
  }
  for (const d of out) checkContract(d.symbol, d.contract);
  return out;
}

/**
 * Gives instruments their numeric ids. Ids are never reused: a symbol keeps the id it was first
 * listed with, and a new symbol takes the next id after the highest ever given.
 */
export class InstrumentRegistry {
  private readonly ids = new Map<string, number>();
  private nextId = 1;

  constructor(existing: readonly { symbol: string; instrumentId: number }[] = []) {
    for (const { symbol, instrumentId } of existing) {
      this.ids.set(symbol, instrumentId);
      this.nextId = Math.max(this.nextId, instrumentId + 1);
    }
  }

  /** Returns the instruments for these definitions, assigning ids to the new ones. */
  assign(definitions: readonly InstrumentDefinition[]): Instrument[] {
    return definitions.map((d) => {
      let instrumentId = this.ids.get(d.symbol);
      if (instrumentId === undefined) {
        instrumentId = this.nextId++;
        this.ids.set(d.symbol, instrumentId);
      }
      return { ...d, instrumentId };
    });
  }

  idOf(symbol: string): number | undefined {
    return this.ids.get(symbol);
  }
}
