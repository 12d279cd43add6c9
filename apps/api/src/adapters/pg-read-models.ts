import type { DataSource } from 'typeorm';
import type { OrderRow } from '@exchange/gateway';
import { storedOffset } from '@exchange/persistence';
import type {
  IndexRoundRow,
  LedgerRow,
  ProjectionProgress,
  ReadModels,
  TradeRow,
} from '../ports/exchange-gateway';

const ORDER_COLUMNS = `order_id, instrument_id, client_order_id, side, order_type, time_in_force, flags, price_ticks,
  stop_price_ticks, qty_lots, filled_lots, remaining_lots, status, accepted_seq, updated_seq`;

/**
 * How far the read models are, from the projections' stored offsets in PostgreSQL, polled (2 ms
 * doubling to 50 ms between reads): for an api whose projections run in another process.
 * `projectionOf` names the projection whose stored offset covers a seq: the embedded engine's one
 * stream ('engine-events'), or, distributed, the shard the seq belongs to.
 */
export class StoredOffsets implements ProjectionProgress {
  constructor(
    private readonly db: DataSource,
    private readonly projectionOf: (seq: number) => string = () => 'engine-events',
  ) {}

  async waitFor(seq: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const projection = this.projectionOf(seq);
    for (let delayMs = 2; ; delayMs = Math.min(delayMs * 2, 50)) {
      if ((await storedOffset(this.db, projection)) >= seq) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/**
 * The read models in PostgreSQL: orders, trades and positions (engine-events projection), ledger
 * balances. `progress` tells when they reflect a seq: the projection runner of the engine in this
 * process, or StoredOffsets.
 */
export class PgReadModels implements ReadModels {
  constructor(
    private readonly db: DataSource,
    private readonly progress: ProjectionProgress,
  ) {}

  waitFor(seq: number, timeoutMs: number): Promise<boolean> {
    return this.progress.waitFor(seq, timeoutMs);
  }

  openOrders(accountId: number, instrumentId?: number): Promise<OrderRow[]> {
    return this.db.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE account_id = $1 AND status IN ('open', 'untriggered')
         AND ($2::int IS NULL OR instrument_id = $2) ORDER BY order_id`,
      [accountId, instrumentId ?? null],
    );
  }

  orderHistory(
    accountId: number,
    q: { instrumentId?: number; limit: number; beforeOrderId?: number },
  ): Promise<OrderRow[]> {
    return this.db.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE account_id = $1 AND ($2::int IS NULL OR instrument_id = $2)
         AND ($3::bigint IS NULL OR order_id < $3) ORDER BY order_id DESC LIMIT $4`,
      [accountId, q.instrumentId ?? null, q.beforeOrderId ?? null, q.limit],
    );
  }

  async order(accountId: number, orderId: number): Promise<OrderRow | undefined> {
    const rows = (await this.db.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE account_id = $1 AND order_id = $2`,
      [accountId, orderId],
    )) as OrderRow[];
    return rows[0];
  }

  /**
   * The account's trades on either side, newest first: the newest page of each side from its own
   * index (trades_by_maker, trades_by_taker), merged. A trade with the account on both sides is
   * taken from the maker side only.
   */
  fills(accountId: number, q: { instrumentId?: number; limit: number }): Promise<TradeRow[]> {
    return this.db.query(
      `(SELECT * FROM trades WHERE maker_account_id = $1 AND ($2::int IS NULL OR instrument_id = $2)
          ORDER BY seq DESC, trade_id DESC LIMIT $3)
       UNION ALL
       (SELECT * FROM trades WHERE taker_account_id = $1 AND maker_account_id <> $1
          AND ($2::int IS NULL OR instrument_id = $2) ORDER BY seq DESC, trade_id DESC LIMIT $3)
       ORDER BY seq DESC, trade_id DESC LIMIT $3`,
      [accountId, q.instrumentId ?? null, q.limit],
    );
  }

  recentTrades(instrumentId: number, limit: number): Promise<TradeRow[]> {
    return this.db.query('SELECT * FROM trades WHERE instrument_id = $1 ORDER BY trade_id DESC LIMIT $2', [
      instrumentId,
      limit,
    ]);
  }

  positions(accountId: number): Promise<{ instrument_id: number; net_lots: string; updated_seq: string }[]> {
    return this.db.query(
      'SELECT instrument_id, net_lots, updated_seq FROM positions WHERE account_id = $1 AND net_lots <> 0 ORDER BY instrument_id',
      [accountId],
    );
  }

  balances(accountId: number): Promise<{ asset: string; balance_minor: string }[]> {
    return this.db.query(
      'SELECT asset, balance_minor::text AS balance_minor FROM ledger_balances WHERE account_id = $1 ORDER BY asset',
      [accountId],
    );
  }

  ledger(
    accountId: number,
    q: { asset?: string; kind?: string; limit: number; beforeEntryId?: number },
  ): Promise<LedgerRow[]> {
    return this.db.query(
      `SELECT entry_id::text, tx_id, asset, amount_minor::text, kind, seq::text FROM ledger_entries
         WHERE account_id = $1 AND ($2::text IS NULL OR asset = $2) AND ($3::text IS NULL OR kind = $3)
           AND ($4::bigint IS NULL OR entry_id < $4)
         ORDER BY entry_id DESC LIMIT $5`,
      [accountId, q.asset ?? null, q.kind ?? null, q.beforeEntryId ?? null, q.limit],
    );
  }

  latestIndexRounds(indexIds: readonly string[]): Promise<IndexRoundRow[]> {
    // one backward scan of the primary key per index
    return this.db.query(
      `SELECT r.index_id, r.published_at_ms::text AS published_at_ms, r.signature, r.round
         FROM unnest($1::text[]) AS i(id),
         LATERAL (SELECT index_id, published_at_ms, signature, round FROM index_prices
                   WHERE index_id = i.id AND round IS NOT NULL ORDER BY published_at_ms DESC LIMIT 1) r`,
      [indexIds],
    );
  }

  async indexRounds(indexId: string, fromMs: number, toMs: number, limit: number): Promise<IndexRoundRow[]> {
    const rows = (await this.db.query(
      `SELECT index_id, published_at_ms::text AS published_at_ms, signature, round FROM index_prices
        WHERE index_id = $1 AND round IS NOT NULL AND published_at_ms >= $2 AND published_at_ms < $3
        ORDER BY published_at_ms DESC LIMIT $4`,
      [indexId, fromMs, toMs, limit],
    )) as IndexRoundRow[];
    return rows.reverse();
  }
}
