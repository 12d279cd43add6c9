import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An account's order history (GET /v1/orders/history) and fills (GET /v1/fills) are read by
 * account, newest first, a page at a time. With no index that led with the account, each read
 * scanned the whole `orders` or `trades` table, so its time grew with the exchange's volume rather
 * than the account's: with a million other accounts' orders and trades, 235 ms for a history page
 * and 70 ms for fills.
 * - `orders` is keyed by (account_id, order_id) instead of order_id alone: the history reads the
 *   key backwards, and the projection, which knows each changed order's account from its event,
 *   finds the row by the same key. No index is added per order.
 * - A fill is a trade on either side: one index per side, which the read merges.
 */
export class AccountReadIndexes1795910400000 implements MigrationInterface {
  name = 'AccountReadIndexes1795910400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (account_id, order_id);
      CREATE INDEX trades_by_maker ON trades (maker_account_id, seq, trade_id);
      CREATE INDEX trades_by_taker ON trades (taker_account_id, seq, trade_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX trades_by_maker, trades_by_taker;
      ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (order_id);
    `);
  }
}
