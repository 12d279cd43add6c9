/** Injection tokens of the adapters the oracle module is given: MessageLog and Database. */
export const MESSAGE_LOG = Symbol('MESSAGE_LOG');
export const DATABASE = Symbol('DATABASE');

/** Partition counts the oracle creates its topics with (existing topics are left as they are). */
export const ORACLE_TOPIC_PARTITIONS = { reports: 8, prices: 4 } as const;
