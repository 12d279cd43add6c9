import { Module, type DynamicModule } from '@nestjs/common';
import type { MessageLog } from '@exchange/messaging';
import type { Database } from '@exchange/persistence';
import { EventsProjectionConsumer, PROJECTION_DATABASE } from './events-projection';
import { SHARD_CONFIG, SHARD_LOG, SHARD_SNAPSHOTS, ShardRunner, type ShardConfig } from './shard-runner';
import { ShardSnapshots } from './shard-snapshots';
import { ShardsController } from './shards.controller';

/**
 * The matching engine as a distributed service: shards are partitions of the orders topic on Kafka,
 * shared between every engine process of the group; snapshots and read models are in PostgreSQL.
 */
@Module({})
export class DistributedEngineModule {
  static register(options: {
    log: MessageLog;
    database: Database;
    config: ShardConfig;
    projection: boolean;
  }): DynamicModule {
    return {
      module: DistributedEngineModule,
      controllers: [ShardsController],
      providers: [
        { provide: SHARD_LOG, useValue: options.log },
        { provide: SHARD_CONFIG, useValue: options.config },
        { provide: SHARD_SNAPSHOTS, useValue: new ShardSnapshots(options.database) },
        { provide: PROJECTION_DATABASE, useValue: options.database },
        ShardRunner,
        ...(options.projection ? [EventsProjectionConsumer] : []),
      ],
    };
  }
}
