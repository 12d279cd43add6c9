import { randomUUID } from 'node:crypto';
import {
  CommandType,
  EventType,
  InstrumentRegistry,
  QUOTE_CURRENCY,
  Side,
  bookSpecOf,
  decodeEvents,
  listCatalogue,
  type EngineEvent,
  type InstrumentStatus,
  type UnsequencedCommand,
} from '@exchange/domain';
import type { ListedBook, RawBook } from '@exchange/gateway';
import { scanFrame } from '@exchange/journal';
import {
  MAX_COMMANDS_PER_MESSAGE,
  encodeOrderMessage,
  marginDomain,
  shardSeq,
  shardTopics,
  type LogRecord,
  type MessageLog,
  type Subscription,
} from '@exchange/messaging';
import {
  TRANSFER_COMMAND,
  isSettlementEvent,
  type AccountPosition,
  type EventBatch,
  type EventsListener,
  type ExchangeGateway,
  type GatewayCapabilities,
  type GatewayHealth,
  type OrderLocation,
  type OrderRef,
  type ReadModels,
  type ReferencePrices,
  type SettlementEvent,
  type TransferKind,
} from '../ports/exchange-gateway';

/** How many seqs' events are kept for submitters that learn their seq after the events came. */
const RECENT_SEQS = 65_536;

export interface KafkaGatewayOptions {
  log: MessageLog;
  /** Partitions of the orders topic (the engine's ORDER_PARTITIONS). */
  partitions: number;
  topicPrefix: string;
  /** The margin domain (compute class) that takes USDC deposits and withdrawals. */
  quoteDomain: string;
  /** How long a submitted command may wait for its events. */
  ackTimeoutMs: number;
  /** Clock for the commands' times (the producer stamps them, the engine keeps them). */
  nowMs: () => number;
}

interface MirrorBook {
  symbol: string;
  status: InstrumentStatus;
  lastPriceTicks: number;
  levels: [Map<number, [number, number]>, Map<number, [number, number]>];
}

interface Waiter {
  seqs: Set<number>;
  events: EngineEvent[];
  resolve: () => void;
}

/**
 * The API's gateway to the distributed engine. Commands go to the orders topic in one message per
 * margin domain (keyed by the compute class); their seqs follow from the offsets the broker gives
 * them (shardSeq), so the gateway knows each order's id before the engine has run it, and waits for
 * those seqs' events on the events topic. It mirrors every book, the open orders and the listings
 * from the events topic (replayed from the start when it starts), so book snapshots are consistent
 * with the events it has delivered. Read models come from PostgreSQL. Account margin views live in
 * the engine shards and are not served here.
 */
export class KafkaExchangeGateway implements ExchangeGateway {
  readonly capabilities: GatewayCapabilities = {
    deposits: true,
    withdrawals: true,
    accountView: false,
    marks: false,
  };
  /** Settlement events of the whole events topic (replayed at start, then followed). */
  private readonly settlements: SettlementEvent[] = [];
  /** Every account's futures and options positions, from the PositionChanged events. */
  private readonly positions = new Map<number, Map<number, { qtyLots: number; costMinor: bigint }>>();
  private readonly books = new Map<number, MirrorBook>();
  private readonly orders = new Map<
    number,
    { instrumentId: number; accountId: number; clientOrderId: string }
  >();
  private readonly applied: number[];
  private readonly listeners = new Set<EventsListener>();
  private readonly waiting = new Map<number, Waiter>();
  /**
   * Events of the latest seqs no submitter was waiting for yet, oldest first (at most RECENT_SEQS):
   * an engine can publish a command's events before the broker's acknowledgement tells the submitter
   * its seq, and the submitter then finds them here.
   */
  private readonly recent = new Map<number, EngineEvent[]>();
  private subscription?: Subscription;
  private maxSeq = 0;

  constructor(
    private readonly options: KafkaGatewayOptions,
    readonly reads: ReadModels,
  ) {
    this.applied = new Array<number>(options.partitions).fill(0);
  }

  /** Replays the events topic into the mirror, then follows it; lists the catalogue's missing instruments. */
  async start(asOfMs: number): Promise<void> {
    const topics = shardTopics(this.options.topicPrefix);
    await this.options.log.ensureTopics([
      { name: topics.orders, partitions: this.options.partitions },
      { name: topics.events, partitions: this.options.partitions },
    ]);
    const ends = await this.options.log.endOffsets(topics.events);
    const seen = ends.map(() => -1);
    let caughtUp: () => void = () => undefined;
    const ready = new Promise<void>((r) => (caughtUp = r));
    const check = () => ends.every((end, p) => seen[p]! >= end - 1) && caughtUp();
    this.subscription = await this.options.log.consume({
      topic: topics.events,
      groupId: `${this.options.topicPrefix}api-${randomUUID()}`, // every start replays the whole topic
      handle: async (records) => {
        this.onRecords(records);
        for (const r of records) seen[r.partition] = Math.max(seen[r.partition]!, r.offset);
        check();
      },
    });
    check();
    await ready;
    await this.listCatalogue(asOfMs);
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  /** Lists, each in its domain, the catalogue's instruments that no shard has listed yet. */
  private async listCatalogue(asOfMs: number): Promise<void> {
    const existing = [...this.books].map(([instrumentId, b]) => ({ instrumentId, symbol: b.symbol }));
    const fresh = new InstrumentRegistry(existing)
      .assign(listCatalogue(asOfMs))
      .filter((i) => !this.books.has(i.instrumentId));
    const commands: UnsequencedCommand[] = fresh.map(({ instrumentId, ...definition }) => ({
      type: CommandType.ListInstrument,
      instrumentId,
      symbol: definition.symbol,
      spec: bookSpecOf(definition.contract),
      definition,
    }));
    for (let i = 0; i < commands.length; i += 200) await this.submit(commands.slice(i, i + 200));
  }

  private shardOf(seq: number): number {
    return (seq - 1) % this.options.partitions;
  }

  private onRecords(records: LogRecord[]): void {
    for (const r of records) {
      const frame = scanFrame(r.value, 0);
      if (frame.kind !== 'frame') continue;
      const shard = this.shardOf(frame.lastSeq);
      // a shard that crashed between publishing and committing republishes a frame: skip what was seen
      const events = decodeEvents(frame.payload).filter((e) => e.seq > this.applied[shard]!);
      if (frame.lastSeq > this.applied[shard]!) this.applied[shard] = frame.lastSeq;
      this.maxSeq = Math.max(this.maxSeq, frame.lastSeq);
      if (events.length === 0) {
        this.settleWaiters(events, frame.lastSeq, shard); // commands that caused no events are through too
        continue;
      }
      for (const e of events) {
        this.mirror(e);
        if (isSettlementEvent(e)) this.settlements.push(e);
        else if (e.type === EventType.PositionChanged)
          this.position(e.accountId, e.instrumentId, e.qtyLots, e.costMinor);
      }
      const batch: EventBatch = {
        firstSeq: frame.firstSeq,
        lastSeq: frame.lastSeq,
        timeMs: this.options.nowMs(),
      };
      for (const l of this.listeners) l(events, batch);
      this.settleWaiters(events, frame.lastSeq, shard);
    }
  }

  private mirror(e: EngineEvent): void {
    switch (e.type) {
      case EventType.InstrumentListed:
        this.books.set(e.instrumentId, { symbol: e.symbol, status: 0, lastPriceTicks: 0, levels: [new Map(), new Map()] });
        break;
      case EventType.InstrumentStatusChanged: {
        const b = this.books.get(e.instrumentId);
        if (b !== undefined) b.status = e.status;
        break;
      }
      case EventType.BookDelta: {
        const side = this.books.get(e.instrumentId)?.levels[e.side];
        if (side === undefined) break;
        if (e.qtyLots === 0 && e.orderCount === 0) side.delete(e.priceTicks);
        else side.set(e.priceTicks, [e.qtyLots, e.orderCount]);
        break;
      }
      case EventType.OrderAccepted:
        this.orders.set(e.orderId, { instrumentId: e.instrumentId, accountId: e.accountId, clientOrderId: e.clientOrderId });
        break;
      case EventType.Trade: {
        const b = this.books.get(e.instrumentId);
        if (b !== undefined) b.lastPriceTicks = e.priceTicks;
        if (e.makerRemainingLots === 0) this.orders.delete(e.makerOrderId);
        if (e.takerRemainingLots === 0) this.orders.delete(e.takerOrderId);
        break;
      }
      case EventType.OrderCancelled:
        if (e.remainingLots === 0) this.orders.delete(e.orderId);
        break;
      case EventType.OrderExpired:
        this.orders.delete(e.orderId);
        break;
      default:
        break;
    }
  } // prettier-ignore

  private settleWaiters(events: readonly EngineEvent[], lastSeq: number, shard: number): void {
    for (const e of events) {
      const waiter = this.waiting.get(e.seq);
      if (waiter !== undefined) {
        waiter.events.push(e);
        continue;
      }
      let early = this.recent.get(e.seq);
      if (early === undefined) {
        this.recent.set(e.seq, (early = []));
        if (this.recent.size > RECENT_SEQS) this.recent.delete(this.recent.keys().next().value!);
      }
      early.push(e);
    }
    for (const [seq, w] of this.waiting) {
      if (this.shardOf(seq) !== shard || seq > lastSeq) continue;
      this.waiting.delete(seq);
      w.seqs.delete(seq);
      if (w.seqs.size === 0) w.resolve();
    }
  }

  /** The margin domain a command goes to (its message key). */
  private domainOf(c: UnsequencedCommand): string {
    switch (c.type) {
      case CommandType.ListInstrument:
        return marginDomain(c.symbol);
      case CommandType.Deposit:
      case CommandType.ChainDeposit:
      case CommandType.Withdraw:
      case CommandType.ChainWithdraw:
        return c.asset === QUOTE_CURRENCY ? this.options.quoteDomain : marginDomain(c.asset);
      case CommandType.AdvanceTime:
      case CommandType.Liquidate:
      case CommandType.ChainStake:
      case CommandType.ReleaseStake:
        // provider stake is USDC: it is counted where USDC is deposited
        return this.options.quoteDomain;
      case CommandType.LeaseTick:
      case CommandType.CommitCapacity:
      case CommandType.RedeemTokens:
        return marginDomain(c.computeClass);
      case CommandType.ProvisionLease:
      case CommandType.AttestLease:
      case CommandType.LeaseHeartbeat:
      case CommandType.DisputeLease:
      case CommandType.ResolveLeaseDispute:
        // a lease id starts with the delivered future's symbol or the redeemed class (the margin domain)
        return marginDomain(c.leaseId);
      default: {
        const book = this.books.get(c.instrumentId);
        return book === undefined ? this.options.quoteDomain : marginDomain(book.symbol);
      }
    }
  }

  async submit(commands: UnsequencedCommand[]): Promise<{ firstSeq: number; lastSeq: number; events: EngineEvent[] }> {
    const groups = new Map<string, UnsequencedCommand[]>();
    const add = (d: string, c: UnsequencedCommand) => {
      let g = groups.get(d);
      if (g === undefined) groups.set(d, (g = []));
      g.push(c);
    };
    const domains = new Set([...this.books.values()].map((b) => marginDomain(b.symbol)));
    for (const c of commands) {
      // a mass cancel of every instrument reaches every domain (each shard cancels its own books)
      if (c.type === CommandType.MassCancel && c.instrumentId === 0 && domains.size > 0) for (const d of domains) add(d, c);
      else add(this.domainOf(c), c);
    }
    const keys = [...groups.keys()];
    const messages = [];
    const sizes: number[] = [];
    for (const key of keys) {
      const g = groups.get(key)!;
      for (let i = 0; i < g.length; i += MAX_COMMANDS_PER_MESSAGE) {
        const part = g.slice(i, i + MAX_COMMANDS_PER_MESSAGE);
        messages.push({ key, value: encodeOrderMessage(part, this.options.nowMs()) });
        sizes.push(part.length);
      }
    }
    const positions = await this.options.log.append(shardTopics(this.options.topicPrefix).orders, messages);
    const seqs: number[] = [];
    positions.forEach((pos, m) => {
      for (let i = 0; i < sizes[m]!; i++) seqs.push(shardSeq(pos.offset, i, pos.partition, this.options.partitions));
    });
    const events = await this.await(seqs);
    return { firstSeq: Math.min(...seqs), lastSeq: Math.max(...seqs), events };
  } // prettier-ignore

  private await(seqs: number[]): Promise<EngineEvent[]> {
    const waiter: Waiter = { seqs: new Set(), events: [], resolve: () => undefined };
    const done = new Promise<void>((resolve) => (waiter.resolve = resolve));
    for (const seq of seqs) {
      if (seq <= this.applied[this.shardOf(seq)]!) {
        // already through (a fast engine): its events came before the seq was known here
        const early = this.recent.get(seq);
        if (early !== undefined) waiter.events.push(...early);
        this.recent.delete(seq);
        continue;
      }
      waiter.seqs.add(seq);
      this.waiting.set(seq, waiter);
    }
    if (waiter.seqs.size === 0) waiter.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        for (const seq of waiter.seqs) this.waiting.delete(seq);
        reject(new Error(`no events for seqs ${[...waiter.seqs].join(', ')} within ${this.options.ackTimeoutMs} ms`));
      }, this.options.ackTimeoutMs);
    });
    return Promise.race([done, timeout])
      .finally(() => clearTimeout(timer))
      .then(() => waiter.events.sort((a, b) => a.seq - b.seq));
  } // prettier-ignore

  onEvents(listener: EventsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  bookSnapshot(instrumentId: number, depth: number): RawBook | undefined {
    const b = this.books.get(instrumentId);
    if (b === undefined) return undefined;
    const side = (s: Side) => {
      const prices = [...b.levels[s].keys()].sort((x, y) => (s === Side.Buy ? y - x : x - y)).slice(0, depth);
      return prices.map((p) => [p, ...b.levels[s].get(p)!] as [number, number, number]);
    };
    return {
      seq: this.maxSeq,
      bids: side(Side.Buy),
      asks: side(Side.Sell),
      lastPriceTicks: b.lastPriceTicks,
    };
  }

  listedBooks(): ListedBook[] {
    return [...this.books].sort(([x], [y]) => x - y).map(([instrumentId, b]) => ({ instrumentId, symbol: b.symbol, status: b.status })); // prettier-ignore
  }

  lastSeq(): number {
    return this.maxSeq;
  }

  /** Failed before start and after stop: without the events topic no submission learns its outcome. */
  health(): GatewayHealth {
    return this.subscription === undefined
      ? { status: 'failed', error: 'the events topic is not followed' }
      : { status: 'ok' };
  }

  locateOrder(accountId: number, ref: OrderRef): OrderLocation | undefined {
    if ('orderId' in ref) {
      const o = this.orders.get(ref.orderId);
      return o !== undefined && o.accountId === accountId ? { instrumentId: o.instrumentId, orderId: ref.orderId } : undefined;
    }
    for (const [orderId, o] of this.orders)
      if (o.accountId === accountId && o.clientOrderId === ref.clientOrderId) return { instrumentId: o.instrumentId, orderId };
    return undefined;
  } // prettier-ignore

  async transfer(kind: TransferKind, accountId: number, asset: string, amountMinor: bigint) {
    const type = TRANSFER_COMMAND[kind];
    const { firstSeq, events } = await this.submit([{ type, accountId, asset, amountMinor }]);
    return { seq: firstSeq, events };
  }

  accountView(): unknown {
    throw new Error('account margin views are served by the engine shards, not by a distributed api');
  }

  private position(accountId: number, instrumentId: number, qtyLots: number, costMinor: bigint): void {
    let held = this.positions.get(accountId);
    if (held === undefined) this.positions.set(accountId, (held = new Map()));
    if (qtyLots === 0) held.delete(instrumentId);
    else held.set(instrumentId, { qtyLots, costMinor });
  }

  accountPositions(accountId: number): AccountPosition[] {
    const held = this.positions.get(accountId);
    if (held === undefined) return [];
    return [...held]
      .sort(([x], [y]) => x - y)
      .map(([instrumentId, p]) => ({ instrumentId, qtyLots: p.qtyLots, costMinor: p.costMinor.toString() }));
  }

  /** Marks live in the engine shards (no mark feed runs there and marks are not events): none here. */
  referencePrices(): ReferencePrices | undefined {
    return undefined;
  }

  settlementHistory(): Promise<SettlementEvent[]> {
    return Promise.resolve([...this.settlements]);
  }
}
