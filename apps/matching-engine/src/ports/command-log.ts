import type { UnsequencedCommand } from '@exchange/domain';
import type { SyncStats } from '@exchange/journal';

/** Commands [firstSeq, lastSeq] in the binary codec, as one journal frame holds them. */
export interface CommandBatch {
  firstSeq: number;
  lastSeq: number;
  payload: Uint8Array;
}

/**
 * Input port of the engine: the sequenced, durable log of commands. `append` gives commands their
 * seq and time, encodes them and resolves once they are durable; only then may they be applied and
 * their outcome acknowledged. The engine applies the encoded batch, so what it executes is exactly
 * what the log holds.
 */
export interface CommandLog {
  /** Highest seq in the log. */
  readonly lastSeq: number;
  /** Lowest seq still held (older ones were pruned behind a snapshot). */
  readonly firstSeq: number;
  append(commands: readonly UnsequencedCommand[]): Promise<CommandBatch>;
  /** Visits the durable batches holding seqs above afterSeq, in order. */
  replay(afterSeq: number, visit: (batch: CommandBatch) => void): void;
  /** Its group commits so far (see FileJournal.syncStats). */
  syncStats(): SyncStats;
  /** Called after a snapshot at `seq`: the log may drop what the oldest kept snapshot covers. */
  compact(snapshotSeq: number, oldestKeptSeq: number): void;
  close(): Promise<void>;
}

export const COMMAND_LOG = Symbol('COMMAND_LOG');
