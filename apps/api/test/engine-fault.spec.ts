import type { CommandLog } from '../../matching-engine/src/ports/command-log';
import { RestClient } from '@exchange/client';
import { Exchange, TEST_CONFIG, expectApiError } from './api-fixture';

/**
 * The api's /health follows the engine: once the engine's command log fails (as a journal whose
 * fdatasync failed does), orders answer ENGINE_UNAVAILABLE and the api's /health answers 503
 * `failed` with the reason, so a load balancer stops sending traffic to it.
 */
let ex: Exchange;
beforeAll(async () => {
  ex = await Exchange.start();
}, 120_000);
afterAll(async () => {
  await ex?.stop();
});

const order = { instrument: 'H100-USDC', side: 'buy', price: '2.0000', quantity: '1' } as const;

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
