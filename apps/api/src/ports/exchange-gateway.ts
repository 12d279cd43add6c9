import {
  CommandType,
  EventType,
  TransferReason,
  type EngineEvent,
  type InstrumentSettled,
  type LeaseStateChanged,
  type LedgerTransfer,
  type UnsequencedCommand,
} from '@exchange/domain';
import type { ListedBook, OrderRow, RawBook } from '@exchange/gateway';

/** A batch of engine events: the commands [firstSeq, lastSeq] and the engine time after them. */
export interface EventBatch {
  firstSeq: number;
  lastSeq: number;
  timeMs: number;
}

export type EventsListener = (events: readonly EngineEvent[], batch: EventBatch) => void;

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

/** A ledger_entries row (bigints as strings). */
export interface LedgerRow {
  entry_id: string;
  tx_id: string;
  asset: string;
  amount_minor: string;
  kind: string;
  seq: string;
}

/** When the read models reflect a seq (the projections' progress). */
export interface ProjectionProgress {
  /** True once the read models reflect every command up to `seq`; false after `timeoutMs`. */
  waitFor(seq: number, timeoutMs: number): Promise<boolean>;
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
  /** The account's ledger entries, newest first. */
  ledger(
    accountId: number,
    q: { asset?: string; kind?: string; limit: number; beforeEntryId?: number },
  ): Promise<LedgerRow[]>;
  /** The newest published round of each index (the oracle's `index_prices`). */
  latestIndexRounds(indexIds: readonly string[]): Promise<IndexRoundRow[]>;
  /** Rounds of an index published in [fromMs, toMs), the newest `limit` of them, oldest first. */
  indexRounds(indexId: string, fromMs: number, toMs: number, limit: number): Promise<IndexRoundRow[]>;
}

/** One published index round as the oracle stores it (`round` is its JSON). */
export interface IndexRoundRow {
  index_id: string;
  published_at_ms: string;
  signature: string | null;
  round: {
    indexId: string;
    roundId: number;
    priceMicros: number;
    lowMicros: number;
    highMicros: number;
    utilisationBps: number;
    providers: number;
    publishedAtMs: number;
  };
}

/** An instrument's reference prices in the engine (ticks; 0: none yet) and when its mark last changed. */
export interface ReferencePrices {
  markTicks: number;
  indexTicks: number;
  markTimeMs: number;
}

/** A futures or options position: signed lots and what it cost (quote minor units, signed like the lots). */
export interface AccountPosition {
  instrumentId: number;
  qtyLots: number;
  costMinor: string;
}

/** The settlement side of the event history: settlements, their transfers, lease changes. */
export type SettlementEvent = InstrumentSettled | LedgerTransfer | LeaseStateChanged;

/** Settlements, lease changes and the transfers of settlement and lease reasons (variation margin on). */
export function isSettlementEvent(e: EngineEvent): e is SettlementEvent {
  return (
    e.type === EventType.InstrumentSettled ||
    e.type === EventType.LeaseStateChanged ||
    (e.type === EventType.LedgerTransfer && e.reason >= TransferReason.VariationMargin)
  );
}

/** What the deployment supports beyond order entry (the risk stage and ledger add these). */
export interface GatewayCapabilities {
  deposits: boolean;
  withdrawals: boolean;
  accountView: boolean;
  /** The engine's mark and index prices can be read (referencePrices). */
  marks: boolean;
}

/**
 * The API's one port to the exchange: commands in, events out, books and read models. The embedded
 * adapter wraps the in-process engine; a distributed one would put commands on the log and keep a
 * mirror of the books from the event stream.
 */
/** Money in (faucet), out (off the exchange), or out to the account's payout address on chain. */
export type TransferKind = 'deposit' | 'withdraw' | 'chain-withdraw';
export const TRANSFER_COMMAND = {
  deposit: CommandType.Deposit,
  withdraw: CommandType.Withdraw,
  'chain-withdraw': CommandType.ChainWithdraw,
} as const;

/** Whether the engine behind a gateway takes commands, and if not, why. */
export type GatewayHealth = { status: 'ok' } | { status: 'failed'; error: string };

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
  /** `failed` once orders cannot reach the engine (its command log failed; the events topic is not followed). */
  health(): GatewayHealth;
  /** The open order an account names by id or client order id. */
  locateOrder(accountId: number, ref: OrderRef): OrderLocation | undefined;
  readonly capabilities: GatewayCapabilities;
  /** Deposit or withdraw (when the engine has the commands). */
  transfer(
    kind: TransferKind,
    accountId: number,
    asset: string,
    amountMinor: bigint,
  ): Promise<{ seq: number; events: EngineEvent[] }>;
  /** Balances, positions and margin from the risk stage (when it exists). */
  accountView(accountId: number): unknown;
  /** The account's open futures and options positions (the risk stage's, or mirrored from PositionChanged events). */
  accountPositions(accountId: number): AccountPosition[];
  /** An instrument's mark and index prices (undefined where the deployment has no marks). */
  referencePrices(instrumentId: number): ReferencePrices | undefined;
  /**
   * Every settlement event (InstrumentSettled, LedgerTransfer of settlement and lease reasons,
   * LeaseStateChanged) the engine emitted so far, in seq order within each shard.
   */
  settlementHistory(): Promise<SettlementEvent[]>;
  readonly reads: ReadModels;
}

export const EXCHANGE_GATEWAY = Symbol('EXCHANGE_GATEWAY');
