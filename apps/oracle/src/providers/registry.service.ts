import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { ProviderRegistry } from '@exchange/oracle';
import type { Database } from '@exchange/persistence';
import type { ProviderStatus } from '@exchange/oracle';
import { OracleHttpError } from '../http/oracle-error';
import { CLOCK, type Clock } from '../ports/clock';
import { DATABASE } from '../ports/tokens';
import type { ProviderRegistration } from './provider-body';
import { ProviderStore, type ProviderRow } from './provider-store';

/**
 * The provider registry: PostgreSQL's `providers` table is the record, the core's ProviderRegistry
 * (loaded at start, updated with every change) is what ingestion checks against.
 */
@Injectable()
export class RegistryService {
  readonly registry = new ProviderRegistry();
  private readonly store: ProviderStore;
  private readonly logger = new Logger('OracleRegistry');

  constructor(
    @Inject(DATABASE) database: Database,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.store = new ProviderStore(database.dataSource);
  }

  async load(): Promise<void> {
    const rows = await this.store.all();
    for (const row of rows) this.registry.register(toRecord(row));
    this.logger.log({ msg: 'providers loaded', providers: rows.length });
  }

  list(): Promise<ProviderRow[]> {
    return this.store.all();
  }

  /**
   * Registers a provider; idempotent by provider id: the same details again answer the stored row
   * (created false); other details under a registered id are PROVIDER_CONFLICT and change nothing.
   */
  async register(p: ProviderRegistration): Promise<{ created: boolean; provider: ProviderRow }> {
    const { created, row } = await this.store.insertIfAbsent({
      ...p,
      registeredAtMs: this.clock.nowMs(),
      statusChangedAtMs: 0,
    });
    if (!created && (row.address !== p.address || row.stakeMinor !== p.stakeMinor || row.status !== p.status))
      throw new OracleHttpError(
        HttpStatus.CONFLICT,
        'PROVIDER_CONFLICT',
        `provider ${p.providerId} is registered with other details`,
      );
    if (created) {
      this.registry.register(toRecord(row));
      this.logger.log({ msg: 'provider registered', providerId: row.providerId, address: row.address });
    }
    return { created, provider: row };
  }

  async setStatus(providerId: string, status: ProviderStatus): Promise<ProviderRow> {
    const row = await this.store.setStatus(providerId, status, this.clock.nowMs());
    if (row === undefined)
      throw new OracleHttpError(HttpStatus.NOT_FOUND, 'UNKNOWN_PROVIDER', `no provider ${providerId}`);
    this.registry.setStatus(providerId, status);
    this.logger.log({ msg: 'provider status changed', providerId, status });
    return row;
  }
}

const toRecord = (row: ProviderRow) => ({
  providerId: row.providerId,
  address: row.address,
  stakeMicros: row.stakeMinor,
  status: row.status,
});

/** A provider row as JSON (stake as a decimal string of minor units). */
export const providerView = (row: ProviderRow) => ({
  providerId: row.providerId,
  address: row.address,
  stakeMinor: row.stakeMinor.toString(),
  status: row.status,
  registeredAtMs: row.registeredAtMs,
  statusChangedAtMs: row.statusChangedAtMs,
});
