import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { signaturePayload, type Scope } from '@exchange/client';
import { KEY_ID_PATTERN, ReplayWindow, TokenBuckets } from '@exchange/gateway';
import type { ApiConfig } from '../config/api-config';
import { ApiException } from '../http/api-exception';
import type { ApiKeyStore } from './api-key-store';

export interface SignedRequest {
  keyId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  recvWindow?: string;
  method: string;
  path: string;
  body: string;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * The SDK's signature rule (libs/client signing: hex HMAC-SHA256 of timestamp + METHOD + path +
 * body) checked with node:crypto, in time independent of where a wrong signature differs.
 */
function signatureMatches(
  key: KeyObject,
  signatureHex: string,
  timestampMs: number,
  method: string,
  path: string,
  body: string,
): boolean {
  if (!HEX_SHA256.test(signatureHex)) return false;
  const expected = createHmac('sha256', key)
    .update(signaturePayload(timestampMs, method, path, body))
    .digest();
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}

export interface Principal {
  accountId: number;
  keyId: string;
  scopes: Scope[];
}

/**
 * Checks signed requests (REST) and logins (WebSocket) in one place, in this order: headers present,
 * timestamp within the receive window, key known, signature right, key not revoked, not a replay;
 * then the scope and the key's rate limit. The first failure is the answer; nothing is changed.
 */
export class Authenticator {
  private readonly replays: ReplayWindow;
  private readonly keyBuckets: TokenBuckets;
  private readonly publicBuckets: TokenBuckets;

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly config: ApiConfig,
    private readonly nowMs: () => number = () => Date.now(),
  ) {
    this.replays = new ReplayWindow(config.maxRecvWindowMs + 1000);
    this.keyBuckets = new TokenBuckets(config.rateLimit);
    this.publicBuckets = new TokenBuckets(config.publicRateLimit);
  }

  now(): number {
    return this.nowMs();
  }

  async authenticate(r: SignedRequest): Promise<Principal> {
    if (!r.keyId || !r.timestamp || !r.signature) throw ApiException.of('MISSING_AUTH');
    const now = this.nowMs();
    const ts = Number(r.timestamp);
    if (!/^\d{1,16}$/.test(r.timestamp) || !Number.isSafeInteger(ts))
      throw ApiException.of(
        'STALE_TIMESTAMP',
        'the timestamp must be ms since the Unix epoch',
        'x-api-timestamp',
      );
    let window = this.config.defaultRecvWindowMs;
    if (r.recvWindow !== undefined) {
      window = Number(r.recvWindow);
      if (!Number.isInteger(window) || window <= 0 || window > this.config.maxRecvWindowMs)
        throw ApiException.of(
          'VALIDATION_FAILED',
          `the receive window must be 1 to ${this.config.maxRecvWindowMs} ms`,
          'x-api-recv-window',
        );
    }
    if (ts > now + 1000 || now - ts > window)
      throw ApiException.of(
        'STALE_TIMESTAMP',
        `timestamp ${ts} is outside the receive window of ${window} ms around the server time ${now}`,
        'x-api-timestamp',
      );
    if (!KEY_ID_PATTERN.test(r.keyId)) throw ApiException.of('UNKNOWN_KEY', undefined, 'x-api-key');
    const key = await this.keys.find(r.keyId, now);
    if (key === undefined) throw ApiException.of('UNKNOWN_KEY', undefined, 'x-api-key');
    if (
      key.signingKey === undefined ||
      !signatureMatches(key.signingKey, r.signature, ts, r.method, r.path, r.body)
    )
      throw ApiException.of('BAD_SIGNATURE', undefined, 'x-api-signature');
    if (key.revokedAt !== null)
      throw ApiException.of('KEY_REVOKED', `the key was revoked at ${key.revokedAt.toISOString()}`);
    if (!this.replays.admit(r.signature, ts, now)) throw ApiException.of('REPLAYED_REQUEST');
    return { accountId: key.accountId, keyId: key.keyId, scopes: key.scopes };
  }

  requireScope(p: Principal, scope: Scope): void {
    if (!p.scopes.includes(scope))
      throw ApiException.of('SCOPE_MISSING', `the key lacks the "${scope}" scope`);
  }

  /** Takes a token from the key's bucket (or the address's, for public calls); RATE_LIMITED with Retry-After. */
  limit(kind: 'key' | 'public', id: string, cost = 1): void {
    const buckets = kind === 'key' ? this.keyBuckets : this.publicBuckets;
    const r = buckets.take(id, this.nowMs(), cost);
    if (!r.ok) {
      const retryAfterS = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
      throw new ApiException(
        { code: 'RATE_LIMITED', message: `rate limit reached; retry in ${r.retryAfterMs} ms` },
        429,
        retryAfterS,
      );
    }
  }
}
