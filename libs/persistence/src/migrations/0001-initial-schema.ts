import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OracleProviders1795564800000 } from './0002-oracle-providers';
import { EngineSnapshots1795651200000 } from './0003-engine-snapshots';
import { DropUnusedTradeIndex1795737600000 } from './0004-drop-unused-trade-index';
import { LedgerByAccount1795824000000 } from './0005-ledger-by-account';
import { AccountReadIndexes1795910400000 } from './0006-account-read-indexes';

/**
 * The first schema. Names follow the domain: instrument_id, account_id, order_id, price_ticks,
 * qty_lots, amount_minor. Integers the domain keeps exact are bigint or numeric(38,0), never float.
 */
export class InitialSchema1795478400000 implements MigrationInterface {
  name = 'InitialSchema1795478400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        account_id bigint PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE api_keys (
        key_id text PRIMARY KEY,
        account_id bigint NOT NULL REFERENCES accounts (account_id),
        secret_hash text NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE TABLE instruments (
        instrument_id integer PRIMARY KEY,
        symbol text NOT NULL UNIQUE,
        kind text NOT NULL,
        compute_class text NOT NULL,
        contract jsonb NOT NULL,
        terms jsonb,
        status smallint NOT NULL DEFAULT 0,
        listed_seq bigint
      );
      CREATE TABLE orders (
        order_id bigint PRIMARY KEY,
        instrument_id integer NOT NULL,
        account_id bigint NOT NULL,
        client_order_id text NOT NULL DEFAULT '',
        side smallint NOT NULL,
        order_type smallint NOT NULL,
        time_in_force smallint NOT NULL,
        flags smallint NOT NULL,
        price_ticks bigint NOT NULL,
        stop_price_ticks bigint NOT NULL,
        qty_lots bigint NOT NULL,
        filled_lots bigint NOT NULL,
        remaining_lots bigint NOT NULL,
        status text NOT NULL,
        accepted_seq bigint NOT NULL,
        updated_seq bigint NOT NULL
      );
      CREATE INDEX orders_open_by_account ON orders (account_id, instrument_id) WHERE status IN ('open', 'untriggered');
      CREATE TABLE trades (
        instrument_id integer NOT NULL,
        trade_id bigint NOT NULL,
        seq bigint NOT NULL,
        price_ticks bigint NOT NULL,
        qty_lots bigint NOT NULL,
        aggressor_side smallint NOT NULL,
        maker_order_id bigint NOT NULL,
        maker_account_id bigint NOT NULL,
        taker_order_id bigint NOT NULL,
        taker_account_id bigint NOT NULL,
        PRIMARY KEY (instrument_id, trade_id)
      );
      CREATE INDEX trades_by_seq ON trades (seq);
      CREATE TABLE positions (
        account_id bigint NOT NULL,
        instrument_id integer NOT NULL,
        net_lots bigint NOT NULL,
        updated_seq bigint NOT NULL,
        PRIMARY KEY (account_id, instrument_id)
      );
      CREATE TABLE ledger_entries (
        entry_id bigserial PRIMARY KEY,
        tx_id text NOT NULL,
        account_id bigint NOT NULL,
        asset text NOT NULL,
        amount_minor numeric(38, 0) NOT NULL,
        kind text NOT NULL,
        seq bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tx_id, account_id, asset)
      );
      CREATE TABLE ledger_balances (
        account_id bigint NOT NULL,
        asset text NOT NULL,
        balance_minor numeric(38, 0) NOT NULL,
        PRIMARY KEY (account_id, asset)
      );
      CREATE TABLE index_prices (
        index_id text NOT NULL,
        published_at_ms bigint NOT NULL,
        price text NOT NULL,
        status text NOT NULL,
        signature text,
        PRIMARY KEY (index_id, published_at_ms)
      );
      CREATE TABLE settlements (
        settlement_id text PRIMARY KEY,
        instrument_id integer NOT NULL,
        kind text NOT NULL,
        settlement_date text,
        price_ticks bigint,
        status text NOT NULL,
        seq bigint,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE leases (
        lease_id text PRIMARY KEY,
        instrument_id integer,
        provider_id text NOT NULL,
        cluster_id text NOT NULL,
        lessee_account_id bigint NOT NULL,
        compute_class text NOT NULL,
        gpu_hours bigint NOT NULL,
        delivery_start_ms bigint NOT NULL,
        delivery_end_ms bigint NOT NULL,
        price_ticks bigint NOT NULL,
        status text NOT NULL,
        reason text,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE projection_offsets (
        projection text PRIMARY KEY,
        last_seq bigint NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE projection_offsets, leases, settlements, index_prices, ledger_balances, ledger_entries,
        positions, trades, orders, instruments, api_keys, accounts;
    `);
  }
}

/** Every migration, oldest first. */
export const MIGRATIONS = [
  InitialSchema1795478400000,
  OracleProviders1795564800000,
  EngineSnapshots1795651200000,
  DropUnusedTradeIndex1795737600000,
  LedgerByAccount1795824000000,
  AccountReadIndexes1795910400000,
];
