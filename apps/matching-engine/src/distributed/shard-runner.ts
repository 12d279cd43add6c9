import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ByteWriter, CommandCursor } from '@exchange/domain';
import { encodeFrame } from '@exchange/journal';
import {
  forEachOrderCommand,
  shardSeq,
  shardTopics,
  type LogRecord,
  type MessageLog,
  type Subscription,
} from '@exchange/messaging';
import { BinaryEventSink } from '@exchange/order-book';
import { RiskStage } from '@exchange/risk';
import { ShardSnapshots } from './shard-snapshots';

export const SHARD_LOG = Symbol('SHARD_LOG');
export const SHARD_SNAPSHOTS = Symbol('SHARD_SNAPSHOTS');
export const SHARD_CONFIG = Symbol('SHARD_CONFIG');

export interface ShardConfig {
  /** Partitions of the orders topic (= shards); fixed for the life of the deployment. */
  partitions: number;
  /** Consumer group of the engine processes. */
  groupId: string;
  /** Commands between snapshots of a shard. */
  snapshotEvery: number;
  /** Prefix of topic and group names (separate deployments, or tests, on one cluster). */
  topicPrefix: string;
}

interface Shard {
  readonly partition: number;
  readonly sink: BinaryEventSink;
  stage: RiskStage;
  /** Offsets below this were processed (and their events published) before this process took over. */
  replayUntil: number;
  /** Offset of the last command applied. */
  lastOffset: number;
  sinceSnapshot: number;
}

export interface ShardView {
  partition: number;
  lastOffset: number;
  lastSeq: number;
  stateHash: string;
}

/**
 * The matching engine of the distributed deployment: a consumer of the orders topic in the engine
 * processes' group. Each partition it is given is a shard: on assignment it restores the shard's
 * newest snapshot from PostgreSQL and asks to replay the partition from the offset after it; records
 * the group had already committed are applied silently (their events were published before), later
 * ones are applied and their events appended to the events topic as one frame per batch, before the
 * batch's offsets are committed. A crash between the two republishes a frame; readers dedupe by seq.
 */
@Injectable()
export class ShardRunner implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ShardRunner');
  private readonly shards = new Map<number, Shard>();
  private readonly cursor = new CommandCursor();
  private subscription?: Subscription;

  constructor(
    @Inject(SHARD_LOG) private readonly log: MessageLog,
    @Inject(SHARD_SNAPSHOTS) private readonly snapshots: ShardSnapshots,
    @Inject(SHARD_CONFIG) private readonly config: ShardConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const p = this.config.partitions;
    const topics = shardTopics(this.config.topicPrefix);
    await this.log.ensureTopics([
      { name: topics.orders, partitions: p },
      { name: topics.events, partitions: p },
    ]);
    this.subscription = await this.log.consume({
      topic: topics.orders,
      groupId: `${this.config.topicPrefix}${this.config.groupId}`,
      onAssign: (partition, committed) => this.assign(partition, committed),
      onRevoke: (partition) => this.revoke(partition),
      handle: (records) => this.handle(records),
    });
    this.logger.log({
      msg: 'shard runner consuming',
      topic: topics.orders,
      partitions: p,
      group: this.config.groupId,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  shardViews(): ShardView[] {
    return [...this.shards.values()]
      .sort((a, b) => a.partition - b.partition)
      .map((s) => ({ partition: s.partition, lastOffset: s.lastOffset, lastSeq: s.stage.lastSeq, stateHash: s.stage.stateHash() }));
  } // prettier-ignore

  /** The stages of the shards this process owns now. */
  stages(): RiskStage[] {
    return [...this.shards.values()].map((s) => s.stage);
  }

  private async assign(partition: number, committed: number | undefined): Promise<number> {
    const snapshot = await this.snapshots.latest(partition);
    const sink = new BinaryEventSink(new ByteWriter(1 << 20));
    const stage = snapshot === undefined ? new RiskStage(sink) : RiskStage.restore(snapshot.body, sink);
    if (snapshot !== undefined && stage.stateHash() !== snapshot.stateHash)
      throw new Error(`shard ${partition}: snapshot at offset ${snapshot.logOffset} does not hash to what was saved`);
    const from = snapshot === undefined ? 0 : snapshot.logOffset + 1;
    this.shards.set(partition, {
      partition,
      sink,
      stage,
      replayUntil: committed ?? 0,
      lastOffset: from - 1,
      sinceSnapshot: 0,
    });
    this.logger.log({ msg: 'shard assigned', partition, snapshotOffset: snapshot?.logOffset ?? null, replayFrom: from, committed: committed ?? null });
    return from;
  } // prettier-ignore

  private revoke(partition: number): void {
    this.shards.delete(partition);
    this.logger.log({ msg: 'shard revoked', partition });
  }

  private async handle(records: LogRecord[]): Promise<void> {
    const partition = records[0]!.partition;
    const shard = this.shards.get(partition);
    if (shard === undefined)
      throw new Error(`records for partition ${partition}, which this process does not own`);
    const P = this.config.partitions;
    const w = shard.sink.writer;
    w.reset();
    let firstSeq = 0;
    let lastSeq = 0;
    for (const r of records) {
      if (r.offset !== shard.lastOffset + 1)
        throw new Error(`shard ${partition}: offset ${r.offset} after ${shard.lastOffset} (a gap)`);
      const replay = r.offset < shard.replayUntil;
      const mark = w.pos;
      forEachOrderCommand(this.cursor, r.value, (c, index) => {
        c.seq = shardSeq(r.offset, index, partition, P);
        shard.stage.process(c);
        if (!replay) {
          if (firstSeq === 0) firstSeq = c.seq;
          lastSeq = c.seq;
        }
      });
      shard.lastOffset = r.offset;
      if (replay) w.pos = mark; // published before this process took over
    }
    if (lastSeq > 0)
      await this.log.append(shardTopics(this.config.topicPrefix).events, [
        { key: `shard-${partition}`, value: encodeFrame(firstSeq, lastSeq, w.bytes()) },
      ]);
    shard.sinceSnapshot += records.length;
    if (shard.sinceSnapshot >= this.config.snapshotEvery) {
      shard.sinceSnapshot = 0;
      await this.snapshots.save({
        shard: partition, logOffset: shard.lastOffset, seq: shard.stage.lastSeq, stateHash: shard.stage.stateHash(),
        body: shard.stage.snapshot(),
      }); // prettier-ignore
    }
  }
}
