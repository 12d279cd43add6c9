import type { EngineEvent, UnsequencedCommand } from '@exchange/domain';
import type { ListedBook, OrderRow, RawBook } from '@exchange/gateway';

/** A batch of engine events: the commands [firstSeq, lastSeq] and the engine time after them. */
export interface EventBatch {
  firstSeq: number;
  lastSeq: number;
  timeMs: number;
}

export type EventsListener = (events: EngineEvent[], batch: EventBatch) => void;

/** Where an open order is. */
export interface OrderLocation {
  instrumentId: number;
  orderId: number;
}

export type OrderRef = { orderId: number } | { clientOrderId: string };

/** A trades table row (bigints as strings). */
export interface TradeRow {
  instrument_id: number;
  trade_id: string;
  seq: string;
  price_ticks: string;
  qty_lots: string;
  aggressor_side: number;
  maker_order_id: string;
  maker_account_id: string;
  taker_order_id: string;
  taker_account_id: string;
}

/** Read models (PostgreSQL tables the projections fill), as raw rows. */
export interface ReadModels {
  /** Resolves once the read models reflect every command up to `seq` (or after `timeoutMs`). */
  waitFor(seq: number, timeoutMs: number): Promise<boolean>;
  openOrders(accountId: number, instrumentId?: number): Promise<OrderRow[]>;
  orderHistory(
    accountId: number,
    q: { instrumentId?: number; limit: number; beforeOrderId?: number },
  ): Promise<OrderRow[]>;
  order(accountId: number, orderId: number): Promise<OrderRow | undefined>;
  fills(accountId: number, q: { instrumentId?: number; limit: number }): Promise<TradeRow[]>;
  recentTrades(instrumentId: number, limit: number): Promise<TradeRow[]>;
  positions(accountId: number): Promise<{ instrument_id: number; net_lots: string; updated_seq: string }[]>;
  balances(accountId: number): Promise<{ asset: string; balance_minor: string }[]>;
}

/** What the deployment supports beyond order entry (the risk stage and ledger add these). */
export interface GatewayCapabilities {
  deposits: boolean;
  withdrawals: boolean;
  accountView: boolean;
}

/**
 * The API's one port to the exchange: commands in, events out, books and read models. The embedded
 * adapter wraps the in-process engine; a distributed one would put commands on the log and keep a
 * mirror of the books from the event stream.
 */
export interface ExchangeGateway {
  /** Sequences and applies commands (one batch); resolves with their events once durable. */
  submit(
    commands: UnsequencedCommand[],
  ): Promise<{ firstSeq: number; lastSeq: number; events: EngineEvent[] }>;
  /** Every batch applied from now on, in order. Returns a function that stops the listener. */
  onEvents(listener: EventsListener): () => void;
  /** A book's top `depth` levels per side, consistent with the events delivered so far. */
  bookSnapshot(instrumentId: number, depth: number): RawBook | undefined;
  listedBooks(): ListedBook[];
  lastSeq(): number;
  /** The open order an account names by id or client order id. */
  locateOrder(accountId: number, ref: OrderRef): OrderLocation | undefined;
  readonly capabilities: GatewayCapabilities;
  /** Deposit or withdraw (when the engine has the commands). */
  transfer(
    kind: 'deposit' | 'withdraw',
    accountId: number,
    asset: string,
    amountMinor: bigint,
  ): Promise<{ seq: number; events: EngineEvent[] }>;
  /** Balances, positions and margin from the risk stage (when it exists). */
  accountView(accountId: number): unknown;
  readonly reads: ReadModels;
}

export const EXCHANGE_GATEWAY = Symbol('EXCHANGE_GATEWAY');
