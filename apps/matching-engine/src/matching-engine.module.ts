import * as path from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Database } from '@exchange/persistence';
import { SnapshotStore } from '@exchange/journal';
import { ENGINE_CONFIG, loadEngineConfig, type EngineConfig } from './config/engine-config';
import { FileCommandLog } from './embedded/file-command-log';
import { FileEventLog } from './embedded/file-event-log';
import { DemoFlow } from './demo/demo-flow';
import { EngineService, SNAPSHOT_STORE } from './engine/engine.service';
import { DATABASE, ProjectionRunner } from './projection/projection-runner';
import { EngineController } from './engine/engine.controller';
import { CLOCK, systemClock, type Clock } from './ports/clock';
import { COMMAND_LOG } from './ports/command-log';
import { EVENT_LOG } from './ports/event-log';

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
        new FileCommandLog(path.join(c.dataDir, 'journal'), c.fsync, clock),
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
  static register(options: { database?: Database }): DynamicModule {
    if (options.database === undefined) return { module: MatchingEngineModule };
    return {
      module: MatchingEngineModule,
      providers: [{ provide: DATABASE, useValue: options.database }, ProjectionRunner],
    };
  }
}
