/**
 * What the k6 scripts share: settings from the environment (k6 -e NAME=value, read through __ENV),
 * request signing exactly as libs/client signs (hex HMAC-SHA256 of the key's secret over
 * timestamp + METHOD + path with query + body, in x-api-key, x-api-timestamp, x-api-signature), and
 * a funded account per virtual user (development sign-up and faucet).
 */
import { check, fail } from 'k6';
import { hmac } from 'k6/crypto';
import http, { type RefinedResponse } from 'k6/http';

export const API_URL = (__ENV.API_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
export const WS_URL = __ENV.WS_URL || `${API_URL.replace(/^http/, 'ws')}/ws`;
export const INSTRUMENT = __ENV.INSTRUMENT || 'H100-USDC';

export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) fail(`${name} must be a number, got "${raw}"`);
  return v;
}

export function envString(name: string, fallback: string): string {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

export interface Account {
  accountId: number;
  keyId: string;
  secret: string;
}

export function sign(
  secret: string,
  timestampMs: number,
  method: string,
  path: string,
  body: string,
): string {
  return hmac('sha256', secret, `${timestampMs}${method.toUpperCase()}${path}${body}`, 'hex');
}

/** The timestamp of the last signed request of this VU: two requests never share one (replays are refused). */
let lastTimestampMs = 0;
function nextTimestamp(): number {
  lastTimestampMs = Math.max(Date.now(), lastTimestampMs + 1);
  return lastTimestampMs;
}

/** A signed REST call; `name` tags the request (thresholds are per name). */
export function signed(
  account: Account,
  method: string,
  path: string,
  body: unknown,
  name: string,
): RefinedResponse {
  const text = body === undefined ? '' : JSON.stringify(body);
  const ts = nextTimestamp();
  const headers: Record<string, string> = {
    accept: 'application/json',
    'x-api-key': account.keyId,
    'x-api-timestamp': String(ts),
    'x-api-signature': sign(account.secret, ts, method, path, text),
  };
  if (text !== '') headers['content-type'] = 'application/json';
  return http.request(method, `${API_URL}${path}`, text === '' ? null : text, { headers, tags: { name } });
}

/** The error code of an API error body, or the HTTP status when there is none. */
export function errorCode(res: RefinedResponse): string {
  try {
    const b = JSON.parse(res.body ?? '') as { code?: unknown };
    if (typeof b.code === 'string') return b.code;
  } catch {
    // not JSON
  }
  return res.error !== '' ? res.error : `HTTP ${res.status}`;
}

/** Signs up a new account and funds it from the development faucet; fails the iteration if that does not work. */
export function fundedAccount(name: string): Account {
  const res = http.post(`${API_URL}/v1/signup`, JSON.stringify({ name }), {
    headers: { 'content-type': 'application/json' },
    tags: { name: 'signup' },
  });
  if (!check(res, { 'signup 201': (r) => r.status === 201 }))
    fail(`signup failed: ${res.status} ${errorCode(res)} (is the exchange at ${API_URL} running?)`);
  const account = res.json() as Account;
  for (const [asset, amount] of [
    ['USDC', envString('FAUCET_USDC', '1000000')],
    ['H100', envString('FAUCET_H100', '100000')],
  ]) {
    const f = signed(account, 'POST', '/v1/faucet', { asset, amount }, 'faucet');
    if (!check(f, { 'faucet 200': (r) => r.status === 200 }))
      fail(`faucet ${asset} failed: ${f.status} ${errorCode(f)} (API_FAUCET must be on)`);
  }
  return account;
}

/**
 * A limit order that rests without trading: bids below 2.45 and asks above 2.55 (H100-USDC's demo
 * market is about 2.50, its tick 0.0001 and its price band 10%), so the book's depth stays bounded
 * and every placement is answered the same way. BID_BELOW/ASK_ABOVE move the ranges.
 */
export function restingOrder(clientOrderId: string): {
  instrument: string;
  side: 'buy' | 'sell';
  price: string;
  quantity: string;
  clientOrderId: string;
} {
  const buy = Math.random() < 0.5;
  const offsetTicks = Math.floor(Math.random() * 1500); // 0.15 wide
  const bidTop = envNumber('BID_BELOW', 2.45);
  const askBottom = envNumber('ASK_ABOVE', 2.55);
  const ticks = buy
    ? Math.round(bidTop * 10_000) - 1 - offsetTicks
    : Math.round(askBottom * 10_000) + 1 + offsetTicks;
  return {
    instrument: INSTRUMENT,
    side: buy ? 'buy' : 'sell',
    price: (ticks / 10_000).toFixed(4),
    quantity: String(1 + Math.floor(Math.random() * 5)),
    clientOrderId,
  };
}

/** A fresh login nonce for the WebSocket (`public/auth` signs timestamp + 'WS' + '/ws' + nonce). */
export function wsAuthParams(account: Account): Record<string, unknown> {
  const timestampMs = nextTimestamp();
  const nonce = `k6-${__VU}-${timestampMs}-${Math.floor(Math.random() * 1e9)}`;
  return {
    key: account.keyId,
    timestampMs,
    nonce,
    signature: sign(account.secret, timestampMs, 'WS', '/ws', nonce),
  };
}
