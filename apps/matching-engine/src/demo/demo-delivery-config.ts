import { ConfigError } from '../config/engine-config';

/** Settings of the demo session's physically settled future (read only when ENGINE_DEMO is on). */
export interface DemoDeliveryConfig {
  /** The demo future expires this many minutes after start (rounded up to a whole minute). */
  expiryMin: number;
}

export const DEMO_DELIVERY_CONFIG = Symbol('DEMO_DELIVERY_CONFIG');

/** The demo future's final price is the index TWAP over its last 4 minutes: it needs that long listed. */
export const DEMO_EXPIRY_MIN_LEAST = 5;

/**
 * | variable | default | meaning |
 * | ENGINE_DEMO_EXPIRY_MIN | 5 | the demo future expires this many minutes after start (5 to 10080) |
 */
export function loadDemoDeliveryConfig(env: NodeJS.ProcessEnv = process.env): DemoDeliveryConfig {
  const raw = env.ENGINE_DEMO_EXPIRY_MIN;
  if (raw === undefined || raw === '') return { expiryMin: 5 };
  const v = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(v) || v < DEMO_EXPIRY_MIN_LEAST || v > 10_080)
    throw new ConfigError(
      `ENGINE_DEMO_EXPIRY_MIN must be an integer in [${DEMO_EXPIRY_MIN_LEAST}, 10080], got "${raw}"`,
    );
  return { expiryMin: v };
}
