import { Logger } from '@nestjs/common';
import { messageLogFromEnv } from '@exchange/messaging';
import { databaseOptionsFromEnv, openDatabase } from '@exchange/persistence';
import { runMain, startApp } from '@exchange/runtime';
import { loadOracleConfig } from './config/oracle-config';
import { OracleModule } from './oracle.module';

/**
 * The oracle as its own process: PostgreSQL (DATABASE_URL or embedded) for the registry and
 * index_prices, Kafka (KAFKA_BROKERS) or the in-process log under ORACLE_DATA_DIR. Simulated
 * providers are off unless ORACLE_SIMULATOR=on.
 */
runMain('oracle', async () => {
  const config = loadOracleConfig(process.env, { simulator: false });
  const logger = new Logger('Oracle');
  const database = await openDatabase(databaseOptionsFromEnv(process.env, (m) => logger.log(m)));
  try {
    const log = await messageLogFromEnv(process.env, config.dataDir, { clientId: 'oracle' });
    const app = await startApp(OracleModule.register({ database, log, config }), {
      name: 'oracle',
      port: config.httpPort,
    });
    return {
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
});
