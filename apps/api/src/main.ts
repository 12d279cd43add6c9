import { Logger } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { messageLogFromEnv } from '@exchange/messaging';
import { databaseOptionsFromEnv, openDatabase } from '@exchange/persistence';
import { portFromEnv, runMain, startApp } from '@exchange/runtime';
import { KafkaExchangeGateway } from './adapters/kafka-gateway.adapter';
import { PgReadModels, StoredOffsets } from './adapters/pg-read-models';
import { ApiModule } from './api.module';
import { loadApiConfig, loadDistributedApiConfig } from './config/api-config';
import { startApi } from './start-api';

/**
 * The api as its own process. With KAFKA_BROKERS set it is the front door of the distributed
 * engine: commands go to the orders topic, events and books come from the events topic, read models
 * from PostgreSQL (DATABASE_URL, or the embedded one); at start it lists the catalogue's missing
 * instruments. Without Kafka there is no engine to reach from here, and it only answers /health.
 */
runMain('api', async () => {
  const port = portFromEnv('API_HTTP_PORT', 3000);
  if (!process.env.KAFKA_BROKERS?.trim())
    return startApp(ApiModule.healthOnly(), { name: 'api', port, adapter: new FastifyAdapter() });
  const distributed = loadDistributedApiConfig(); // ORDER_PARTITIONS and KAFKA_TOPIC_PREFIX as the engine's
  const config = loadApiConfig();
  const log = new Logger('Api');
  const database = await openDatabase(databaseOptionsFromEnv(process.env, (m) => log.log(m)));
  const messages = await messageLogFromEnv(process.env, distributed.dataDir, { clientId: 'api' });
  const P = distributed.orderPartitions;
  const gateway = new KafkaExchangeGateway(
    {
      log: messages,
      partitions: P,
      topicPrefix: distributed.topicPrefix,
      quoteDomain: distributed.quoteDomain,
      ackTimeoutMs: 10_000,
      nowMs: () => Date.now(),
    },
    new PgReadModels(
      database.dataSource,
      new StoredOffsets(database.dataSource, (seq) => `engine-events:shard-${(seq - 1) % P}`),
    ),
  );
  await gateway.start(Date.now());
  const app = await startApi({ gateway, database, port, config });
  return {
    close: async () => {
      await app.close();
      await gateway.stop();
      await messages.close();
      await database.close();
    },
  };
});
