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
  type AmendOrder,
  type BookSpec,
  type CancelOrder,
  type PlaceOrder,
  type RejectCode,
} from '@exchange/domain';
import type { EngineEventSink } from './event-sink';
import { AccountOrders, Order, OrderState, PriceLevel } from './order';
import { OrderIndex } from './order-index';
import { PriceLadder } from './price-ladder';
import { StopList } from './stop-list';
import {
  amendFieldsProblem,
  canRest,
  clientOrderIdValid,
  hasLimitPrice,
  isStop,
  placeProblem,
} from './validation';

const BPS = 10_000;

/**
 * One instrument's order book: price-time priority matching, every order type of the exchange,
 * self-trade prevention, price bands and open-order limits. It is pure: it reads no clock (times
 * come with the commands), does no I/O, and reports everything through its event sink. Each public
 * operation is one unit: it emits its events and then one book delta per price level it changed.
 */
export class OrderBook {
  readonly bids = new PriceLadder(true);
  readonly asks = new PriceLadder(false);
  status: InstrumentStatus = InstrumentStatus.Trading;
  lastPriceTicks = 0;
  markPriceTicks = 0;
  indexPriceTicks = 0;
  tradeCount = 0;

  private readonly orders = new OrderIndex();
  private readonly accounts = new Map<number, AccountOrders>();
  /** Index: triggerSource * 2 + side. */
  private readonly stops: StopList[] = [];
  private stopCount = 0;

  private seq = 0;
  private stamp = 0;
  /** Levels changed by the current operation (the first touchedCount entries; no per-op allocation). */
  private readonly touched: PriceLevel[] = [];
  private touchedCount = 0;
  private readonly droppedLevels: PriceLevel[] = [];
  private droppedCount = 0;
  private readonly levelPool: PriceLevel[] = [];
  private readonly orderPool: Order[] = [];
  private triggerPriceTicks = 0;

  constructor(
    readonly instrumentId: number,
    readonly symbol: string,
    readonly spec: BookSpec,
    private readonly sink: EngineEventSink,
  ) {
    for (let i = 0; i < 6; i++) this.stops.push(new StopList((i & 1) as Side));
  }

  /* ------------------------------------------------------------ commands ------------------------------------------------------------ */

  /** Places an order. Returns true when a GTD order is live afterwards (the engine tracks its expiry). */
  place(c: PlaceOrder, nowMs: number): boolean {
    this.begin(c.seq);
    const code = placeProblem(this.spec, c, nowMs) ?? this.placeStateProblem(c);
    if (code !== null) {
      this.sink.orderRejected(
        this.seq,
        CommandType.PlaceOrder,
        this.instrumentId,
        c.accountId,
        0,
        echoId(c.clientOrderId),
        code,
      );
      this.end();
      return false;
    }
    const o = this.newOrder(c);
    this.sink.orderAccepted(
      this.seq, this.instrumentId, o.orderId, o.accountId, o.clientOrderId, o.side, o.orderType, o.timeInForce,
      o.flags, o.priceTicks, o.remainingLots, o.displayLots, o.stopPriceTicks, o.expireAtMs,
    ); // prettier-ignore
    if (isStop(o.orderType)) {
      this.register(o);
      this.addStop(o);
    } else {
      this.execute(o);
    }
    const live = o.timeInForce === TimeInForce.GTD && o.state !== OrderState.Free;
    this.end();
    return live;
  }

  cancel(c: CancelOrder): void {
    this.begin(c.seq);
    const o = this.findOwn(c.accountId, c.orderId, c.clientOrderId);
    if (o === undefined) {
      this.sink.orderRejected(
        this.seq,
        CommandType.CancelOrder,
        this.instrumentId,
        c.accountId,
        c.orderId,
        echoId(c.clientOrderId),
        'UNKNOWN_ORDER',
      );
    } else {
      this.removeLive(o, CancelReason.User);
    }
    this.end();
  }

  amend(c: AmendOrder): void {
    this.begin(c.seq);
    const o = this.findOwn(c.accountId, c.orderId, c.clientOrderId);
    const code = o === undefined ? 'UNKNOWN_ORDER' : this.amendProblem(o, c);
    if (code !== null) {
      this.sink.orderRejected(
        this.seq,
        CommandType.AmendOrder,
        this.instrumentId,
        c.accountId,
        c.orderId,
        echoId(c.clientOrderId),
        code,
      );
    } else {
      this.applyAmend(o!, c);
    }
    this.end();
  }

  /** Cancels every open order of an account on this book, in placement order. */
  cancelAccount(seq: number, accountId: number, reason: CancelReason): void {
    const acc = this.accounts.get(accountId);
    if (acc === undefined || acc.count === 0) return;
    this.begin(seq);
    for (let o = acc.head; o !== null;) {
      const next = o.accNext;
      this.removeLive(o, reason);
      o = next;
    }
    this.end();
  }

  /** Cancels every open order on this book, in placement order. */
  cancelAll(seq: number, reason: CancelReason): void {
    if (this.orders.size === 0) return;
    this.begin(seq);
    const all = this.orders.all().sort((a, b) => a.orderId - b.orderId);
    for (const o of all) this.removeLive(o, reason);
    this.end();
  }

  /** Expires a GTD order if it is still live with that expiry (the engine calls this when it is due). */
  expire(seq: number, orderId: number, expireAtMs: number): void {
    const o = this.orders.get(orderId);
    if (o === undefined || o.timeInForce !== TimeInForce.GTD || o.expireAtMs !== expireAtMs) return;
    this.begin(seq);
    const lots = o.remainingLots;
    this.unlinkLive(o);
    this.sink.orderExpired(this.seq, this.instrumentId, o.orderId, o.accountId, lots);
    this.freeOrder(o);
    this.end();
  }

  /** Sets the mark or index price (stop triggers, price bands). */
  setReferencePrice(seq: number, source: TriggerSource, priceTicks: number): void {
    this.begin(seq);
    if (source === TriggerSource.MarkPrice) this.markPriceTicks = priceTicks;
    else if (source === TriggerSource.IndexPrice) this.indexPriceTicks = priceTicks;
    this.end();
  }

  setStatus(seq: number, status: InstrumentStatus): void {
    this.status = status;
    this.sink.instrumentStatusChanged(seq, this.instrumentId, status);
    if (status === InstrumentStatus.Closed) this.cancelAll(seq, CancelReason.InstrumentHalted);
  }

  /* ------------------------------------------------------------ queries ------------------------------------------------------------ */

  get openOrderCount(): number {
    return this.orders.size;
  }

  order(orderId: number): Readonly<Order> | undefined {
    return this.orders.get(orderId);
  }

  /** Orders of a live account, in placement order. */
  accountOrderIds(accountId: number): number[] {
    const out: number[] = [];
    for (let o = this.accounts.get(accountId)?.head ?? null; o !== null; o = o.accNext) out.push(o.orderId);
    return out;
  }

  /** Top `levels` price levels per side as [priceTicks, visibleLots, orderCount]. */
  depth(levels: number): { bids: [number, number, number][]; asks: [number, number, number][] } {
    const take = (ladder: PriceLadder) => {
      const out: [number, number, number][] = [];
      ladder.forEach((l) => {
        out.push([l.priceTicks, l.qtyLots, l.count]);
        return out.length < levels;
      });
      return out;
    };
    return { bids: take(this.bids), asks: take(this.asks) };
  }

  /** Every live order, resting ones by side and priority, then stops by list; for snapshots and tests. */
  forEachOrder(visit: (o: Readonly<Order>) => void): void {
    for (const ladder of [this.bids, this.asks]) {
      ladder.forEach((level) => {
        for (let o = level.head; o !== null; o = o.next) visit(o);
      });
    }
    for (const list of this.stops) for (let i = list.orders.length - 1; i >= 0; i--) visit(list.orders[i]!);
  }

  /* ------------------------------------------------------------ restore ------------------------------------------------------------ */

  /** Puts back a resting order exactly as it was (snapshot restore); orders come in priority order. */
  restoreResting(fields: Readonly<Order>): void {
    const o = this.copyOrder(fields);
    const ladder = o.side === Side.Buy ? this.bids : this.asks;
    let level = ladder.get(o.priceTicks);
    if (level === undefined) {
      level = this.newLevel(o.priceTicks, o.side);
      ladder.insert(level);
    }
    level.pushBack(o);
    o.state = OrderState.Resting;
    this.orders.set(o.orderId, o);
  }

  restoreStop(fields: Readonly<Order>): void {
    const o = this.copyOrder(fields);
    this.orders.set(o.orderId, o);
    this.addStop(o);
  }

  /** After restoring orders: rebuild account lists in placement order. */
  finishRestore(): void {
    const all = this.orders.all().sort((a, b) => a.orderId - b.orderId);
    for (const o of all) this.linkAccount(o);
  }

  /* ------------------------------------------------------------ validation ------------------------------------------------------------ */

  private placeStateProblem(c: PlaceOrder): RejectCode | null {
    if (this.status !== InstrumentStatus.Trading) return 'INSTRUMENT_NOT_TRADING';
    if (hasLimitPrice(c.orderType) && this.outOfBand(c.priceTicks)) return 'PRICE_OUT_OF_BAND';
    const acc = this.accounts.get(c.accountId);
    if (c.clientOrderId !== '' && acc?.byClientId?.has(c.clientOrderId)) return 'DUPLICATE_CLIENT_ORDER_ID';
    const mayRest = isStop(c.orderType) || canRest(c.orderType, c.timeInForce);
    if (mayRest && acc !== undefined && acc.count >= this.spec.maxOpenOrders) return 'TOO_MANY_OPEN_ORDERS';
    if (
      c.flags & OrderFlags.ReduceOnly &&
      (c.side === Side.Buy ? c.positionLots >= 0 : c.positionLots <= 0)
    ) {
      return 'REDUCE_ONLY_WOULD_INCREASE';
    }
    if (
      isStop(c.orderType) &&
      StopList.wouldTrigger(c.side, c.stopPriceTicks, this.referencePrice(c.triggerSource))
    ) {
      return 'STOP_WOULD_TRIGGER_IMMEDIATELY';
    }
    if (c.flags & OrderFlags.PostOnly && this.crosses(c.side, c.priceTicks)) return 'POST_ONLY_WOULD_TAKE';
    if (c.orderType === OrderType.Market) {
      const limit = this.protectionPrice(c.side, c.protectionPriceTicks);
      if (limit === 0) return 'NO_LIQUIDITY';
      if (
        c.timeInForce === TimeInForce.FOK &&
        !this.canFill(c.side, c.accountId, c.stpMode, this.clippedQty(c), limit)
      ) {
        return 'FOK_NOT_FILLABLE';
      }
    } else if (c.orderType === OrderType.Limit && c.timeInForce === TimeInForce.FOK) {
      if (!this.canFill(c.side, c.accountId, c.stpMode, this.clippedQty(c), c.priceTicks))
        return 'FOK_NOT_FILLABLE';
    }
    return null;
  }

  private clippedQty(c: PlaceOrder): number {
    return c.flags & OrderFlags.ReduceOnly ? Math.min(c.qtyLots, Math.abs(c.positionLots)) : c.qtyLots;
  }

  private amendProblem(o: Order, c: AmendOrder): RejectCode | null {
    const code = amendFieldsProblem(this.spec, c);
    if (code !== null) return code;
    if (this.status !== InstrumentStatus.Trading) return 'INSTRUMENT_NOT_TRADING';
    const stop = o.state === OrderState.Stop;
    if (c.priceTicks !== 0 && !hasLimitPrice(o.orderType)) return 'INVALID_PRICE';
    if (c.stopPriceTicks !== 0 && !stop) return 'INVALID_STOP_PRICE';
    const price = c.priceTicks || o.priceTicks;
    const qty = c.qtyLots || o.remainingLots;
    const stopPrice = c.stopPriceTicks || o.stopPriceTicks;
    if (price === o.priceTicks && qty === o.remainingLots && stopPrice === o.stopPriceTicks)
      return 'AMEND_NO_CHANGE';
    if (c.priceTicks !== 0 && this.outOfBand(price)) return 'PRICE_OUT_OF_BAND';
    if (o.displayLots > 0 && qty < Math.min(o.displayLots, this.spec.minSizeLots))
      return 'INVALID_DISPLAY_QUANTITY';
    if (stop && StopList.wouldTrigger(o.side, stopPrice, this.referencePrice(o.triggerSource)))
      return 'STOP_WOULD_TRIGGER_IMMEDIATELY';
    if (!stop && o.flags & OrderFlags.PostOnly && price !== o.priceTicks && this.crosses(o.side, price))
      return 'POST_ONLY_WOULD_TAKE';
    return null;
  }

  private referencePrice(source: TriggerSource): number {
    if (source === TriggerSource.MarkPrice) return this.markPriceTicks;
    if (source === TriggerSource.IndexPrice) return this.indexPriceTicks;
    return this.lastPriceTicks;
  }

  /** Bands are centred on the mark price when there is one, else on the last trade; none before either. */
  private outOfBand(priceTicks: number): boolean {
    const ref = this.markPriceTicks > 0 ? this.markPriceTicks : this.lastPriceTicks;
    if (ref <= 0) return false;
    const w = this.bandWidth(ref);
    return priceTicks < ref - w || priceTicks > ref + w;
  }

  private bandWidth(ref: number): number {
    return Math.max(Math.floor((ref * this.spec.priceBandBps) / BPS), this.spec.priceBandMinTicks);
  }

  private crosses(side: Side, priceTicks: number): boolean {
    const best = side === Side.Buy ? this.asks.best : this.bids.best;
    return (
      best !== null && (side === Side.Buy ? best.priceTicks <= priceTicks : best.priceTicks >= priceTicks)
    );
  }

  /**
   * The worst price a market order may trade at: its own protection price, or the best opposite
   * price moved by the contract's protection, never beyond the price band. 0 when nothing on the
   * other side is within it.
   */
  private protectionPrice(side: Side, own: number): number {
    const best = side === Side.Buy ? this.asks.best : this.bids.best;
    if (best === null) return 0;
    const away = Math.floor((best.priceTicks * this.spec.marketProtectionBps) / BPS);
    let p = own > 0 ? own : side === Side.Buy ? best.priceTicks + away : Math.max(best.priceTicks - away, 1);
    const ref = this.markPriceTicks > 0 ? this.markPriceTicks : this.lastPriceTicks;
    if (ref > 0)
      p = side === Side.Buy ? Math.min(p, ref + this.bandWidth(ref)) : Math.max(p, ref - this.bandWidth(ref));
    return (side === Side.Buy ? best.priceTicks <= p : best.priceTicks >= p) ? p : 0;
  }

  /**
   * Whether an order of `qty` could fill in full up to `limit` (fill-or-kill), exactly as matching
   * would: with a stopping self-trade mode the taker gets no further than the visible orders ahead
   * of its own first order; with cancel-oldest its own orders are skipped.
   */
  private canFill(side: Side, accountId: number, stpMode: StpMode, qty: number, limit: number): boolean {
    let need = qty;
    const ladder = side === Side.Buy ? this.asks : this.bids;
    const stopsAtOwn =
      stpMode === StpMode.CancelNewest || stpMode === StpMode.CancelBoth || stpMode === StpMode.Decrement;
    for (let level = ladder.best; level !== null; level = ladder.next(level)) {
      if (side === Side.Buy ? level.priceTicks > limit : level.priceTicks < limit) return false;
      if (stopsAtOwn) {
        let ahead = 0;
        let own = false;
        for (let m = level.head; m !== null && !own; m = m.next) {
          if (m.accountId === accountId) own = true;
          else ahead += m.visibleLots;
        }
        if (own) return ahead >= need;
      }
      for (let m = level.head; m !== null; m = m.next) {
        if (stpMode === StpMode.CancelOldest && m.accountId === accountId) continue;
        need -= m.remainingLots;
      }
      if (need <= 0) return true;
    }
    return false;
  }

  /* ------------------------------------------------------------ matching ------------------------------------------------------------ */

  /** Runs an order that has arrived (or triggered, or been repriced) against the book, then rests or ends it. */
  private execute(o: Order): void {
    const marketLike = !hasLimitPrice(o.orderType);
    if (o.timeInForce === TimeInForce.FOK || marketLike) {
      const limit = marketLike ? this.protectionPrice(o.side, o.protectionPriceTicks) : o.priceTicks;
      if (
        limit === 0 ||
        (o.timeInForce === TimeInForce.FOK &&
          !this.canFill(o.side, o.accountId, o.stpMode, o.remainingLots, limit))
      ) {
        this.endUnfilled(o);
        return;
      }
      this.match(o, limit);
    } else {
      this.match(o, o.priceTicks);
    }
    if (o.remainingLots === 0) {
      this.unregister(o);
      this.freeOrder(o);
    } else if (canRest(o.orderType, o.timeInForce)) {
      this.rest(o);
    } else {
      this.endUnfilled(o);
    }
  }

  /** Cancels what is left of an order that may not rest. */
  private endUnfilled(o: Order): void {
    this.sink.orderCancelled(
      this.seq,
      this.instrumentId,
      o.orderId,
      o.accountId,
      o.remainingLots,
      0,
      CancelReason.Unfilled,
    );
    this.unregister(o);
    this.freeOrder(o);
  }

  private match(t: Order, limit: number): void {
    const isBuy = t.side === Side.Buy;
    const ladder = isBuy ? this.asks : this.bids;
    const stp = t.stpMode !== StpMode.None;
    let stopped = false;
    while (!stopped && t.remainingLots > 0) {
      const level = ladder.best;
      if (level === null || (isBuy ? level.priceTicks > limit : level.priceTicks < limit)) return;
      this.touch(level);
      while (t.remainingLots > 0) {
        const m = level.head;
        if (m === null) break;
        if (stp && m.accountId === t.accountId) {
          if (this.preventSelfTrade(t, m, level)) {
            stopped = true;
            break;
          }
          continue;
        }
        this.fill(t, m, level);
      }
      if (level.count === 0) this.dropLevel(ladder, level);
    }
  }

  private fill(t: Order, m: Order, level: PriceLevel): void {
    const q = t.remainingLots < m.visibleLots ? t.remainingLots : m.visibleLots;
    m.visibleLots -= q;
    m.remainingLots -= q;
    level.qtyLots -= q;
    t.remainingLots -= q;
    this.lastPriceTicks = level.priceTicks;
    this.sink.trade(
      this.seq, this.instrumentId, ++this.tradeCount, level.priceTicks, q, t.side, m.orderId, m.accountId,
      t.orderId, t.accountId, m.remainingLots, t.remainingLots,
    ); // prettier-ignore
    if (m.remainingLots === 0) {
      level.unlink(m);
      this.unregister(m);
      this.freeOrder(m);
    } else if (m.visibleLots === 0) {
      // iceberg: show the next slice at the back of the queue
      level.unlink(m);
      m.visibleLots = m.displayLots < m.remainingLots ? m.displayLots : m.remainingLots;
      level.pushBack(m);
    }
  }

  /** Applies the taker's self-trade mode; returns true when the taker stops matching. */
  private preventSelfTrade(t: Order, m: Order, level: PriceLevel): boolean {
    switch (t.stpMode) {
      case StpMode.CancelOldest:
        this.removeResting(m, level, CancelReason.SelfTrade);
        return false;
      case StpMode.CancelBoth:
        this.removeResting(m, level, CancelReason.SelfTrade);
        this.cancelTakerRemainder(t);
        return true;
      case StpMode.Decrement: {
        const d = t.remainingLots < m.remainingLots ? t.remainingLots : m.remainingLots;
        if (d === m.remainingLots) {
          this.removeResting(m, level, CancelReason.SelfTrade);
        } else {
          m.remainingLots -= d;
          if (m.visibleLots > m.remainingLots) {
            level.qtyLots -= m.visibleLots - m.remainingLots;
            m.visibleLots = m.remainingLots;
          }
          this.sink.orderCancelled(
            this.seq,
            this.instrumentId,
            m.orderId,
            m.accountId,
            d,
            m.remainingLots,
            CancelReason.SelfTrade,
          );
        }
        t.remainingLots -= d;
        this.sink.orderCancelled(
          this.seq,
          this.instrumentId,
          t.orderId,
          t.accountId,
          d,
          t.remainingLots,
          CancelReason.SelfTrade,
        );
        return t.remainingLots === 0;
      }
      default:
        this.cancelTakerRemainder(t);
        return true;
    }
  }

  private cancelTakerRemainder(t: Order): void {
    this.sink.orderCancelled(
      this.seq,
      this.instrumentId,
      t.orderId,
      t.accountId,
      t.remainingLots,
      0,
      CancelReason.SelfTrade,
    );
    t.remainingLots = 0;
  }

  private rest(o: Order): void {
    const ladder = o.side === Side.Buy ? this.bids : this.asks;
    let level = ladder.get(o.priceTicks);
    if (level === undefined) {
      level = this.newLevel(o.priceTicks, o.side);
      this.touch(level);
      ladder.insert(level);
    } else {
      this.touch(level);
    }
    o.visibleLots = o.displayLots > 0 && o.displayLots < o.remainingLots ? o.displayLots : o.remainingLots;
    level.pushBack(o);
    o.state = OrderState.Resting;
    if (o.account === null) this.register(o);
  }

  /* ------------------------------------------------------------ amend ------------------------------------------------------------ */

  private applyAmend(o: Order, c: AmendOrder): void {
    const price = c.priceTicks || o.priceTicks;
    const qty = c.qtyLots || o.remainingLots;
    const stopPrice = c.stopPriceTicks || o.stopPriceTicks;
    if (o.state === OrderState.Stop) {
      this.removeStop(o);
      const kept = qty < o.remainingLots && price === o.priceTicks && stopPrice === o.stopPriceTicks;
      o.priceTicks = price;
      o.remainingLots = qty;
      o.stopPriceTicks = stopPrice;
      this.addStop(o);
      this.sink.orderAmended(
        this.seq,
        this.instrumentId,
        o.orderId,
        o.accountId,
        price,
        qty,
        stopPrice,
        kept,
      );
      return;
    }
    const level = o.level!;
    this.touch(level);
    if (price === o.priceTicks) {
      const kept = qty < o.remainingLots;
      if (kept) {
        // quantity down keeps the order's place in the queue
        o.remainingLots = qty;
        if (o.visibleLots > qty) {
          level.qtyLots -= o.visibleLots - qty;
          o.visibleLots = qty;
        }
      } else {
        // quantity up sends it to the back of the queue
        level.unlink(o);
        o.remainingLots = qty;
        o.visibleLots = o.displayLots > 0 && o.displayLots < qty ? o.displayLots : qty;
        level.pushBack(o);
      }
      this.sink.orderAmended(
        this.seq,
        this.instrumentId,
        o.orderId,
        o.accountId,
        price,
        qty,
        o.stopPriceTicks,
        kept,
      );
      return;
    }
    // a new price loses priority and may match
    level.unlink(o);
    if (level.count === 0) this.dropLevel(o.side === Side.Buy ? this.bids : this.asks, level);
    o.state = OrderState.Free;
    o.priceTicks = price;
    o.remainingLots = qty;
    this.sink.orderAmended(
      this.seq,
      this.instrumentId,
      o.orderId,
      o.accountId,
      price,
      qty,
      o.stopPriceTicks,
      false,
    );
    this.execute(o);
  }

  /* ------------------------------------------------------------ bookkeeping ------------------------------------------------------------ */

  /** The live order of `accountId` named by id, or by client order id when `orderId` is 0. */
  ownOrder(accountId: number, orderId: number, clientOrderId: string): Readonly<Order> | undefined {
    return this.findOwn(accountId, orderId, clientOrderId);
  }

  /**
   * The worst price a market order would trade at now (its own protection price, or the best
   * opposite price moved by the contract's protection, within the band); 0 when nothing is there.
   */
  marketProtectionPrice(side: Side, own: number): number {
    return this.protectionPrice(side, own);
  }

  private findOwn(accountId: number, orderId: number, clientOrderId: string): Order | undefined {
    let o: Order | undefined;
    if (orderId !== 0) o = this.orders.get(orderId);
    else if (clientOrderId !== '') o = this.accounts.get(accountId)?.byClientId?.get(clientOrderId);
    return o !== undefined && o.accountId === accountId ? o : undefined;
  }

  /** Cancels a live order wherever it is. */
  private removeLive(o: Order, reason: CancelReason): void {
    const lots = o.remainingLots;
    this.unlinkLive(o);
    this.sink.orderCancelled(this.seq, this.instrumentId, o.orderId, o.accountId, lots, 0, reason);
    this.freeOrder(o);
  }

  /** Takes a live order out of its level or stop list, the order map and its account. */
  private unlinkLive(o: Order): void {
    if (o.state === OrderState.Stop) {
      this.removeStop(o);
    } else {
      const level = o.level!;
      this.touch(level);
      level.unlink(o);
      if (level.count === 0) this.dropLevel(o.side === Side.Buy ? this.bids : this.asks, level);
    }
    this.unregister(o);
  }

  private removeResting(m: Order, level: PriceLevel, reason: CancelReason): void {
    const lots = m.remainingLots;
    level.unlink(m);
    this.unregister(m);
    this.sink.orderCancelled(this.seq, this.instrumentId, m.orderId, m.accountId, lots, 0, reason);
    this.freeOrder(m);
  }

  private register(o: Order): void {
    this.orders.set(o.orderId, o);
    this.linkAccount(o);
  }

  /** Forgets a live order (order map and account); a no-op for an order that never rested. */
  private unregister(o: Order): void {
    if (o.account === null) return;
    this.orders.delete(o.orderId);
    this.unlinkAccount(o);
  }

  private linkAccount(o: Order): void {
    let acc = this.accounts.get(o.accountId);
    if (acc === undefined) {
      acc = new AccountOrders(o.accountId);
      this.accounts.set(o.accountId, acc);
    }
    o.account = acc;
    o.accNext = null;
    o.accPrev = acc.tail;
    if (acc.tail === null) acc.head = o;
    else acc.tail.accNext = o;
    acc.tail = o;
    acc.count++;
    if (o.clientOrderId !== '') (acc.byClientId ??= new Map()).set(o.clientOrderId, o);
  }

  private unlinkAccount(o: Order): void {
    const acc = o.account;
    if (acc === null) return;
    if (o.accPrev === null) acc.head = o.accNext;
    else o.accPrev.accNext = o.accNext;
    if (o.accNext === null) acc.tail = o.accPrev;
    else o.accNext.accPrev = o.accPrev;
    acc.count--;
    if (o.clientOrderId !== '') acc.byClientId!.delete(o.clientOrderId);
    o.account = null;
    o.accPrev = null;
    o.accNext = null;
  }

  private addStop(o: Order): void {
    o.state = OrderState.Stop;
    this.stops[o.triggerSource * 2 + o.side]!.insert(o);
    this.stopCount++;
  }

  private removeStop(o: Order): void {
    this.stops[o.triggerSource * 2 + o.side]!.remove(o);
    this.stopCount--;
    o.state = OrderState.Free;
  }

  /** Triggers due stops one at a time, nearest first, until none is due (a trigger may trade and trigger more). */
  private runTriggers(): void {
    if (this.status !== InstrumentStatus.Trading) return;
    for (let o = this.nextDueStop(); o !== undefined; o = this.nextDueStop()) {
      this.removeStop(o);
      this.sink.orderTriggered(this.seq, this.instrumentId, o.orderId, o.accountId, this.triggerPriceTicks);
      this.execute(o);
    }
  }

  private nextDueStop(): Order | undefined {
    if (this.stopCount === 0) return undefined;
    for (let source = 0; source < 3; source++) {
      const ref = this.referencePrice(source as TriggerSource);
      for (let side = 0; side < 2; side++) {
        const o = this.stops[source * 2 + side]!.due(ref);
        if (o !== undefined) {
          this.triggerPriceTicks = ref;
          return o;
        }
      }
    }
    return undefined;
  }

  private newOrder(c: PlaceOrder): Order {
    const o = this.orderPool.pop() ?? new Order();
    o.orderId = c.seq;
    o.accountId = c.accountId;
    o.clientOrderId = c.clientOrderId;
    o.side = c.side;
    o.orderType = c.orderType;
    o.timeInForce = c.timeInForce;
    o.flags = c.flags;
    o.stpMode = c.stpMode;
    o.triggerSource = c.triggerSource;
    o.priceTicks = c.priceTicks;
    o.stopPriceTicks = c.stopPriceTicks;
    o.protectionPriceTicks = c.protectionPriceTicks;
    o.expireAtMs = c.expireAtMs;
    o.remainingLots = this.clippedQty(c);
    o.visibleLots = 0;
    o.displayLots = c.displayLots;
    o.state = OrderState.Free;
    return o;
  }

  private copyOrder(f: Readonly<Order>): Order {
    const o = this.orderPool.pop() ?? new Order();
    o.orderId = f.orderId;
    o.accountId = f.accountId;
    o.clientOrderId = f.clientOrderId;
    o.side = f.side;
    o.orderType = f.orderType;
    o.timeInForce = f.timeInForce;
    o.flags = f.flags;
    o.stpMode = f.stpMode;
    o.triggerSource = f.triggerSource;
    o.priceTicks = f.priceTicks;
    o.stopPriceTicks = f.stopPriceTicks;
    o.protectionPriceTicks = f.protectionPriceTicks;
    o.expireAtMs = f.expireAtMs;
    o.remainingLots = f.remainingLots;
    o.visibleLots = f.visibleLots;
    o.displayLots = f.displayLots;
    return o;
  }

  private freeOrder(o: Order): void {
    o.state = OrderState.Free;
    o.level = null;
    o.prev = null;
    o.next = null;
    o.account = null;
    o.accPrev = null;
    o.accNext = null;
    o.clientOrderId = '';
    this.orderPool.push(o);
  }

  private newLevel(priceTicks: number, side: Side): PriceLevel {
    const level = this.levelPool.pop() ?? new PriceLevel();
    level.priceTicks = priceTicks;
    level.side = side;
    level.qtyLots = 0;
    level.count = 0;
    level.head = null;
    level.tail = null;
    level.touchStamp = 0;
    return level;
  }

  private dropLevel(ladder: PriceLadder, level: PriceLevel): void {
    ladder.remove(level);
    this.droppedLevels[this.droppedCount++] = level;
  }

  /* ------------------------------------------------------------ per-operation deltas ------------------------------------------------------------ */

  private begin(seq: number): void {
    this.seq = seq;
    this.stamp++;
  }

  private touch(level: PriceLevel): void {
    if (level.touchStamp === this.stamp) return;
    level.touchStamp = this.stamp;
    level.prevQtyLots = level.qtyLots;
    level.prevCount = level.count;
    this.touched[this.touchedCount++] = level;
  }

  /** Runs due stops, then emits one delta per changed level (buy side first, each side by price). */
  private end(): void {
    if (this.stopCount > 0) this.runTriggers();
    const t = this.touched;
    const n = this.touchedCount;
    if (n > 1) sortLevels(t, n);
    for (let i = 0; i < n;) {
      // a price can appear twice when its level emptied and a new one formed in the same operation
      const first = t[i]!;
      let prevQty = 0;
      let prevCount = 0;
      let qty = 0;
      let count = 0;
      for (; i < n && t[i]!.side === first.side && t[i]!.priceTicks === first.priceTicks; i++) {
        prevQty += t[i]!.prevQtyLots;
        prevCount += t[i]!.prevCount;
        qty += t[i]!.qtyLots;
        count += t[i]!.count;
      }
      if (qty !== prevQty || count !== prevCount) {
        this.sink.bookDelta(this.seq, this.instrumentId, first.side, first.priceTicks, qty, count);
      }
    }
    this.touchedCount = 0;
    for (let i = 0; i < this.droppedCount; i++) this.levelPool.push(this.droppedLevels[i]!);
    this.droppedCount = 0;
  }
}

/** A rejection echoes the client order id only when it is a valid one. */
function echoId(clientOrderId: string): string {
  return clientOrderIdValid(clientOrderId) ? clientOrderId : '';
}

function levelKey(l: PriceLevel): number {
  return l.side * 2 ** 32 + l.priceTicks;
}

function sortLevels(a: PriceLevel[], n: number): void {
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    const k = levelKey(x);
    let j = i - 1;
    while (j >= 0 && levelKey(a[j]!) > k) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}
