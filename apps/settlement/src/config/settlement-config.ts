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
  /** Agents' heartbeat interval (within the lease terms' SLA). */
  agentHeartbeatMs: number;
}

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
    agentHeartbeatMs: int(env, 'SETTLEMENT_AGENT_HEARTBEAT_MS', 5 * 60_000, 1_000, 3_600_000),
  };
}
