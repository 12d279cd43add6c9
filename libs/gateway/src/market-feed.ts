import { EventType, SideName, type EngineEvent, type Trade } from '@exchange/domain';
import {
  LocalBook,
  type BookLevel,
  type BookMessage,
  type FillView,
  type OrderUpdate,
  type TickerView,
  type TradeView,
} from '@exchange/client';
import type { InstrumentDirectory } from './instrument-directory';
import { cancelReasonName, fillView, price, qty } from './views';

/** A book as the engine gives it: levels as [priceTicks, qtyLots, orderCount], best first. */
export interface RawBook {
  seq: number;
  bids: [number, number, number][];
  asks: [number, number, number][];
  lastPriceTicks: number;
}

/** Everything one engine batch means for the channels. */
export interface FeedBatch {
  books: Map<number, BookMessage>;
  trades: Map<number, TradeView[]>;
  tickers: Map<number, TickerView>;
  orders: Map<number, OrderUpdate[]>;
  fills: Map<number, FillView[]>;
}

interface Mirror {
  book: LocalBook;
  lastPriceTicks: number;
}

/**
 * Turns engine events into channel messages. For each instrument someone follows it keeps a mirror
 * of the book, seeded from the engine's book and moved by the BookDelta events; the mirror is what
 * new subscribers get as their snapshot, so snapshot and changes always link up (each change's
 * prevChangeId is the changeId before it), and its top levels give each message's checksum.
 */
export class MarketFeed {
  private readonly mirrors = new Map<number, Mirror>();

  constructor(
    private readonly directory: InstrumentDirectory,
    private readonly readBook: (instrumentId: number) => RawBook | undefined,
  ) {}

  /** The mirror of a book, seeded on first use; undefined for an unknown instrument. */
  private mirror(instrumentId: number): Mirror | undefined {
    let m = this.mirrors.get(instrumentId);
    if (m !== undefined) return m;
    const entry = this.directory.byInstrumentId(instrumentId);
    const raw = this.readBook(instrumentId);
    if (entry === undefined || raw === undefined) return undefined;
    const c = entry.definition.contract;
    const level = (l: [number, number, number]): BookLevel => [price(l[0], c), qty(l[1], c), l[2]];
    m = { book: new LocalBook(entry.symbol), lastPriceTicks: raw.lastPriceTicks };
    m.book.update(raw.bids.map(level), raw.asks.map(level), raw.seq);
    this.mirrors.set(instrumentId, m);
    return m;
  }

  /** The whole book as a snapshot message (seeding the mirror if needed). */
  snapshot(instrumentId: number, timestampMs: number): BookMessage | undefined {
    const m = this.mirror(instrumentId);
    if (m === undefined) return undefined;
    const b = m.book;
    return {
      type: 'snapshot',
      instrument: b.instrument,
      changeId: b.changeId!,
      bids: b.bids.map((l) => [l[0], l[1], l[2]]),
      asks: b.asks.map((l) => [l[0], l[1], l[2]]),
      checksum: b.checksum(),
      timestampMs,
    };
  }

  ticker(instrumentId: number, timestampMs: number): TickerView | undefined {
    const m = this.mirror(instrumentId);
    const entry = this.directory.byInstrumentId(instrumentId);
    if (m === undefined || entry === undefined) return undefined;
    const bid = m.book.bids[0];
    const ask = m.book.asks[0];
    return {
      instrument: m.book.instrument,
      bestBidPrice: bid?.[0] ?? null,
      bestBidQuantity: bid?.[1] ?? null,
      bestAskPrice: ask?.[0] ?? null,
      bestAskQuantity: ask?.[1] ?? null,
      lastPrice: m.lastPriceTicks > 0 ? price(m.lastPriceTicks, entry.definition.contract) : null,
      changeId: m.book.changeId!,
      timestampMs,
    };
  }

  /** Messages of one batch; book changes and tickers only for mirrored (followed) instruments. */
  onBatch(events: readonly EngineEvent[], timestampMs: number): FeedBatch {
    const out: FeedBatch = {
      books: new Map(),
      trades: new Map(),
      tickers: new Map(),
      orders: new Map(),
      fills: new Map(),
    };
    const push = <T>(map: Map<number, T[]>, key: number, v: T) => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [v]);
      else list.push(v);
    };
    for (const e of events) {
      const entry = 'instrumentId' in e ? this.directory.byInstrumentId(e.instrumentId) : undefined;
      if (entry === undefined) continue;
      const c = entry.definition.contract;
      switch (e.type) {
        case EventType.BookDelta: {
          const m = this.mirrors.get(e.instrumentId);
          if (m === undefined) break;
          let msg = out.books.get(e.instrumentId);
          if (msg === undefined) {
            msg = this.changeMessage(m, timestampMs);
            out.books.set(e.instrumentId, msg);
          }
          msg.changeId = Math.max(msg.changeId, e.seq);
          (e.side === 0 ? msg.bids : msg.asks).push([
            price(e.priceTicks, c),
            qty(e.qtyLots, c),
            e.orderCount,
          ]);
          break;
        }
        case EventType.Trade:
          this.onTrade(e, entry.symbol, c, timestampMs, out, push);
          break;
        case EventType.OrderAccepted:
          push(out.orders, e.accountId, {
            event: 'accepted',
            orderId: e.orderId,
            instrument: entry.symbol,
            clientOrderId: e.clientOrderId,
            side: SideName[e.side],
            ...(e.priceTicks > 0 ? { price: price(e.priceTicks, c) } : {}),
            remainingQuantity: qty(e.qtyLots, c),
            seq: e.seq,
          });
          break;
        case EventType.OrderCancelled:
          push(out.orders, e.accountId, {
            event: 'cancelled',
            orderId: e.orderId,
            instrument: entry.symbol,
            remainingQuantity: qty(e.remainingLots, c),
            reason: cancelReasonName(e.reason),
            seq: e.seq,
          });
          break;
        case EventType.OrderAmended:
          push(out.orders, e.accountId, {
            event: 'amended',
            orderId: e.orderId,
            instrument: entry.symbol,
            ...(e.priceTicks > 0 ? { price: price(e.priceTicks, c) } : {}),
            remainingQuantity: qty(e.remainingLots, c),
            seq: e.seq,
          });
          break;
        case EventType.OrderExpired:
          push(out.orders, e.accountId, {
            event: 'expired',
            orderId: e.orderId,
            instrument: entry.symbol,
            remainingQuantity: '0',
            seq: e.seq,
          });
          break;
        case EventType.OrderTriggered:
          push(out.orders, e.accountId, {
            event: 'triggered',
            orderId: e.orderId,
            instrument: entry.symbol,
            remainingQuantity: '',
            seq: e.seq,
          });
          break;
        case EventType.InstrumentStatusChanged:
          this.directory.setStatus(e.instrumentId, e.status);
          break;
        default:
          break;
      }
    }
    for (const [instrumentId, msg] of out.books) {
      const m = this.mirrors.get(instrumentId)!;
      m.book.update(msg.bids, msg.asks, msg.changeId);
      msg.checksum = m.book.checksum();
    }
    for (const instrumentId of new Set([...out.books.keys(), ...out.trades.keys()])) {
      if (!this.mirrors.has(instrumentId)) continue;
      out.tickers.set(instrumentId, this.ticker(instrumentId, timestampMs)!);
    }
    return out;
  }

  private changeMessage(m: Mirror, timestampMs: number): BookMessage {
    return {
      type: 'change',
      instrument: m.book.instrument,
      changeId: 0,
      prevChangeId: m.book.changeId!,
      bids: [],
      asks: [],
      checksum: 0,
      timestampMs,
    };
  }

  private onTrade(
    e: Trade,
    symbol: string,
    c: Parameters<typeof price>[1],
    timestampMs: number,
    out: FeedBatch,
    push: <T>(map: Map<number, T[]>, key: number, v: T) => void,
  ): void {
    const m = this.mirrors.get(e.instrumentId);
    if (m !== undefined) m.lastPriceTicks = e.priceTicks;
    push(out.trades, e.instrumentId, {
      instrument: symbol,
      tradeId: e.tradeId,
      price: price(e.priceTicks, c),
      quantity: qty(e.qtyLots, c),
      side: SideName[e.aggressorSide],
      seq: e.seq,
      timestampMs,
    });
    for (const role of ['taker', 'maker'] as const) {
      const accountId = role === 'taker' ? e.takerAccountId : e.makerAccountId;
      const f = fillView(e, role, symbol, c);
      push(out.fills, accountId, f);
      push(out.orders, accountId, {
        event: 'trade',
        orderId: f.orderId,
        instrument: symbol,
        price: f.price,
        remainingQuantity: qty(role === 'taker' ? e.takerRemainingLots : e.makerRemainingLots, c),
        seq: e.seq,
      });
    }
  }
}
