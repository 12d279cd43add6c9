import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  ByteWriter,
  CommandCursor,
  decodeEvents,
  encodeEvent,
  type EngineEvent,
  type UnsequencedCommand,
} from '@exchange/domain';
import { SnapshotStore } from '@exchange/journal';
import { BinaryEventSink, MatchingEngine } from '@exchange/order-book';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config';
import { COMMAND_LOG, type CommandBatch, type CommandLog } from '../ports/command-log';
import { EVENT_LOG, type EventLog } from '../ports/event-log';

export const SNAPSHOT_STORE = Symbol('SNAPSHOT_STORE');

/** Receives the binary events of commands [firstSeq, lastSeq] (the bytes are the listener's to keep). */
export type EventsListener = (events: Uint8Array, firstSeq: number, lastSeq: number) => void;

export interface RecoverySummary {
  snapshotSeq: number;
  replayedCommands: number;
  reemittedCommands: number;
  lastSeq: number;
  stateHash: string;
  ms: number;
}

/**
 * Hosts the matching engine: recovers it from the newest snapshot plus the command log, applies
 * durable commands in seq order, appends their events to the event log and takes snapshots.
 * Commands are journalled before they are applied, so an acknowledged command is never lost.
 */
@Injectable()
export class EngineService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MatchingEngine');
  private readonly sink = new BinaryEventSink(new ByteWriter(1 << 20));
  private readonly cursor = new CommandCursor();
  private engine = new MatchingEngine(this.sink);
  private sinceSnapshot = 0;
  private snapshotting: Promise<void> = Promise.resolve();
  recovery?: RecoverySummary;
  private readonly listeners: EventsListener[] = [];

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(COMMAND_LOG) private readonly commands: CommandLog,
    @Inject(EVENT_LOG) private readonly events: EventLog,
    @Inject(SNAPSHOT_STORE) private readonly snapshots: SnapshotStore,
  ) {}

  onModuleInit(): void {
    this.recover();
  }

  /**
   * Calls `listener` with the events of every batch applied from now on (after it is durable), in
   * order. Readers that need older events catch up from the event log first.
   */
  onEvents(listener: EventsListener): void {
    this.listeners.push(listener);
  }

  get eventLog(): EventLog {
    return this.events;
  }

  /** Resolves when any scheduled snapshot has been written. */
  settle(): Promise<void> {
    return this.snapshotting;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.snapshotting;
    if (this.engine.lastSeq > 0) await this.takeSnapshot();
    await this.commands.close();
    await this.events.close();
    this.logger.log({ msg: 'engine stopped', lastSeq: this.engine.lastSeq });
  }

  get state(): MatchingEngine {
    return this.engine;
  }

  /** Rebuilds the engine: newest intact snapshot, then every journalled command after it. */
  recover(): RecoverySummary {
    const started = performance.now();
    const { snapshot, skipped } = this.snapshots.loadLatest();
    for (const s of skipped) this.logger.warn({ msg: 'snapshot skipped', file: s.file, reason: s.reason });
    this.engine = snapshot ? MatchingEngine.restore(snapshot.body, this.sink) : new MatchingEngine(this.sink);
    const snapshotSeq = this.engine.lastSeq;
    if (snapshot && snapshotSeq !== snapshot.seq)
      throw new Error(`snapshot ${snapshot.file} holds seq ${snapshotSeq}, not ${snapshot.seq}`);
    if (this.events.lastSeq > this.commands.lastSeq) {
      // events are written only after their commands are durable, so this means the command log lost data
      throw new Error(
        `event log reaches seq ${this.events.lastSeq} but the command log ends at ${this.commands.lastSeq}: the command journal lost acknowledged commands`,
      );
    }
    if (this.commands.firstSeq > snapshotSeq + 1) {
      throw new Error(
        `command log starts at seq ${this.commands.firstSeq} but the newest usable snapshot ends at ${snapshotSeq}: cannot recover`,
      );
    }
    let replayed = 0;
    let reemitted = 0;
    this.commands.replay(snapshotSeq, (batch) => {
      const before = this.engine.lastSeq;
      this.sink.writer.reset();
      this.run(batch);
      replayed += this.engine.lastSeq - before;
      if (batch.lastSeq <= this.events.lastSeq) return; // its events are already in the event log
      if (this.sink.writer.pos > 0) {
        const from = Math.max(before, this.events.lastSeq) + 1;
        reemitted += batch.lastSeq - from + 1;
        void this.events.append(this.eventsAfter(this.events.lastSeq), from, batch.lastSeq);
      }
    });
    this.sinceSnapshot = replayed;
    this.recovery = {
      snapshotSeq,
      replayedCommands: replayed,
      reemittedCommands: reemitted,
      lastSeq: this.engine.lastSeq,
      stateHash: this.engine.stateHash(),
      ms: Math.round(performance.now() - started),
    };
    this.logger.log({ msg: 'engine recovered', ...this.recovery });
    return this.recovery;
  }

  /** Sequences, journals and applies commands; resolves with their seqs and events once durable. */
  async submit(
    commands: readonly UnsequencedCommand[],
  ): Promise<{ firstSeq: number; lastSeq: number; events: EngineEvent[] }> {
    const batch = await this.commands.append(commands);
    return { firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, events: decodeEvents(this.apply(batch)) };
  }

  /** As `submit`, with the events in the binary codec. */
  async submitRaw(commands: readonly UnsequencedCommand[]): Promise<Uint8Array> {
    return this.apply(await this.commands.append(commands));
  }

  /** Applies a durable batch (it must follow the engine's last seq) and appends its events. */
  apply(batch: CommandBatch): Uint8Array {
    if (batch.firstSeq !== this.engine.lastSeq + 1) {
      throw new Error(
        `commands out of order: got seq ${batch.firstSeq}, expected ${this.engine.lastSeq + 1}`,
      );
    }
    this.sink.writer.reset();
    this.run(batch);
    const bytes = this.sink.writer.bytes().slice();
    if (bytes.length > 0) void this.events.append(bytes, batch.firstSeq, batch.lastSeq);
    for (const listener of this.listeners) listener(bytes, batch.firstSeq, batch.lastSeq);
    this.sinceSnapshot += batch.lastSeq - batch.firstSeq + 1;
    if (this.sinceSnapshot >= this.config.snapshotEvery) {
      this.sinceSnapshot = 0;
      const seq = this.engine.lastSeq;
      const body = this.engine.snapshot(); // taken now, written in the background
      this.snapshotting = this.snapshotting.then(() => this.writeSnapshot(seq, body));
    }
    return bytes;
  }

  /** Runs a batch's commands through the engine (commands it already applied are skipped by seq). */
  private run(batch: CommandBatch): void {
    const cursor = this.cursor;
    cursor.reset(batch.payload);
    while (cursor.remaining > 0) this.engine.process(cursor.next());
  }

  /** The events written for commands above `seq` in the current batch (replay of a partly logged batch). */
  private eventsAfter(seq: number): Uint8Array {
    const all = decodeEvents(this.sink.writer.bytes());
    if (all.every((e) => e.seq > seq)) return this.sink.writer.bytes().slice();
    const w = new ByteWriter(this.sink.writer.pos);
    for (const e of all) if (e.seq > seq) encodeEvent(w, e);
    return w.bytes().slice();
  }

  /** Writes a snapshot of the current state and compacts the command log behind it. */
  async takeSnapshot(): Promise<void> {
    this.sinceSnapshot = 0;
    await this.snapshotting;
    await this.writeSnapshot(this.engine.lastSeq, this.engine.snapshot());
  }

  private async writeSnapshot(seq: number, body: Uint8Array): Promise<void> {
    const oldestKept = await this.snapshots.save(seq, body);
    this.commands.compact(seq, oldestKept);
    this.logger.log({ msg: 'snapshot written', seq, bytes: body.length });
  }
}
