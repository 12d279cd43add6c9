import * as path from 'node:path';
import type { FsyncPolicy, SyncThread } from '@exchange/journal';

/** Settings of the matching-engine app, read from the environment once at start and validated. */
export interface EngineConfig {
  /** Folder of the command and event journals and the snapshots. */
  dataDir: string;
  /** 'batch' (group commit, the default) or 'none' (no fsync; for throwaway runs only). */
  fsync: FsyncPolicy;
  /**
   * Which thread waits for the command journal's fdatasync: 'caller' (the engine's own, right after
   * the turn's batch is written; the default) or 'pool' (libuv's thread pool, while the engine's
   * thread goes on; for a disk whose syncs are slow enough that the API's reads should not wait).
   */
  journalSyncThread: SyncThread;
  /** Take a snapshot after this many commands. */
  snapshotEvery: number;
  /** Port of the engine's HTTP endpoints (health, book views). */
  httpPort: number;
  /** Run the scripted demo flow after start. */
  demo: boolean;
  /** Distributed mode: partitions of the orders topic (= shards). */
  orderPartitions: number;
  /** Distributed mode: prefix of topic and consumer group names. */
  topicPrefix: string;
  /** Distributed mode: also run the projection of the events topic into PostgreSQL in this process. */
  projection: boolean;
  /**
   * Embedded mode: where the projection into PostgreSQL runs: 'worker' (a worker thread with its own
   * connection; needs the compiled dist/) or 'main' (the engine's thread; the TypeScript test runs).
   */
  projectionThread: 'worker' | 'main';
}

export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return v;
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/**
 * | variable | default | meaning |
 * | ENGINE_DATA_DIR | .data/matching-engine | journals and snapshots |
 * | JOURNAL_FSYNC | batch | batch = group-commit fdatasync before acknowledging; none = no fsync |
 * | JOURNAL_SYNC_THREAD | caller | who waits for that fdatasync: caller = the engine's thread; pool = libuv's thread pool |
 * | SNAPSHOT_EVERY | 100000 | commands between snapshots |
 * | ENGINE_HTTP_PORT | 3001 | health and book views |
 * | ENGINE_DEMO | on | run the scripted demo flow after start (on/off) |
 * | ORDER_PARTITIONS | 4 | distributed mode (KAFKA_BROKERS set): partitions of the orders topic, one shard each |
 * | KAFKA_TOPIC_PREFIX | (empty) | distributed mode: prefix of topic and group names |
 * | ENGINE_PROJECTION | on | distributed mode: run the events-topic projection into PostgreSQL here (on/off) |
 * | PROJECTION_THREAD | worker | embedded mode: the projection into PostgreSQL in a worker thread, or on the engine's (main) |
 */
export function loadEngineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  return {
    dataDir: path.resolve(env.ENGINE_DATA_DIR || path.join('.data', 'matching-engine')),
    fsync: oneOf(env, 'JOURNAL_FSYNC', ['batch', 'none'] as const, 'batch'),
    journalSyncThread: oneOf(env, 'JOURNAL_SYNC_THREAD', ['caller', 'pool'] as const, 'caller'),
    snapshotEvery: int(env, 'SNAPSHOT_EVERY', 100_000, 1, 1_000_000_000),
    httpPort: int(env, 'ENGINE_HTTP_PORT', 3001, 0, 65535),
    demo: oneOf(env, 'ENGINE_DEMO', ['on', 'off'] as const, 'on') === 'on',
    orderPartitions: int(env, 'ORDER_PARTITIONS', 4, 1, 1024),
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    projection: oneOf(env, 'ENGINE_PROJECTION', ['on', 'off'] as const, 'on') === 'on',
    projectionThread: oneOf(env, 'PROJECTION_THREAD', ['worker', 'main'] as const, 'worker'),
  };
}
