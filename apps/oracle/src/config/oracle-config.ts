import * as path from 'node:path';
import {
  DEFAULT_INDEX_CONFIG,
  DEFAULT_INGESTION_CONFIG,
  DEFAULT_PUBLICATION_CONFIG,
  type Eip712Domain,
  type IndexConfig,
  type IngestionConfig,
  type PublicationConfig,
} from '@exchange/oracle';

/** Settings of the oracle app, read from the environment once at start and validated. */
export interface OracleConfig {
  /** Folder of the in-process oracle log (when KAFKA_BROKERS is unset). */
  dataDir: string;
  httpPort: number;
  /** EIP-712 domain of provider reports and of the oracle's signed rounds. */
  domain: Eip712Domain;
  /** Private key (hex) that signs published rounds. */
  signingKey: string;
  /** Index computation and publication timer. */
  publishIntervalMs: number;
  ingestion: IngestionConfig;
  index: IndexConfig;
  publication: PublicationConfig;
  simulator: SimulatorSettings;
}

export interface SimulatorSettings {
  enabled: boolean;
  intervalMs: number;
  seed: number;
  providersPerClass: number;
  faultyFraction: number;
}

export const ORACLE_CONFIG = Symbol('ORACLE_CONFIG');

/** Hardhat's first development account: a well-known key, for local runs only. */
export const DEVELOPMENT_SIGNING_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

export class OracleConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new OracleConfigError(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return v;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'on' && raw !== 'off') throw new OracleConfigError(`${name} must be on or off, got "${raw}"`);
  return raw === 'on';
}

function hex(env: NodeJS.ProcessEnv, name: string, fallback: string, bytes: number): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!new RegExp(`^0x[0-9a-fA-F]{${2 * bytes}}$`).test(raw))
    throw new OracleConfigError(`${name} must be 0x and ${2 * bytes} hex digits`);
  return raw;
}

/**
 * | variable | default | meaning |
 * | ORACLE_DATA_DIR | .data/oracle | the in-process oracle log (reports and prices topics) |
 * | ORACLE_HTTP_PORT | 3002 | REST port |
 * | ORACLE_SIMULATOR | on embedded, off alone | simulated providers post signed feeds |
 * | ORACLE_SIMULATOR_INTERVAL_MS | 5000 | time between simulated feed rounds |
 * | ORACLE_SIMULATOR_SEED | 27 | seed of the simulated providers (keys, faults, prices) |
 * | ORACLE_SIMULATOR_PROVIDERS_PER_CLASS | 6 | simulated providers per compute class |
 * | ORACLE_PUBLISH_INTERVAL_MS | 5000 | index computation and publication timer |
 * | ORACLE_DEVIATION_BPS | 50 | publish when the index moves more than this |
 * | ORACLE_HEARTBEAT_MS | 3600000 | publish at least this often |
 * | ORACLE_SIGNING_KEY | a development key | the oracle's key for signed rounds |
 * | ORACLE_CHAIN_ID, ORACLE_VERIFYING_CONTRACT | 31337, 0x5FbDB… | the EIP-712 domain |
 */
export function loadOracleConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { simulator: boolean } = { simulator: false },
): OracleConfig {
  return {
    dataDir: path.resolve(env.ORACLE_DATA_DIR || path.join('.data', 'oracle')),
    httpPort: int(env, 'ORACLE_HTTP_PORT', 3002, 0, 65535),
    domain: {
      name: 'GpuComputeOracle',
      version: '1',
      chainId: int(env, 'ORACLE_CHAIN_ID', 31337, 1, Number.MAX_SAFE_INTEGER),
      verifyingContract: hex(
        env,
        'ORACLE_VERIFYING_CONTRACT',
        '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        20,
      ),
    },
    signingKey: hex(env, 'ORACLE_SIGNING_KEY', DEVELOPMENT_SIGNING_KEY, 32),
    publishIntervalMs: int(env, 'ORACLE_PUBLISH_INTERVAL_MS', 5_000, 10, 3_600_000),
    ingestion: DEFAULT_INGESTION_CONFIG,
    index: DEFAULT_INDEX_CONFIG,
    publication: {
      ...DEFAULT_PUBLICATION_CONFIG,
      deviationBps: int(env, 'ORACLE_DEVIATION_BPS', DEFAULT_PUBLICATION_CONFIG.deviationBps, 1, 10_000),
      heartbeatMs: int(env, 'ORACLE_HEARTBEAT_MS', DEFAULT_PUBLICATION_CONFIG.heartbeatMs, 1_000, 86_400_000),
    },
    simulator: {
      enabled: onOff(env, 'ORACLE_SIMULATOR', defaults.simulator),
      intervalMs: int(env, 'ORACLE_SIMULATOR_INTERVAL_MS', 5_000, 10, 3_600_000),
      seed: int(env, 'ORACLE_SIMULATOR_SEED', 27, 0, 0xffffffff),
      providersPerClass: int(env, 'ORACLE_SIMULATOR_PROVIDERS_PER_CLASS', 6, 1, 1_000),
      faultyFraction: 0.3,
    },
  };
}
