import 'reflect-metadata';
import { ConsoleLogger, Logger, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Database } from '@exchange/persistence';
import { EmbeddedExchangeGateway, type EmbeddedEngine } from './adapters/embedded-gateway.adapter';
import { PgReadModels, StoredOffsets } from './adapters/pg-read-models';
import { ApiModule } from './api.module';
import { loadApiConfig, type ApiConfig } from './config/api-config';
import { sendFrameworkError, type Reply } from './http/error.filter';
import { useRawBodyParser } from './http/raw-body';
import type { ExchangeGateway, ProjectionProgress } from './ports/exchange-gateway';
import type { PayoutAddressRegistry } from './ports/payout-addresses';

export interface StartApiOptions {
  /** The engine in this process (EngineService from the matching-engine app)... */
  engine?: EmbeddedEngine;
  /** ...or a gateway to it elsewhere (the distributed engine on Kafka). */
  gateway?: ExchangeGateway;
  database: Database;
  /**
   * With `engine`: its projection runner (ProjectionRunner), which tells reads when the read models
   * reach a seq and starts the next transaction for them. Without it, the stored offset in
   * PostgreSQL is polled (a projection elsewhere, or none).
   */
  projection?: ProjectionProgress;
  port: number;
  host?: string;
  config?: ApiConfig;
  logger?: LoggerService | false;
  /** The settlement app's payout addresses, when it runs with a chain in this process. */
  payoutAddresses?: PayoutAddressRegistry;
}

/**
 * Starts the api app over the engine in the same process, on Fastify. Nest's body parsers are off
 * and Fastify's are replaced: the API reads bodies itself (the signature covers the exact bytes; body
 * errors get the API's codes). Answers are live state: no ETag, no framework banner (Fastify adds
 * neither).
 */
export async function startApi(options: StartApiOptions): Promise<INestApplication> {
  const config = options.config ?? loadApiConfig();
  const gateway =
    options.gateway ??
    new EmbeddedExchangeGateway(
      options.engine!,
      new PgReadModels(
        options.database.dataSource,
        options.projection ?? new StoredOffsets(options.database.dataSource),
      ),
    );
  const adapter = new FastifyAdapter({
    // "/v1/orders/" is "/v1/orders"; a client order id (64 characters) fits
    // a path parameter even when every character is percent-encoded
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    // what the router refuses before any handler (a malformed URL, an over-long path parameter)
    frameworkErrors: (error: { statusCode?: number; message: string }, _request: unknown, reply: unknown) =>
      sendFrameworkError(reply as Reply, error.statusCode ?? 400, error.message),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.register({
      gateway,
      database: options.database,
      config,
      payoutAddresses: options.payoutAddresses,
    }),
    adapter,
    { bodyParser: false, logger: options.logger ?? new ConsoleLogger({ json: true, colors: false }) },
  );
  useRawBodyParser(app, config.maxBodyBytes);
  await app.listen(options.port, options.host ?? '127.0.0.1');
  new Logger('Bootstrap').log({ msg: 'api ready', url: await app.getUrl() });
  return app;
}
