import fc from 'fast-check';
import {
  CommandType,
  OrderFlags,
  OrderType,
  TimeInForce,
  TriggerSource,
  placeOrder,
  type Command,
  type PlaceOrder,
} from '@exchange/domain';
import { TEST_SPEC } from './harness';

/**
 * Random command streams for property tests: a few accounts trading a narrow price range so that
 * orders cross often, with every order type, self-trade mode and trigger source, amendments and
 * cancels of earlier orders (some unknown), mark and index updates, time moving forward, GTD
 * expiries, occasional bad input and, on a second instrument, mass cancels.
 */
export const STREAM_INSTRUMENTS = [1, 2];
const MID = 100;

type Draft = Omit<Command, 'seq' | 'timeMs'> & { dtMs: number };

const account = fc.integer({ min: 1, max: 4 });
const price = fc.integer({ min: MID - 6, max: MID + 6 });
const qty = fc.integer({ min: 1, max: 12 });
const instrument = fc.constantFrom(1, 1, 1, 2);
const dt = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }));
/** An earlier order, as a negative offset from the command's own seq (resolved by `sequence`). */
const orderRef = fc.integer({ min: -30, max: -1 });

const place: fc.Arbitrary<Draft> = fc
  .record({
    instrumentId: instrument,
    accountId: account,
    side: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
    kind: fc.constantFrom('limit', 'limit', 'limit', 'limit', 'market', 'stop_limit', 'stop_market'),
    tif: fc.constantFrom(TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD),
    priceTicks: price,
    qtyLots: qty,
    display: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 4 })),
    stpMode: fc.constantFrom(0, 0, 1, 2, 3, 4),
    triggerSource: fc.constantFrom(
      TriggerSource.LastPrice,
      TriggerSource.LastPrice,
      TriggerSource.MarkPrice,
      TriggerSource.IndexPrice,
    ),
    stopOffset: fc.integer({ min: 1, max: 5 }),
    postOnly: fc.boolean(),
    reduceOnly: fc.integer({ min: 0, max: 9 }),
    positionLots: fc.integer({ min: -10, max: 10 }),
    clientOrderId: fc.oneof(fc.constant(''), fc.constant(''), fc.constantFrom('a', 'b', 'c')),
    expireIn: fc.integer({ min: 1, max: 200 }),
    protection: fc.oneof(fc.constant(0), price),
    garbage: fc.integer({ min: 0, max: 40 }),
    dtMs: dt,
  })
  .map((r) => {
    const orderType =
      r.kind === 'market'
        ? OrderType.Market
        : r.kind === 'stop_limit'
          ? OrderType.StopLimit
          : r.kind === 'stop_market'
            ? OrderType.StopMarket
            : OrderType.Limit;
    let tif = r.tif;
    if (orderType === OrderType.Market && tif !== TimeInForce.FOK) tif = TimeInForce.IOC;
    if (orderType === OrderType.StopMarket && tif !== TimeInForce.GTD) tif = TimeInForce.GTC;
    const stop = orderType === OrderType.StopLimit || orderType === OrderType.StopMarket;
    const c: PlaceOrder = placeOrder({
      instrumentId: r.instrumentId,
      accountId: r.accountId,
      side: r.side,
      orderType,
      timeInForce: tif,
      priceTicks: orderType === OrderType.Limit || orderType === OrderType.StopLimit ? r.priceTicks : 0,
      qtyLots: r.qtyLots,
      displayLots: r.display > 0 && r.display <= r.qtyLots && (tif === TimeInForce.GTC || tif === TimeInForce.GTD) && orderType !== OrderType.StopMarket && orderType !== OrderType.Market ? r.display : 0,
      stpMode: r.stpMode as PlaceOrder['stpMode'],
      triggerSource: r.triggerSource,
      stopPriceTicks: stop ? MID + (r.side === 0 ? r.stopOffset : -r.stopOffset) : 0,
      flags: (r.postOnly && orderType === OrderType.Limit && (tif === TimeInForce.GTC || tif === TimeInForce.GTD) ? OrderFlags.PostOnly : 0) | (r.reduceOnly === 0 ? OrderFlags.ReduceOnly : 0),
      positionLots: r.positionLots,
      clientOrderId: r.clientOrderId,
      expireAtMs: tif === TimeInForce.GTD ? -1 - r.expireIn : 0, // made absolute when sequenced
      protectionPriceTicks: orderType === OrderType.Market || orderType === OrderType.StopMarket ? r.protection : 0,
    }); // prettier-ignore
    // a little bad input
    if (r.garbage === 1) c.priceTicks = 100.5;
    if (r.garbage === 2) c.qtyLots = Number.NaN;
    if (r.garbage === 3) c.qtyLots = 2.5;
    if (r.garbage === 4) c.instrumentId = 9;
    if (r.garbage === 5) c.side = 3 as PlaceOrder['side'];
    return { ...c, dtMs: r.dtMs } as Draft;
  });

const cancel: fc.Arbitrary<Draft> = fc
  .record({ instrumentId: instrument, accountId: account, orderId: orderRef, byClient: fc.constantFrom('', '', '', 'a', 'b'), dtMs: dt })
  .map((r) => ({
    type: CommandType.CancelOrder, instrumentId: r.instrumentId, accountId: r.accountId,
    orderId: r.byClient === '' ? r.orderId : 0, clientOrderId: r.byClient, dtMs: r.dtMs,
  })); // prettier-ignore

const amend: fc.Arbitrary<Draft> = fc
  .record({
    instrumentId: instrument,
    accountId: account,
    orderId: orderRef,
    priceTicks: fc.oneof(fc.constant(0), price),
    qtyLots: fc.oneof(fc.constant(0), qty),
    stopPriceTicks: fc.oneof(fc.constant(0), fc.constant(0), price),
    dtMs: dt,
  })
  .map((r) => ({ type: CommandType.AmendOrder, clientOrderId: '', ...r }));

const massCancel: fc.Arbitrary<Draft> = fc
  .record({ accountId: account, instrumentId: fc.constantFrom(0, 1, 2), dtMs: dt })
  .map((r) => ({ type: CommandType.MassCancel, ...r }));

const reference: fc.Arbitrary<Draft> = fc
  .record({
    instrumentId: instrument,
    source: fc.constantFrom(TriggerSource.MarkPrice, TriggerSource.IndexPrice),
    priceTicks: price,
    dtMs: dt,
  })
  .map((r) => ({ type: CommandType.SetReferencePrice, ...r }));

const advance: fc.Arbitrary<Draft> = fc
  .integer({ min: 1, max: 100 })
  .map((dtMs) => ({ type: CommandType.AdvanceTime, dtMs }));

export const draftArb: fc.Arbitrary<Draft> = fc.oneof(
  { arbitrary: place, weight: 12 },
  { arbitrary: cancel, weight: 3 },
  { arbitrary: amend, weight: 10 },
  { arbitrary: massCancel, weight: 1 },
  { arbitrary: reference, weight: 1 },
  { arbitrary: advance, weight: 1 },
);

/** Listing commands followed by the drafts, given sequence numbers and times. */
export function sequence(drafts: Draft[], startMs = 1_000_000): Command[] {
  let seq = 0;
  let now = startMs;
  const out: Command[] = STREAM_INSTRUMENTS.map((id) => ({
    type: CommandType.ListInstrument, seq: ++seq, timeMs: now, instrumentId: id, symbol: `T${id}`, spec: TEST_SPEC,
  })); // prettier-ignore
  const owners = new Map<number, { accountId: number; instrumentId: number }>();
  for (const d of drafts) {
    now += d.dtMs;
    const { dtMs: _dt, ...rest } = d;
    const c = { ...rest, seq: ++seq, timeMs: now } as Command;
    if (c.type === CommandType.PlaceOrder && c.expireAtMs < 0) c.expireAtMs = now - 1 - c.expireAtMs;
    if (c.type === CommandType.PlaceOrder)
      owners.set(c.seq, { accountId: c.accountId, instrumentId: c.instrumentId });
    if ((c.type === CommandType.CancelOrder || c.type === CommandType.AmendOrder) && c.orderId < 0) {
      c.orderId = Math.max(1, c.seq + c.orderId);
      // mostly the owner's own order; sometimes someone else's
      const owner = owners.get(c.orderId);
      if (owner !== undefined && c.accountId !== 4) Object.assign(c, owner);
    }
    out.push(c);
  }
  return out;
}

export const streamArb = (maxLength: number): fc.Arbitrary<Command[]> =>
  fc.array(draftArb, { minLength: 1, maxLength, size: 'max' }).map((d) => sequence(d));
