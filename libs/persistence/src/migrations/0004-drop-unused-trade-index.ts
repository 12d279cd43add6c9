import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops `trades_by_seq`: no query reads trades by seq (the projection dedupes by its stored offset,
 * the API reads trades by instrument and trade id, which the primary key serves), and every trade
 * row paid for maintaining it.
 */
export class DropUnusedTradeIndex1795737600000 implements MigrationInterface {
  name = 'DropUnusedTradeIndex1795737600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS trades_by_seq');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX trades_by_seq ON trades (seq)');
  }
}
