import { Logger } from '@nestjs/common';
import { messageLogFromEnv } from '@exchange/messaging';
import { databaseOptionsFromEnv, openDatabase } from '@exchange/persistence';
import { runMain, startApp } from '@exchange/runtime';
import { loadEngineConfig } from './config/engine-config';
import { DistributedEngineModule } from './distributed/distributed-engine.module';
import { MatchingEngineModule } from './matching-engine.module';

/**
 * The matching engine as its own process. With KAFKA_BROKERS set it is one member of the engine
 * group on Kafka: it takes its share of the orders topic's partitions (shards), with snapshots and
 * read models in PostgreSQL (DATABASE_URL, or the embedded one). Without it, the embedded engine:
 * its own journals, and PostgreSQL for read models.
 */
runMain('matching-engine', async () => {
  const config = loadEngineConfig();
  const log = new Logger('MatchingEngine');
  const database = await openDatabase(databaseOptionsFromEnv(process.env, (m) => log.log(m)));
  const distributed = Boolean(process.env.KAFKA_BROKERS?.trim());
  const messages = distributed
    ? await messageLogFromEnv(process.env, config.dataDir, { clientId: 'matching-engine' })
    : undefined;
  const module =
    messages === undefined
      ? MatchingEngineModule.register({ database })
      : DistributedEngineModule.register({
          log: messages,
          database,
          projection: config.projection,
          config: {
            partitions: config.orderPartitions,
            groupId: 'matching-engine',
            snapshotEvery: config.snapshotEvery,
            topicPrefix: config.topicPrefix,
          },
        });
  log.log({ msg: 'mode', distributed, partitions: distributed ? config.orderPartitions : undefined });
  const app = await startApp(module, { name: 'matching-engine', port: config.httpPort });
  return {
    close: async () => {
      await app.close();
      await messages?.close();
      await database.close();
    },
  };
});
