import {
  CommandType,
  placeOrder,
  type AmendOrder,
  type BookSpec,
  type CancelOrder,
  type Command,
  type EngineEvent,
  type PlaceOrder,
} from '@exchange/domain';
import { EventCollector, MatchingEngine } from '@exchange/order-book';

/** A roomy contract for tests: prices 1..100000 ticks, sizes 1..1000000 lots, wide bands. */
export const TEST_SPEC: BookSpec = {
  minPriceTicks: 1,
  maxPriceTicks: 100_000,
  minSizeLots: 1,
  maxSizeLots: 1_000_000,
  priceBandBps: 1_000_000,
  priceBandMinTicks: 0,
  marketProtectionBps: 1000,
  maxOpenOrders: 1000,
};

export const INSTRUMENT = 1;

/** Drives a MatchingEngine with sequenced commands and returns each command's events. */
export class EngineHarness {
  readonly sink = new EventCollector();
  engine = new MatchingEngine(this.sink);
  seq = 0;
  nowMs = 1_000_000;

  constructor(spec: BookSpec = TEST_SPEC, instruments: number[] = [INSTRUMENT]) {
    for (const id of instruments)
      this.run({
        type: CommandType.ListInstrument,
        seq: 0,
        timeMs: 0,
        instrumentId: id,
        symbol: `T${id}`,
        spec,
      });
  }

  /** Gives the command the next seq and the harness time, runs it, returns its events. */
  run(c: Command): EngineEvent[] {
    c.seq = ++this.seq;
    c.timeMs = this.nowMs;
    this.engine.process(c);
    return this.sink.take();
  }

  place(fields: Partial<PlaceOrder> & Pick<PlaceOrder, 'side' | 'qtyLots'>): EngineEvent[] {
    return this.run(placeOrder({ instrumentId: INSTRUMENT, accountId: 1, ...fields }));
  }

  /** A GTC limit order; returns its events. The order id is the command's seq (harness.seq after). */
  limit(side: 0 | 1, priceTicks: number, qtyLots: number, fields: Partial<PlaceOrder> = {}): EngineEvent[] {
    return this.place({ side, priceTicks, qtyLots, ...fields });
  }

  cancel(orderId: number, accountId = 1, fields: Partial<CancelOrder> = {}): EngineEvent[] {
    return this.run({
      type: CommandType.CancelOrder, seq: 0, timeMs: 0, instrumentId: INSTRUMENT, accountId, orderId, clientOrderId: '', ...fields,
    }); // prettier-ignore
  }

  amend(orderId: number, fields: Partial<AmendOrder>, accountId = 1): EngineEvent[] {
    return this.run({
      type: CommandType.AmendOrder, seq: 0, timeMs: 0, instrumentId: INSTRUMENT, accountId, orderId, clientOrderId: '',
      priceTicks: 0, qtyLots: 0, stopPriceTicks: 0, ...fields,
    }); // prettier-ignore
  }

  get book() {
    return this.engine.book(INSTRUMENT)!;
  }

  depth(levels = 10) {
    return this.book.depth(levels);
  }

  /** The book's state hash (the engine hash also covers lastSeq, which every command moves). */
  hash(): string {
    return this.engine.bookHash(INSTRUMENT)!;
  }
}

export function ofType<T extends EngineEvent['type']>(
  events: EngineEvent[],
  type: T,
): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<EngineEvent, { type: T }>[];
}
