import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { decodeEvents, type EngineEvent } from '@exchange/domain';

import { EngineEventsProjection, type Database } from '@exchange/persistence';
import { EngineService } from '../engine/engine.service';

export const DATABASE = Symbol('DATABASE');

/** The most events one projection transaction takes (a bound on its memory and duration). */
const MAX_EVENTS_PER_TRANSACTION = 50_000;

/**
 * The least time between the starts of two live transactions: at most 20 a second. Under load the
 * batches of those 50 ms go in one transaction, so PostgreSQL pays its per-transaction work less
 * often and an order placed and cancelled within them is written once (bench:api's WebSocket load
 * on 2 vCPUs: 61-67 instead of 72-81 µs of server CPU per order, the exchange and PostgreSQL
 * together). The read models then lag the engine by up to this much more under load; a batch that
 * comes after a quiet spell is applied at once.
 */
export const MIN_TRANSACTION_INTERVAL_MS = 50;
/** Another interval for the runner (tests). */
export const PROJECTION_INTERVAL_MS = Symbol('PROJECTION_INTERVAL_MS');

/**
 * Keeps the PostgreSQL read models (orders, trades, positions) in step with the engine: at start it
 * catches up from the event log after the projection's stored offset, then applies the engine's
 * batches in order as it produces them. Batches that arrive while a transaction is in flight are
 * grouped into the next one (up to MAX_EVENTS_PER_TRANSACTION events), so under load the database
 * sees a few large transactions a second instead of one per order. Each batch is enqueued once:
 * live batches that arrive during the catch-up are held until the log has been read, and only those
 * past the log's end are added (one transaction must not hold the same events twice). Across
 * transactions the projection is idempotent, so a restart re-reading from the stored offset changes
 * nothing twice. Live transactions start at least MIN_TRANSACTION_INTERVAL_MS apart.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projection');
  private readonly projection: EngineEventsProjection;
  /** Batches waiting for the next transaction, in seq order (their events, decoded when taken). */
  private pending: { events: () => readonly EngineEvent[]; lastSeq: number }[] = [];
  private draining: Promise<void> | undefined;
  private failed = false;
  /** Shutting down: batches from now on are left to the next start's catch-up (they are in the log). */
  private closing = false;
  /** Live batches held back while the catch-up reads the event log (null once it has). */
  private live: { events: () => readonly EngineEvent[]; lastSeq: number }[] | null = [];
  /** When the last live transaction started (performance.now()). */
  private lastStartMs = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(DATABASE) database: Database,
    private readonly engine: EngineService,
    @Optional() @Inject(PROJECTION_INTERVAL_MS) private readonly minIntervalMs = MIN_TRANSACTION_INTERVAL_MS,
  ) {
    // it re-reads the event log from the stored offset at every start, so asynchronous commit is safe
    this.projection = new EngineEventsProjection(database.dataSource, EngineEventsProjection.NAME, {
      synchronousCommit: false,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // live batches wait until the log is read: the engine writes each batch to the log before it
    // tells its listeners, so a held batch is either in the log already (skipped) or after its end
    this.engine.onEvents((_bytes, _firstSeq, lastSeq, decoded) =>
      this.live === null ? this.enqueue(decoded, lastSeq) : this.live.push({ events: decoded, lastSeq }),
    );
    const from = await this.projection.lastSeq();
    let batches = 0;
    let logEnd = from;
    for (const frame of this.engine.eventLog.frames(from)) {
      const payload = frame.payload;
      this.enqueue(() => decodeEvents(payload), frame.lastSeq);
      logEnd = frame.lastSeq;
      batches++;
    }
    for (const b of this.live ?? []) if (b.lastSeq > logEnd) this.enqueue(b.events, b.lastSeq);
    this.live = null;
    await this.drained();
    this.logger.log({
      msg: 'projection caught up',
      fromSeq: from,
      batches,
      lastSeq: await this.projection.lastSeq(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // a batch the engine applies after this (e.g. cancel-on-disconnect as the api closes) must not
    // open a transaction on a database that is about to close; the log holds it for the next start
    this.closing = true;
    await this.drained();
  }

  /** Resolves once every batch enqueued so far is applied (or the projection has stopped). */
  async drained(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private enqueue(events: () => readonly EngineEvent[], lastSeq: number): void {
    if (this.failed || this.closing) return;
    this.pending.push({ events, lastSeq });
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.failed) {
      if (this.live === null && !this.closing) {
        // live: let the batches of the rest of the interval join this transaction
        const waitMs = this.lastStartMs + this.minIntervalMs - performance.now();
        if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
        this.lastStartMs = performance.now();
      }
      const events: EngineEvent[] = [];
      let lastSeq = 0;
      let taken = 0;
      while (taken < this.pending.length && events.length < MAX_EVENTS_PER_TRANSACTION) {
        const next = this.pending[taken++]!;
        for (const e of next.events()) events.push(e);
        lastSeq = next.lastSeq;
      }
      this.pending = this.pending.slice(taken);
      try {
        await this.projection.apply(events, lastSeq);
      } catch (err) {
        // stop applying (later batches would skip these); a restart catches up from the stored offset
        this.failed = true;
        this.pending = [];
        this.logger.error({ msg: 'projection stopped', lastSeq, error: (err as Error).message });
      }
    }
  }
}
