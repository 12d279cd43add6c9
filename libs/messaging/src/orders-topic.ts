import {
  ByteWriter,
  type CommandCursor,
  computeClass,
  encodeCommand,
  type Command,
  type UnsequencedCommand,
} from '@exchange/domain';
import { TOPICS } from './message-log';

/**
 * The orders topic of the distributed deployment. Each partition is one shard: a risk stage and its
 * books. A shard owns whole margin domains (a compute class: its spot book, futures and options), so
 * an account's positions on one underlying are always margined together; its collateral is held per
 * domain, like Deribit's per-currency sub-accounts. The key of every message is the domain.
 *
 * A message carries up to MAX_COMMANDS_PER_MESSAGE commands (a producer batches what it has for
 * one domain: fewer, larger messages are what make a log fast). Sequence numbers come from the log:
 * command `index` of the message at `offset` of partition `p` (of P) gets
 * seq = (offset x MAX_COMMANDS_PER_MESSAGE + index) x P + p + 1. Seqs rise within a shard and never
 * repeat across shards, so order ids (the seq of the placing command) are unique exchange-wide.
 */
export const MAX_COMMANDS_PER_MESSAGE = 1024;

export function shardSeq(offset: number, index: number, partition: number, partitions: number): number {
  return (offset * MAX_COMMANDS_PER_MESSAGE + index) * partitions + partition + 1;
}

/** The margin domain of a symbol or compute class: `H100-2612-C-2.50` -> `H100`. */
export function marginDomain(symbolOrClass: string): string {
  const cls = symbolOrClass.split('-')[0]!;
  if (computeClass(cls) === undefined) throw new RangeError(`no compute class in ${symbolOrClass}`);
  return cls;
}

/** Commands as one orders-topic message value: the codec's records, stamped with the producer's time. */
export function encodeOrderMessage(commands: readonly UnsequencedCommand[], timeMs: number): Uint8Array {
  if (commands.length === 0 || commands.length > MAX_COMMANDS_PER_MESSAGE)
    throw new RangeError(`a message holds 1 to ${MAX_COMMANDS_PER_MESSAGE} commands, not ${commands.length}`);
  const w = new ByteWriter(96 * commands.length);
  for (const c of commands) encodeCommand(w, c, 0, timeMs);
  return w.bytes().slice();
}

/**
 * Calls `apply` with each command of a message (the cursor's reused object, valid during the call)
 * and its index; at most MAX_COMMANDS_PER_MESSAGE, the rest of an oversized message is ignored.
 */
export function forEachOrderCommand(
  cursor: CommandCursor,
  value: Uint8Array,
  apply: (command: Command, index: number) => void,
): number {
  cursor.reset(value);
  let index = 0;
  while (cursor.remaining > 0 && index < MAX_COMMANDS_PER_MESSAGE) apply(cursor.next(), index++);
  return index;
}

/** The orders and events topics of one deployment (a prefix separates deployments on one cluster). */
export function shardTopics(prefix: string): { orders: string; events: string } {
  return { orders: `${prefix}${TOPICS.orders}`, events: `${prefix}${TOPICS.events}` };
}
