import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import {
  ByteReader,
  ByteWriter,
  CancelReason,
  CodecError,
  CommandType,
  InstrumentStatus,
  TimeInForce,
  TriggerSource,
  bookSpecProblems,
  type Command,
  type ListInstrument,
  type MassCancel,
  type RejectCode,
  type SetInstrumentStatus,
  type SetReferencePrice,
} from '@exchange/domain';
import { bookStateHash, readBookState, writeBookState } from './book-state';
import type { EngineEventSink } from './event-sink';
import { ExpiryHeap } from './expiry-heap';
import { OrderBook } from './order-book';
import { accountIdValid, clientOrderIdValid } from './validation';

export const SNAPSHOT_TAG_V1 = 0x5a;
/** Instrument ids index an array, so they are kept small. */
export const MAX_INSTRUMENT_ID = 1_000_000;

/**
 * The matching engine core: one book per instrument, driven by sequenced commands. It keeps the
 * last applied sequence number (a command at or below it is a redelivery and is ignored) and the
 * engine time, which only moves forward with the commands' times. Before each command, GTD orders
 * that are due by then expire. Everything it does is a function of the commands it was given.
 */
export class MatchingEngine {
  lastSeq = 0;
  nowMs = 0;
  private readonly books: (OrderBook | undefined)[] = [];
  private readonly symbols = new Set<string>();
  private readonly expiries = new ExpiryHeap();

  constructor(private readonly sink: EngineEventSink) {}

  /** Applies a command; returns false if it was already applied (seq not above the last). */
  process(c: Command): boolean {
    if (!Number.isSafeInteger(c.seq) || c.seq <= 0)
      throw new RangeError(`command sequence number ${c.seq} is not a positive integer`);
    if (c.seq <= this.lastSeq) return false;
    this.lastSeq = c.seq;
    if (Number.isFinite(c.timeMs) && c.timeMs > this.nowMs) this.nowMs = c.timeMs;
    if (this.expiries.size > 0) this.expireDue(c.seq);
    switch (c.type) {
      case CommandType.PlaceOrder: {
        const book = this.tradingBook(c.instrumentId, c.type, c.seq, c.accountId, 0, c.clientOrderId);
        if (book !== undefined && book.place(c, this.nowMs) && c.timeInForce === TimeInForce.GTD) {
          this.expiries.push({ expireAtMs: c.expireAtMs, orderId: c.seq, instrumentId: c.instrumentId });
        }
        break;
      }
      case CommandType.CancelOrder:
        this.tradingBook(c.instrumentId, c.type, c.seq, c.accountId, c.orderId, c.clientOrderId)?.cancel(c);
        break;
      case CommandType.AmendOrder:
        this.tradingBook(c.instrumentId, c.type, c.seq, c.accountId, c.orderId, c.clientOrderId)?.amend(c);
        break;
      case CommandType.MassCancel:
        this.massCancel(c);
        break;
      case CommandType.SetReferencePrice:
        this.setReferencePrice(c);
        break;
      case CommandType.ListInstrument:
        this.listInstrument(c);
        break;
      case CommandType.SetInstrumentStatus:
        this.setStatus(c);
        break;
      case CommandType.AdvanceTime:
        break;
      default:
        this.reject((c as Command).seq, 0 as CommandType, 0, 0, 'INVALID_COMMAND');
    }
    return true;
  }

  book(instrumentId: number): OrderBook | undefined {
    return Number.isInteger(instrumentId) ? this.books[instrumentId] : undefined;
  }

  instrumentIds(): number[] {
    const ids: number[] = [];
    this.books.forEach((b, id) => b !== undefined && ids.push(id));
    return ids;
  }

  /* ------------------------------------------------------------ snapshot ------------------------------------------------------------ */

  /** The engine's whole state in canonical form (the snapshot and the input of the state hash). */
  snapshot(): Uint8Array {
    const w = new ByteWriter(1 << 16);
    w.u8(SNAPSHOT_TAG_V1);
    w.f64(this.lastSeq);
    w.f64(this.nowMs);
    const ids = this.instrumentIds();
    w.f64(ids.length);
    for (const id of ids) writeBookState(w, this.books[id]!);
    return w.bytes().slice();
  }

  /** SHA-256 of the canonical state, hex. Equal states give equal hashes. */
  stateHash(): string {
    return bytesToHex(sha256(this.snapshot()));
  }

  /** SHA-256 of one book's canonical state (undefined for an unknown instrument). */
  bookHash(instrumentId: number): string | undefined {
    const book = this.book(instrumentId);
    return book === undefined ? undefined : bookStateHash(book);
  }

  static restore(bytes: Uint8Array, sink: EngineEventSink): MatchingEngine {
    const r = new ByteReader(bytes);
    if (r.u8() !== SNAPSHOT_TAG_V1) throw new CodecError('not an engine snapshot (unknown tag)');
    const engine = new MatchingEngine(sink);
    engine.lastSeq = r.f64();
    engine.nowMs = r.f64();
    const count = r.f64();
    for (let i = 0; i < count; i++) {
      const book = readBookState(r, sink);
      engine.books[book.instrumentId] = book;
      engine.symbols.add(book.symbol);
      book.forEachOrder((o) => {
        if (o.timeInForce === TimeInForce.GTD) {
          engine.expiries.push({
            expireAtMs: o.expireAtMs,
            orderId: o.orderId,
            instrumentId: book.instrumentId,
          });
        }
      });
    }
    if (r.remaining !== 0) throw new CodecError(`engine snapshot has ${r.remaining} trailing bytes`);
    return engine;
  }

  /* ------------------------------------------------------------ commands ------------------------------------------------------------ */

  private expireDue(seq: number): void {
    for (
      let e = this.expiries.peek();
      e !== undefined && e.expireAtMs <= this.nowMs;
      e = this.expiries.peek()
    ) {
      this.expiries.pop();
      this.books[e.instrumentId]?.expire(seq, e.orderId, e.expireAtMs);
    }
  }

  private tradingBook(
    instrumentId: number,
    type: CommandType,
    seq: number,
    accountId: number,
    orderId: number,
    clientOrderId: string,
  ): OrderBook | undefined {
    const book = this.book(instrumentId);
    if (book === undefined) {
      this.reject(seq, type, instrumentId, accountId, 'UNKNOWN_INSTRUMENT', orderId, clientOrderId);
    } else if (book.status === InstrumentStatus.Closed) {
      this.reject(seq, type, instrumentId, accountId, 'INSTRUMENT_NOT_TRADING', orderId, clientOrderId);
      return undefined;
    }
    return book;
  }

  private massCancel(c: MassCancel): void {
    if (!accountIdValid(c.accountId))
      return this.reject(c.seq, c.type, c.instrumentId, c.accountId, 'INVALID_ACCOUNT');
    if (c.instrumentId === 0) {
      for (const book of this.books) book?.cancelAccount(c.seq, c.accountId, CancelReason.MassCancel);
      return;
    }
    const book = this.book(c.instrumentId);
    if (book === undefined)
      return this.reject(c.seq, c.type, c.instrumentId, c.accountId, 'UNKNOWN_INSTRUMENT');
    book.cancelAccount(c.seq, c.accountId, CancelReason.MassCancel);
  }

  private setReferencePrice(c: SetReferencePrice): void {
    const book = this.book(c.instrumentId);
    if (book === undefined) return this.reject(c.seq, c.type, c.instrumentId, 0, 'UNKNOWN_INSTRUMENT');
    if (c.source !== TriggerSource.MarkPrice && c.source !== TriggerSource.IndexPrice) {
      return this.reject(c.seq, c.type, c.instrumentId, 0, 'INVALID_TRIGGER_SOURCE');
    }
    if (!Number.isSafeInteger(c.priceTicks) || c.priceTicks <= 0) {
      return this.reject(c.seq, c.type, c.instrumentId, 0, 'INVALID_REFERENCE_PRICE');
    }
    book.setReferencePrice(c.seq, c.source, c.priceTicks);
  }

  private listInstrument(c: ListInstrument): void {
    const id = c.instrumentId;
    if (
      !Number.isInteger(id) ||
      id <= 0 ||
      id > MAX_INSTRUMENT_ID ||
      !clientOrderIdValid(c.symbol) ||
      c.symbol === ''
    ) {
      return this.reject(c.seq, c.type, id, 0, 'INVALID_INSTRUMENT_SPEC');
    }
    if (bookSpecProblems(c.spec).length > 0)
      return this.reject(c.seq, c.type, id, 0, 'INVALID_INSTRUMENT_SPEC');
    if (this.books[id] !== undefined || this.symbols.has(c.symbol))
      return this.reject(c.seq, c.type, id, 0, 'INSTRUMENT_EXISTS');
    const spec = { ...c.spec };
    this.books[id] = new OrderBook(id, c.symbol, spec, this.sink);
    this.symbols.add(c.symbol);
    this.sink.instrumentListed(c.seq, id, c.symbol);
  }

  private setStatus(c: SetInstrumentStatus): void {
    const book = this.book(c.instrumentId);
    if (book === undefined) return this.reject(c.seq, c.type, c.instrumentId, 0, 'UNKNOWN_INSTRUMENT');
    if (!(
      c.status >= InstrumentStatus.Trading &&
      c.status <= InstrumentStatus.Closed &&
      Number.isInteger(c.status)
    )) {
      return this.reject(c.seq, c.type, c.instrumentId, 0, 'INVALID_COMMAND');
    }
    if (book.status === InstrumentStatus.Closed)
      return this.reject(c.seq, c.type, c.instrumentId, 0, 'INSTRUMENT_NOT_TRADING');
    book.setStatus(c.seq, c.status);
  }

  private reject(
    seq: number,
    type: CommandType,
    instrumentId: number,
    accountId: number,
    code: RejectCode,
    orderId = 0,
    clientOrderId = '',
  ): void {
    this.sink.orderRejected(
      seq,
      type,
      instrumentId,
      accountId,
      orderId,
      clientOrderIdValid(clientOrderId) ? clientOrderId : '',
      code,
    );
  }
}
