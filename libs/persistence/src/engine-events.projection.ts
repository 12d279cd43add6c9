import { EventType, OrderType, Side, TransferReasonName, type EngineEvent } from '@exchange/domain';
import type { DataSource, QueryRunner } from 'typeorm';
import { copyColumns, type PgClient } from './pg-copy';

/** An order row as this projection writes it. */
interface OrderRow {
  orderId: number;
  instrumentId: number;
  accountId: number;
  clientOrderId: string;
  side: number;
  orderType: number;
  timeInForce: number;
  flags: number;
  priceTicks: number;
  stopPriceTicks: number;
  qtyLots: number;
  filledLots: number;
  remainingLots: number;
  status: string;
  acceptedSeq: number;
  updatedSeq: number;
}

/** Changes to an order that was written by an earlier batch. */
interface OrderChange {
  orderId: number;
  accountId: number;
  filledDelta: number;
  remainingLots: number | null;
  status: string | null;
  priceTicks: number | null;
  stopPriceTicks: number | null;
  updatedSeq: number;
}

/** The last command seq a projection has applied, from its stored offset (0 before its first batch). */
export async function storedOffset(dataSource: DataSource, projection: string): Promise<number> {
  const rows = (await dataSource.query('SELECT last_seq FROM projection_offsets WHERE projection = $1', [
    projection,
  ])) as { last_seq: string }[];
  return rows.length === 0 ? 0 : Number(rows[0]!.last_seq);
}

export interface ProjectionResult {
  /** Events applied (those at or below the stored offset were skipped as already applied). */
  applied: number;
  skipped: number;
  rows: number;
}

/**
 * Projects the engine's events into PostgreSQL read models: orders, trades and positions. A batch
 * is one transaction that also moves the projection's stored offset (the last command seq applied),
 * so a batch delivered twice, or replayed after a crash, changes nothing the second time. New rows
 * are loaded with COPY, changes with one multi-row statement per table (unnest of arrays): never a
 * round trip per row.
 */
export class EngineEventsProjection {
  static readonly NAME = 'engine-events';

  /**
   * `name` keys the stored offset: one per stream of seqs (the embedded engine, or one shard).
   * `synchronousCommit: false` lets PostgreSQL acknowledge a batch before its WAL is flushed: a crash
   * may then lose the last few batches (rows and offset together, never one without the other). Only
   * for a reader that replays from the stored offset when it starts (the embedded engine's runner
   * re-reads its event log from there); a reader whose log position is committed elsewhere (a Kafka
   * consumer group) must keep the default.
   */
  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string = EngineEventsProjection.NAME,
    private readonly options: { synchronousCommit: boolean } = { synchronousCommit: true },
  ) {}

  lastSeq(): Promise<number> {
    return storedOffset(this.dataSource, this.name);
  }

  /**
   * Applies the events of commands up to `lastSeq` (events of commands already applied are skipped).
   * The transaction's fixed statements travel together: its start, settings and the locked read of
   * the stored offset in one round trip, the offset's update and the commit in another (PostgreSQL's
   * simple query protocol runs a string of statements in order; the projection's name and the seq
   * are written into them as literals).
   */
  async apply(events: readonly EngineEvent[], lastSeq: number): Promise<ProjectionResult> {
    if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) throw new RangeError(`bad last seq ${lastSeq}`);
    const q = this.dataSource.createQueryRunner() as QueryRunner & PgQueryRunner;
    const client = (await q.connect()) as PgClient;
    const name = client.escapeLiteral(this.name);
    let broken: Error | undefined;
    try {
      const started = await client.query(
        `BEGIN;
         ${this.options.synchronousCommit ? '' : 'SET LOCAL synchronous_commit TO OFF;'}
         ${ORDER_UPDATE_SETTINGS}
         INSERT INTO projection_offsets (projection, last_seq) VALUES (${name}, 0) ON CONFLICT DO NOTHING;
         SELECT last_seq FROM projection_offsets WHERE projection = ${name} FOR UPDATE`,
      );
      const stored = (started as { rows: { last_seq: string }[] }[]).at(-1)!.rows;
      const from = Number(stored[0]!.last_seq);
      const fresh = events.filter((e) => e.seq > from);
      const rows = fresh.length > 0 ? await this.write(q, fresh) : 0;
      await client.query(
        lastSeq > from
          ? `UPDATE projection_offsets SET last_seq = ${lastSeq} WHERE projection = ${name}; COMMIT`
          : 'COMMIT',
      );
      return { applied: fresh.length, skipped: events.length - fresh.length, rows };
    } catch (err) {
      // after a failed statement the transaction is still open, aborted; after a failed COMMIT it
      // is over and ROLLBACK only warns. A connection that cannot even roll back leaves the pool.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      await q.releasePostgresConnection(broken);
    }
  }

  private async write(q: QueryRunner, events: readonly EngineEvent[]): Promise<number> {
    const fresh = new Map<number, OrderRow>();
    const changes = new Map<number, OrderChange>();
    const trades: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
    const positions = new Map<
      string,
      { accountId: number; instrumentId: number; net: number; seq: number }
    >();
    const change = (orderId: number, accountId: number, seq: number): OrderRow | OrderChange => {
      const row = fresh.get(orderId);
      if (row !== undefined) {
        row.updatedSeq = seq;
        return row;
      }
      let c = changes.get(orderId);
      if (c === undefined) {
        c = {
          orderId,
          accountId,
          filledDelta: 0,
          remainingLots: null,
          status: null,
          priceTicks: null,
          stopPriceTicks: null,
          updatedSeq: seq,
        };
        changes.set(orderId, c);
      }
      c.updatedSeq = seq;
      return c;
    };
    const fill = (orderId: number, accountId: number, qty: number, remaining: number, seq: number) => {
      const o = change(orderId, accountId, seq);
      if ('filledLots' in o) o.filledLots += qty;
      else o.filledDelta += qty;
      o.remainingLots = remaining;
      if (remaining === 0) o.status = 'filled';
    };
    const move = (accountId: number, instrumentId: number, lots: number, seq: number) => {
      const key = `${accountId}:${instrumentId}`;
      const p = positions.get(key) ?? { accountId, instrumentId, net: 0, seq };
      p.net += lots;
      p.seq = seq;
      positions.set(key, p);
    };
    const ledger: unknown[][] = [[], [], [], [], [], []];
    const balances = new Map<string, { accountId: number; asset: string; delta: bigint }>();
    let transferSeq = 0;
    let transferIndex = 0;
    const book = (
      txId: string,
      accountId: number,
      asset: string,
      amount: bigint,
      kind: string,
      seq: number,
    ) => {
      [txId, accountId, asset, amount.toString(), kind, seq].forEach((v, i) => ledger[i]!.push(v));
      const key = `${accountId}:${asset}`;
      const b = balances.get(key) ?? { accountId, asset, delta: 0n };
      b.delta += amount;
      balances.set(key, b);
    };
    for (const e of events) {
      switch (e.type) {
        case EventType.LedgerTransfer: {
          transferIndex = e.seq === transferSeq ? transferIndex + 1 : 0;
          transferSeq = e.seq;
          const txId = `${e.seq}:${transferIndex}`;
          const kind = TransferReasonName[e.reason];
          book(txId, e.debitAccountId, e.asset, -e.amountMinor, kind, e.seq);
          book(txId, e.creditAccountId, e.asset, e.amountMinor, kind, e.seq);
          break;
        }
        case EventType.OrderAccepted:
          fresh.set(e.orderId, {
            orderId: e.orderId, instrumentId: e.instrumentId, accountId: e.accountId, clientOrderId: e.clientOrderId,
            side: e.side, orderType: e.orderType, timeInForce: e.timeInForce, flags: e.flags, priceTicks: e.priceTicks,
            stopPriceTicks: e.stopPriceTicks, qtyLots: e.qtyLots, filledLots: 0, remainingLots: e.qtyLots,
            status: e.orderType === OrderType.StopLimit || e.orderType === OrderType.StopMarket ? 'untriggered' : 'open',
            acceptedSeq: e.seq, updatedSeq: e.seq,
          }); // prettier-ignore
          break;
        case EventType.Trade: {
          const row = [
            e.instrumentId,
            e.tradeId,
            e.seq,
            e.priceTicks,
            e.qtyLots,
            e.aggressorSide,
            e.makerOrderId,
            e.makerAccountId,
            e.takerOrderId,
            e.takerAccountId,
          ];
          row.forEach((v, i) => trades[i]!.push(v));
          fill(e.makerOrderId, e.makerAccountId, e.qtyLots, e.makerRemainingLots, e.seq);
          fill(e.takerOrderId, e.takerAccountId, e.qtyLots, e.takerRemainingLots, e.seq);
          const takerLots = e.aggressorSide === Side.Buy ? e.qtyLots : -e.qtyLots;
          move(e.takerAccountId, e.instrumentId, takerLots, e.seq);
          move(e.makerAccountId, e.instrumentId, -takerLots, e.seq);
          break;
        }
        case EventType.OrderCancelled: {
          const o = change(e.orderId, e.accountId, e.seq);
          o.remainingLots = e.remainingLots;
          if (e.remainingLots === 0) o.status = 'cancelled';
          break;
        }
        case EventType.OrderExpired: {
          const o = change(e.orderId, e.accountId, e.seq);
          o.remainingLots = 0;
          o.status = 'expired';
          break;
        }
        case EventType.OrderAmended: {
          const o = change(e.orderId, e.accountId, e.seq);
          o.priceTicks = e.priceTicks;
          o.remainingLots = e.remainingLots;
          o.stopPriceTicks = e.stopPriceTicks;
          break;
        }
        case EventType.OrderTriggered:
          change(e.orderId, e.accountId, e.seq).status = 'open';
          break;
        default:
          break;
      }
    }
    return (
      (await insertOrders(q, [...fresh.values()])) +
      (await updateOrders(q, [...changes.values()])) +
      (await insertTrades(q, trades)) +
      (await upsertPositions(q, [...positions.values()])) +
      (await insertLedgerEntries(q, ledger)) +
      (await upsertBalances(q, [...balances.values()]))
    );
  }
}

function columns<T>(rows: readonly T[], pick: ((r: T) => unknown)[]): unknown[][] {
  return pick.map((f) => rows.map(f));
}

/** New orders by COPY (an order id is the seq of the command that placed it: written once). */
async function insertOrders(q: QueryRunner, rows: OrderRow[]): Promise<number> {
  return copyColumns(q, 'orders', ORDER_COLUMNS, columns(rows, [
    (r) => r.orderId, (r) => r.instrumentId, (r) => r.accountId, (r) => r.clientOrderId, (r) => r.side, (r) => r.orderType,
    (r) => r.timeInForce, (r) => r.flags, (r) => r.priceTicks, (r) => r.stopPriceTicks, (r) => r.qtyLots, (r) => r.filledLots,
    (r) => r.remainingLots, (r) => r.status, (r) => r.acceptedSeq, (r) => r.updatedSeq,
  ])); // prettier-ignore
}

const ORDER_COLUMNS = [
  'order_id', 'instrument_id', 'account_id', 'client_order_id', 'side', 'order_type', 'time_in_force', 'flags',
  'price_ticks', 'stop_price_ticks', 'qty_lots', 'filled_lots', 'remaining_lots', 'status', 'accepted_seq', 'updated_seq',
]; // prettier-ignore

/**
 * For the batch update of earlier orders, set at the start of every projection transaction: each
 * changed order by its primary key. Left to itself, the planner may hash the whole table instead, one
 * sequential scan of every order ever written per transaction. No other statement of the
 * transaction joins.
 */
const ORDER_UPDATE_SETTINGS = 'SET LOCAL enable_hashjoin TO off; SET LOCAL enable_mergejoin TO off;';

/** TypeORM's PostgreSQL query runner: a release that keeps a broken connection out of the pool. */
interface PgQueryRunner {
  releasePostgresConnection(err?: Error): Promise<void>;
}

async function updateOrders(q: QueryRunner, rows: OrderChange[]): Promise<number> {
  if (rows.length === 0) return 0;
  await q.query(
    `UPDATE orders o SET
       filled_lots = o.filled_lots + u.filled_delta,
       remaining_lots = COALESCE(u.remaining_lots, o.remaining_lots),
       status = COALESCE(u.status, o.status),
       price_ticks = COALESCE(u.price_ticks, o.price_ticks),
       stop_price_ticks = COALESCE(u.stop_price_ticks, o.stop_price_ticks),
       updated_seq = u.updated_seq
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[])
       AS u (account_id, order_id, filled_delta, remaining_lots, status, price_ticks, stop_price_ticks, updated_seq)
     WHERE o.account_id = u.account_id AND o.order_id = u.order_id`,
    columns(rows, [
      (r) => r.accountId, (r) => r.orderId, (r) => r.filledDelta, (r) => r.remainingLots, (r) => r.status, (r) => r.priceTicks,
      (r) => r.stopPriceTicks, (r) => r.updatedSeq,
    ]), // prettier-ignore
  );
  return rows.length;
}

/**
 * Trades by COPY: a trade is only ever written by the batch that holds its event (the stored offset,
 * read FOR UPDATE in the same transaction, skips events already applied), so plain loading suffices.
 */
async function insertTrades(q: QueryRunner, cols: unknown[][]): Promise<number> {
  return copyColumns(q, 'trades', TRADE_COLUMNS, cols);
}

const TRADE_COLUMNS = [
  'instrument_id', 'trade_id', 'seq', 'price_ticks', 'qty_lots', 'aggressor_side', 'maker_order_id',
  'maker_account_id', 'taker_order_id', 'taker_account_id',
]; // prettier-ignore

async function upsertPositions(
  q: QueryRunner,
  rows: { accountId: number; instrumentId: number; net: number; seq: number }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  await q.query(
    `INSERT INTO positions (account_id, instrument_id, net_lots, updated_seq)
     SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[])
     ON CONFLICT (account_id, instrument_id) DO UPDATE
       SET net_lots = positions.net_lots + EXCLUDED.net_lots, updated_seq = EXCLUDED.updated_seq`,
    columns(rows, [(r) => r.accountId, (r) => r.instrumentId, (r) => r.net, (r) => r.seq]),
  );
  return rows.length;
}

/** Two rows per transfer (debit negative, credit positive) under one tx id: `<seq>:<index in seq>`. */
async function insertLedgerEntries(q: QueryRunner, cols: unknown[][]): Promise<number> {
  if (cols[0]!.length === 0) return 0;
  await q.query(
    `INSERT INTO ledger_entries (tx_id, account_id, asset, amount_minor, kind, seq)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::numeric[], $5::text[], $6::bigint[])
     ON CONFLICT (tx_id, account_id, asset) DO NOTHING`,
    cols,
  );
  return cols[0]!.length;
}

async function upsertBalances(
  q: QueryRunner,
  rows: { accountId: number; asset: string; delta: bigint }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  await q.query(
    `INSERT INTO ledger_balances (account_id, asset, balance_minor)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::numeric[])
     ON CONFLICT (account_id, asset) DO UPDATE
       SET balance_minor = ledger_balances.balance_minor + EXCLUDED.balance_minor`,
    columns(rows, [(r) => r.accountId, (r) => r.asset, (r) => r.delta.toString()]),
  );
  return rows.length;
}
