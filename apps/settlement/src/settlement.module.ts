import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Database } from '@exchange/persistence';
import { healthController } from '@exchange/runtime';
import { PgIndexSource } from './adapters/index-sources';
import { ProviderAgents } from './agents/provider-agents';
import { DEMO_PROVIDER_WALLETS, type DemoProviderWallets } from './agents/stake-demo';
import { ChainSettlement } from './chain/chain-settlement';
import { ChainBridge } from './chain/chain-bridge';
import { SETTLEMENT_CONFIG, loadSettlementConfig, type SettlementConfig } from './config/settlement-config';
import { ChainInfoController, SettlementController } from './http/settlement.controller';
import { SETTLEMENT_CHAIN, type SettlementChain } from './ports/chain-port';
import {
  INDEX_SOURCE,
  SETTLEMENT_CLOCK,
  SETTLEMENT_ENGINE,
  systemSettlementClock,
  type IndexSource,
  type SettlementClock,
  type SettlementEngine,
} from './ports/ports';
import { SettlementScheduler } from './scheduler/settlement-scheduler';

export interface SettlementOptions {
  /** The engine in this process (embedded default). */
  engine: SettlementEngine;
  /** Where the oracle's index rounds are read: PostgreSQL's index_prices, or an IndexSource. */
  database?: Database;
  index?: IndexSource;
  config?: SettlementConfig;
  clock?: SettlementClock;
  /** The chain of cash settlement (required unless the config says CHAIN=off). */
  chain?: SettlementChain;
  /** The embedded chain's demo provider wallets (the redemption demo stakes from them). */
  demoWallets?: DemoProviderWallets;
}

/**
 * The settlement app: daily marks, expiry and final settlement, lease ticks and (embedded default)
 * simulated provider agents, all as sequenced commands to the engine; /v1/settlement shows it.
 * Without an engine (start:settlement on its own) it boots and answers /health only.
 */
/**
 * The engine belongs to its own app: this module reaches it through a delegate, so that Nest's
 * lifecycle hooks of this module (its shutdown, first) never run the engine's.
 */
function delegateTo(engine: SettlementEngine): SettlementEngine {
  return {
    get state() {
      return engine.state;
    },
    submit: (commands) => engine.submit(commands),
    onEvents: (listener) => engine.onEvents(listener),
    get eventLog() {
      return engine.eventLog;
    },
  };
}

@Module({ controllers: [healthController('settlement')] })
export class SettlementModule {
  static register(options: SettlementOptions): DynamicModule {
    const index = options.index ?? (options.database ? new PgIndexSource(options.database) : undefined);
    if (index === undefined)
      throw new Error('settlement needs an index source (a database or an IndexSource)');
    const providers: Provider[] = [
      { provide: SETTLEMENT_CONFIG, useValue: options.config ?? loadSettlementConfig() },
      { provide: SETTLEMENT_CLOCK, useValue: options.clock ?? systemSettlementClock },
      { provide: INDEX_SOURCE, useValue: index },
      { provide: SETTLEMENT_ENGINE, useValue: delegateTo(options.engine) },
      SettlementScheduler,
      ProviderAgents,
      ChainSettlement,
      ChainBridge,
    ];
    if (options.chain !== undefined) providers.push({ provide: SETTLEMENT_CHAIN, useValue: options.chain });
    if (options.demoWallets !== undefined) providers.push({ provide: DEMO_PROVIDER_WALLETS, useValue: options.demoWallets }); // prettier-ignore
    return { module: SettlementModule, controllers: [SettlementController], providers, exports: [SettlementScheduler, ProviderAgents, ChainSettlement, ChainBridge] }; // prettier-ignore
  }

  /**
   * start:settlement on its own (no engine in the process): /health, and /v1/settlement/chain
   * showing the chain it opened (or that it runs with CHAIN=off).
   */
  static standalone(chain: SettlementChain | undefined, signer: string | undefined): DynamicModule {
    return {
      module: SettlementModule,
      controllers: [ChainInfoController],
      providers: [{ provide: ChainInfoController.INFO, useValue: { chain, signer } }],
    };
  }
}
