import {
  ByteWriter,
  CommandCursor,
  computeClass,
  encodeCommand,
  type Command,
  type UnsequencedCommand,
} from '@exchange/domain';

/**
 * The orders topic of the distributed deployment. Each partition is one shard: a risk stage and its
 * books. A shard owns whole margin domains (a compute class: its spot book, futures and options), so
 * an account's positions on one underlying are always margined together; its collateral is held per
 * domain, like Deribit's per-currency sub-accounts. The key of every message is the domain.
 *
 * Sequence numbers come from the log: the command at `offset` of partition `p` (of P) gets
 * seq = offset x P + p + 1. Seqs rise within a shard and never repeat across shards, so order ids
 * (the seq of the placing command) are unique exchange-wide.
 */
export function shardSeq(offset: number, partition: number, partitions: number): number {
  return offset * partitions + partition + 1;
}

/** The margin domain of a symbol or compute class: `H100-2612-C-2.50` -> `H100`. */
export function marginDomain(symbolOrClass: string): string {
  const cls = symbolOrClass.split('-')[0]!;
  if (computeClass(cls) === undefined) throw new RangeError(`no compute class in ${symbolOrClass}`);
  return cls;
}

/** One command as an orders-topic message value: the codec's bytes with the producer's time. */
export function encodeOrderMessage(command: UnsequencedCommand, timeMs: number): Uint8Array {
  const w = new ByteWriter(128);
  encodeCommand(w, command, 0, timeMs);
  return w.bytes().slice();
}

/** Decodes a message into the cursor's reused command object (valid until the next call). */
export function decodeOrderMessage(cursor: CommandCursor, value: Uint8Array): Command {
  cursor.reset(value);
  return cursor.next();
}
