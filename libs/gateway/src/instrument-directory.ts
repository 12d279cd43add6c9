import {
  InstrumentStatusName,
  lotsToQuantity,
  listCatalogue,
  ticksToPrice,
  type InstrumentDefinition,
  type InstrumentStatus,
} from '@exchange/domain';
import type { InstrumentView } from '@exchange/client';

/** What the engine says about a listed book. */
export interface ListedBook {
  instrumentId: number;
  symbol: string;
  status: InstrumentStatus;
  /** The terms the engine listed it with, when the engine is at hand (else the catalogue's are used). */
  definition?: InstrumentDefinition;
}

/** A listed instrument: its id and status from the engine, its contract from the engine or the catalogue. */
export interface DirectoryEntry {
  readonly instrumentId: number;
  readonly symbol: string;
  status: InstrumentStatus;
  readonly definition: InstrumentDefinition;
}

const MONTH_MS = 31 * 24 * 3_600_000;

/**
 * The instruments the API can trade: the engine's listed books matched by symbol to the catalogue's
 * definitions (tick size, lot size, terms). The catalogue is a function of time, so definitions are
 * looked up over the past `lookbackMonths` as well (an instrument listed months ago keeps its terms).
 */
export class InstrumentDirectory {
  private readonly bySymbol = new Map<string, DirectoryEntry>();
  private readonly byId = new Map<number, DirectoryEntry>();
  private readonly definitions = new Map<string, InstrumentDefinition>();

  constructor(nowMs: number, lookbackMonths = 15) {
    for (let m = lookbackMonths; m >= 0; m--) {
      for (const d of listCatalogue(nowMs - m * MONTH_MS)) this.definitions.set(d.symbol, d);
    }
  }

  /**
   * Adds or updates books, with the engine's definition or else the catalogue's; books without either
   * are left out (nothing to price them with).
   */
  sync(books: readonly ListedBook[]): void {
    for (const b of books) {
      const known = this.byId.get(b.instrumentId);
      if (known !== undefined) {
        known.status = b.status;
        continue;
      }
      const definition = b.definition ?? this.definitions.get(b.symbol);
      if (definition === undefined) continue;
      const entry: DirectoryEntry = {
        instrumentId: b.instrumentId,
        symbol: b.symbol,
        status: b.status,
        definition,
      };
      this.bySymbol.set(b.symbol, entry);
      this.byId.set(b.instrumentId, entry);
    }
  }

  setStatus(instrumentId: number, status: InstrumentStatus): void {
    const e = this.byId.get(instrumentId);
    if (e !== undefined) e.status = status;
  }

  bySymbolName(symbol: string): DirectoryEntry | undefined {
    return this.bySymbol.get(symbol);
  }

  byInstrumentId(instrumentId: number): DirectoryEntry | undefined {
    return this.byId.get(instrumentId);
  }

  all(): DirectoryEntry[] {
    return [...this.byId.values()].sort((a, b) => a.instrumentId - b.instrumentId);
  }
}

export function instrumentView(e: DirectoryEntry): InstrumentView {
  const d = e.definition;
  const c = d.contract;
  const view: InstrumentView = {
    instrumentId: e.instrumentId,
    symbol: e.symbol,
    kind: d.kind,
    computeClass: d.computeClass,
    quoteCurrency: d.quoteCurrency,
    status: InstrumentStatusName[e.status] ?? 'closed',
    tickSize: c.tickSize,
    lotSize: c.lotSize,
    multiplier: c.multiplier,
    minPrice: ticksToPrice(c.minPriceTicks, c.tickSize),
    maxPrice: ticksToPrice(c.maxPriceTicks, c.tickSize),
    minQuantity: lotsToQuantity(c.minSizeLots, c.lotSize),
    maxQuantity: lotsToQuantity(c.maxSizeLots, c.lotSize),
    priceBandBps: c.priceBandBps,
    marketProtectionBps: c.marketProtectionBps,
    maxOpenOrders: c.maxOpenOrders,
  };
  if (d.future) {
    const f = d.future;
    view.future = {
      cadence: f.cadence,
      settlement: f.settlement,
      expiryMs: f.expiryMs,
      settlementWindowMs: f.settlementWindowMs,
      deliveryStartMs: f.deliveryStartMs,
      deliveryEndMs: f.deliveryEndMs,
    };
  }
  if (d.option) {
    const o = d.option;
    view.option = {
      underlying: o.underlyingSymbol,
      right: o.right,
      strike: o.strike,
      expiryMs: o.expiryMs,
      settlement: o.settlement,
    };
  }
  return view;
}
