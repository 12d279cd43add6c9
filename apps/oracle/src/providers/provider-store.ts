import type { DataSource } from 'typeorm';
import type { ProviderStatus } from '@exchange/oracle';

/** A provider as the `providers` table holds it. */
export interface ProviderRow {
  providerId: string;
  address: string;
  stakeMinor: bigint;
  status: ProviderStatus;
  registeredAtMs: number;
  statusChangedAtMs: number;
}

interface Raw {
  provider_id: string;
  address: string;
  stake_minor: string;
  status: ProviderStatus;
  registered_at_ms: string;
  status_changed_at_ms: string;
}

const COLUMNS =
  'provider_id, address, stake_minor::text AS stake_minor, status, registered_at_ms, status_changed_at_ms';

const toRow = (r: Raw): ProviderRow => ({
  providerId: r.provider_id,
  address: r.address,
  stakeMinor: BigInt(r.stake_minor),
  status: r.status,
  registeredAtMs: Number(r.registered_at_ms),
  statusChangedAtMs: Number(r.status_changed_at_ms),
});

/** The provider registry's table in PostgreSQL (migration OracleProviders1795564800000). */
export class ProviderStore {
  constructor(private readonly db: DataSource) {}

  async all(): Promise<ProviderRow[]> {
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM providers ORDER BY registered_at_ms, provider_id`,
    )) as Raw[];
    return rows.map(toRow);
  }

  async get(providerId: string): Promise<ProviderRow | undefined> {
    const rows = (await this.db.query(`SELECT ${COLUMNS} FROM providers WHERE provider_id = $1`, [
      providerId,
    ])) as Raw[];
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  /** Inserts the provider unless its id exists; returns the stored row and whether it was created. */
  async insertIfAbsent(row: ProviderRow): Promise<{ created: boolean; row: ProviderRow }> {
    const inserted = (await this.db.query(
      `INSERT INTO providers (provider_id, address, stake_minor, status, registered_at_ms, status_changed_at_ms)
       VALUES ($1, $2, $3::numeric, $4, $5, $5)
       ON CONFLICT (provider_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [row.providerId, row.address, row.stakeMinor.toString(), row.status, row.registeredAtMs],
    )) as Raw[];
    if (inserted[0] !== undefined) return { created: true, row: toRow(inserted[0]) };
    return { created: false, row: (await this.get(row.providerId))! };
  }

  async setStatus(
    providerId: string,
    status: ProviderStatus,
    atMs: number,
  ): Promise<ProviderRow | undefined> {
    const rows = (await this.db.query(
      `UPDATE providers SET status = $2, status_changed_at_ms = $3 WHERE provider_id = $1 RETURNING ${COLUMNS}`,
      [providerId, status, atMs],
    )) as [Raw[], number] | Raw[];
    // TypeORM answers UPDATE ... RETURNING with [rows, count] on PostgreSQL
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Raw[];
    return list[0] === undefined ? undefined : toRow(list[0]);
  }
}
