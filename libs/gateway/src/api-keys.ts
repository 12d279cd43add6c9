import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * API key secrets are derived, never stored: secret = HMAC-SHA256(master key, "api-key-secret:" +
 * keyId), hex. The api_keys table keeps only `secret_hash` = SHA-256 of the secret (a verifier that
 * detects a wrong master key), so a copy of the database alone reveals no secret; the master key
 * lives outside the database (API_KEY_MASTER_SECRET or a 0600 file beside the engine data).
 * Rotating the master key invalidates every key at once; revoking one key is a row update.
 */
export function deriveSecret(masterKey: string, keyId: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(masterKey), utf8ToBytes(`api-key-secret:${keyId}`)));
}

export function secretVerifier(secret: string): string {
  return bytesToHex(sha256(utf8ToBytes(secret)));
}

/** A key id from 16 random bytes (randomness comes in): "ak_" and 32 hex digits. */
export function keyIdFrom(random: Uint8Array): string {
  if (random.length < 16) throw new RangeError('a key id needs 16 random bytes');
  return `ak_${bytesToHex(random.subarray(0, 16))}`;
}

export const KEY_ID_PATTERN = /^ak_[0-9a-f]{32}$/;
