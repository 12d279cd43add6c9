import * as path from 'node:path';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { MessageLog } from '@exchange/messaging';
import type { Database } from '@exchange/persistence';
import { SnapshotStore } from '@exchange/journal';
import { ENGINE_CONFIG, loadEngineConfig, type EngineConfig } from './config/engine-config';
import { FileCommandLog } from './embedded/file-command-log';
import { FileEventLog } from './embedded/file-event-log';
import { DemoFlow } from './demo/demo-flow';
import { EngineService, SNAPSHOT_STORE } from './engine/engine.service';
import { DATABASE, PROJECTION_WRITER, ProjectionRunner } from './projection/projection-runner';
import { InThreadProjectionWriter, WorkerProjectionWriter } from './projection/projection-writer';
import { EngineController } from './engine/engine.controller';
import { CLOCK, systemClock, type Clock } from './ports/clock';
import { COMMAND_LOG } from './ports/command-log';
import { EVENT_LOG } from './ports/event-log';
import { MarkFeed, PRICES_LOG } from './marks/mark-feed';

/**
 * The matching-engine app on its embedded defaults: file journals for both ports, snapshots beside
 * them; with a database, a projection keeps PostgreSQL's orders, trades and positions in step.
 */
@Module({
  controllers: [EngineController],
  providers: [
    { provide: ENGINE_CONFIG, useFactory: () => loadEngineConfig() },
    { provide: CLOCK, useValue: systemClock },
    {
      provide: COMMAND_LOG,
      inject: [ENGINE_CONFIG, CLOCK],
      useFactory: (c: EngineConfig, clock: Clock) =>
        new FileCommandLog(path.join(c.dataDir, 'journal'), c.fsync, clock, c.journalSyncThread),
    },
    {
      provide: EVENT_LOG,
      inject: [ENGINE_CONFIG],
      useFactory: (c: EngineConfig) => new FileEventLog(path.join(c.dataDir, 'events')),
    },
    {
      provide: SNAPSHOT_STORE,
      inject: [ENGINE_CONFIG],
      useFactory: (c: EngineConfig) => new SnapshotStore(path.join(c.dataDir, 'snapshots'), 'engine'),
    },
    EngineService,
    DemoFlow,
  ],
  exports: [EngineService],
})
export class MatchingEngineModule {
  /**
   * `database`: keep PostgreSQL's read models in step; `prices`: the log the oracle publishes its
   * index rounds to, from which the mark feed sets futures' index and mark prices.
   */
  static register(options: { database?: Database; prices?: MessageLog }): DynamicModule {
    const providers: Provider[] = [];
    if (options.database !== undefined)
      providers.push(
        { provide: DATABASE, useValue: options.database },
        {
          provide: PROJECTION_WRITER,
          inject: [DATABASE, ENGINE_CONFIG],
          useFactory: (db: Database, c: EngineConfig) =>
            c.projectionThread === 'worker'
              ? new WorkerProjectionWriter(db.url)
              : new InThreadProjectionWriter(db.dataSource),
        },
        ProjectionRunner,
      );
    if (options.prices !== undefined)
      providers.push({ provide: PRICES_LOG, useValue: options.prices }, MarkFeed);
    return { module: MatchingEngineModule, providers };
  }
}
