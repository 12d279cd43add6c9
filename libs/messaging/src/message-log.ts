/**
 * The exchange's log: topics of keyed records in partitions, appended durably and consumed in order,
 * by consumer groups that commit their offsets after the effect of a batch is durable. Two adapters
 * implement it: Kafka (kafkajs) for the distributed deployment and an in-process log on file journals
 * for the embedded default; one contract test suite runs against both.
 */
export interface LogMessage {
  /** Partitioning key: the account id for commands, the instrument id for orders and events. */
  key: string;
  value: Uint8Array;
}

export interface LogRecord extends LogMessage {
  topic: string;
  partition: number;
  /** Position in the partition, from 0, without gaps. */
  offset: number;
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

export interface ConsumeOptions {
  topic: string;
  /** The group's committed offsets say where it resumes; they are committed after `handle` resolves. */
  groupId: string;
  /** Where a group without committed offsets starts: the first record (default) or the end. */
  from?: 'earliest' | 'latest';
  /** Called with the records of one partition in offset order; resolve only when their effect is durable. */
  handle: (records: LogRecord[]) => Promise<void>;
  /**
   * Called when this consumer is given a partition (at start and after a rebalance) with the group's
   * committed offset (undefined: none). It may return where to read from instead (a stateful consumer
   * rebuilds its state from a snapshot and replays from the snapshot's offset); records are then
   * delivered from there, contiguously. Delivery to the partition waits until it resolves.
   */
  onAssign?: (partition: number, committed: number | undefined) => Promise<number | undefined>;
  /** Called when a partition is taken away (a rebalance, or stop). */
  onRevoke?: (partition: number) => void;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface MessageLog {
  /** Creates missing topics with their partition counts; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Appends messages (each to the partition of its key); resolves with their positions once durable. */
  append(topic: string, messages: readonly LogMessage[]): Promise<{ partition: number; offset: number }[]>;
  consume(options: ConsumeOptions): Promise<Subscription>;
  /**
   * Per partition (index = partition), the offset the next record will get: records [0, end) exist
   * and are durable. A reader replaying a topic from the start knows it has caught up once it has
   * seen every offset below these.
   */
  endOffsets(topic: string): Promise<number[]>;
  close(): Promise<void>;
}

/** The exchange's topics and their partitioning keys. */
export const TOPICS = {
  /** Commands from the API, keyed by account: one account's commands stay in order. */
  commands: 'exchange.commands',
  /** Risk-checked orders, keyed by instrument: a matching-engine shard owns some partitions. */
  orders: 'exchange.orders',
  /** Engine events, keyed by instrument. */
  events: 'exchange.events',
  /** Signed provider reports, keyed by provider. */
  oracleReports: 'exchange.oracle.reports',
  /** Published index and mark prices, keyed by index. */
  prices: 'exchange.prices',
  /** Settlement instructions and results, keyed by instrument. */
  settlement: 'exchange.settlement',
} as const;
