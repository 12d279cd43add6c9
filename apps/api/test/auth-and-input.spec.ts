import { AUTH_HEADER, RestClient, signedHeaders, type RawResponse } from '@exchange/client';
import { Exchange, TEST_CONFIG } from './api-fixture';

/**
 * Every authentication failure and every kind of bad input, over real HTTP: each gets its stable
 * code and changes nothing (the engine's last seq and the account's orders stay as they were).
 */
let ex: Exchange;
let trader: Awaited<ReturnType<Exchange['trader']>>;
const SPOT = 'H100-USDC';
const order = { instrument: SPOT, side: 'buy', price: '2.4', quantity: '1' };

beforeAll(async () => {
  ex = await Exchange.start();
  trader = await ex.trader('auth');
}, 120_000);
afterAll(async () => {
  await ex?.stop();
});

/** Runs `act` and checks that the engine saw no command and the account's open orders did not change. */
async function unchanged(act: () => Promise<RawResponse>): Promise<RawResponse> {
  const seq = ex.engine.state.lastSeq;
  const open = await trader.rest.openOrders();
  const res = await act();
  expect(ex.engine.state.lastSeq).toBe(seq);
  expect(await trader.rest.openOrders()).toEqual(open);
  return res;
}

function expectError(res: RawResponse, status: number, code: string, field?: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject(field === undefined ? { code } : { code, field });
  expect(typeof (res.body as { message: string }).message).toBe('string');
}

describe('authentication', () => {
  const post = (rest: RestClient, extra: Parameters<RestClient['send']>[2] = {}) =>
    rest.send('POST', '/v1/orders', { body: order, signed: true, ...extra });

  it('accepts a correctly signed request', async () => {
    const res = await trader.rest.send('GET', '/v1/orders/open', { signed: true });
    expect(res.status).toBe(200);
  });

  it('refuses a request without the signature headers', async () => {
    expectError(
      await unchanged(() => ex.rest().send('POST', '/v1/orders', { body: order })),
      401,
      'MISSING_AUTH',
    );
  });

  it('refuses a bad signature', async () => {
    const wrong = ex.rest({ ...trader.credentials, secret: 'not-the-secret' });
    expectError(await unchanged(() => post(wrong)), 401, 'BAD_SIGNATURE', 'x-api-signature');
    // the body changed after signing
    const body = JSON.stringify(order);
    const headers = signedHeaders(
      trader.credentials.keyId,
      trader.credentials.secret,
      Date.now(),
      'POST',
      '/v1/orders',
      body,
    );
    const tampered = JSON.stringify({ ...order, quantity: '100' });
    expectError(
      await unchanged(() => ex.rest().send('POST', '/v1/orders', { body: tampered, headers })),
      401,
      'BAD_SIGNATURE',
    );
  });

  it('refuses a stale or future timestamp', async () => {
    expectError(
      await unchanged(() => post(trader.rest, { timestampMs: Date.now() - 10 * 60_000 })),
      401,
      'STALE_TIMESTAMP',
      'x-api-timestamp',
    );
    expectError(
      await unchanged(() => post(trader.rest, { timestampMs: Date.now() + 30_000 })),
      401,
      'STALE_TIMESTAMP',
    );
    // within a wider receive window the same age passes
    const res = await trader.rest.send('GET', '/v1/orders/open', {
      signed: true,
      timestampMs: Date.now() - 20_000,
      headers: {},
    });
    expect(res.status).toBe(401);
    const wide = new RestClient({
      baseUrl: ex.baseUrl,
      credentials: trader.credentials,
      recvWindowMs: 30_000,
    });
    expect(
      (await wide.send('GET', '/v1/orders/open', { signed: true, timestampMs: Date.now() - 20_000 })).status,
    ).toBe(200);
  });

  it('refuses an unknown key', async () => {
    const unknown = ex.rest({ keyId: 'ak_00000000000000000000000000000000', secret: 'x' });
    expectError(await unchanged(() => post(unknown)), 401, 'UNKNOWN_KEY');
  });

  it('refuses a revoked key, at once', async () => {
    const extra = await trader.rest.createKey(['read', 'trade']);
    const other = ex.rest({ keyId: extra.keyId, secret: extra.secret });
    expect((await other.send('GET', '/v1/orders/open', { signed: true })).status).toBe(200);
    await trader.rest.revokeKey(extra.keyId);
    expectError(await unchanged(() => post(other)), 401, 'KEY_REVOKED');
    const keys = await trader.rest.keys();
    expect(keys.find((k) => k.keyId === extra.keyId)?.revokedAt).not.toBeNull();
  });

  it('refuses a key without the scope', async () => {
    const readOnly = await trader.rest.createKey(['read']);
    const reader = ex.rest({ keyId: readOnly.keyId, secret: readOnly.secret });
    expect((await reader.send('GET', '/v1/orders/open', { signed: true })).status).toBe(200);
    expectError(await unchanged(() => post(reader)), 403, 'SCOPE_MISSING');
    expectError(
      await unchanged(() =>
        reader.send('POST', '/v1/withdrawals', { body: { asset: 'USDC', amount: '1' }, signed: true }),
      ),
      403,
      'SCOPE_MISSING',
    );
    // a key cannot hand out scopes it does not have
    expectError(
      await unchanged(() => reader.send('POST', '/v1/keys', { body: { scopes: ['trade'] }, signed: true })),
      403,
      'SCOPE_MISSING',
      'scopes',
    );
  });

  it('refuses a replayed request', async () => {
    const body = JSON.stringify({ ...order, price: '2.39' });
    const headers = signedHeaders(
      trader.credentials.keyId,
      trader.credentials.secret,
      Date.now(),
      'POST',
      '/v1/orders',
      body,
    );
    const first = await ex.rest().send('POST', '/v1/orders', { body, headers });
    expect(first.status).toBe(201);
    expectError(
      await unchanged(() => ex.rest().send('POST', '/v1/orders', { body, headers })),
      401,
      'REPLAYED_REQUEST',
    );
    await trader.rest.cancelAll();
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    const url = await ex.startApi({ ...TEST_CONFIG, rateLimit: { capacity: 3, refillPerS: 1 } });
    const limited = new RestClient({
      baseUrl: url.replace('[::1]', '127.0.0.1'),
      credentials: trader.credentials,
    });
    for (let i = 0; i < 3; i++)
      expect((await limited.send('GET', '/v1/orders/open', { signed: true })).status).toBe(200);
    const res = await unchanged(() => limited.send('POST', '/v1/orders', { body: order, signed: true }));
    expectError(res, 429, 'RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another key has its own bucket
    const other = await ex.trader('other-bucket');
    const second = new RestClient({
      baseUrl: url.replace('[::1]', '127.0.0.1'),
      credentials: other.credentials,
    });
    expect((await second.send('GET', '/v1/orders/open', { signed: true })).status).toBe(200);
  });
});

describe('bad input', () => {
  const send = (body: unknown, headers?: Record<string, string>) =>
    unchanged(() => trader.rest.send('POST', '/v1/orders', { body, signed: true, headers }));

  it('malformed JSON', async () => {
    expectError(await send('{"instrument": "H100-USDC", '), 400, 'MALFORMED_JSON');
  });

  it('wrong types and values', async () => {
    expectError(await send({ ...order, price: 2.4 }), 400, 'VALIDATION_FAILED', 'price');
    expectError(await send({ ...order, quantity: '-1' }), 400, 'VALIDATION_FAILED', 'quantity');
    expectError(await send({ ...order, side: 'up' }), 400, 'VALIDATION_FAILED', 'side');
    expectError(await send({ ...order, postOnly: 'yes' }), 400, 'VALIDATION_FAILED', 'postOnly');
    expectError(
      await send({ instrument: SPOT, side: 'buy', price: '2.4' }),
      400,
      'VALIDATION_FAILED',
      'quantity',
    );
    expectError(await send([order]), 400, 'VALIDATION_FAILED', 'body');
    expectError(
      await send({ ...order, clientOrderId: 'has space' }),
      400,
      'VALIDATION_FAILED',
      'clientOrderId',
    );
  });

  it('off-tick and off-lot values, and contract limits, with the engine codes', async () => {
    expectError(await send({ ...order, price: '2.40005' }), 400, 'PRICE_NOT_ON_TICK', 'price');
    expectError(await send({ ...order, price: '2.400000000000000001' }), 400, 'PRICE_NOT_ON_TICK', 'price');
    expectError(await send({ ...order, quantity: '1.5' }), 400, 'SIZE_NOT_ON_LOT', 'quantity');
    expectError(await send({ ...order, price: '0' }), 400, 'INVALID_PRICE', 'price');
    expectError(await send({ ...order, price: '1000' }), 400, 'INVALID_PRICE', 'price');
    expectError(await send({ ...order, quantity: '2000000' }), 400, 'SIZE_ABOVE_MAXIMUM', 'quantity');
    expectError(await send({ ...order, type: 'market' }), 400, 'INVALID_PRICE', 'price');
  });

  it('huge payloads', async () => {
    const huge = JSON.stringify({ ...order, clientOrderId: 'x'.repeat(2 * 1024 * 1024) });
    expectError(await send(huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('unknown fields and query parameters', async () => {
    expectError(await send({ ...order, leverage: 100 }), 400, 'UNKNOWN_FIELD', 'leverage');
    expectError(
      await unchanged(() => trader.rest.send('GET', '/v1/orders/open?color=red', { signed: true })),
      400,
      'UNKNOWN_FIELD',
      'color',
    );
    expectError(
      await unchanged(() => trader.rest.send('GET', '/v1/fills?limit=abc', { signed: true })),
      400,
      'VALIDATION_FAILED',
      'limit',
    );
  });

  it('unknown instruments, orders and routes', async () => {
    expectError(await send({ ...order, instrument: 'B200-USDC' }), 400, 'UNKNOWN_INSTRUMENT', 'instrument');
    expectError(
      await unchanged(() => ex.rest().send('GET', '/v1/book/B200-USDC')),
      404,
      'UNKNOWN_INSTRUMENT',
    );
    expectError(
      await unchanged(() => trader.rest.send('DELETE', '/v1/orders/999999', { signed: true })),
      404,
      'UNKNOWN_ORDER',
    );
    expectError(
      await unchanged(() =>
        trader.rest.send('PATCH', '/v1/orders/by-client-id/nope', { body: { price: '2.5' }, signed: true }),
      ),
      404,
      'UNKNOWN_ORDER',
    );
    expectError(await unchanged(() => ex.rest().send('GET', '/v1/nothing-here')), 404, 'NOT_FOUND');
  });

  it('a malformed URL, refused by the router before any handler', async () => {
    expectError(
      await unchanged(() => ex.rest().send('GET', '/v1/instruments/%E0%A4%A')),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('a body that is not JSON', async () => {
    expectError(
      await send('instrument=H100-USDC', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('the header names are the documented ones', () => {
    expect(AUTH_HEADER).toEqual({
      key: 'x-api-key',
      timestamp: 'x-api-timestamp',
      signature: 'x-api-signature',
      recvWindow: 'x-api-recv-window',
    });
  });
});

describe('OpenAPI', () => {
  it('serves a complete OpenAPI 3.1 document and the docs page', async () => {
    const res = await ex.rest().send('GET', '/openapi.json');
    const doc = res.body as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; responses: object }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        expect(op.operationId).toBeTruthy();
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
      expect(path.startsWith('/')).toBe(true);
    }
    for (const p of [
      '/v1/orders',
      '/v1/orders/{orderId}',
      '/v1/book/{symbol}',
      '/v1/fills',
      '/v1/positions',
      '/v1/balances',
      '/v1/signup',
      '/v1/faucet',
      '/v1/keys/{keyId}',
    ])
      expect(doc.paths[p]).toBeDefined();
    // every $ref resolves
    const text = JSON.stringify(doc);
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g))
      expect(
        (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas[m[1]!],
      ).toBeDefined();
    const docs = await ex.rest().send('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(String(docs.body)).toContain('/openapi.json');
  });
});
