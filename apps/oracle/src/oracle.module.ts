import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { MessageLog } from '@exchange/messaging';
import type { Database } from '@exchange/persistence';
import { healthController } from '@exchange/runtime';
import { ORACLE_CONFIG, loadOracleConfig, type OracleConfig } from './config/oracle-config';
import { IngestionService } from './feeds/ingestion.service';
import { OracleCodecs } from './feeds/oracle-codecs';
import { ReportsController } from './feeds/reports.controller';
import { ErrorBodyFilter } from './http/error-body.filter';
import { IndexState } from './index/index-state';
import { OracleLifecycle } from './oracle-lifecycle';
import { CLOCK, systemClock, type Clock } from './ports/clock';
import { DATABASE, MESSAGE_LOG } from './ports/tokens';
import { ProvidersController } from './providers/providers.controller';
import { RegistryService } from './providers/registry.service';
import { IndicesController } from './publication/indices.controller';
import { PublicationService } from './publication/publication.service';
import { SimulatorRunner } from './simulator/simulator-runner';

export interface OracleModuleOptions {
  /** PostgreSQL: the provider registry and index_prices. */
  database: Database;
  /** The log of TOPICS.oracleReports and TOPICS.prices; the module closes it when the app closes. */
  log: MessageLog;
  /** Settings; read from the environment (standalone defaults) when absent. */
  config?: OracleConfig;
  clock?: Clock;
}

/**
 * The oracle app: signed provider feeds in over REST, the index from the oracle log, signed rounds
 * out to TOPICS.prices and index_prices, the provider registry in PostgreSQL, simulated providers
 * when enabled. The maths is @exchange/oracle's; this module wires it to its adapters.
 */
@Module({})
export class OracleModule {
  static register(options: OracleModuleOptions): DynamicModule {
    return {
      module: OracleModule,
      controllers: [healthController('oracle'), ReportsController, ProvidersController, IndicesController],
      providers: [
        { provide: ORACLE_CONFIG, useValue: options.config ?? loadOracleConfig() },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: DATABASE, useValue: options.database },
        { provide: MESSAGE_LOG, useValue: options.log },
        { provide: APP_FILTER, useClass: ErrorBodyFilter },
        OracleCodecs,
        RegistryService,
        IndexState,
        IngestionService,
        PublicationService,
        SimulatorRunner,
        OracleLifecycle,
      ],
    };
  }
}
