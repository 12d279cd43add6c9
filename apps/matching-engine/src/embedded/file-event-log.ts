import { FileJournal, type FsyncPolicy } from '@exchange/journal';
import type { EventLog } from '../ports/event-log';

/**
 * How much of the event log is written between its background syncs (see FileJournalOptions
 * .writeBehindBytes). Without them, the kernel flushed a busy event log in bursts that held the
 * command journal's syncs, and so the acknowledgements, for tens of ms.
 */
const WRITE_BEHIND_BYTES = 1024 * 1024;

/**
 * The embedded event log: a file journal of event batches. Events can always be rebuilt from the
 * commands, so by default this journal is not synced on every batch; a torn tail after a crash is
 * cut off at open and the engine re-emits from there.
 */
export class FileEventLog implements EventLog {
  private readonly journal: FileJournal;

  constructor(dir: string, fsync: FsyncPolicy = 'none') {
    this.journal = new FileJournal({ dir, name: 'events', fsync, writeBehindBytes: WRITE_BEHIND_BYTES });
  }

  get recovery() {
    return this.journal.recovery;
  }

  get lastSeq(): number {
    return this.journal.lastSeq;
  }

  append(events: Uint8Array, firstSeq: number, lastSeq: number): Promise<void> {
    return this.journal.append(firstSeq, lastSeq, events);
  }

  /** Event batches covering seqs above `afterSeq` (readers of the embedded log). */
  frames(afterSeq = 0) {
    return this.journal.frames(afterSeq);
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
