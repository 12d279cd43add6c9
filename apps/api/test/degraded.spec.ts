import type { CommandLog } from '../../matching-engine/src/ports/command-log';
import { RestClient, type PlaceResult } from '@exchange/client';
import { Exchange, TEST_CONFIG, expectApiError, waitFor } from './api-fixture';

/**
 * The api when parts behind it fail. Reads: while the read models cannot take the account's latest
 * orders (the projection is stalled), an account read answers READ_MODELS_BEHIND instead of rows that
 * miss them, and the right rows once the projection has caught up. The engine: once its command log
 * fails (as a journal whose fdatasync failed does), orders answer ENGINE_UNAVAILABLE and the api's
 * /health answers 503 `failed` with the reason, so a load balancer stops sending traffic to it.
 */
let ex: Exchange;
beforeAll(async () => {
  ex = await Exchange.start();
}, 120_000);
afterAll(async () => {
  await ex?.stop();
});

const order = { instrument: 'H100-USDC', side: 'buy', price: '2.0000', quantity: '1' } as const;

it("answers READ_MODELS_BEHIND while the read models miss the account's orders, then the orders", async () => {
  const trader = await ex.trader('reader');
  const api = await ex.startApi({ ...TEST_CONFIG, readConsistencyTimeoutMs: 300 });
  const rest = new RestClient({ baseUrl: api, credentials: trader.credentials });
  const first = await rest.placeOrder(order);
  expect((await rest.openOrders()).map((o) => o.orderId)).toEqual([first.order.orderId]);

  // PostgreSQL refuses new order rows: the projection stalls, the engine keeps trading
  const refuse = (sql: string) => ex.database.dataSource.query(`ALTER TABLE orders ${sql}`);
  await refuse('ADD CONSTRAINT refuse_new_orders CHECK (order_id < 0) NOT VALID');
  let second: PlaceResult | undefined;
  try {
    second = await rest.placeOrder(order);
    const behind = await rest.openOrders().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(behind).toMatchObject({ status: 503, code: 'READ_MODELS_BEHIND', retryAfterS: 1 });
    await expectApiError(rest.fills(), 503, 'READ_MODELS_BEHIND');
    const health = (await ex.rest().send('GET', '/health')).body;
    expect(health).toMatchObject({ status: 'ok' }); // orders still reach the engine
  } finally {
    await refuse('DROP CONSTRAINT refuse_new_orders'); // the projection catches up, whatever failed
  }
  const ids = await waitFor('the projection to catch up', async () => {
    const open = await rest.openOrders().catch(() => undefined);
    return open?.map((o) => o.orderId);
  });
  expect(ids).toEqual([first.order.orderId, second!.order.orderId]);
  await rest.cancelAll();
}, 60_000);

it("answers 503 on /health once the engine's command log has failed", async () => {
  const trader = await ex.trader('fault');
  await trader.rest.placeOrder(order);
  const healthy = await ex.rest().send('GET', '/health');
  expect(healthy.status).toBe(200);
  expect(healthy.body).toEqual({ status: 'ok', app: 'api', lastSeq: ex.engine.state.lastSeq });

  // the engine's own command log starts refusing appends, as after a failed sync
  const commands = (ex.engine as unknown as { commands: CommandLog }).commands;
  commands.append = () => Promise.reject(new Error('journal commands: fdatasync failed: EIO: i/o error'));
  const lastSeq = ex.engine.state.lastSeq;
  await expectApiError(trader.rest.placeOrder(order), 503, 'ENGINE_UNAVAILABLE');

  const failed = await ex.rest().send('GET', '/health');
  expect(failed.status).toBe(503);
  expect(failed.body).toEqual({
    status: 'failed',
    error: 'journal commands: fdatasync failed: EIO: i/o error',
    app: 'api',
    lastSeq,
  });
  expect(ex.engine.state.lastSeq).toBe(lastSeq);

  // health checks are not rate limited: past the public limit a public call gets 429, /health its answer
  const strict = new RestClient({
    baseUrl: await ex.startApi({ ...TEST_CONFIG, publicRateLimit: { capacity: 2, refillPerS: 0.001 } }),
  });
  const times = [];
  for (let i = 0; i < 3; i++) times.push((await strict.send('GET', '/v1/time')).status);
  expect(times).toEqual([200, 200, 429]);
  const checks = [];
  for (let i = 0; i < 5; i++) checks.push((await strict.send('GET', '/health')).status);
  expect(checks).toEqual([503, 503, 503, 503, 503]);
});
