import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import {
  type ByteReader,
  ByteWriter,
  CodecError,
  readBookSpec,
  writeBookSpec,
  type InstrumentStatus,
  type OrderType,
  type Side,
  type StpMode,
  type TimeInForce,
  type TriggerSource,
} from '@exchange/domain';
import type { EngineEventSink } from './event-sink';
import { Order } from './order';
import { OrderBook } from './order-book';

/**
 * The canonical serialisation of a book: the same state always gives the same bytes, so it serves
 * both as the snapshot format and as the input of the state hash. Resting orders are written by
 * side (bids then asks), best price first, in queue order; stops in trigger order per list.
 */

function writeOrder(w: ByteWriter, o: Readonly<Order>): void {
  w.f64(o.orderId);
  w.f64(o.accountId);
  w.str(o.clientOrderId);
  w.u8(o.side);
  w.u8(o.orderType);
  w.u8(o.timeInForce);
  w.u8(o.flags);
  w.u8(o.stpMode);
  w.u8(o.triggerSource);
  w.f64(o.priceTicks);
  w.f64(o.stopPriceTicks);
  w.f64(o.protectionPriceTicks);
  w.f64(o.expireAtMs);
  w.f64(o.remainingLots);
  w.f64(o.visibleLots);
  w.f64(o.displayLots);
}

function readOrder(r: ByteReader): Order {
  const o = new Order();
  o.orderId = r.f64();
  o.accountId = r.f64();
  o.clientOrderId = r.str();
  o.side = r.u8() as Side;
  o.orderType = r.u8() as OrderType;
  o.timeInForce = r.u8() as TimeInForce;
  o.flags = r.u8();
  o.stpMode = r.u8() as StpMode;
  o.triggerSource = r.u8() as TriggerSource;
  o.priceTicks = r.f64();
  o.stopPriceTicks = r.f64();
  o.protectionPriceTicks = r.f64();
  o.expireAtMs = r.f64();
  o.remainingLots = r.f64();
  o.visibleLots = r.f64();
  o.displayLots = r.f64();
  return o;
}

export function writeBookState(w: ByteWriter, book: OrderBook): void {
  w.f64(book.instrumentId);
  w.str(book.symbol);
  writeBookSpec(w, book.spec);
  w.u8(book.status);
  w.f64(book.lastPriceTicks);
  w.f64(book.markPriceTicks);
  w.f64(book.indexPriceTicks);
  w.f64(book.tradeCount);
  const resting: Readonly<Order>[] = [];
  const stops: Readonly<Order>[] = [];
  book.forEachOrder((o) => (o.level !== null ? resting : stops).push(o));
  w.f64(resting.length);
  for (const o of resting) writeOrder(w, o);
  w.f64(stops.length);
  for (const o of stops) writeOrder(w, o);
}

export function readBookState(r: ByteReader, sink: EngineEventSink): OrderBook {
  const instrumentId = r.f64();
  const symbol = r.str();
  const spec = readBookSpec(r);
  const book = new OrderBook(instrumentId, symbol, spec, sink);
  book.status = r.u8() as InstrumentStatus;
  book.lastPriceTicks = r.f64();
  book.markPriceTicks = r.f64();
  book.indexPriceTicks = r.f64();
  book.tradeCount = r.f64();
  const restingCount = r.f64();
  for (let i = 0; i < restingCount; i++) book.restoreResting(readOrder(r));
  const stopCount = r.f64();
  for (let i = 0; i < stopCount; i++) book.restoreStop(readOrder(r));
  if (!Number.isInteger(restingCount) || !Number.isInteger(stopCount))
    throw new CodecError('corrupt book state');
  book.finishRestore();
  return book;
}

/** SHA-256 (hex) of one book's canonical state. */
export function bookStateHash(book: OrderBook): string {
  const w = new ByteWriter(1 << 12);
  writeBookState(w, book);
  return bytesToHex(sha256(w.bytes()));
}
