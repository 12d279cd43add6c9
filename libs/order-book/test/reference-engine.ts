import {
  CancelReason,
  CommandType,
  InstrumentStatus,
  OrderFlags,
  OrderType,
  Side,
  StpMode,
  TimeInForce,
  TriggerSource,
  bookSpecProblems,
  type AmendOrder,
  type BookSpec,
  type Command,
  type PlaceOrder,
  type RejectCode,
} from '@exchange/domain';
import { EventCollector, type EngineEventSink } from '@exchange/order-book';
import {
  amendFieldsProblem,
  canRest,
  clientOrderIdValid,
  hasLimitPrice,
  isStop,
  placeProblem,
} from '../src/validation';

/**
 * A deliberately naive matching engine: orders live in one array per book and every question
 * (best price, queue order, depth) is answered by filtering and sorting that array. It is slow and
 * obviously correct, and the fast engine must produce exactly the same events for any command stream.
 * It shares only the stateless field checks with the fast engine.
 */
interface RefOrder {
  orderId: number;
  accountId: number;
  clientOrderId: string;
  side: Side;
  orderType: OrderType;
  tif: TimeInForce;
  flags: number;
  stp: StpMode;
  trigger: TriggerSource;
  price: number;
  stop: number;
  protection: number;
  expireAt: number;
  remaining: number;
  visible: number;
  display: number;
  where: 'book' | 'stop' | 'none';
  /** Queue position: larger is later in its level. */
  queue: number;
}

const echo = (id: string) => (clientOrderIdValid(id) ? id : '');

class RefBook {
  orders: RefOrder[] = [];
  status: InstrumentStatus = InstrumentStatus.Trading;
  last = 0;
  mark = 0;
  index = 0;
  trades = 0;
  private queueCounter = 0;
  private seq = 0;

  constructor(
    readonly id: number,
    readonly spec: BookSpec,
    private sink: EngineEventSink,
  ) {}

  private l2(): Map<string, { side: Side; price: number; qty: number; count: number }> {
    const m = new Map<string, { side: Side; price: number; qty: number; count: number }>();
    for (const o of this.orders) {
      if (o.where !== 'book') continue;
      const k = `${o.side}:${o.price}`;
      const e = m.get(k) ?? { side: o.side, price: o.price, qty: 0, count: 0 };
      e.qty += o.visible;
      e.count++;
      m.set(k, e);
    }
    return m;
  }

  /** Runs one operation: its effect, then due stops, then one delta per changed level. */
  op(seq: number, effect: () => void): void {
    this.seq = seq;
    const before = this.l2();
    effect();
    this.triggers();
    const after = this.l2();
    const keys = new Set([...before.keys(), ...after.keys()]);
    const changed = [...keys]
      .map((k) => ({ b: before.get(k), a: after.get(k), k }))
      .filter(({ a, b }) => a?.qty !== b?.qty || a?.count !== b?.count)
      .map(({ a, b }) => ({
        side: (a ?? b)!.side,
        price: (a ?? b)!.price,
        qty: a?.qty ?? 0,
        count: a?.count ?? 0,
      }))
      .sort((x, y) => x.side - y.side || x.price - y.price);
    for (const d of changed) this.sink.bookDelta(seq, this.id, d.side, d.price, d.qty, d.count);
  }

  live(): RefOrder[] {
    return this.orders.filter((o) => o.where !== 'none');
  }

  private ref(src: TriggerSource): number {
    return src === TriggerSource.MarkPrice
      ? this.mark
      : src === TriggerSource.IndexPrice
        ? this.index
        : this.last;
  }

  private bandRef(): number {
    return this.mark > 0 ? this.mark : this.last;
  }

  private band(ref: number): number {
    return Math.max(Math.floor((ref * this.spec.priceBandBps) / 10_000), this.spec.priceBandMinTicks);
  }

  private outOfBand(price: number): boolean {
    const ref = this.bandRef();
    return ref > 0 && (price < ref - this.band(ref) || price > ref + this.band(ref));
  }

  /** Resting orders of a side sorted best first, then queue order. */
  private sorted(side: Side): RefOrder[] {
    return this.orders
      .filter((o) => o.where === 'book' && o.side === side)
      .sort((a, b) => (side === Side.Buy ? b.price - a.price : a.price - b.price) || a.queue - b.queue);
  }

  private crosses(side: Side, price: number): boolean {
    const best = this.sorted(side === Side.Buy ? Side.Sell : Side.Buy)[0];
    return best !== undefined && (side === Side.Buy ? best.price <= price : best.price >= price);
  }

  private protectionPrice(side: Side, own: number): number {
    const best = this.sorted(side === Side.Buy ? Side.Sell : Side.Buy)[0];
    if (best === undefined) return 0;
    const away = Math.floor((best.price * this.spec.marketProtectionBps) / 10_000);
    let p = own > 0 ? own : side === Side.Buy ? best.price + away : Math.max(best.price - away, 1);
    const ref = this.bandRef();
    if (ref > 0)
      p = side === Side.Buy ? Math.min(p, ref + this.band(ref)) : Math.max(p, ref - this.band(ref));
    return (side === Side.Buy ? best.price <= p : best.price >= p) ? p : 0;
  }

  /** Fill-or-kill by trial: match a copy of the book and see whether the whole quantity traded. */
  private fillable(t: RefOrder, limit: number): boolean {
    const trial = new RefBook(this.id, this.spec, new EventCollector());
    trial.orders = this.orders.map((o) => ({ ...o }));
    trial.queueCounter = this.queueCounter;
    const taker = { ...t };
    const before = taker.remaining;
    const traded = trial.match(taker, limit);
    return traded === before;
  }

  /** Matches a taker up to a limit; returns the traded quantity. */
  match(t: RefOrder, limit: number): number {
    let traded = 0;
    const opp = t.side === Side.Buy ? Side.Sell : Side.Buy;
    while (t.remaining > 0) {
      const m = this.sorted(opp)[0];
      if (m === undefined || (t.side === Side.Buy ? m.price > limit : m.price < limit)) break;
      if (t.stp !== StpMode.None && m.accountId === t.accountId) {
        if (this.selfTrade(t, m)) break;
        continue;
      }
      const q = Math.min(t.remaining, m.visible);
      m.visible -= q;
      m.remaining -= q;
      t.remaining -= q;
      traded += q;
      this.last = m.price;
      this.sink.trade(
        this.seq,
        this.id,
        ++this.trades,
        m.price,
        q,
        t.side,
        m.orderId,
        m.accountId,
        t.orderId,
        t.accountId,
        m.remaining,
        t.remaining,
      );
      if (m.remaining === 0) m.where = 'none';
      else if (m.visible === 0) {
        m.visible = Math.min(m.display, m.remaining);
        m.queue = ++this.queueCounter;
      }
    }
    return traded;
  }

  private selfTrade(t: RefOrder, m: RefOrder): boolean {
    const cancelMaker = () => {
      this.sink.orderCancelled(
        this.seq,
        this.id,
        m.orderId,
        m.accountId,
        m.remaining,
        0,
        CancelReason.SelfTrade,
      );
      m.where = 'none';
    };
    const cancelTaker = () => {
      this.sink.orderCancelled(
        this.seq,
        this.id,
        t.orderId,
        t.accountId,
        t.remaining,
        0,
        CancelReason.SelfTrade,
      );
      t.remaining = 0;
    };
    if (t.stp === StpMode.CancelOldest) {
      cancelMaker();
      return false;
    }
    if (t.stp === StpMode.CancelBoth) {
      cancelMaker();
      cancelTaker();
      return true;
    }
    if (t.stp === StpMode.Decrement) {
      const d = Math.min(t.remaining, m.remaining);
      if (d === m.remaining) cancelMaker();
      else {
        m.remaining -= d;
        m.visible = Math.min(m.visible, m.remaining);
        this.sink.orderCancelled(
          this.seq,
          this.id,
          m.orderId,
          m.accountId,
          d,
          m.remaining,
          CancelReason.SelfTrade,
        );
      }
      t.remaining -= d;
      this.sink.orderCancelled(
        this.seq,
        this.id,
        t.orderId,
        t.accountId,
        d,
        t.remaining,
        CancelReason.SelfTrade,
      );
      return t.remaining === 0;
    }
    cancelTaker();
    return true;
  }

  private rest(o: RefOrder): void {
    o.visible = o.display > 0 ? Math.min(o.display, o.remaining) : o.remaining;
    o.where = 'book';
    o.queue = ++this.queueCounter;
    if (!this.orders.includes(o)) this.orders.push(o);
  }

  private unfilled(o: RefOrder): void {
    this.sink.orderCancelled(
      this.seq,
      this.id,
      o.orderId,
      o.accountId,
      o.remaining,
      0,
      CancelReason.Unfilled,
    );
    o.where = 'none';
  }

  private execute(o: RefOrder): void {
    const marketLike = !hasLimitPrice(o.orderType);
    let limit = o.price;
    if (marketLike) limit = this.protectionPrice(o.side, o.protection);
    if (marketLike || o.tif === TimeInForce.FOK) {
      if (limit === 0 || (o.tif === TimeInForce.FOK && !this.fillable(o, limit))) return this.unfilled(o);
    }
    this.match(o, limit);
    if (o.remaining === 0) o.where = 'none';
    else if (canRest(o.orderType, o.tif)) this.rest(o);
    else this.unfilled(o);
  }

  private triggers(): void {
    if (this.status !== InstrumentStatus.Trading) return;
    for (;;) {
      let due: RefOrder | undefined;
      let at = 0;
      for (let src = 0; src < 3 && due === undefined; src++) {
        const ref = this.ref(src as TriggerSource);
        for (const side of [Side.Buy, Side.Sell]) {
          if (due !== undefined || ref <= 0) continue;
          const cands = this.orders
            .filter((o) => o.where === 'stop' && o.trigger === src && o.side === side)
            .filter((o) => (side === Side.Buy ? ref >= o.stop : ref <= o.stop))
            .sort((a, b) => (side === Side.Buy ? a.stop - b.stop : b.stop - a.stop) || a.orderId - b.orderId);
          if (cands.length > 0) {
            due = cands[0];
            at = ref;
          }
        }
      }
      if (due === undefined) return;
      due.where = 'none';
      this.sink.orderTriggered(this.seq, this.id, due.orderId, due.accountId, at);
      this.execute(due);
    }
  }

  private find(accountId: number, orderId: number, clientOrderId: string): RefOrder | undefined {
    return this.live().find(
      (o) =>
        o.accountId === accountId &&
        (orderId !== 0 ? o.orderId === orderId : clientOrderId !== '' && o.clientOrderId === clientOrderId),
    );
  }

  private stateProblem(c: PlaceOrder, qty: number): RejectCode | null {
    if (this.status !== InstrumentStatus.Trading) return 'INSTRUMENT_NOT_TRADING';
    if (hasLimitPrice(c.orderType) && this.outOfBand(c.priceTicks)) return 'PRICE_OUT_OF_BAND';
    const mine = this.live().filter((o) => o.accountId === c.accountId);
    if (c.clientOrderId !== '' && mine.some((o) => o.clientOrderId === c.clientOrderId))
      return 'DUPLICATE_CLIENT_ORDER_ID';
    if (
      (isStop(c.orderType) || canRest(c.orderType, c.timeInForce)) &&
      mine.length >= this.spec.maxOpenOrders
    )
      return 'TOO_MANY_OPEN_ORDERS';
    if (c.flags & OrderFlags.ReduceOnly && (c.side === Side.Buy ? c.positionLots >= 0 : c.positionLots <= 0))
      return 'REDUCE_ONLY_WOULD_INCREASE';
    if (isStop(c.orderType)) {
      const ref = this.ref(c.triggerSource);
      if (ref > 0 && (c.side === Side.Buy ? ref >= c.stopPriceTicks : ref <= c.stopPriceTicks))
        return 'STOP_WOULD_TRIGGER_IMMEDIATELY';
    }
    if (c.flags & OrderFlags.PostOnly && this.crosses(c.side, c.priceTicks)) return 'POST_ONLY_WOULD_TAKE';
    const probe = this.toOrder(c, qty);
    if (c.orderType === OrderType.Market) {
      const limit = this.protectionPrice(c.side, c.protectionPriceTicks);
      if (limit === 0) return 'NO_LIQUIDITY';
      if (c.timeInForce === TimeInForce.FOK && !this.fillable(probe, limit)) return 'FOK_NOT_FILLABLE';
    } else if (
      c.orderType === OrderType.Limit &&
      c.timeInForce === TimeInForce.FOK &&
      !this.fillable(probe, c.priceTicks)
    ) {
      return 'FOK_NOT_FILLABLE';
    }
    return null;
  }

  private toOrder(c: PlaceOrder, qty: number): RefOrder {
    return {
      orderId: c.seq, accountId: c.accountId, clientOrderId: c.clientOrderId, side: c.side, orderType: c.orderType,
      tif: c.timeInForce, flags: c.flags, stp: c.stpMode, trigger: c.triggerSource, price: c.priceTicks,
      stop: c.stopPriceTicks, protection: c.protectionPriceTicks, expireAt: c.expireAtMs, remaining: qty, visible: 0,
      display: c.displayLots, where: 'none', queue: 0,
    }; // prettier-ignore
  }

  place(c: PlaceOrder, now: number): void {
    this.op(c.seq, () => {
      const qty = c.flags & OrderFlags.ReduceOnly ? Math.min(c.qtyLots, Math.abs(c.positionLots)) : c.qtyLots;
      const code = placeProblem(this.spec, c, now) ?? this.stateProblem(c, qty);
      if (code !== null) {
        this.sink.orderRejected(
          c.seq,
          CommandType.PlaceOrder,
          this.id,
          c.accountId,
          0,
          echo(c.clientOrderId),
          code,
        );
        return;
      }
      const o = this.toOrder(c, qty);
      this.sink.orderAccepted(
        c.seq,
        this.id,
        o.orderId,
        o.accountId,
        o.clientOrderId,
        o.side,
        o.orderType,
        o.tif,
        o.flags,
        o.price,
        qty,
        o.display,
        o.stop,
        o.expireAt,
      );
      this.orders.push(o);
      if (isStop(o.orderType)) o.where = 'stop';
      else this.execute(o);
    });
  }

  cancel(seq: number, accountId: number, orderId: number, clientOrderId: string): void {
    this.op(seq, () => {
      const o = this.find(accountId, orderId, clientOrderId);
      if (o === undefined) {
        this.sink.orderRejected(
          seq,
          CommandType.CancelOrder,
          this.id,
          accountId,
          orderId,
          echo(clientOrderId),
          'UNKNOWN_ORDER',
        );
        return;
      }
      this.sink.orderCancelled(seq, this.id, o.orderId, o.accountId, o.remaining, 0, CancelReason.User);
      o.where = 'none';
    });
  }

  amend(c: AmendOrder): void {
    this.op(c.seq, () => {
      const o = this.find(c.accountId, c.orderId, c.clientOrderId);
      const code = o === undefined ? 'UNKNOWN_ORDER' : this.amendProblem(o, c);
      if (code !== null) {
        this.sink.orderRejected(
          c.seq,
          CommandType.AmendOrder,
          this.id,
          c.accountId,
          c.orderId,
          echo(c.clientOrderId),
          code,
        );
        return;
      }
      this.applyAmend(o!, c);
    });
  }

  private amendProblem(o: RefOrder, c: AmendOrder): RejectCode | null {
    const code = amendFieldsProblem(this.spec, c);
    if (code !== null) return code;
    if (this.status !== InstrumentStatus.Trading) return 'INSTRUMENT_NOT_TRADING';
    const stop = o.where === 'stop';
    if (c.priceTicks !== 0 && !hasLimitPrice(o.orderType)) return 'INVALID_PRICE';
    if (c.stopPriceTicks !== 0 && !stop) return 'INVALID_STOP_PRICE';
    const price = c.priceTicks || o.price;
    const qty = c.qtyLots || o.remaining;
    const stopPrice = c.stopPriceTicks || o.stop;
    if (price === o.price && qty === o.remaining && stopPrice === o.stop) return 'AMEND_NO_CHANGE';
    if (c.priceTicks !== 0 && this.outOfBand(price)) return 'PRICE_OUT_OF_BAND';
    if (o.display > 0 && qty < Math.min(o.display, this.spec.minSizeLots)) return 'INVALID_DISPLAY_QUANTITY';
    if (stop) {
      const ref = this.ref(o.trigger);
      if (ref > 0 && (o.side === Side.Buy ? ref >= stopPrice : ref <= stopPrice))
        return 'STOP_WOULD_TRIGGER_IMMEDIATELY';
    }
    if (!stop && o.flags & OrderFlags.PostOnly && price !== o.price && this.crosses(o.side, price))
      return 'POST_ONLY_WOULD_TAKE';
    return null;
  }

  private applyAmend(o: RefOrder, c: AmendOrder): void {
    const price = c.priceTicks || o.price;
    const qty = c.qtyLots || o.remaining;
    const stopPrice = c.stopPriceTicks || o.stop;
    if (o.where === 'stop') {
      const kept = qty < o.remaining && price === o.price && stopPrice === o.stop;
      Object.assign(o, { price, remaining: qty, stop: stopPrice });
      this.sink.orderAmended(c.seq, this.id, o.orderId, o.accountId, price, qty, stopPrice, kept);
      return;
    }
    if (price === o.price) {
      const kept = qty < o.remaining;
      if (kept) o.visible = Math.min(o.visible, qty);
      else {
        o.visible = o.display > 0 ? Math.min(o.display, qty) : qty;
        o.queue = ++this.queueCounter;
      }
      o.remaining = qty;
      this.sink.orderAmended(c.seq, this.id, o.orderId, o.accountId, price, qty, o.stop, kept);
      return;
    }
    o.where = 'none';
    o.price = price;
    o.remaining = qty;
    this.sink.orderAmended(c.seq, this.id, o.orderId, o.accountId, price, qty, o.stop, false);
    this.execute(o);
  }

  cancelAccount(seq: number, accountId: number, reason: CancelReason): void {
    const mine = this.live().filter((o) => o.accountId === accountId);
    if (mine.length === 0) return;
    this.op(seq, () => {
      for (const o of mine.sort((a, b) => a.orderId - b.orderId)) {
        this.sink.orderCancelled(seq, this.id, o.orderId, o.accountId, o.remaining, 0, reason);
        o.where = 'none';
      }
    });
  }

  expire(seq: number, o: RefOrder): void {
    this.op(seq, () => {
      this.sink.orderExpired(seq, this.id, o.orderId, o.accountId, o.remaining);
      o.where = 'none';
    });
  }

  setRef(seq: number, source: TriggerSource, price: number): void {
    this.op(seq, () => {
      if (source === TriggerSource.MarkPrice) this.mark = price;
      else this.index = price;
    });
  }

  /** Live orders in the canonical order used by snapshots (for comparing states). */
  canonical(): string {
    const side = (s: Side) =>
      this.sorted(s).map((o) => `${o.orderId}:${o.price}:${o.remaining}:${o.visible}`);
    const stops = this.live()
      .filter((o) => o.where === 'stop')
      .sort((a, b) => a.orderId - b.orderId)
      .map((o) => `${o.orderId}:${o.stop}:${o.remaining}`);
    return JSON.stringify({
      b: side(Side.Buy),
      a: side(Side.Sell),
      s: stops,
      last: this.last,
      trades: this.trades,
    });
  }
}

export class ReferenceEngine {
  readonly books = new Map<number, RefBook>();
  lastSeq = 0;
  now = 0;

  constructor(private readonly sink: EngineEventSink) {}

  process(c: Command): void {
    if (c.seq <= this.lastSeq) return;
    this.lastSeq = c.seq;
    if (Number.isFinite(c.timeMs) && c.timeMs > this.now) this.now = c.timeMs;
    this.expire(c.seq);
    const reject = (id: number, acc: number, code: RejectCode, orderId = 0, cl = '') =>
      this.sink.orderRejected(c.seq, c.type, id, acc, orderId, echo(cl), code);
    switch (c.type) {
      case CommandType.ListInstrument: {
        if (
          !Number.isInteger(c.instrumentId) ||
          c.instrumentId <= 0 ||
          c.instrumentId > 1_000_000 ||
          c.symbol === '' ||
          !clientOrderIdValid(c.symbol)
        ) {
          return reject(c.instrumentId, 0, 'INVALID_INSTRUMENT_SPEC');
        }
        if (bookSpecProblems(c.spec).length > 0) return reject(c.instrumentId, 0, 'INVALID_INSTRUMENT_SPEC');
        if (this.books.has(c.instrumentId)) return reject(c.instrumentId, 0, 'INSTRUMENT_EXISTS');
        this.books.set(c.instrumentId, new RefBook(c.instrumentId, c.spec, this.sink));
        this.sink.instrumentListed(c.seq, c.instrumentId, c.symbol);
        return;
      }
      case CommandType.PlaceOrder:
      case CommandType.CancelOrder:
      case CommandType.AmendOrder: {
        const book = this.books.get(c.instrumentId);
        const orderId = c.type === CommandType.PlaceOrder ? 0 : c.orderId;
        if (book === undefined)
          return reject(c.instrumentId, c.accountId, 'UNKNOWN_INSTRUMENT', orderId, c.clientOrderId);
        if (book.status === InstrumentStatus.Closed)
          return reject(c.instrumentId, c.accountId, 'INSTRUMENT_NOT_TRADING', orderId, c.clientOrderId);
        if (c.type === CommandType.PlaceOrder) book.place(c, this.now);
        else if (c.type === CommandType.CancelOrder)
          book.cancel(c.seq, c.accountId, c.orderId, c.clientOrderId);
        else book.amend(c);
        return;
      }
      case CommandType.MassCancel: {
        if (!Number.isSafeInteger(c.accountId) || c.accountId <= 0)
          return reject(c.instrumentId, c.accountId, 'INVALID_ACCOUNT');
        if (c.instrumentId === 0) {
          for (const id of [...this.books.keys()].sort((a, b) => a - b))
            this.books.get(id)!.cancelAccount(c.seq, c.accountId, CancelReason.MassCancel);
          return;
        }
        const book = this.books.get(c.instrumentId);
        if (book === undefined) return reject(c.instrumentId, c.accountId, 'UNKNOWN_INSTRUMENT');
        return book.cancelAccount(c.seq, c.accountId, CancelReason.MassCancel);
      }
      case CommandType.SetReferencePrice: {
        const book = this.books.get(c.instrumentId);
        if (book === undefined) return reject(c.instrumentId, 0, 'UNKNOWN_INSTRUMENT');
        if (c.source !== TriggerSource.MarkPrice && c.source !== TriggerSource.IndexPrice)
          return reject(c.instrumentId, 0, 'INVALID_TRIGGER_SOURCE');
        if (!Number.isSafeInteger(c.priceTicks) || c.priceTicks <= 0)
          return reject(c.instrumentId, 0, 'INVALID_REFERENCE_PRICE');
        return book.setRef(c.seq, c.source, c.priceTicks);
      }
      case CommandType.SetInstrumentStatus: {
        const book = this.books.get(c.instrumentId);
        if (book === undefined) return reject(c.instrumentId, 0, 'UNKNOWN_INSTRUMENT');
        if (![0, 1, 2].includes(c.status)) return reject(c.instrumentId, 0, 'INVALID_COMMAND');
        if (book.status === InstrumentStatus.Closed)
          return reject(c.instrumentId, 0, 'INSTRUMENT_NOT_TRADING');
        book.status = c.status;
        this.sink.instrumentStatusChanged(c.seq, c.instrumentId, c.status);
        if (c.status === InstrumentStatus.Closed) {
          const all = book.live().sort((a, b) => a.orderId - b.orderId);
          if (all.length > 0) {
            book.op(c.seq, () => {
              for (const o of all) {
                this.sink.orderCancelled(
                  c.seq,
                  c.instrumentId,
                  o.orderId,
                  o.accountId,
                  o.remaining,
                  0,
                  CancelReason.InstrumentHalted,
                );
                o.where = 'none';
              }
            });
          }
        }
        return;
      }
      default:
        return;
    }
  }

  private expire(seq: number): void {
    const due = [...this.books.values()]
      .flatMap((b) =>
        b
          .live()
          .filter((o) => o.tif === TimeInForce.GTD && o.expireAt <= this.now)
          .map((o) => ({ b, o })),
      )
      .sort((x, y) => x.o.expireAt - y.o.expireAt || x.o.orderId - y.o.orderId);
    for (const { b, o } of due) b.expire(seq, o);
  }
}
