import { Logger } from '@nestjs/common';
import { databaseOptionsFromEnv, openDatabase } from '@exchange/persistence';
import { runMain, startApp } from '@exchange/runtime';
import { loadEngineConfig } from './config/engine-config';
import { MatchingEngineModule } from './matching-engine.module';

/** The matching engine as its own process: its journals, and PostgreSQL (DATABASE_URL or embedded) for read models. */
runMain('matching-engine', async () => {
  const config = loadEngineConfig();
  const log = new Logger('Database');
  const database = await openDatabase(databaseOptionsFromEnv(process.env, (m) => log.log(m)));
  const app = await startApp(MatchingEngineModule.register({ database }), {
    name: 'matching-engine',
    port: config.httpPort,
  });
  return {
    close: async () => {
      await app.close();
      await database.close();
    },
  };
});
