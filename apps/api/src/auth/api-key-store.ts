import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { KeyView, Scope } from '@exchange/client';
import { deriveSecret, keyIdFrom, secretVerifier } from '@exchange/gateway';

export interface StoredKey {
  keyId: string;
  accountId: number;
  scopes: Scope[];
  revokedAt: Date | null;
  /**
   * The secret (derived from the master key) as an HMAC key, made once per cached read rather than
   * per request; undefined when the stored verifier disagrees (the master key changed).
   */
  signingKey: KeyObject | undefined;
}

/** Accounts made by sign-up start above the ids the demo and tests use by hand. */
const FIRST_ACCOUNT_ID = 1001;

/**
 * Accounts and API keys in PostgreSQL (tables accounts and api_keys). A key's secret is derived from
 * the master key and the key id (libs/gateway api-keys.ts); the row holds only its SHA-256.
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, { key: StoredKey | undefined; atMs: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly masterKey: string,
    private readonly cacheTtlMs = 5000,
  ) {}

  /** Creates an account and its first key (every scope). */
  async signup(name: string): Promise<{ accountId: number; keyId: string; secret: string; scopes: Scope[] }> {
    const scopes: Scope[] = ['read', 'trade', 'withdraw'];
    return this.db.transaction(async (m) => {
      await m.query('LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE');
      const rows = (await m.query(
        'INSERT INTO accounts (account_id, name) SELECT GREATEST(COALESCE(MAX(account_id) + 1, $1), $1), $2 FROM accounts RETURNING account_id',
        [FIRST_ACCOUNT_ID, name],
      )) as { account_id: string }[];
      const accountId = Number(rows[0]!.account_id);
      const { keyId, secret } = this.newKey();
      await m.query(
        'INSERT INTO api_keys (key_id, account_id, secret_hash, scopes) VALUES ($1, $2, $3, $4)',
        [keyId, accountId, secretVerifier(secret), scopes],
      );
      return { accountId, keyId, secret, scopes };
    });
  }

  async createKey(
    accountId: number,
    scopes: Scope[],
  ): Promise<{ keyId: string; secret: string; scopes: Scope[] }> {
    const { keyId, secret } = this.newKey();
    await this.db.query(
      'INSERT INTO api_keys (key_id, account_id, secret_hash, scopes) VALUES ($1, $2, $3, $4)',
      [keyId, accountId, secretVerifier(secret), scopes],
    );
    return { keyId, secret, scopes };
  }

  async list(accountId: number): Promise<KeyView[]> {
    const rows = (await this.db.query(
      'SELECT key_id, scopes, created_at, revoked_at FROM api_keys WHERE account_id = $1 ORDER BY created_at, key_id',
      [accountId],
    )) as { key_id: string; scopes: Scope[]; created_at: Date; revoked_at: Date | null }[];
    return rows.map((r) => ({
      keyId: r.key_id,
      scopes: r.scopes,
      createdAt: r.created_at.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
    }));
  }

  /** Revokes one of the account's keys; undefined when the account has no such key. */
  async revoke(accountId: number, keyId: string): Promise<Date | undefined> {
    const rows = (await this.db.query(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE key_id = $1 AND account_id = $2
       RETURNING revoked_at`,
      [keyId, accountId],
    )) as [{ revoked_at: Date }[], number] | { revoked_at: Date }[];
    const list = Array.isArray(rows[0])
      ? (rows[0] as { revoked_at: Date }[])
      : (rows as { revoked_at: Date }[]);
    this.cache.delete(keyId);
    return list[0]?.revoked_at;
  }

  /** A key by id (cached briefly; revocations through this store take effect at once). */
  async find(keyId: string, nowMs: number): Promise<StoredKey | undefined> {
    const hit = this.cache.get(keyId);
    if (hit !== undefined && nowMs - hit.atMs < this.cacheTtlMs) return hit.key;
    const rows = (await this.db.query(
      'SELECT key_id, account_id, scopes, revoked_at, secret_hash FROM api_keys WHERE key_id = $1',
      [keyId],
    )) as {
      key_id: string;
      account_id: string;
      scopes: Scope[];
      revoked_at: Date | null;
      secret_hash: string;
    }[];
    const r = rows[0];
    const key =
      r === undefined
        ? undefined
        : {
            keyId: r.key_id,
            accountId: Number(r.account_id),
            scopes: r.scopes,
            revokedAt: r.revoked_at,
            signingKey: this.signingKeyOf(r.key_id, r.secret_hash),
          };
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(keyId, { key, atMs: nowMs });
    return key;
  }

  private signingKeyOf(keyId: string, secretHash: string): KeyObject | undefined {
    const secret = deriveSecret(this.masterKey, keyId);
    // the SDK signs with the secret string's UTF-8 bytes
    return secretVerifier(secret) === secretHash ? createSecretKey(secret, 'utf8') : undefined;
  }

  private newKey(): { keyId: string; secret: string } {
    const keyId = keyIdFrom(randomBytes(16));
    return { keyId, secret: deriveSecret(this.masterKey, keyId) };
  }
}
