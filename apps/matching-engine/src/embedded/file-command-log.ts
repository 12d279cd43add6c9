import { ByteWriter, encodeCommand, type UnsequencedCommand } from '@exchange/domain';
import { FileJournal, type FsyncPolicy, type SyncStats, type SyncThread } from '@exchange/journal';
import type { Clock } from '../ports/clock';
import type { CommandBatch, CommandLog } from '../ports/command-log';

/** How far ahead of its frames the command journal keeps its segment zero-filled. */
const PREALLOCATE_BYTES = 1024 * 1024;

/**
 * The embedded command log: a sequencer in front of a file journal. A batch of commands becomes one
 * journal frame; the returned promise resolves after the group commit that makes it durable. The
 * engine appends one batch per turn of the event loop, so by default that turn's batch is synced
 * on the engine's own thread right after it is written (syncThread 'caller').
 */
export class FileCommandLog implements CommandLog {
  private readonly journal: FileJournal;
  private readonly writer = new ByteWriter(1 << 20);
  private lastTimeMs = 0;

  constructor(
    dir: string,
    fsync: FsyncPolicy,
    private readonly clock: Clock,
    syncThread: SyncThread = 'caller',
  ) {
    // synced batches land on zeros written ahead: their fdatasync has no file size to commit
    const preallocateBytes = fsync === 'batch' ? PREALLOCATE_BYTES : 0;
    this.journal = new FileJournal({ dir, name: 'commands', fsync, syncThread, preallocateBytes });
  }

  get recovery() {
    return this.journal.recovery;
  }

  get lastSeq(): number {
    return this.journal.lastSeq;
  }

  get firstSeq(): number {
    for (const f of this.journal.frames(0)) return f.firstSeq;
    return this.journal.lastSeq + 1;
  }

  append(commands: readonly UnsequencedCommand[]): Promise<CommandBatch> {
    if (commands.length === 0) throw new RangeError('empty command batch');
    // time never runs backwards in the log, whatever the wall clock does
    this.lastTimeMs = Math.max(this.lastTimeMs, this.clock.nowMs());
    const firstSeq = this.journal.lastSeq + 1;
    this.writer.reset();
    for (let i = 0; i < commands.length; i++)
      encodeCommand(this.writer, commands[i]!, firstSeq + i, this.lastTimeMs);
    const batch = { firstSeq, lastSeq: firstSeq + commands.length - 1, payload: this.writer.bytes().slice() };
    return this.journal.append(batch.firstSeq, batch.lastSeq, batch.payload).then(() => batch);
  }

  syncStats(): SyncStats {
    return this.journal.syncStats();
  }

  replay(afterSeq: number, visit: (batch: CommandBatch) => void): void {
    for (const frame of this.journal.frames(afterSeq)) {
      visit(frame);
      // the time of the last journalled command; a frame's commands share one time
      this.lastTimeMs = Math.max(
        this.lastTimeMs,
        new DataView(frame.payload.buffer, frame.payload.byteOffset + 10, 8).getFloat64(0, true),
      );
    }
  }

  /** Starts a new segment (at the next seq actually written, which may be past the snapshot) and drops covered ones. */
  compact(_snapshotSeq: number, oldestKeptSeq: number): void {
    this.journal.rotate();
    this.journal.prune(oldestKeptSeq);
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
