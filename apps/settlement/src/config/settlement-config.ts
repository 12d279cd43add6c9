import { dirname, join } from 'node:path';
/** Settings of the settlement app, read from the environment once at start and validated. */
export interface SettlementConfig {
  /** How often the scheduler looks at the clock (daily marks, expiries, lease ticks, agents). */
  intervalMs: number;
  /** The daily settlement time, hour of the day in UTC. */
  dailyHourUtc: number;
  /** The daily settlement price is the VWAP of the trades in this window before the daily time. */
  dailyWindowMs: number;
  /** Least time between two LeaseTick commands of a class. */
  leaseTickMs: number;
  /** Simulated provider agents deliver leases (some of them fail on purpose). */
  agents: boolean;
  /**
   * Demo redemption (with the agents): the demo providers commit capacity and the demo lessee
   * redeems GPU-hour tokens once the class index is there, so the demo shows redemption leases too.
   */
  redemptionDemo: boolean;
  /** Agents' heartbeat interval (within the lease terms' SLA). */
  agentHeartbeatMs: number;
  /** Cash settlement on chain (CHAIN=on, the default) or explicitly without a chain (CHAIN=off). */
  chain: boolean;
  /** Where the settlement app keeps its expiry records and payout addresses. */
  dataDir: string;
  /** The oracle key that signs final prices (EIP-712 FinalPrice) for the SettlementPrice contract. */
  signingKey: string;
  /** Least time between two reconciliations of chain and ledger (also run after each expiry's root). */
  reconcileEveryMs: number;
}

/** Hardhat's first development key: the embedded default's price signer (public, never for real funds). */
export const DEVELOPMENT_SIGNING_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

export const SETTLEMENT_CONFIG = Symbol('SETTLEMENT_CONFIG');

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new Error(`${name} must be a whole number in [${min}, ${max}], got ${raw}`);
  return v;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'on' && raw !== 'off') throw new Error(`${name} must be on or off, got ${raw}`);
  return raw === 'on';
}

function signingKey(env: NodeJS.ProcessEnv): string {
  const key = env.SETTLEMENT_SIGNING_KEY || env.ORACLE_SIGNING_KEY;
  // a chain of the user's own needs the user's own key: the development key is for the local chain only
  if (!key && env.CHAIN_RPC_URL)
    throw new Error('CHAIN_RPC_URL is set: SETTLEMENT_SIGNING_KEY (or ORACLE_SIGNING_KEY) must be set too');
  const k = key || DEVELOPMENT_SIGNING_KEY;
  if (!/^0x[0-9a-fA-F]{64}$/.test(k))
    throw new Error('SETTLEMENT_SIGNING_KEY must be a 0x-prefixed 32-byte hex key');
  return k;
}

function dataDir(env: NodeJS.ProcessEnv): string {
  if (env.SETTLEMENT_DATA_DIR) return env.SETTLEMENT_DATA_DIR;
  if (env.ENGINE_DATA_DIR) return join(dirname(env.ENGINE_DATA_DIR), 'settlement');
  return join('.data', 'settlement');
}

export function loadSettlementConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { agents?: boolean } = {},
): SettlementConfig {
  return {
    intervalMs: int(env, 'SETTLEMENT_INTERVAL_MS', 5_000, 10, 3_600_000),
    dailyHourUtc: int(env, 'SETTLEMENT_DAILY_HOUR_UTC', 8, 0, 23),
    dailyWindowMs: int(env, 'SETTLEMENT_DAILY_WINDOW_MS', 30 * 60_000, 1_000, 24 * 3_600_000),
    leaseTickMs: int(env, 'SETTLEMENT_LEASE_TICK_MS', 60_000, 0, 3_600_000),
    agents: onOff(env, 'SETTLEMENT_AGENTS', defaults.agents ?? false),
    redemptionDemo: onOff(env, 'SETTLEMENT_DEMO_REDEMPTION', defaults.agents ?? false),
    agentHeartbeatMs: int(env, 'SETTLEMENT_AGENT_HEARTBEAT_MS', 5 * 60_000, 1_000, 3_600_000),
    chain: onOff(env, 'CHAIN', true),
    dataDir: dataDir(env),
    signingKey: signingKey(env),
    reconcileEveryMs: int(env, 'SETTLEMENT_RECONCILE_MS', 10 * 60_000, 1_000, 24 * 3_600_000),
  };
}
