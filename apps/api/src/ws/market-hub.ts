import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventType, type EngineEvent } from '@exchange/domain';
import type { MarginUpdate, PositionsUpdate } from '@exchange/client';
import { MarketFeed } from '@exchange/gateway';
import { ApiException } from '../http/api-exception';
import { EXCHANGE_GATEWAY, isSettlementEvent, type ExchangeGateway } from '../ports/exchange-gateway';
import { marginView, positionViews, riskView } from '../trading/account-views';
import { CandleBook } from '../trading/candles';
import { INDEX_IDS, INDEX_POLL_MS, IndexFeed } from '../trading/index-feed';
import { InstrumentsService } from '../trading/instruments.service';
import { MarketData } from '../trading/market-data';
import { SettlementLedger } from '../trading/settlement-ledger';
import { textFrame } from './text-frame';

/** Anything that takes channel messages (a WebSocket session). */
export interface Subscriber {
  readonly accountId: number | undefined;
  /** Sends one serialised notification (to this subscriber alone). */
  deliver(text: string): void;
  /** Sends a notification framed once for every subscriber of a channel (see textFrame). */
  deliverFrame(frame: Buffer): void;
}

export const PUBLIC_CHANNEL = /^(book|trades|ticker|mark)\.([A-Za-z0-9.-]{1,64})$/;
export const INDEX_CHANNEL = /^index\.([A-Za-z0-9]{1,16})$/;
export const PRIVATE_CHANNELS = ['user.orders', 'user.fills', 'user.positions', 'user.margin'] as const;
/** Private channels recomputed from the account's state (margin needs the risk stage's account view). */
const ACCOUNT_CHANNELS = ['user.positions', 'user.margin'];

const notification = (channel: string, data: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel, data } });

/**
 * Fans engine events out to channel subscribers. Each message is serialised and framed once, whatever
 * the number of subscribers, and the same frame is written to each. Book channels: a snapshot on subscribe, then changes (see MarketFeed).
 * Mark channels: the engine's mark (and a future's index) after each batch that changed it. Index
 * channels: the oracle's newest round, read every INDEX_POLL_MS while anyone follows one. Account
 * channels (user.positions, user.margin): recomputed after a batch that touched the account (its
 * trades, settlements, transfers) or moved a mark it holds, sent when they changed.
 */
@Injectable()
export class MarketHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MarketHub');
  readonly feed: MarketFeed;
  readonly candles = new CandleBook();
  readonly indices: IndexFeed;
  readonly settlements: SettlementLedger;
  readonly data: MarketData;
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** Per followed instrument, the mark and index ticks last sent (`mark:index`). */
  private readonly marksSent = new Map<number, string>();
  /** Accounts whose positions or margin may have changed since the last flush. */
  private readonly dirty = new Set<number>();
  /** Last sent account messages (without their seq), per channel key. */
  private readonly accountSent = new Map<string, string>();
  /** Marks of the instruments held by followed accounts, as last seen. */
  private readonly heldMarks = new Map<number, number>();
  private accountSubscribers = 0;
  private flushScheduled = false;
  private indexTimer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
    private readonly instruments: InstrumentsService,
  ) {
    this.feed = new MarketFeed(instruments.directory, (id) => gateway.bookSnapshot(id, 1_000_000));
    this.indices = new IndexFeed(gateway.reads);
    this.settlements = new SettlementLedger(gateway);
    this.data = new MarketData(gateway, instruments.directory, this.candles, this.settlements);
  }

  onModuleInit(): void {
    this.gateway.onEvents((events, batch) => {
      const out = this.feed.onBatch(events, batch.timeMs);
      for (const [id, msg] of out.books) this.publish(`book.${this.symbol(id)}`, msg);
      for (const [id, trades] of out.trades) this.publish(`trades.${this.symbol(id)}`, trades);
      for (const [id, ticker] of out.tickers) this.publish(`ticker.${this.symbol(id)}`, ticker);
      for (const [accountId, updates] of out.orders)
        this.publish(`user.orders#${accountId}`, updates, 'user.orders');
      for (const [accountId, fills] of out.fills)
        this.publish(`user.fills#${accountId}`, fills, 'user.fills');
      this.record(events, batch.timeMs);
      if (this.marksSent.size > 0) this.publishMarks();
      if (this.accountSubscribers > 0) this.touchAccounts(events);
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.indexTimer);
    this.indexTimer = undefined;
  }

  /** Candles and the settlement ledger, from every batch. */
  private record(events: readonly EngineEvent[], timeMs: number): void {
    for (const e of events) {
      if (e.type === EventType.Trade) this.candles.add(e.instrumentId, timeMs, e.priceTicks, e.qtyLots);
      else if (e.type >= EventType.LedgerTransfer && isSettlementEvent(e)) this.settlements.onEvent(e);
    }
  }

  private symbol(instrumentId: number): string {
    return this.instruments.directory.byInstrumentId(instrumentId)?.symbol ?? String(instrumentId);
  }

  private publish(key: string, data: unknown, channel = key): void {
    const subs = this.subscribers.get(key);
    if (subs === undefined || subs.size === 0) return;
    const frame = textFrame(notification(channel, data));
    for (const s of subs) s.deliverFrame(frame);
  }

  /** The key a channel is filed under (private channels per account). */
  private key(channel: string, s: Subscriber): string {
    return channel.startsWith('user.') ? `${channel}#${s.accountId}` : channel;
  }

  /**
   * Refuses a channel this deployment cannot serve or that names nothing (UNKNOWN_CHANNEL,
   * UNKNOWN_INSTRUMENT, UNKNOWN_INDEX, NOT_AVAILABLE). Private channels' scope is the caller's check.
   */
  check(channel: string): void {
    const field = 'params.channels';
    if (channel === 'user.margin' && !this.gateway.capabilities.accountView)
      throw ApiException.of('NOT_AVAILABLE', "user.margin needs the risk stage's account view, which this deployment's api does not have", field); // prettier-ignore
    if ((PRIVATE_CHANNELS as readonly string[]).includes(channel)) return;
    const index = INDEX_CHANNEL.exec(channel);
    if (index !== null) {
      if (!INDEX_IDS.includes(index[1]!))
        throw ApiException.of('UNKNOWN_INDEX', `no index ${index[1]}`, field);
      return;
    }
    const m = PUBLIC_CHANNEL.exec(channel);
    if (m === null) throw ApiException.of('UNKNOWN_CHANNEL', `no channel ${channel}`, field);
    this.instruments.get(m[2], field);
    if (m[1] === 'mark' && !this.gateway.capabilities.marks)
      throw ApiException.of('NOT_AVAILABLE', 'marks live in the engine shards: no mark channel in this deployment', field); // prettier-ignore
  }

  /** Reads what the channels' first messages need from elsewhere (the newest index rounds), if anything. */
  prepare(channels: readonly string[]): Promise<void> | undefined {
    const ids = channels.map((c) => INDEX_CHANNEL.exec(c)?.[1]).filter((id): id is string => id !== undefined); // prettier-ignore
    if (ids.length === 0) return undefined;
    // a newer round read here reaches the channel's current subscribers too (the poller will not see it again)
    return this.indices.refresh([...new Set(ids)]).then((fresh) => {
      for (const v of fresh) this.publish(`index.${v.index}`, v);
    });
  }

  /**
   * Adds a subscription and sends what a new subscriber needs first (the book snapshot, the ticker,
   * the mark, the newest index round, the account's positions or margin). Subscribing again to a
   * book channel sends a fresh snapshot (how a client recovers from a gap).
   */
  subscribe(channel: string, s: Subscriber, nowMs: number): void {
    const key = this.key(channel, s);
    let set = this.subscribers.get(key);
    if (set === undefined) {
      set = new Set();
      this.subscribers.set(key, set);
    }
    const m = PUBLIC_CHANNEL.exec(channel);
    const entry = m ? this.instruments.directory.bySymbolName(m[2]!) : undefined;
    if (m && m[1] === 'book' && entry)
      s.deliver(notification(channel, this.feed.snapshot(entry.instrumentId, nowMs)));
    if (m && m[1] === 'ticker' && entry)
      s.deliver(notification(channel, this.feed.ticker(entry.instrumentId, nowMs)));
    if (m && m[1] === 'mark' && entry) this.subscribeMark(channel, entry.instrumentId, s);
    const index = INDEX_CHANNEL.exec(channel)?.[1];
    if (index !== undefined) this.subscribeIndex(channel, index, s);
    const isNew = !set.has(s);
    set.add(s);
    if (ACCOUNT_CHANNELS.includes(channel) && s.accountId !== undefined) {
      if (isNew) this.accountSubscribers++;
      const msg = this.accountMessage(channel, s.accountId);
      this.accountSent.set(key, JSON.stringify({ ...msg, seq: 0 }));
      s.deliver(notification(channel, msg));
    }
  }

  unsubscribe(channel: string, s: Subscriber): boolean {
    const key = this.key(channel, s);
    const set = this.subscribers.get(key);
    const had = set?.delete(s) ?? false;
    if (set !== undefined && set.size === 0) {
      this.subscribers.delete(key);
      const m = PUBLIC_CHANNEL.exec(channel);
      const entry = m && m[1] === 'mark' ? this.instruments.directory.bySymbolName(m[2]!) : undefined;
      if (entry !== undefined) this.marksSent.delete(entry.instrumentId);
      this.accountSent.delete(key);
    }
    if (had && ACCOUNT_CHANNELS.includes(channel)) this.accountSubscribers--;
    return had;
  }

  /* ----------------------------------------------------------------- marks ----------------------------------------------------------------- */

  private subscribeMark(channel: string, instrumentId: number, s: Subscriber): void {
    const view = this.data.markView(instrumentId);
    const r = this.gateway.referencePrices(instrumentId);
    if (!this.marksSent.has(instrumentId))
      this.marksSent.set(instrumentId, `${r?.markTicks}:${r?.indexTicks}`);
    s.deliver(notification(channel, view));
  }

  /** After a batch: the followed instruments whose mark or index moved. */
  private publishMarks(): void {
    for (const [instrumentId, last] of this.marksSent) {
      const r = this.gateway.referencePrices(instrumentId);
      const now = `${r?.markTicks}:${r?.indexTicks}`;
      if (now === last) continue;
      this.marksSent.set(instrumentId, now);
      this.publish(`mark.${this.symbol(instrumentId)}`, this.data.markView(instrumentId));
    }
  }

  /* ----------------------------------------------------------------- index ----------------------------------------------------------------- */

  private subscribeIndex(channel: string, indexId: string, s: Subscriber): void {
    const latest = this.indices.cached(indexId);
    if (latest !== undefined) s.deliver(notification(channel, latest));
    this.indexTimer ??= setInterval(() => void this.pollIndices(), INDEX_POLL_MS).unref();
  }

  private async pollIndices(): Promise<void> {
    if (this.polling) return;
    const ids = INDEX_IDS.filter((id) => this.subscribers.has(`index.${id}`));
    if (ids.length === 0) {
      clearInterval(this.indexTimer);
      this.indexTimer = undefined;
      return;
    }
    this.polling = true;
    try {
      for (const v of await this.indices.refresh(ids)) this.publish(`index.${v.index}`, v);
    } catch (err) {
      this.logger.warn({ msg: 'index rounds not read', error: (err as Error).message });
    } finally {
      this.polling = false;
    }
  }

  /* ---------------------------------------------------------------- accounts ---------------------------------------------------------------- */

  private accountMessage(channel: string, accountId: number): MarginUpdate | PositionsUpdate {
    const seq = this.gateway.lastSeq();
    const margin = channel === 'user.margin' ? riskView(this.gateway, accountId) : undefined;
    const positions = margin?.positions ?? this.gateway.accountPositions(accountId);
    // the marks these positions are valued at: a move of one of them recomputes the followed accounts
    for (const p of positions)
      if (!this.heldMarks.has(p.instrumentId))
        this.heldMarks.set(p.instrumentId, this.gateway.referencePrices(p.instrumentId)?.markTicks ?? 0);
    if (channel === 'user.margin')
      return { margin: marginView(margin), inLiquidation: margin?.inLiquidation === true, seq };
    return { positions: positionViews(positions, this.instruments.directory, this.gateway), seq };
  }

  /** Marks the accounts a batch touched (or every followed one when a held mark moved); flushes soon. */
  private touchAccounts(events: readonly EngineEvent[]): void {
    for (const e of events) {
      if (e.type === EventType.Trade) {
        this.dirty.add(e.makerAccountId);
        this.dirty.add(e.takerAccountId);
      } else if (e.type === EventType.PositionChanged || e.type === EventType.Liquidation) {
        this.dirty.add(e.accountId);
      } else if (e.type === EventType.LedgerTransfer) {
        this.dirty.add(e.debitAccountId);
        this.dirty.add(e.creditAccountId);
      }
    }
    let moved = false;
    for (const [instrumentId, markTicks] of this.heldMarks) {
      const now = this.gateway.referencePrices(instrumentId)?.markTicks ?? 0;
      if (now === markTicks) continue;
      this.heldMarks.set(instrumentId, now);
      moved = true;
    }
    if (moved) for (const key of this.subscribers.keys()) this.touchKey(key);
    if (this.dirty.size > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushAccounts());
    }
  }

  private touchKey(key: string): void {
    const hash = key.indexOf('#');
    if (hash > 0 && ACCOUNT_CHANNELS.includes(key.slice(0, hash)))
      this.dirty.add(Number(key.slice(hash + 1)));
  }

  /** Sends each dirty account's positions and margin where they changed (one message per change). */
  private flushAccounts(): void {
    this.flushScheduled = false;
    const accounts = [...this.dirty];
    this.dirty.clear();
    for (const accountId of accounts) {
      for (const channel of ACCOUNT_CHANNELS) {
        const key = `${channel}#${accountId}`;
        if (!this.subscribers.has(key)) continue;
        const msg = this.accountMessage(channel, accountId);
        const body = JSON.stringify({ ...msg, seq: 0 });
        if (this.accountSent.get(key) === body) continue;
        this.accountSent.set(key, body);
        this.publish(key, msg, channel);
      }
    }
  }
}
