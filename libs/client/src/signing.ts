import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * Request signing, as on the major venues: HMAC-SHA256 with the key's secret over
 * `timestamp + METHOD + path + body`, hex encoded. `path` includes the query string exactly as sent
 * (e.g. `/v1/orders/open?instrument=H100-USDC`); `body` is the raw request body ('' when there is
 * none). The server accepts a request when its timestamp is within the receive window of the
 * server's clock and the same signature has not been seen before (replays are refused).
 */
export const AUTH_HEADER = {
  key: 'x-api-key',
  timestamp: 'x-api-timestamp',
  signature: 'x-api-signature',
  recvWindow: 'x-api-recv-window',
} as const;

/** The WebSocket login signs `timestamp + 'WS' + '/ws' + nonce` the same way. */
export const WS_AUTH_METHOD = 'WS';
export const WS_AUTH_PATH = '/ws';

export function signaturePayload(timestampMs: number, method: string, path: string, body: string): string {
  return `${timestampMs}${method.toUpperCase()}${path}${body}`;
}

/** Node's crypto where the runtime has it (Node 20.16+), found without a static import so browsers load this module too. */
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;

/** Hex HMAC-SHA256 of `payload` under `secret` in portable JavaScript (what browsers run). */
export function portableHmacHex(secret: string, payload: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8ToBytes(payload)));
}

/**
 * Hex HMAC-SHA256 of `payload` under `secret` (the secret string's UTF-8 bytes are the key): with
 * Node's native crypto on Node, about a fifth of the portable version's cost; the same bytes either way.
 */
export const hmacHex: (secret: string, payload: string) => string =
  nodeCrypto === undefined
    ? portableHmacHex
    : (secret, payload) => nodeCrypto.createHmac('sha256', secret).update(payload).digest('hex');

export function signRequest(
  secret: string,
  timestampMs: number,
  method: string,
  path: string,
  body: string,
): string {
  return hmacHex(secret, signaturePayload(timestampMs, method, path, body));
}

/** Compares two hex strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function verifySignature(
  secret: string,
  signatureHex: string,
  timestampMs: number,
  method: string,
  path: string,
  body: string,
): boolean {
  return constantTimeEqual(signRequest(secret, timestampMs, method, path, body), signatureHex.toLowerCase());
}

/** Headers of a signed request. */
export function signedHeaders(
  keyId: string,
  secret: string,
  timestampMs: number,
  method: string,
  path: string,
  body: string,
  recvWindowMs?: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    [AUTH_HEADER.key]: keyId,
    [AUTH_HEADER.timestamp]: String(timestampMs),
    [AUTH_HEADER.signature]: signRequest(secret, timestampMs, method, path, body),
  };
  if (recvWindowMs !== undefined) headers[AUTH_HEADER.recvWindow] = String(recvWindowMs);
  return headers;
}
