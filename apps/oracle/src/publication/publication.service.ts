import { Inject, Injectable, Logger } from '@nestjs/common';
import { COMPUTE_CLASSES } from '@exchange/domain';
import { TOPICS, type MessageLog } from '@exchange/messaging';
import {
  IndexPublisher,
  computeIndex,
  type IndexId,
  type IndexSnapshot,
  type IndexValue,
  type PublishedRound,
  type SignedRound,
} from '@exchange/oracle';
import type { Database } from '@exchange/persistence';
import { ORACLE_CONFIG, type OracleConfig } from '../config/oracle-config';
import { OracleCodecs } from '../feeds/oracle-codecs';
import { IndexState } from '../index/index-state';
import { CLOCK, type Clock } from '../ports/clock';
import { DATABASE, MESSAGE_LOG } from '../ports/tokens';
import { IndexPriceStore } from './index-price-store';
import { encodeRoundRecord } from './round-record';

/** The published indices: one per compute class and the composite CU index. */
export const INDEX_IDS: readonly IndexId[] = [...COMPUTE_CLASSES.map((c) => c.id), 'CU'];

/**
 * On a timer, computes the index from the report window at the clock's time (the pure core gets the
 * time as an argument), offers each index to its Chainlink-style publisher and signs what it
 * publishes; signed rounds go to TOPICS.prices (keyed by index) and to `index_prices`. Rounds that
 * could not be stored are retried on the next tick. At start each publisher resumes from its last
 * stored round (same round numbering, same deviation and heartbeat reference).
 */
@Injectable()
export class PublicationService {
  readonly store: IndexPriceStore;
  private readonly publishers = new Map<IndexId, IndexPublisher>();
  private readonly roundOffset = new Map<IndexId, number>();
  private readonly lastRound = new Map<IndexId, SignedRound>();
  private readonly logger = new Logger('OraclePublication');
  private readonly stats = { ticks: 0, rounds: 0, storeFailures: 0, prunedReports: 0 };
  private pending: SignedRound[] = [];
  private current?: IndexSnapshot;
  private lastTickMs = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly state: IndexState,
    private readonly codecs: OracleCodecs,
    @Inject(MESSAGE_LOG) private readonly log: MessageLog,
    @Inject(DATABASE) database: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORACLE_CONFIG) private readonly config: OracleConfig,
  ) {
    this.store = new IndexPriceStore(database.dataSource);
    for (const id of INDEX_IDS) this.publishers.set(id, new IndexPublisher(id, config.publication));
  }

  /** Resumes each publisher from its last stored round. */
  async restore(): Promise<void> {
    for (const id of INDEX_IDS) {
      const last = await this.store.latest(id);
      if (last === undefined) continue;
      const r = last.round;
      const decision = this.publishers.get(id)!.offer(valueOf(r), r.publishedAtMs);
      if (!decision.published) throw new Error(`cannot resume index ${id} from round ${r.roundId}`);
      this.roundOffset.set(id, r.roundId - 1);
      this.lastRound.set(id, last);
    }
    this.logger.log({
      msg: 'publication resumed',
      rounds: Object.fromEntries([...this.lastRound].map(([id, s]) => [id, s.round.roundId])),
    });
  }

  /** Computes and publishes at nowMs; resolves with the rounds published (and stored) now. */
  async tick(nowMs: number): Promise<SignedRound[]> {
    const snapshot = computeIndex(this.state.window.reports(), nowMs, this.config.index);
    this.current = snapshot;
    const fresh: SignedRound[] = [];
    for (const id of INDEX_IDS) {
      const value = id === 'CU' ? snapshot.composite : snapshot.classes[id];
      const decision = this.publishers.get(id)!.offer(value, nowMs);
      if (!decision.published) continue;
      const round = { ...decision.round, roundId: decision.round.roundId + (this.roundOffset.get(id) ?? 0) };
      fresh.push(this.codecs.rounds.sign(round, this.config.signingKey));
    }
    this.stats.ticks++;
    if (nowMs >= this.lastTickMs)
      this.stats.prunedReports += this.state.window.prune(nowMs, this.config.index);
    this.lastTickMs = Math.max(this.lastTickMs, nowMs);
    const batch = [...this.pending, ...fresh];
    this.pending = [];
    if (batch.length > 0) await this.persist(batch);
    for (const s of fresh) this.lastRound.set(s.round.indexId, s);
    return fresh;
  }

  private async persist(batch: SignedRound[]): Promise<void> {
    try {
      await this.log.append(
        TOPICS.prices,
        batch.map((s) => ({ key: s.round.indexId, value: encodeRoundRecord(s) })),
      );
      await this.store.insert(batch);
      this.stats.rounds += batch.length;
    } catch (err) {
      this.pending = batch; // both writes are idempotent per index and time: retried next tick
      this.stats.storeFailures++;
      this.logger.error({
        msg: 'publication not stored, retrying',
        rounds: batch.length,
        error: (err as Error).message,
      });
    }
  }

  startTimer(): void {
    this.timer = setInterval(() => {
      if (this.running !== undefined) return; // the previous tick is still storing
      this.running = this.tick(this.clock.nowMs())
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ msg: 'index tick failed', error: String(err) }))
        .finally(() => (this.running = undefined));
    }, this.config.publishIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  get snapshot(): IndexSnapshot | undefined {
    return this.current;
  }

  latestRound(id: IndexId): SignedRound | undefined {
    return this.lastRound.get(id);
  }

  metrics() {
    return { ...this.stats, pendingRounds: this.pending.length, lastTickMs: this.current?.asOfMs ?? null };
  }
}

/** The index value a stored round stands for (to replay it into a fresh publisher). */
function valueOf(r: PublishedRound): IndexValue {
  return {
    indexId: r.indexId,
    status: 'ok',
    priceMicros: r.priceMicros,
    lowMicros: r.lowMicros,
    highMicros: r.highMicros,
    utilisationBps: r.utilisationBps,
    providers: r.providers,
    outlierProviders: [],
    asOfMs: r.publishedAtMs,
  };
}
