import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { decodeEvents } from '@exchange/domain';
import { scanFrame } from '@exchange/journal';
import { shardTopics, type LogRecord, type MessageLog, type Subscription } from '@exchange/messaging';
import { EngineEventsProjection, type Database } from '@exchange/persistence';
import { SHARD_CONFIG, SHARD_LOG, type ShardConfig } from './shard-runner';

export const PROJECTION_DATABASE = Symbol('PROJECTION_DATABASE');

/**
 * The read models of the distributed deployment: a consumer of the events topic that applies each
 * shard's frames to PostgreSQL through the engine-events projection, with the stored offset kept per
 * shard (seqs rise within a shard). A frame delivered twice, or republished by a shard after a crash,
 * changes nothing the second time; the group's offsets are committed only after the transaction.
 */
@Injectable()
export class EventsProjectionConsumer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Projection');
  private readonly projections = new Map<string, EngineEventsProjection>();
  private subscription?: Subscription;

  constructor(
    @Inject(SHARD_LOG) private readonly log: MessageLog,
    @Inject(PROJECTION_DATABASE) private readonly database: Database,
    @Inject(SHARD_CONFIG) private readonly config: ShardConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscription = await this.log.consume({
      topic: shardTopics(this.config.topicPrefix).events,
      groupId: `${this.config.topicPrefix}projection`,
      handle: (records) => this.apply(records),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  private async apply(records: LogRecord[]): Promise<void> {
    for (const r of records) {
      const frame = scanFrame(r.value, 0);
      if (frame.kind !== 'frame') throw new Error(`events topic record ${r.partition}/${r.offset}: ${frame.kind} frame`);
      let projection = this.projections.get(r.key);
      if (projection === undefined) {
        projection = new EngineEventsProjection(this.database.dataSource, `engine-events:${r.key}`);
        this.projections.set(r.key, projection);
      }
      const result = await projection.apply(decodeEvents(frame.payload), frame.lastSeq);
      if (result.skipped > 0) this.logger.log({ msg: 'redelivered events skipped', shard: r.key, skipped: result.skipped });
    }
  } // prettier-ignore
}
