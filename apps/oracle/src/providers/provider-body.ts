import { REPORT_LIMITS, type ProviderStatus } from '@exchange/oracle';
import { malformed } from '../http/oracle-error';

export interface ProviderRegistration {
  providerId: string;
  address: string;
  stakeMinor: bigint;
  status: ProviderStatus;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseStatus(v: unknown, field = 'status'): ProviderStatus {
  if (v !== 'active' && v !== 'suspended') throw malformed(field, 'expected "active" or "suspended"');
  return v;
}

/**
 * { providerId, address, stakeMinor, status? }: providerId 1..64 characters, address a 0x
 * 20-byte hex address (stored lower-case), stakeMinor whole minor units of USDC as a decimal
 * string (or a safe integer), status active (default) or suspended.
 */
export function parseRegistration(body: unknown): ProviderRegistration {
  if (!isObject(body))
    throw malformed('body', 'expected an object { providerId, address, stakeMinor, status? }');
  const { providerId, address, stakeMinor, status } = body;
  if (
    typeof providerId !== 'string' ||
    providerId.length === 0 ||
    providerId.length > REPORT_LIMITS.maxIdLength
  )
    throw malformed('providerId', `expected a string of 1 to ${REPORT_LIMITS.maxIdLength} characters`);
  if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address))
    throw malformed('address', 'expected a 0x address of 40 hex digits');
  let stake: bigint;
  if (typeof stakeMinor === 'string' && /^\d{1,38}$/.test(stakeMinor)) stake = BigInt(stakeMinor);
  else if (typeof stakeMinor === 'number' && Number.isSafeInteger(stakeMinor) && stakeMinor >= 0)
    stake = BigInt(stakeMinor);
  else throw malformed('stakeMinor', 'expected whole minor units of USDC as a decimal string');
  return {
    providerId,
    address: address.toLowerCase(),
    stakeMinor: stake,
    status: status === undefined ? 'active' : parseStatus(status),
  };
}
