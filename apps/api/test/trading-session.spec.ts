import { toMinor } from '@exchange/domain';
import { ApiError } from '@exchange/client';
import { Exchange } from './api-fixture';

/**
 * A whole trading session over real HTTP on loopback against the real engine and PostgreSQL:
 * sign up, deposit, quote, trade, amend, cancel, fills, positions, balances, margin.
 */
let ex: Exchange;
beforeAll(async () => {
  ex = await Exchange.start();
}, 120_000);
afterAll(async () => {
  await ex?.stop();
});

const SPOT = 'H100-USDC';

it('lists instruments with their contract specs', async () => {
  const rest = ex.rest();
  const all = await rest.instruments();
  expect(all.length).toBeGreaterThan(10);
  const spot = await rest.instrument(SPOT);
  expect(spot).toMatchObject({
    symbol: SPOT,
    kind: 'spot',
    tickSize: '0.0001',
    lotSize: '1',
    status: 'trading',
  });
  const futures = await rest.instruments({ kind: 'future', computeClass: 'H100' });
  expect(futures.length).toBeGreaterThan(0);
  expect(futures.every((f) => f.kind === 'future' && f.future !== undefined)).toBe(true);
  await expect(rest.instrument('NOPE-USDC')).rejects.toMatchObject({
    status: 404,
    body: { code: 'UNKNOWN_INSTRUMENT' },
  });
});

it('plays a trading session: quote, trade, amend, cancel, fills, positions, balances', async () => {
  const maker = await ex.trader('maker');
  const taker = await ex.trader('taker');

  const bid = await maker.rest.placeOrder({
    instrument: SPOT,
    side: 'buy',
    price: '2.4900',
    quantity: '10',
    clientOrderId: 'mm-b1',
  });
  const ask = await maker.rest.placeOrder({
    instrument: SPOT,
    side: 'sell',
    price: '2.51',
    quantity: '10',
    clientOrderId: 'mm-a1',
  });
  expect(bid.order).toMatchObject({
    status: 'open',
    price: '2.49',
    remainingQuantity: '10',
    clientOrderId: 'mm-b1',
  });
  expect(ask.fills).toEqual([]);

  let book = await ex.rest().book(SPOT, 5);
  expect(book.bids[0]).toEqual(['2.49', '10', 1]);
  expect(book.asks[0]).toEqual(['2.51', '10', 1]);

  // the taker lifts part of the offer
  const take = await taker.rest.placeOrder({
    instrument: SPOT,
    side: 'buy',
    type: 'limit',
    price: '2.51',
    quantity: '4',
    timeInForce: 'IOC',
  });
  expect(take.order.status).toBe('filled');
  expect(take.fills).toEqual([
    expect.objectContaining({
      side: 'buy',
      price: '2.51',
      quantity: '4',
      liquidity: 'taker',
      orderId: take.order.orderId,
    }),
  ]);

  // amend: quantity down keeps priority; a price change loses it
  const down = await maker.rest.amendOrder(ask.order.orderId, { quantity: '5' });
  expect(down).toMatchObject({ remainingQuantity: '5', priorityKept: true });
  const moved = await maker.rest.amendByClientOrderId('mm-b1', { price: '2.495' });
  expect(moved).toMatchObject({ orderId: bid.order.orderId, price: '2.495', priorityKept: false });
  book = await ex.rest().book(SPOT, 5);
  expect(book.bids[0]).toEqual(['2.495', '10', 1]);
  expect(book.asks[0]).toEqual(['2.51', '5', 1]);
  expect(book).toMatchObject({
    bids: ex.engineBook(SPOT, 5).bids.map(([p, q, n]) => [String(p / 10_000), String(q), n]),
  });

  // read models: open orders, history, fills, positions, balances (the projection catches up first)
  const open = await maker.rest.openOrders(SPOT);
  expect(open.map((o) => [o.orderId, o.remainingQuantity, o.price])).toEqual([
    [bid.order.orderId, '10', '2.495'],
    [ask.order.orderId, '5', '2.51'],
  ]);
  const makerFills = await maker.rest.fills();
  expect(makerFills).toEqual([
    expect.objectContaining({
      side: 'sell',
      quantity: '4',
      price: '2.51',
      liquidity: 'maker',
      orderId: ask.order.orderId,
    }),
  ]);
  const takerFills = await taker.rest.fills({ instrument: SPOT });
  expect(takerFills).toHaveLength(1);
  expect(await taker.rest.positions()).toEqual([
    expect.objectContaining({ instrument: SPOT, quantity: '4' }),
  ]);
  expect(await maker.rest.positions()).toEqual([
    expect.objectContaining({ instrument: SPOT, quantity: '-4' }),
  ]);
  const balances = await taker.rest.balances();
  const usdc = balances.find((b) => b.asset === 'USDC')!;
  const h100 = balances.find((b) => b.asset === 'H100')!;
  expect(h100.balance).toBe('1004');
  expect(usdc.balance).toBe('99989.94996'); // 100000 - 4 x 2.51 - the taker fee (10 bp of 10.04)
  const account = (await taker.rest.account()) as { margin: unknown; balances: unknown[] };
  expect(account.balances).toHaveLength(2);

  // cancel one, then the rest
  const cancelled = await maker.rest.cancelOrder(ask.order.orderId);
  expect(cancelled).toEqual({ orderId: ask.order.orderId, cancelledQuantity: '5' });
  await expect(maker.rest.cancelOrder(ask.order.orderId)).rejects.toMatchObject({
    status: 404,
    body: { code: 'UNKNOWN_ORDER' },
  });
  const all = await maker.rest.cancelAll();
  expect(all.cancelled).toEqual([bid.order.orderId]);
  expect(await maker.rest.openOrders()).toEqual([]);
  const history = await maker.rest.orderHistory({ instrument: SPOT });
  expect(history.map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
  expect((await maker.rest.order(bid.order.orderId)).status).toBe('cancelled');

  const trades = await ex.rest().trades(SPOT);
  expect(trades[0]).toMatchObject({ price: '2.51', quantity: '4', side: 'buy' });
  const ticker = await ex.rest().ticker(SPOT);
  expect(ticker.lastPrice).toBe('2.51');
});

it('answers a retried order with the same client order id with the first result (idempotency)', async () => {
  const t = await ex.trader('retrier');
  const params = {
    instrument: SPOT,
    side: 'buy' as const,
    price: '2.3',
    quantity: '3',
    clientOrderId: 'retry-1',
  };
  const first = await t.rest.placeOrder(params);
  const seq = ex.engine.state.lastSeq;
  const again = await t.rest.placeOrder(params);
  expect(again).toEqual(first);
  expect(ex.engine.state.lastSeq).toBe(seq); // nothing reached the engine
  const conflict = await t.rest.placeOrder({ ...params, price: '2.31' }).catch((e: ApiError) => e);
  expect(conflict).toBeInstanceOf(ApiError);
  expect((conflict as ApiError).body).toMatchObject({
    code: 'DUPLICATE_CLIENT_ORDER_ID',
    field: 'clientOrderId',
  });
  expect((await t.rest.openOrders()).map((o) => o.orderId)).toEqual([first.order.orderId]);
});

it('rejects with the engine codes and changes nothing', async () => {
  const t = await ex.trader('rejected', '10', '0');
  // a post-only order that would take, and an order the account cannot pay for
  await ex
    .trader('resting')
    .then((r) => r.rest.placeOrder({ instrument: SPOT, side: 'sell', price: '2.6', quantity: '1' }));
  const before = ex.engineBook(SPOT);
  await expect(
    t.rest.placeOrder({ instrument: SPOT, side: 'buy', price: '2.6', quantity: '1', postOnly: true }),
  ).rejects.toMatchObject({
    body: { code: 'POST_ONLY_WOULD_TAKE', field: 'postOnly' },
  });
  await expect(
    t.rest.placeOrder({ instrument: SPOT, side: 'buy', price: '2.5', quantity: '100' }),
  ).rejects.toMatchObject({
    status: 400,
    body: { code: 'INSUFFICIENT_MARGIN' },
  });
  expect(ex.engineBook(SPOT)).toEqual(before);
  expect(await t.rest.openOrders()).toEqual([]);
});

it("keeps the account's ledger: every transfer, newest first, summing to the balances", async () => {
  const seller = await ex.trader('ledger-seller', '1000', '0');
  const buyer = await ex.trader('ledger-buyer', '1000', '0');
  await seller.rest.faucet('A100', '10');
  await seller.rest.placeOrder({ instrument: 'A100-USDC', side: 'sell', price: '3.25', quantity: '4' });
  await buyer.rest.placeOrder({ instrument: 'A100-USDC', side: 'buy', price: '3.25', quantity: '4' });

  const entries = await seller.rest.ledger();
  expect(entries.map((e) => e.entryId)).toEqual([...entries.map((e) => e.entryId)].sort((a, b) => b - a));
  expect(entries.filter((e) => e.kind !== 'fee').map((e) => [e.kind, e.asset, e.amount])).toEqual([
    ['spot_settlement', 'A100', '-4'],
    ['spot_settlement', 'USDC', '13'],
    ['deposit', 'A100', '10'],
    ['deposit', 'USDC', '1000'],
  ]);
  // the entries of one transfer share its id and its command
  const [tokens, cash] = entries.filter((e) => e.kind === 'spot_settlement');
  expect(tokens!.seq).toBe(cash!.seq);
  expect(tokens!.txId).not.toBe(cash!.txId);
  // every balance is the sum of the account's entries in its asset
  const sums = new Map<string, bigint>();
  for (const e of entries) sums.set(e.asset, (sums.get(e.asset) ?? 0n) + toMinor(e.amount));
  for (const b of await seller.rest.balances()) expect(sums.get(b.asset) ?? 0n).toBe(toMinor(b.balance));

  // filters and pages
  expect((await seller.rest.ledger({ asset: 'A100' })).map((e) => e.amount)).toEqual(['-4', '10']);
  expect((await seller.rest.ledger({ kind: 'deposit' })).map((e) => e.asset)).toEqual(['A100', 'USDC']);
  const page1 = await seller.rest.ledger({ limit: 2 });
  const page2 = await seller.rest.ledger({ limit: 2, beforeEntryId: page1[1]!.entryId });
  expect([...page1, ...page2]).toEqual(entries.slice(0, 4));
  expect(await buyer.rest.ledger({ kind: 'spot_settlement' })).toEqual([
    expect.objectContaining({ asset: 'A100', amount: '4', seq: tokens!.seq }),
    expect.objectContaining({ asset: 'USDC', amount: '-13', seq: tokens!.seq }),
  ]);
  await expect(seller.rest.ledger({ kind: 'gift' })).rejects.toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'kind' } }); // prettier-ignore
  await expect(seller.rest.send('GET', '/v1/account/ledger?page=2', { signed: true })).resolves.toMatchObject({ status: 400, body: { code: 'UNKNOWN_FIELD', field: 'page' } }); // prettier-ignore
});
