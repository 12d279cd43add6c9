import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The oracle's provider registry, and the published round beside each index price. A provider signs
 * its reports with the key of `address` (the oracle recovers the signer, so no public key is kept);
 * its stake is exact minor units of USDC. `index_prices.round` holds the full signed round
 * (round id, band, utilisation, providers) that `price` and `signature` summarise.
 */
export class OracleProviders1795564800000 implements MigrationInterface {
  name = 'OracleProviders1795564800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE providers (
        provider_id text PRIMARY KEY,
        address text NOT NULL CHECK (address ~ '^0x[0-9a-f]{40}$'),
        stake_minor numeric(38, 0) NOT NULL CHECK (stake_minor >= 0),
        status text NOT NULL CHECK (status IN ('active', 'suspended')),
        registered_at_ms bigint NOT NULL,
        status_changed_at_ms bigint NOT NULL
      );
      ALTER TABLE index_prices ADD COLUMN round_id bigint, ADD COLUMN round jsonb;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE index_prices DROP COLUMN round, DROP COLUMN round_id;
      DROP TABLE providers;
    `);
  }
}
