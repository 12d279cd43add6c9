import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ledger_entries_by_account`: the API's account ledger (GET /v1/account/ledger) reads an account's
 * entries newest first, a page at a time; without it every page scans the whole table.
 */
export class LedgerByAccount1795824000000 implements MigrationInterface {
  name = 'LedgerByAccount1795824000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX IF NOT EXISTS ledger_entries_by_account ON ledger_entries (account_id, entry_id)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS ledger_entries_by_account');
  }
}
