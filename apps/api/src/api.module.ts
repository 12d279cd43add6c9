import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Database } from '@exchange/persistence';
import { healthController } from '@exchange/runtime';
import { ApiKeyStore } from './auth/api-key-store';
import { AUTHENTICATOR, AuthGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator';
import { API_CONFIG, loadApiConfig, type ApiConfig } from './config/api-config';
import { ErrorFilter } from './http/error.filter';
import { EXCHANGE_GATEWAY, type ExchangeGateway } from './ports/exchange-gateway';
import { API_KEY_STORE, AccountController } from './rest/account.controller';
import { ComputeController } from './rest/compute.controller';
import { PayoutAddressController } from './rest/payout-address.controller';
import { PAYOUT_ADDRESSES, type PayoutAddressRegistry } from './ports/payout-addresses';
import { DocsController } from './rest/docs.controller';
import { HealthController } from './rest/health.controller';
import { MarketController } from './rest/market.controller';
import { OrdersController } from './rest/orders.controller';
import { ComputeService } from './trading/compute.service';
import { InstrumentsService } from './trading/instruments.service';
import { ReadService } from './trading/read.service';
import { TradingService } from './trading/trading.service';
import { MarketHub } from './ws/market-hub';
import { WsServer } from './ws/ws-server';

export interface ApiOptions {
  /** The exchange behind the API (the embedded adapter over the engine in `npm start`). */
  gateway: ExchangeGateway;
  /** Accounts and API keys live here. */
  database: Database;
  /** Settings; read from the environment when absent. */
  config?: ApiConfig;
  /** The settlement app's payout addresses (absent: /v1/account/payout-address is NOT_AVAILABLE). */
  payoutAddresses?: PayoutAddressRegistry;
}

/**
 * The api app: REST (/v1), the WebSocket gateway (/ws), OpenAPI (/openapi.json, /docs), /health.
 * `healthOnly()` (`npm run start:api` without Kafka) only answers /health: there is no engine to reach.
 */
@Module({})
export class ApiModule {
  static healthOnly(): DynamicModule {
    return { module: ApiModule, controllers: [healthController('api')] };
  }

  static register(options: ApiOptions): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        HealthController,
        MarketController,
        OrdersController,
        AccountController,
        ComputeController,
        PayoutAddressController,
        DocsController,
      ],
      providers: [
        { provide: API_CONFIG, useFactory: () => options.config ?? loadApiConfig() },
        { provide: EXCHANGE_GATEWAY, useValue: options.gateway },
        ...(options.payoutAddresses
          ? [{ provide: PAYOUT_ADDRESSES, useValue: options.payoutAddresses }]
          : []),
        {
          provide: API_KEY_STORE,
          inject: [API_CONFIG],
          useFactory: (c: ApiConfig) => new ApiKeyStore(options.database.dataSource, c.masterKey),
        },
        {
          provide: AUTHENTICATOR,
          inject: [API_KEY_STORE, API_CONFIG],
          useFactory: (keys: ApiKeyStore, c: ApiConfig) => new Authenticator(keys, c),
        },
        InstrumentsService,
        TradingService,
        ComputeService,
        ReadService,
        MarketHub,
        WsServer,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
