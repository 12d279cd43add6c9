import {
  CancelReason,
  CommandType,
  EventType,
  InstrumentStatus,
  OrderFlags,
  OrderType,
  Side,
  StpMode,
  TimeInForce,
  TriggerSource,
} from '@exchange/domain';
import { EngineHarness, INSTRUMENT, TEST_SPEC, ofType } from '../test/harness';

const { Buy, Sell } = Side;

function codes(events: ReturnType<EngineHarness['run']>): string[] {
  return ofType(events, EventType.OrderRejected).map((e) => e.code);
}

describe('limit orders and price-time priority', () => {
  it('rests a non-crossing order and publishes its level', () => {
    const h = new EngineHarness();
    const ev = h.limit(Buy, 100, 5);
    expect(ev.map((e) => e.type)).toEqual([EventType.OrderAccepted, EventType.BookDelta]);
    expect(ofType(ev, EventType.BookDelta)[0]).toMatchObject({
      side: Buy,
      priceTicks: 100,
      qtyLots: 5,
      orderCount: 1,
    });
    expect(h.depth()).toEqual({ bids: [[100, 5, 1]], asks: [] });
  });

  it('matches at the maker price, best price first, then oldest first', () => {
    const h = new EngineHarness();
    h.limit(Sell, 101, 3, { accountId: 2 });
    const older = h.seq;
    h.limit(Sell, 101, 3, { accountId: 3 });
    const newer = h.seq;
    h.limit(Sell, 100, 2, { accountId: 4 });
    const best = h.seq;
    const ev = h.limit(Buy, 102, 6, { accountId: 1 });
    const trades = ofType(ev, EventType.Trade);
    expect(trades.map((t) => [t.makerOrderId, t.priceTicks, t.qtyLots])).toEqual([
      [best, 100, 2],
      [older, 101, 3],
      [newer, 101, 1],
    ]);
    expect(trades.map((t) => t.tradeId)).toEqual([1, 2, 3]);
    expect(trades[2]).toMatchObject({
      aggressorSide: Buy,
      makerRemainingLots: 2,
      takerRemainingLots: 0,
      takerAccountId: 1,
    });
    expect(h.depth()).toEqual({ bids: [], asks: [[101, 2, 1]] });
    expect(h.book.lastPriceTicks).toBe(101);
  });

  it('rests the remainder of a partly filled GTC order', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 2, { accountId: 2 });
    h.limit(Buy, 100, 5);
    expect(h.depth()).toEqual({ bids: [[100, 3, 1]], asks: [] });
  });

  it('emits deltas buy side first and by price', () => {
    const h = new EngineHarness();
    h.limit(Sell, 101, 1, { accountId: 2 });
    h.limit(Sell, 102, 1, { accountId: 2 });
    const ev = h.limit(Buy, 103, 3);
    expect(
      ofType(ev, EventType.BookDelta).map((d) => [d.side, d.priceTicks, d.qtyLots, d.orderCount]),
    ).toEqual([
      [Buy, 103, 1, 1],
      [Sell, 101, 0, 0],
      [Sell, 102, 0, 0],
    ]);
  });
});

describe('market, IOC and FOK', () => {
  it('market order trades within its protection price and cancels the rest', () => {
    const h = new EngineHarness(); // protection 1000 bps = 10%
    h.limit(Sell, 100, 1, { accountId: 2 });
    h.limit(Sell, 110, 1, { accountId: 2 });
    h.limit(Sell, 111, 1, { accountId: 2 });
    const ev = h.place({ side: Buy, qtyLots: 5, orderType: OrderType.Market, timeInForce: TimeInForce.IOC });
    expect(ofType(ev, EventType.Trade).map((t) => t.priceTicks)).toEqual([100, 110]);
    expect(ofType(ev, EventType.OrderCancelled)[0]).toMatchObject({
      cancelledLots: 3,
      reason: CancelReason.Unfilled,
    });
    expect(h.depth().asks).toEqual([[111, 1, 1]]);
  });

  it('market order honours an explicit protection price', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 1, { accountId: 2 });
    h.limit(Sell, 101, 1, { accountId: 2 });
    const ev = h.place({
      side: Buy,
      qtyLots: 2,
      orderType: OrderType.Market,
      timeInForce: TimeInForce.IOC,
      protectionPriceTicks: 100,
    });
    expect(ofType(ev, EventType.Trade)).toHaveLength(1);
  });

  it('rejects a market order with nothing to match', () => {
    const h = new EngineHarness();
    const before = h.hash();
    expect(
      codes(h.place({ side: Buy, qtyLots: 1, orderType: OrderType.Market, timeInForce: TimeInForce.IOC })),
    ).toEqual(['NO_LIQUIDITY']);
    expect(h.hash()).toBe(before);
  });

  it('market orders must be IOC or FOK', () => {
    const h = new EngineHarness();
    expect(codes(h.place({ side: Buy, qtyLots: 1, orderType: OrderType.Market }))).toEqual([
      'INVALID_TIME_IN_FORCE',
    ]);
  });

  it('IOC takes what it can and never rests', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 2, { accountId: 2 });
    const ev = h.limit(Buy, 100, 5, { timeInForce: TimeInForce.IOC });
    expect(ofType(ev, EventType.Trade)[0]!.qtyLots).toBe(2);
    expect(ofType(ev, EventType.OrderCancelled)[0]).toMatchObject({
      cancelledLots: 3,
      reason: CancelReason.Unfilled,
    });
    expect(h.depth()).toEqual({ bids: [], asks: [] });
  });

  it('FOK fills in full or is rejected without changing anything', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 2, { accountId: 2 });
    h.limit(Sell, 101, 2, { accountId: 2 });
    const before = h.hash();
    expect(codes(h.limit(Buy, 101, 5, { timeInForce: TimeInForce.FOK }))).toEqual(['FOK_NOT_FILLABLE']);
    expect(codes(h.limit(Buy, 100, 3, { timeInForce: TimeInForce.FOK }))).toEqual(['FOK_NOT_FILLABLE']);
    expect(h.hash()).toBe(before);
    const ev = h.limit(Buy, 101, 4, { timeInForce: TimeInForce.FOK });
    expect(ofType(ev, EventType.Trade).reduce((s, t) => s + t.qtyLots, 0)).toBe(4);
  });

  it('FOK counts hidden iceberg quantity', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 10, { accountId: 2, displayLots: 2 });
    const ev = h.limit(Buy, 100, 10, { timeInForce: TimeInForce.FOK });
    expect(ofType(ev, EventType.Trade).reduce((s, t) => s + t.qtyLots, 0)).toBe(10);
  });

  it('FOK stops at its own order under cancel-newest', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 2, { accountId: 2 });
    h.limit(Sell, 100, 2, { accountId: 1 });
    h.limit(Sell, 100, 2, { accountId: 3 });
    const stp = { timeInForce: TimeInForce.FOK, stpMode: StpMode.CancelNewest } as const;
    expect(codes(h.limit(Buy, 100, 3, stp))).toEqual(['FOK_NOT_FILLABLE']);
    expect(ofType(h.limit(Buy, 100, 2, stp), EventType.Trade)).toHaveLength(1);
  });
});

describe('post-only', () => {
  it('rests when it would not take, is rejected when it would', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 1, { accountId: 2 });
    const before = h.hash();
    expect(codes(h.limit(Buy, 100, 1, { flags: OrderFlags.PostOnly }))).toEqual(['POST_ONLY_WOULD_TAKE']);
    expect(h.hash()).toBe(before);
    expect(codes(h.limit(Buy, 99, 1, { flags: OrderFlags.PostOnly }))).toEqual([]);
    expect(h.depth().bids).toEqual([[99, 1, 1]]);
  });

  it('is only allowed on resting limit orders', () => {
    const h = new EngineHarness();
    expect(codes(h.limit(Buy, 99, 1, { flags: OrderFlags.PostOnly, timeInForce: TimeInForce.IOC }))).toEqual([
      'INVALID_FLAGS',
    ]);
  });

  it('an amendment of a post-only order may not cross', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 1, { accountId: 2 });
    h.limit(Buy, 99, 1, { flags: OrderFlags.PostOnly });
    expect(codes(h.amend(h.seq, { priceTicks: 100 }))).toEqual(['POST_ONLY_WOULD_TAKE']);
  });
});

describe('GTD', () => {
  it('expires by command time and not before', () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 1, { timeInForce: TimeInForce.GTD, expireAtMs: h.nowMs + 1000 });
    const id = h.seq;
    h.nowMs += 999;
    expect(h.run({ type: CommandType.AdvanceTime, seq: 0, timeMs: 0 })).toEqual([]);
    h.nowMs += 1;
    const ev = h.run({ type: CommandType.AdvanceTime, seq: 0, timeMs: 0 });
    expect(ev[0]).toMatchObject({ type: EventType.OrderExpired, orderId: id, expiredLots: 1, seq: h.seq });
    expect(h.depth().bids).toEqual([]);
  });

  it('expires before the command that reaches its time is applied', () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 1, { timeInForce: TimeInForce.GTD, expireAtMs: h.nowMs + 10, accountId: 2 });
    h.nowMs += 10;
    const ev = h.limit(Sell, 100, 1);
    expect(ev.map((e) => e.type)).toEqual([
      EventType.OrderExpired,
      EventType.BookDelta,
      EventType.OrderAccepted,
      EventType.BookDelta,
    ]);
  });

  it('requires a future expiry, only on GTD', () => {
    const h = new EngineHarness();
    expect(codes(h.limit(Buy, 100, 1, { timeInForce: TimeInForce.GTD }))).toEqual(['INVALID_EXPIRY']);
    expect(codes(h.limit(Buy, 100, 1, { timeInForce: TimeInForce.GTD, expireAtMs: h.nowMs }))).toEqual([
      'EXPIRY_IN_PAST',
    ]);
    expect(codes(h.limit(Buy, 100, 1, { expireAtMs: h.nowMs + 5 }))).toEqual(['INVALID_EXPIRY']);
  });

  it('an order that ended earlier does not expire again', () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 1, { timeInForce: TimeInForce.GTD, expireAtMs: h.nowMs + 10 });
    h.cancel(h.seq);
    h.nowMs += 20;
    expect(h.run({ type: CommandType.AdvanceTime, seq: 0, timeMs: 0 })).toEqual([]);
  });
});

describe('stop orders', () => {
  it('a buy stop-market triggers when the last price reaches its stop', () => {
    const h = new EngineHarness();
    h.place({ side: Buy, qtyLots: 1, orderType: OrderType.StopMarket, stopPriceTicks: 105, accountId: 5 });
    const stop = h.seq;
    h.limit(Sell, 105, 1, { accountId: 2 });
    h.limit(Sell, 106, 5, { accountId: 2 });
    expect(h.depth().bids).toEqual([]); // stops do not show in the book
    const ev = h.limit(Buy, 105, 1, { accountId: 3 });
    const triggered = ofType(ev, EventType.OrderTriggered);
    expect(triggered).toEqual([expect.objectContaining({ orderId: stop, triggerPriceTicks: 105 })]);
    const trades = ofType(ev, EventType.Trade);
    expect(trades.map((t) => [t.takerOrderId, t.priceTicks])).toEqual([
      [h.seq, 105],
      [stop, 106],
    ]);
  });

  it('a sell stop-limit triggers on a fall and rests at its limit', () => {
    const h = new EngineHarness();
    h.limit(Buy, 95, 1, { accountId: 2 });
    h.limit(Sell, 95, 1, { accountId: 3 }); // last = 95
    h.place({ side: Sell, qtyLots: 2, orderType: OrderType.StopLimit, stopPriceTicks: 90, priceTicks: 89 });
    h.limit(Buy, 90, 1, { accountId: 2 });
    const ev = h.limit(Sell, 90, 1, { accountId: 3 });
    expect(ofType(ev, EventType.OrderTriggered)).toHaveLength(1);
    expect(h.depth().asks).toEqual([[89, 2, 1]]);
  });

  it('triggers cascade, nearest stop first', () => {
    const h = new EngineHarness();
    h.place({ side: Buy, qtyLots: 1, orderType: OrderType.StopMarket, stopPriceTicks: 102, accountId: 5 });
    const far = h.seq;
    h.place({ side: Buy, qtyLots: 1, orderType: OrderType.StopMarket, stopPriceTicks: 101, accountId: 6 });
    const near = h.seq;
    h.limit(Sell, 101, 1, { accountId: 2 });
    h.limit(Sell, 102, 1, { accountId: 2 });
    h.limit(Sell, 103, 1, { accountId: 2 });
    const ev = h.limit(Buy, 101, 1, { accountId: 3 });
    expect(ofType(ev, EventType.OrderTriggered).map((t) => t.orderId)).toEqual([near, far]);
  });

  it('rejects a stop that would trigger at once', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 1, { accountId: 2 });
    h.limit(Buy, 100, 1);
    expect(
      codes(h.place({ side: Buy, qtyLots: 1, orderType: OrderType.StopMarket, stopPriceTicks: 100 })),
    ).toEqual(['STOP_WOULD_TRIGGER_IMMEDIATELY']);
  });

  it('mark price can drive triggers', () => {
    const h = new EngineHarness();
    h.limit(Sell, 120, 5, { accountId: 2 });
    h.place({
      side: Buy,
      qtyLots: 1,
      orderType: OrderType.StopMarket,
      stopPriceTicks: 110,
      triggerSource: TriggerSource.MarkPrice,
    });
    const ev = h.run({
      type: CommandType.SetReferencePrice,
      seq: 0,
      timeMs: 0,
      instrumentId: INSTRUMENT,
      source: TriggerSource.MarkPrice,
      priceTicks: 111,
    });
    expect(ofType(ev, EventType.OrderTriggered)[0]!.triggerPriceTicks).toBe(111);
    expect(ofType(ev, EventType.Trade)).toHaveLength(1);
  });

  it('stop orders may be amended and cancelled before they trigger', () => {
    const h = new EngineHarness();
    h.place({ side: Buy, qtyLots: 2, orderType: OrderType.StopLimit, stopPriceTicks: 110, priceTicks: 112 });
    const id = h.seq;
    expect(ofType(h.amend(id, { stopPriceTicks: 120, qtyLots: 1 }), EventType.OrderAmended)[0]).toMatchObject(
      { stopPriceTicks: 120, remainingLots: 1 },
    );
    expect(ofType(h.cancel(id), EventType.OrderCancelled)[0]).toMatchObject({
      cancelledLots: 1,
      reason: CancelReason.User,
    });
  });

  it('stop-market must be GTC or GTD; only stops carry a stop price', () => {
    const h = new EngineHarness();
    expect(
      codes(
        h.place({
          side: Buy,
          qtyLots: 1,
          orderType: OrderType.StopMarket,
          stopPriceTicks: 5,
          timeInForce: TimeInForce.IOC,
        }),
      ),
    ).toEqual(['INVALID_TIME_IN_FORCE']);
    expect(codes(h.limit(Buy, 100, 1, { stopPriceTicks: 5 }))).toEqual(['INVALID_STOP_PRICE']);
    expect(codes(h.place({ side: Buy, qtyLots: 1, orderType: OrderType.StopMarket }))).toEqual([
      'INVALID_STOP_PRICE',
    ]);
  });
});

describe('iceberg orders', () => {
  it('shows only its display quantity and refreshes at the back of the queue', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 10, { accountId: 2, displayLots: 3 });
    const ice = h.seq;
    h.limit(Sell, 100, 2, { accountId: 3 });
    const plain = h.seq;
    expect(h.depth().asks).toEqual([[100, 5, 2]]);
    const ev = h.limit(Buy, 100, 4, { accountId: 1 });
    expect(ofType(ev, EventType.Trade).map((t) => [t.makerOrderId, t.qtyLots])).toEqual([
      [ice, 3],
      [plain, 1],
    ]);
    // the refreshed iceberg slice now sits behind the plain order
    const ev2 = h.limit(Buy, 100, 2, { accountId: 1 });
    expect(ofType(ev2, EventType.Trade).map((t) => [t.makerOrderId, t.qtyLots])).toEqual([
      [plain, 1],
      [ice, 1],
    ]);
    expect(h.depth().asks).toEqual([[100, 2, 1]]);
  });

  it('a large taker goes through the hidden quantity', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 10, { accountId: 2, displayLots: 3 });
    const ev = h.limit(Buy, 100, 10);
    expect(ofType(ev, EventType.Trade).map((t) => t.qtyLots)).toEqual([3, 3, 3, 1]);
  });

  it('an iceberg taker takes with its whole quantity and rests a slice', () => {
    const h = new EngineHarness();
    h.limit(Sell, 100, 4, { accountId: 2 });
    h.limit(Buy, 100, 10, { displayLots: 2 });
    expect(h.depth().bids).toEqual([[100, 2, 1]]);
    expect(h.book.order(h.seq)!.remainingLots).toBe(6);
  });

  it('display quantity must be whole lots between the minimum and the quantity, on resting orders', () => {
    const h = new EngineHarness();
    expect(codes(h.limit(Buy, 100, 5, { displayLots: 6 }))).toEqual(['INVALID_DISPLAY_QUANTITY']);
    expect(codes(h.limit(Buy, 100, 5, { displayLots: 1.5 }))).toEqual(['INVALID_DISPLAY_QUANTITY']);
    expect(codes(h.limit(Buy, 100, 5, { displayLots: 2, timeInForce: TimeInForce.IOC }))).toEqual([
      'INVALID_DISPLAY_QUANTITY',
    ]);
  });
});

describe('reduce-only', () => {
  it('is clipped to the position and rejected when it would increase it', () => {
    const h = new EngineHarness();
    expect(codes(h.limit(Sell, 100, 5, { flags: OrderFlags.ReduceOnly, positionLots: 0 }))).toEqual([
      'REDUCE_ONLY_WOULD_INCREASE',
    ]);
    expect(codes(h.limit(Buy, 100, 5, { flags: OrderFlags.ReduceOnly, positionLots: 3 }))).toEqual([
      'REDUCE_ONLY_WOULD_INCREASE',
    ]);
    const ev = h.limit(Sell, 100, 5, { flags: OrderFlags.ReduceOnly, positionLots: 3 });
    expect(ofType(ev, EventType.OrderAccepted)[0]!.qtyLots).toBe(3);
  });
});

describe('client order ids, cancel and mass cancel', () => {
  it('cancels by order id or by client order id, only for the owner', () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 1, { clientOrderId: 'a-1' });
    const id = h.seq;
    const before = h.hash();
    expect(codes(h.cancel(id, 2))).toEqual(['UNKNOWN_ORDER']);
    expect(codes(h.cancel(0, 2, { clientOrderId: 'a-1' }))).toEqual(['UNKNOWN_ORDER']);
    expect(h.hash()).toBe(before);
    const ev = h.cancel(0, 1, { clientOrderId: 'a-1' });
    expect(ofType(ev, EventType.OrderCancelled)[0]).toMatchObject({ orderId: id, reason: CancelReason.User });
    expect(codes(h.cancel(id))).toEqual(['UNKNOWN_ORDER']);
  });

  it('rejects a duplicate client order id while the first is open, allows it after', () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 1, { clientOrderId: 'x' });
    expect(codes(h.limit(Buy, 99, 1, { clientOrderId: 'x' }))).toEqual(['DUPLICATE_CLIENT_ORDER_ID']);
    expect(codes(h.limit(Buy, 99, 1, { clientOrderId: 'x', accountId: 2 }))).toEqual([]);
    h.cancel(0, 1, { clientOrderId: 'x' });
    expect(codes(h.limit(Buy, 99, 1, { clientOrderId: 'x' }))).toEqual([]);
  });

  it('rejects malformed client order ids', () => {
    const h = new EngineHarness();
    expect(codes(h.limit(Buy, 100, 1, { clientOrderId: 'has space' }))).toEqual(['INVALID_CLIENT_ORDER_ID']);
    expect(codes(h.limit(Buy, 100, 1, { clientOrderId: 'x'.repeat(65) }))).toEqual([
      'INVALID_CLIENT_ORDER_ID',
    ]);
  });

  it('mass cancels by account and instrument, or by account everywhere', () => {
    const h = new EngineHarness(TEST_SPEC, [1, 2]);
    h.limit(Buy, 100, 1);
    h.limit(Buy, 99, 1);
    h.limit(Buy, 98, 1, { accountId: 2 });
    h.place({ instrumentId: 2, side: Sell, priceTicks: 50, qtyLots: 1 });
    const one = h.run({ type: CommandType.MassCancel, seq: 0, timeMs: 0, accountId: 1, instrumentId: 1 });
    expect(ofType(one, EventType.OrderCancelled).map((e) => [e.instrumentId, e.reason])).toEqual([
      [1, CancelReason.MassCancel],
      [1, CancelReason.MassCancel],
    ]);
    const all = h.run({ type: CommandType.MassCancel, seq: 0, timeMs: 0, accountId: 1, instrumentId: 0 });
    expect(ofType(all, EventType.OrderCancelled).map((e) => e.instrumentId)).toEqual([2]);
    expect(h.depth().bids).toEqual([[98, 1, 1]]);
  });
});

describe('amend (CME semantics)', () => {
  function twoBids(h: EngineHarness): [number, number] {
    h.limit(Buy, 100, 5);
    const first = h.seq;
    h.limit(Buy, 100, 5, { accountId: 2 });
    return [first, h.seq];
  }

  it('quantity down keeps priority', () => {
    const h = new EngineHarness();
    const [first, second] = twoBids(h);
    expect(ofType(h.amend(first, { qtyLots: 3 }), EventType.OrderAmended)[0]).toMatchObject({
      priorityKept: true,
      remainingLots: 3,
    });
    const ev = h.limit(Sell, 100, 4, { accountId: 3 });
    expect(ofType(ev, EventType.Trade).map((t) => [t.makerOrderId, t.qtyLots])).toEqual([
      [first, 3],
      [second, 1],
    ]);
  });

  it('quantity up loses priority', () => {
    const h = new EngineHarness();
    const [first, second] = twoBids(h);
    expect(ofType(h.amend(first, { qtyLots: 6 }), EventType.OrderAmended)[0]!.priorityKept).toBe(false);
    const ev = h.limit(Sell, 100, 1, { accountId: 3 });
    expect(ofType(ev, EventType.Trade)[0]!.makerOrderId).toBe(second);
  });

  it('price change loses priority and may match', () => {
    const h = new EngineHarness();
    h.limit(Sell, 102, 2, { accountId: 2 });
    h.limit(Buy, 100, 5);
    const id = h.seq;
    const ev = h.amend(id, { priceTicks: 102 });
    expect(ev.map((e) => e.type)).toEqual([
      EventType.OrderAmended,
      EventType.Trade,
      EventType.BookDelta,
      EventType.BookDelta,
      EventType.BookDelta,
    ]);
    expect(h.depth()).toEqual({ bids: [[102, 3, 1]], asks: [] });
  });

  it("rejects an amendment that changes nothing, or of someone else's order", () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 5);
    const id = h.seq;
    const before = h.hash();
    expect(codes(h.amend(id, { qtyLots: 5, priceTicks: 100 }))).toEqual(['AMEND_NO_CHANGE']);
    expect(codes(h.amend(id, { qtyLots: 4 }, 9))).toEqual(['UNKNOWN_ORDER']);
    expect(codes(h.amend(id, { qtyLots: 2.5 }))).toEqual(['SIZE_NOT_ON_LOT']);
    expect(codes(h.amend(id, { priceTicks: 100.5 }))).toEqual(['PRICE_NOT_ON_TICK']);
    expect(codes(h.amend(id, { stopPriceTicks: 3 }))).toEqual(['INVALID_STOP_PRICE']);
    expect(h.hash()).toBe(before);
  });
});

describe('self-trade prevention (taker mode decides)', () => {
  function setup(): EngineHarness {
    const h = new EngineHarness();
    h.limit(Sell, 100, 3, { accountId: 1 });
    return h;
  }

  it('cancel-newest cancels the taker', () => {
    const h = setup();
    const ev = h.limit(Buy, 100, 5, { stpMode: StpMode.CancelNewest });
    expect(ofType(ev, EventType.OrderCancelled).map((e) => [e.orderId, e.cancelledLots])).toEqual([
      [h.seq, 5],
    ]);
    expect(h.depth().asks).toEqual([[100, 3, 1]]);
  });

  it('cancel-oldest cancels the resting order and goes on', () => {
    const h = setup();
    const maker = h.seq;
    h.limit(Sell, 100, 2, { accountId: 2 });
    const ev = h.limit(Buy, 100, 5, { stpMode: StpMode.CancelOldest });
    expect(ofType(ev, EventType.OrderCancelled).map((e) => e.orderId)).toEqual([maker]);
    expect(ofType(ev, EventType.Trade)[0]!.qtyLots).toBe(2);
    expect(h.depth().bids).toEqual([[100, 3, 1]]);
  });

  it('cancel-both cancels both', () => {
    const h = setup();
    const ev = h.limit(Buy, 100, 5, { stpMode: StpMode.CancelBoth });
    expect(ofType(ev, EventType.OrderCancelled)).toHaveLength(2);
    expect(h.depth()).toEqual({ bids: [], asks: [] });
  });

  it('decrement reduces both by the smaller quantity without a trade', () => {
    const h = setup();
    const maker = h.seq;
    const ev = h.limit(Buy, 100, 5, { stpMode: StpMode.Decrement });
    expect(ofType(ev, EventType.Trade)).toHaveLength(0);
    expect(
      ofType(ev, EventType.OrderCancelled).map((e) => [e.orderId, e.cancelledLots, e.remainingLots]),
    ).toEqual([
      [maker, 3, 0],
      [h.seq, 3, 2],
    ]);
    expect(h.depth()).toEqual({ bids: [[100, 2, 1]], asks: [] });
  });

  it('without a mode, an account may trade with itself', () => {
    const h = setup();
    expect(ofType(h.limit(Buy, 100, 1), EventType.Trade)).toHaveLength(1);
  });
});

describe('price bands and limits', () => {
  const banded = { ...TEST_SPEC, priceBandBps: 1000, priceBandMinTicks: 2 };

  it('rejects prices outside the band around the last price', () => {
    const h = new EngineHarness(banded);
    h.limit(Sell, 100, 1, { accountId: 2 });
    h.limit(Buy, 100, 1);
    const before = h.hash();
    expect(codes(h.limit(Buy, 89, 1))).toEqual(['PRICE_OUT_OF_BAND']);
    expect(codes(h.limit(Sell, 111, 1))).toEqual(['PRICE_OUT_OF_BAND']);
    expect(h.hash()).toBe(before);
    expect(codes(h.limit(Buy, 90, 1))).toEqual([]);
    expect(codes(h.limit(Sell, 110, 1))).toEqual([]);
  });

  it('centres the band on the mark price when there is one', () => {
    const h = new EngineHarness(banded);
    h.run({
      type: CommandType.SetReferencePrice,
      seq: 0,
      timeMs: 0,
      instrumentId: INSTRUMENT,
      source: TriggerSource.MarkPrice,
      priceTicks: 200,
    });
    expect(codes(h.limit(Buy, 179, 1))).toEqual(['PRICE_OUT_OF_BAND']);
    expect(codes(h.limit(Buy, 180, 1))).toEqual([]);
  });

  it('limits open orders per account', () => {
    const h = new EngineHarness({ ...TEST_SPEC, maxOpenOrders: 2 });
    h.limit(Buy, 100, 1);
    h.limit(Buy, 99, 1);
    expect(codes(h.limit(Buy, 98, 1))).toEqual(['TOO_MANY_OPEN_ORDERS']);
    expect(codes(h.limit(Buy, 98, 1, { accountId: 2 }))).toEqual([]);
    expect(codes(h.limit(Buy, 98, 1, { timeInForce: TimeInForce.IOC }))).toEqual([]); // IOC never rests
  });
});

describe('bad input is rejected with its code and changes nothing', () => {
  const cases: [string, Parameters<EngineHarness['place']>[0], string][] = [
    ['price off tick', { side: Buy, priceTicks: 100.5, qtyLots: 1 }, 'PRICE_NOT_ON_TICK'],
    ['NaN price', { side: Buy, priceTicks: Number.NaN, qtyLots: 1 }, 'INVALID_PRICE'],
    ['negative price', { side: Buy, priceTicks: -5, qtyLots: 1 }, 'INVALID_PRICE'],
    ['zero price', { side: Buy, priceTicks: 0, qtyLots: 1 }, 'INVALID_PRICE'],
    ['price above the contract maximum', { side: Buy, priceTicks: 100_001, qtyLots: 1 }, 'INVALID_PRICE'],
    ['size off lot', { side: Buy, priceTicks: 100, qtyLots: 1.5 }, 'SIZE_NOT_ON_LOT'],
    ['NaN size', { side: Buy, priceTicks: 100, qtyLots: Number.NaN }, 'INVALID_QUANTITY'],
    ['negative size', { side: Buy, priceTicks: 100, qtyLots: -1 }, 'INVALID_QUANTITY'],
    ['infinite size', { side: Buy, priceTicks: 100, qtyLots: Infinity }, 'INVALID_QUANTITY'],
    ['size above maximum', { side: Buy, priceTicks: 100, qtyLots: 1_000_001 }, 'SIZE_ABOVE_MAXIMUM'],
    ['bad side', { side: 2 as Side, priceTicks: 100, qtyLots: 1 }, 'INVALID_SIDE'],
    [
      'bad order type',
      { side: Buy, priceTicks: 100, qtyLots: 1, orderType: 9 as OrderType },
      'INVALID_ORDER_TYPE',
    ],
    [
      'bad time in force',
      { side: Buy, priceTicks: 100, qtyLots: 1, timeInForce: 7 as TimeInForce },
      'INVALID_TIME_IN_FORCE',
    ],
    ['bad stp mode', { side: Buy, priceTicks: 100, qtyLots: 1, stpMode: 9 as StpMode }, 'INVALID_STP_MODE'],
    [
      'bad trigger source',
      { side: Buy, priceTicks: 100, qtyLots: 1, triggerSource: 5 as TriggerSource },
      'INVALID_TRIGGER_SOURCE',
    ],
    ['unknown flag', { side: Buy, priceTicks: 100, qtyLots: 1, flags: 8 }, 'INVALID_FLAGS'],
    ['bad account', { side: Buy, priceTicks: 100, qtyLots: 1, accountId: 0 }, 'INVALID_ACCOUNT'],
    [
      'unknown instrument',
      { side: Buy, priceTicks: 100, qtyLots: 1, instrumentId: 77 },
      'UNKNOWN_INSTRUMENT',
    ],
    [
      'market order with a price',
      { side: Buy, priceTicks: 100, qtyLots: 1, orderType: OrderType.Market, timeInForce: TimeInForce.IOC },
      'INVALID_PRICE',
    ],
  ];

  it.each(cases)('%s', (_name, fields, code) => {
    const h = new EngineHarness();
    h.limit(Sell, 105, 3, { accountId: 2 });
    h.limit(Buy, 95, 3, { accountId: 2 });
    const before = h.hash();
    const ev = h.place(fields);
    expect(ev).toEqual([expect.objectContaining({ type: EventType.OrderRejected, code, seq: h.seq })]);
    expect(h.hash()).toBe(before);
    expect(h.depth()).toEqual({ bids: [[95, 3, 1]], asks: [[105, 3, 1]] });
  });

  it('size below the contract minimum', () => {
    const h = new EngineHarness({ ...TEST_SPEC, minSizeLots: 5 });
    expect(codes(h.limit(Buy, 100, 4))).toEqual(['SIZE_BELOW_MINIMUM']);
  });
});

describe('instrument status', () => {
  it('a halted book rejects orders but accepts cancels; closing cancels everything', () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 1);
    const id = h.seq;
    h.limit(Buy, 99, 1);
    h.run({
      type: CommandType.SetInstrumentStatus,
      seq: 0,
      timeMs: 0,
      instrumentId: INSTRUMENT,
      status: InstrumentStatus.Halted,
    });
    expect(codes(h.limit(Buy, 98, 1))).toEqual(['INSTRUMENT_NOT_TRADING']);
    expect(codes(h.amend(id, { qtyLots: 2 }))).toEqual(['INSTRUMENT_NOT_TRADING']);
    expect(codes(h.cancel(id))).toEqual([]);
    const ev = h.run({
      type: CommandType.SetInstrumentStatus,
      seq: 0,
      timeMs: 0,
      instrumentId: INSTRUMENT,
      status: InstrumentStatus.Closed,
    });
    expect(ofType(ev, EventType.OrderCancelled).map((e) => e.reason)).toEqual([
      CancelReason.InstrumentHalted,
    ]);
    expect(codes(h.limit(Buy, 98, 1))).toEqual(['INSTRUMENT_NOT_TRADING']);
  });
});

describe('engine sequencing', () => {
  it('ignores a command whose seq was already applied', () => {
    const h = new EngineHarness();
    h.limit(Buy, 100, 1);
    const before = h.hash();
    const replayed = h.engine.process({
      type: CommandType.CancelOrder,
      seq: h.seq,
      timeMs: 0,
      instrumentId: INSTRUMENT,
      accountId: 1,
      orderId: h.seq,
      clientOrderId: '',
    });
    expect(replayed).toBe(false);
    expect(h.sink.take()).toEqual([]);
    expect(h.hash()).toBe(before);
  });

  it('rejects a second listing of an id or symbol', () => {
    const h = new EngineHarness();
    const ev = h.run({
      type: CommandType.ListInstrument,
      seq: 0,
      timeMs: 0,
      instrumentId: INSTRUMENT,
      symbol: 'OTHER',
      spec: TEST_SPEC,
    });
    expect(codes(ev)).toEqual(['INSTRUMENT_EXISTS']);
    const ev2 = h.run({
      type: CommandType.ListInstrument,
      seq: 0,
      timeMs: 0,
      instrumentId: 9,
      symbol: 'T1',
      spec: TEST_SPEC,
    });
    expect(codes(ev2)).toEqual(['INSTRUMENT_EXISTS']);
    const ev3 = h.run({
      type: CommandType.ListInstrument,
      seq: 0,
      timeMs: 0,
      instrumentId: 9,
      symbol: 'X',
      spec: { ...TEST_SPEC, minSizeLots: 0 },
    });
    expect(codes(ev3)).toEqual(['INVALID_INSTRUMENT_SPEC']);
  });
});
