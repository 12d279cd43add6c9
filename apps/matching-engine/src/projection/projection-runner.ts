import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EngineService } from '../engine/engine.service';
import type { ProjectionWriter } from './projection-writer';

export const DATABASE = Symbol('DATABASE');
/** The ProjectionWriter the runner uses (on the engine's thread or in a worker: PROJECTION_THREAD). */
export const PROJECTION_WRITER = Symbol('PROJECTION_WRITER');

/** The most event bytes one projection transaction takes (a bound on its memory and duration). */
const MAX_BYTES_PER_TRANSACTION = 8 * 1024 * 1024;

/**
 * The least time between the starts of two live transactions when no read waits: at most 20 a
 * second. Under load the batches of those 50 ms go in one transaction, so PostgreSQL pays its
 * per-transaction work less often and an order placed and cancelled within them is written once
 * (bench:api's WebSocket load on 2 vCPUs: 61-67 instead of 72-81 µs of server CPU per order, the
 * exchange and PostgreSQL together). A longer interval saves more (200 ms: PostgreSQL's CPU per
 * order about halved under that load) but makes each transaction a longer burst of PostgreSQL's CPU
 * beside the engine's (mass-quote ack p99 in bench:api's quick runs: 21.7 and 28.7 ms at 200 ms,
 * 13.8 to 16.5 ms at 50 ms). A read that waits for the read models (waitFor) does not wait for the
 * interval: the next transaction starts as soon as the one in flight has committed. A batch that
 * comes after a quiet spell is applied at once.
 */
export const MIN_TRANSACTION_INTERVAL_MS = 50;
/** Another interval for the runner (tests). */
export const PROJECTION_INTERVAL_MS = Symbol('PROJECTION_INTERVAL_MS');

/** After a failed transaction, the wait before catching up again; doubled after each failure, up to the most. */
export const RETRY_FIRST_MS = 200;
export const RETRY_MOST_MS = 10_000;

/** A read waiting for the read models to reach a seq. */
interface Waiter {
  seq: number;
  done(reached: boolean): void;
}

/** A batch's events in the engine's binary codec, and the last seq of its commands. */
interface Batch {
  bytes: Uint8Array;
  lastSeq: number;
}

/**
 * Keeps the PostgreSQL read models (orders, trades, positions) in step with the engine: at start it
 * catches up from the event log after the projection's stored offset, then applies the engine's
 * batches in order as it produces them. Batches that arrive while a transaction is in flight are
 * grouped into the next one (up to MAX_BYTES_PER_TRANSACTION of events), so under load the database
 * sees a few large transactions a second instead of one per order. Each batch is enqueued once:
 * live batches that arrive during the catch-up are held until the log has been read, and only those
 * past the log's end are added (one transaction must not hold the same events twice). Across
 * transactions the projection is idempotent, so a restart re-reading from the stored offset changes
 * nothing twice. Live transactions start at least MIN_TRANSACTION_INTERVAL_MS apart. The runner
 * only queues and groups the event bytes; the writer decodes and writes them (by default in a
 * worker thread, so the engine's thread does none of that work).
 *
 * A failed transaction (the database restarted, a connection was cut) stalls the projection: the
 * batches after it are dropped (they are in the event log) and, after a wait that doubles from
 * RETRY_FIRST_MS up to RETRY_MOST_MS, the runner catches up from the stored offset again, as at
 * start, until a catch-up succeeds. Reads that wait for the read models wait meanwhile.
 *
 * Reads in this process learn when the read models reach a seq from the runner itself (waitFor):
 * no polling of the stored offset, and a waiting read starts the next transaction without the
 * interval's wait.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projection');
  /** Batches waiting for the next transaction, in seq order. */
  private pending: Batch[] = [];
  private draining: Promise<void> | undefined;
  /** A transaction failed: nothing is queued until a catch-up from the stored offset starts. */
  private stalled = false;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private resuming: Promise<void> | undefined;
  /** Shutting down: batches from now on are left to the next start's catch-up (they are in the log). */
  private closing = false;
  /** Live batches held back while a catch-up reads the event log (null when none runs). */
  private live: Batch[] | null = null;
  /** When the last live transaction started (performance.now()). */
  private lastStartMs = Number.NEGATIVE_INFINITY;
  /** The last seq the read models reflect, as far as this runner knows (committed, or stored at catch-up). */
  private projected = 0;
  private waiters: Waiter[] = [];
  /** Ends the interval's wait at once (set while the drain waits for it). */
  private hurry: (() => void) | undefined;

  constructor(
    @Inject(PROJECTION_WRITER) private readonly writer: ProjectionWriter,
    private readonly engine: EngineService,
    @Optional() @Inject(PROJECTION_INTERVAL_MS) private readonly minIntervalMs = MIN_TRANSACTION_INTERVAL_MS,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // live batches wait until the log is read: the engine writes each batch to the log before it
    // tells its listeners, so a held batch is either in the log already (skipped) or after its end
    this.engine.onEvents((bytes, _firstSeq, lastSeq) =>
      this.live === null ? this.enqueue(bytes, lastSeq) : this.live.push({ bytes, lastSeq }),
    );
    const { from, batches } = await this.catchUp();
    await this.drained();
    this.logger.log({
      msg: 'projection caught up',
      fromSeq: from,
      batches,
      lastSeq: await this.writer.lastSeq(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // a batch the engine applies after this (e.g. cancel-on-disconnect as the api closes) must not
    // open a transaction on a database that is about to close; the log holds it for the next start
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.hurry?.();
    await this.resuming;
    await this.drained();
    await this.writer.close();
    for (const w of this.waiters.splice(0)) w.done(false);
  }

  /** Whether the read models are following the engine, or waiting to catch up after a failure. */
  get status(): 'following' | 'stalled' {
    return this.stalled ? 'stalled' : 'following';
  }

  /**
   * Queues the event log's batches after the stored offset, then the live batches past the log's
   * end. Live batches are held while the stored offset is read: the engine writes each batch to the
   * log before it tells its listeners, so a held batch is either in the log already or after its end.
   */
  private async catchUp(): Promise<{ from: number; batches: number }> {
    this.live = [];
    let from: number;
    try {
      from = await this.writer.lastSeq();
    } catch (err) {
      this.live = null;
      throw err;
    }
    this.advance(from);
    this.stalled = false;
    let batches = 0;
    let logEnd = from;
    for (const frame of this.engine.eventLog.frames(from)) {
      this.enqueue(frame.payload, frame.lastSeq);
      logEnd = frame.lastSeq;
      batches++;
    }
    for (const b of this.live) if (b.lastSeq > logEnd) this.enqueue(b.bytes, b.lastSeq);
    this.live = null;
    return { from, batches };
  }

  /** `lastSeq`: of the transaction that failed (none when the catch-up itself did). */
  private stall(err: unknown, lastSeq?: number): void {
    this.stalled = true;
    this.pending = [];
    this.logger.warn({
      msg: 'projection stalled: catching up from the stored offset',
      ...(lastSeq !== undefined ? { lastSeq } : {}),
      retryInMs: this.retryMs,
      error: err instanceof Error ? err.message : String(err),
    });
    this.scheduleCatchUp();
  }

  private scheduleCatchUp(): void {
    if (this.closing) return;
    const waitMs = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MOST_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.resuming = this.resume().finally(() => (this.resuming = undefined));
    }, waitMs);
  }

  private async resume(): Promise<void> {
    if (this.closing) return;
    let caughtUp: { from: number; batches: number };
    try {
      caughtUp = await this.catchUp();
    } catch (err) {
      this.stall(err);
      return;
    }
    await this.drained();
    if (this.stalled) return; // failed again: the next catch-up is scheduled
    this.retryMs = RETRY_FIRST_MS;
    this.logger.log({ msg: 'projection resumed', fromSeq: caughtUp.from, batches: caughtUp.batches });
  }

  /**
   * True once the read models reflect every command up to `seq`; false after `timeoutMs` (the
   * projection is stalled, or far behind) or at shutdown. The next transaction starts without
   * waiting for the interval.
   */
  waitFor(seq: number, timeoutMs: number): Promise<boolean> {
    if (seq <= this.projected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        seq,
        done: (reached) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
      this.hurry?.();
    });
  }

  private advance(seq: number): void {
    if (seq <= this.projected) return;
    this.projected = seq;
    if (this.waiters.length === 0) return;
    const waiting: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq <= seq) w.done(true);
      else waiting.push(w);
    }
    this.waiters = waiting;
  }

  /** Resolves once every batch enqueued so far is applied (or the projection has stopped). */
  async drained(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private enqueue(bytes: Uint8Array, lastSeq: number): void {
    if (this.stalled || this.closing) return;
    this.pending.push({ bytes, lastSeq });
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.stalled) {
      if (this.live === null && !this.closing) {
        // live: let the batches of the rest of the interval join this transaction, unless a read waits
        const waitMs = this.lastStartMs + this.minIntervalMs - performance.now();
        if (waitMs > 0 && this.waiters.length === 0) await this.pause(waitMs);
        this.lastStartMs = performance.now();
      }
      let size = 0;
      let taken = 0;
      while (
        taken < this.pending.length &&
        (taken === 0 || size + this.pending[taken]!.bytes.length <= MAX_BYTES_PER_TRANSACTION)
      )
        size += this.pending[taken++]!.bytes.length;
      // one fresh buffer of the batches' events (the engine's listeners may still read their own)
      const events = new Uint8Array(size);
      let at = 0;
      for (let i = 0; i < taken; i++) {
        events.set(this.pending[i]!.bytes, at);
        at += this.pending[i]!.bytes.length;
      }
      const lastSeq = this.pending[taken - 1]!.lastSeq;
      this.pending = this.pending.slice(taken);
      try {
        await this.writer.apply(events, lastSeq);
        this.advance(lastSeq);
      } catch (err) {
        // later batches would skip these: drop them all and catch up from the stored offset
        this.stall(err, lastSeq);
      }
    }
  }

  /** Waits `ms`, or less when hurried (a read waits, or shutdown). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.hurry = undefined;
        resolve();
      }, ms);
      this.hurry = () => {
        this.hurry = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
