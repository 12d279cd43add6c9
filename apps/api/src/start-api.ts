import 'reflect-metadata';
import { ConsoleLogger, Logger, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Database } from '@exchange/persistence';
import { EmbeddedExchangeGateway, type EmbeddedEngine } from './adapters/embedded-gateway.adapter';
import { PgReadModels } from './adapters/pg-read-models';
import { ApiModule } from './api.module';
import { loadApiConfig, type ApiConfig } from './config/api-config';
import { rawBodyMiddleware } from './http/raw-body';
import type { ExchangeGateway } from './ports/exchange-gateway';

export interface StartApiOptions {
  /** The engine in this process (EngineService from the matching-engine app)... */
  engine?: EmbeddedEngine;
  /** ...or a gateway to it elsewhere (the distributed engine on Kafka). */
  gateway?: ExchangeGateway;
  database: Database;
  port: number;
  host?: string;
  config?: ApiConfig;
  logger?: LoggerService | false;
}

/**
 * Starts the api app over the engine in the same process. Nest's body parsers are off: the API reads
 * bodies itself (the signature covers the exact bytes; body errors get the API's codes).
 */
export async function startApi(options: StartApiOptions): Promise<INestApplication> {
  const config = options.config ?? loadApiConfig();
  const gateway =
    options.gateway ??
    new EmbeddedExchangeGateway(options.engine!, new PgReadModels(options.database.dataSource));
  const app = await NestFactory.create(ApiModule.register({ gateway, database: options.database, config }), {
    bodyParser: false,
    logger: options.logger ?? new ConsoleLogger({ json: true, colors: false }),
  });
  // answers are live state, never cached: no ETag hashing of every body, no framework banner
  const express = app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void };
  express.set('etag', false);
  express.set('x-powered-by', false);
  app.use(rawBodyMiddleware(config.maxBodyBytes));
  await app.listen(options.port, options.host ?? '127.0.0.1');
  new Logger('Bootstrap').log({ msg: 'api ready', url: await app.getUrl() });
  return app;
}
