import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { decodeEvents } from '@exchange/domain';
import { EngineEventsProjection, type Database } from '@exchange/persistence';
import { EngineService } from '../engine/engine.service';

export const DATABASE = Symbol('DATABASE');

/**
 * Keeps the PostgreSQL read models (orders, trades, positions) in step with the engine: at start it
 * catches up from the event log after the projection's stored offset, then applies each new batch
 * as the engine produces it, one transaction per batch, in order. The projection is idempotent, so
 * a batch seen twice (catch-up overlapping live batches, a restart) changes nothing the second time.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projection');
  private readonly projection: EngineEventsProjection;
  private queue: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    @Inject(DATABASE) database: Database,
    private readonly engine: EngineService,
  ) {
    // it re-reads the event log from the stored offset at every start, so asynchronous commit is safe
    this.projection = new EngineEventsProjection(database.dataSource, EngineEventsProjection.NAME, {
      synchronousCommit: false,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.engine.onEvents((bytes, _firstSeq, lastSeq) => this.enqueue(bytes, lastSeq));
    const from = await this.projection.lastSeq();
    let batches = 0;
    for (const frame of this.engine.eventLog.frames(from)) {
      this.enqueue(frame.payload, frame.lastSeq);
      batches++;
    }
    // commands after the last logged events produced none: the projection may move past them too
    await this.queue;
    this.logger.log({
      msg: 'projection caught up',
      fromSeq: from,
      batches,
      lastSeq: await this.projection.lastSeq(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue;
  }

  private enqueue(bytes: Uint8Array, lastSeq: number): void {
    this.queue = this.queue.then(async () => {
      if (this.failed) return;
      try {
        await this.projection.apply(decodeEvents(bytes), lastSeq);
      } catch (err) {
        // stop applying (later batches would skip this one); a restart catches up from the stored offset
        this.failed = true;
        this.logger.error({ msg: 'projection stopped', lastSeq, error: (err as Error).message });
      }
    });
  }
}
