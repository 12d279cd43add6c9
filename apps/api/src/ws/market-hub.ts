import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { MarketFeed } from '@exchange/gateway';
import { EXCHANGE_GATEWAY, type ExchangeGateway } from '../ports/exchange-gateway';
import { InstrumentsService } from '../trading/instruments.service';

/** Anything that takes channel messages (a WebSocket session). */
export interface Subscriber {
  readonly accountId: number | undefined;
  /** Sends one serialised notification. */
  deliver(text: string): void;
}

export const PUBLIC_CHANNEL = /^(book|trades|ticker)\.([A-Za-z0-9.-]{1,64})$/;
export const PRIVATE_CHANNELS = ['user.orders', 'user.fills'] as const;

const notification = (channel: string, data: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel, data } });

/**
 * Fans engine events out to channel subscribers. Each message is serialised once, whatever the
 * number of subscribers. Book channels: a snapshot on subscribe, then changes (see MarketFeed).
 */
@Injectable()
export class MarketHub implements OnModuleInit {
  readonly feed: MarketFeed;
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  constructor(
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
    private readonly instruments: InstrumentsService,
  ) {
    this.feed = new MarketFeed(instruments.directory, (id) => gateway.bookSnapshot(id, 1_000_000));
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
    });
  }

  private symbol(instrumentId: number): string {
    return this.instruments.directory.byInstrumentId(instrumentId)?.symbol ?? String(instrumentId);
  }

  private publish(key: string, data: unknown, channel = key): void {
    const subs = this.subscribers.get(key);
    if (subs === undefined || subs.size === 0) return;
    const text = notification(channel, data);
    for (const s of subs) s.deliver(text);
  }

  /** The key a channel is filed under (private channels per account). */
  private key(channel: string, s: Subscriber): string {
    return channel.startsWith('user.') ? `${channel}#${s.accountId}` : channel;
  }

  /**
   * Adds a subscription and sends what a new subscriber needs first (the book snapshot, the ticker).
   * Subscribing again to a book channel sends a fresh snapshot (how a client recovers from a gap).
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
    set.add(s);
  }

  unsubscribe(channel: string, s: Subscriber): boolean {
    const key = this.key(channel, s);
    const set = this.subscribers.get(key);
    const had = set?.delete(s) ?? false;
    if (set !== undefined && set.size === 0) this.subscribers.delete(key);
    return had;
  }
}
