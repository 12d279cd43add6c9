import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Settings of the api app, read from the environment once at start and validated. */
export interface ApiConfig {
  /** Largest receive window a client may ask for, and the default one. */
  maxRecvWindowMs: number;
  defaultRecvWindowMs: number;
  /** Token bucket per API key (signed requests and WebSocket calls) and per client address (public calls). */
  rateLimit: { capacity: number; refillPerS: number };
  publicRateLimit: { capacity: number; refillPerS: number };
  maxBodyBytes: number;
  /** A WebSocket client whose unsent bytes exceed this is told and dropped. */
  wsMaxBufferedBytes: number;
  /** The most requests one JSON-RPC batch (an array in one WebSocket message) may hold. */
  wsMaxBatch: number;
  /** Derives API key secrets (see libs/gateway api-keys.ts). */
  masterKey: string;
  /** Development faucet (deposits without a chain), on in embedded mode. */
  faucet: boolean;
  /** How long a read waits for the read models to catch up with the caller's own commands. */
  readConsistencyTimeoutMs: number;
  /** How long a client order id keeps answering retries with the first result. */
  idempotencyTtlMs: number;
}

export const API_CONFIG = Symbol('API_CONFIG');

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return v;
}

/** The master key: API_KEY_MASTER_SECRET, else a random one kept (0600) in API_DATA_DIR/master.key. */
function masterKeyFromEnv(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.API_KEY_MASTER_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 32) throw new Error('API_KEY_MASTER_SECRET must be at least 32 characters');
    return fromEnv;
  }
  // beside the engine's data by default, so one data folder holds the whole exchange
  const dir = path.resolve(
    env.API_DATA_DIR ||
      (env.ENGINE_DATA_DIR ? path.join(path.dirname(env.ENGINE_DATA_DIR), 'api') : path.join('.data', 'api')),
  );
  const file = path.join(dir, 'master.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/**
 * | variable | default | meaning |
 * | API_RECV_WINDOW_MS | 5000 | default receive window of signed requests (clients may send x-api-recv-window up to 60000) |
 * | API_RATE_LIMIT_BURST, API_RATE_LIMIT_PER_S | 200, 100 | token bucket per API key |
 * | API_PUBLIC_RATE_LIMIT_BURST, API_PUBLIC_RATE_LIMIT_PER_S | 100, 50 | token bucket per client address for public calls |
 * | API_MAX_BODY_BYTES | 65536 | largest request body or WebSocket message |
 * | API_WS_MAX_BUFFERED_BYTES | 4194304 | unsent bytes after which a WebSocket client is dropped |
 * | API_WS_MAX_BATCH | 100 | most requests in one JSON-RPC batch over WebSocket |
 * | API_KEY_MASTER_SECRET | (file) | derives API key secrets; unset: a random key in API_DATA_DIR/master.key |
 * | API_DATA_DIR | .data/api (beside ENGINE_DATA_DIR when that is set) | where that file lives |
 * | API_FAUCET | on | development faucet (on/off) |
 */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const faucet = env.API_FAUCET ?? 'on';
  if (faucet !== 'on' && faucet !== 'off') throw new Error(`API_FAUCET must be on or off, got "${faucet}"`);
  return {
    maxRecvWindowMs: 60_000,
    defaultRecvWindowMs: int(env, 'API_RECV_WINDOW_MS', 5000, 100, 60_000),
    rateLimit: {
      capacity: int(env, 'API_RATE_LIMIT_BURST', 200, 1, 10_000_000),
      refillPerS: int(env, 'API_RATE_LIMIT_PER_S', 100, 1, 10_000_000),
    },
    publicRateLimit: {
      capacity: int(env, 'API_PUBLIC_RATE_LIMIT_BURST', 100, 1, 10_000_000),
      refillPerS: int(env, 'API_PUBLIC_RATE_LIMIT_PER_S', 50, 1, 10_000_000),
    },
    maxBodyBytes: int(env, 'API_MAX_BODY_BYTES', 65_536, 1024, 16 * 1024 * 1024),
    wsMaxBufferedBytes: int(env, 'API_WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    wsMaxBatch: int(env, 'API_WS_MAX_BATCH', 100, 1, 1000),
    masterKey: masterKeyFromEnv(env),
    faucet: faucet === 'on',
    readConsistencyTimeoutMs: 2000,
    idempotencyTtlMs: 10 * 60_000,
  };
}

/** Settings of the api in front of the distributed engine (`start:api` with KAFKA_BROKERS). */
export interface DistributedApiConfig {
  /** Partitions of the orders topic: the engine's ORDER_PARTITIONS, which must match. */
  orderPartitions: number;
  /** The engine's KAFKA_TOPIC_PREFIX. */
  topicPrefix: string;
  /** The margin domain (compute class) that takes USDC deposits and withdrawals. */
  quoteDomain: string;
  /** Where the in-process log would live if KAFKA_BROKERS were unset (unused with Kafka). */
  dataDir: string;
}

export function loadDistributedApiConfig(env: NodeJS.ProcessEnv = process.env): DistributedApiConfig {
  return {
    orderPartitions: int(env, 'ORDER_PARTITIONS', 4, 1, 1024),
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    quoteDomain: env.API_QUOTE_DOMAIN || 'H100',
    dataDir: env.API_DATA_DIR || '.data/api',
  };
}
