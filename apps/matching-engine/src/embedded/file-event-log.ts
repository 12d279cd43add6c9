import { FileJournal, type FsyncPolicy } from '@exchange/journal';
import type { EventLog } from '../ports/event-log';

/**
 * The embedded event log: a file journal of event batches. Events can always be rebuilt from the
 * commands, so by default this journal is not synced on every batch; a torn tail after a crash is
 * cut off at open and the engine re-emits from there.
 */
export class FileEventLog implements EventLog {
  private readonly journal: FileJournal;

  constructor(dir: string, fsync: FsyncPolicy = 'none') {
    this.journal = new FileJournal({ dir, name: 'events', fsync });
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
