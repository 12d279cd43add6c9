import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import {
  ApiError,
  WsClient,
  signRequest,
  type BookEvent,
  type BookLevel,
  type FillView,
  type OrderUpdate,
} from '@exchange/client';
import { Exchange, TEST_CONFIG, waitFor, wsFactory } from './api-fixture';

/** The WebSocket API over real sockets on loopback against the real engine. */
let ex: Exchange;
const SPOT = 'H100-USDC';
const clients: WsClient[] = [];

beforeAll(async () => {
  ex = await Exchange.start();
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await ex?.stop();
});

function track(c: WsClient): WsClient {
  clients.push(c);
  return c;
}

/** The engine's book in the API's units (H100-USDC: tick 0.0001, lot 1), every level. */
function engineLevels(): { bids: BookLevel[]; asks: BookLevel[] } {
  const d = ex.engineBook(SPOT, 100_000);
  const fmt = (l: [number, number, number]): BookLevel => [formatTicks(l[0]), String(l[1]), l[2]];
  return { bids: d.bids.map(fmt), asks: d.asks.map(fmt) };
}

function formatTicks(ticks: number): string {
  const s = String(ticks).padStart(5, '0');
  const int = s.slice(0, -4);
  const frac = s.slice(-4).replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

/** A deterministic stream of quotes, cancels and crossing orders from two accounts. */
async function churn(a: WsClient, b: WsClient, steps: number, seed: number): Promise<void> {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  for (let i = 0; i < steps; i++) {
    const who = rnd(2) === 0 ? a : b;
    const side = rnd(2) === 0 ? 'buy' : 'sell';
    const price = formatTicks(24_000 + rnd(40) * 50 + (side === 'buy' ? 0 : 1000));
    const r = rnd(40);
    if (r < 30) await who.call(`private/${side}`, { instrument: SPOT, price, quantity: String(1 + rnd(5)) });
    else if (r < 39)
      await who.call(`private/${side}`, {
        instrument: SPOT,
        price: side === 'buy' ? '2.6' : '2.4',
        quantity: '2',
        timeInForce: 'IOC',
      });
    else await who.cancelAll(SPOT);
  }
}

async function authed(name: string): Promise<{ ws: WsClient; accountId: number }> {
  const t = await ex.trader(name);
  const ws = track(ex.ws(t.credentials));
  await ws.connect();
  await ws.auth();
  return { ws, accountId: t.accountId };
}

it('rebuilds the book from a snapshot and changes, equal to the engine, with checksums', async () => {
  const a = await authed('book-a');
  const b = await authed('book-b');
  await churn(a.ws, b.ws, 20, 1); // the book has something before anyone follows it
  const watcher = track(ex.ws());
  await watcher.connect();
  const events: BookEvent[] = [];
  watcher.onBookEvent((_i, e) => events.push(e));
  await watcher.subscribe(`book.${SPOT}`);
  await churn(a.ws, b.ws, 150, 2);
  await a.ws.buy({ instrument: SPOT, price: px(-1200), quantity: '3' });
  await b.ws.sell({ instrument: SPOT, price: px(1200), quantity: '3' });
  const local = watcher.book(SPOT);
  await waitFor(
    'the local book to catch up',
    () =>
      JSON.stringify({ bids: local.bids, asks: local.asks }) === JSON.stringify(engineLevels()) || undefined,
  );
  expect({ bids: local.bids, asks: local.asks }).toEqual(engineLevels());
  expect(local.bids.length + local.asks.length).toBeGreaterThan(5);
  expect(events.filter((e) => e !== 'ok')).toEqual([]);
  expect(events.length).toBeGreaterThan(10);
  // the REST book agrees too
  const rest = await ex.rest().book(SPOT, 1000);
  expect({ bids: rest.bids, asks: rest.asks }).toEqual(engineLevels());
  await a.ws.cancelAll();
  await b.ws.cancelAll();
}, 60_000);

/** A price `offsetTicks` from the last trade (inside the price band). */
function px(offsetTicks: number): string {
  const last = ex.engine.state.book(ex.instrumentId(SPOT))!.lastPriceTicks || 25_000;
  return formatTicks(last + offsetTicks);
}

/** A WebSocket proxy that can drop the next book change going to the client. */
async function droppingProxy(target: string) {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  const state = { dropNext: false, dropped: 0 };
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (client) => {
      const upstream = new WebSocket(target);
      const queue: string[] = [];
      upstream.on('open', () => queue.splice(0).forEach((m) => upstream.send(m)));
      client.on('message', (d) =>
        upstream.readyState === 1 ? upstream.send(d.toString()) : queue.push(d.toString()),
      );
      upstream.on('message', (d) => {
        const text = d.toString();
        if (state.dropNext && text.includes('"type":"change"')) {
          state.dropNext = false;
          state.dropped++;
          return;
        }
        client.send(text);
      });
      client.on('close', () => upstream.close());
      upstream.on('close', () => client.close());
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    state,
    close: () => {
      for (const c of wss.clients) c.terminate();
      server.close();
    },
  };
}

it('detects a gap, resubscribes and recovers the same book', async () => {
  const a = await authed('gap-a');
  const proxy = await droppingProxy(ex.wsUrl);
  const watcher = track(new WsClient({ url: proxy.url, createSocket: wsFactory }));
  await watcher.connect();
  const events: BookEvent[] = [];
  watcher.onBookEvent((_i, e) => events.push(e));
  await watcher.subscribe(`book.${SPOT}`);
  await a.ws.call('private/buy', { instrument: SPOT, price: px(-1001), quantity: '1' });
  await waitFor('first change', () => events.includes('ok') || undefined);
  proxy.state.dropNext = true;
  await a.ws.call('private/buy', { instrument: SPOT, price: px(-1002), quantity: '1' });
  await a.ws.call('private/buy', { instrument: SPOT, price: px(-1003), quantity: '1' });
  await waitFor('gap detected', () => events.includes('gap') || undefined);
  expect(proxy.state.dropped).toBe(1);
  expect(events).toContain('resync');
  await waitFor('resynchronised', () => {
    const l = watcher.book(SPOT);
    return l.ready && JSON.stringify({ bids: l.bids, asks: l.asks }) === JSON.stringify(engineLevels())
      ? true
      : undefined;
  });
  await a.ws.cancelAll();
  await waitFor('book back in step', () => {
    const l = watcher.book(SPOT);
    return l.ready && JSON.stringify({ bids: l.bids, asks: l.asks }) === JSON.stringify(engineLevels())
      ? true
      : undefined;
  });
  watcher.close();
  proxy.close();
}, 30_000);

it('enters orders over WebSocket and streams private orders and fills', async () => {
  const mm = await authed('ws-mm');
  const taker = await authed('ws-taker');
  const updates: OrderUpdate[] = [];
  const fills: FillView[] = [];
  mm.ws.on('user.orders', (d) => updates.push(...(d as OrderUpdate[])));
  mm.ws.on('user.fills', (d) => fills.push(...(d as FillView[])));
  await mm.ws.subscribe('user.orders', 'user.fills');
  const trades: unknown[] = [];
  taker.ws.on(`trades.${SPOT}`, (d) => trades.push(...(d as unknown[])));
  await taker.ws.subscribe(`trades.${SPOT}`, `ticker.${SPOT}`);

  const [bid1, ask1, bid2, ask2] = [px(-500), px(500), px(-400), px(400)];
  const quote = (await mm.ws.massQuote({
    quotes: [
      { instrument: SPOT, side: 'buy', price: bid1, quantity: '5', clientOrderId: 'q-b' },
      { instrument: SPOT, side: 'sell', price: ask1, quantity: '5', clientOrderId: 'q-a' },
    ],
  })) as { quotes: { ok: boolean; result: { order: { orderId: number } } }[] };
  expect(quote.quotes.map((q) => q.ok)).toEqual([true, true]);
  const askId = quote.quotes[1]!.result.order.orderId;
  const requote = (await mm.ws.massQuote({
    replace: true,
    quotes: [
      { instrument: SPOT, side: 'buy', price: bid2, quantity: '5', clientOrderId: 'q-b' },
      { instrument: SPOT, side: 'sell', price: ask2, quantity: '5', clientOrderId: 'q-a' },
    ],
  })) as { cancelled: number[]; quotes: { ok: boolean; result: { order: { orderId: number } } }[] };
  expect(requote.cancelled).toHaveLength(2);
  const newAsk = requote.quotes[1]!.result.order.orderId;

  const bought = (await taker.ws.buy({ instrument: SPOT, price: ask2, quantity: '2' })) as {
    order: { status: string };
  };
  expect(bought.order.status).toBe('filled');
  const edited = (await mm.ws.edit({ clientOrderId: 'q-a', quantity: '1' })) as { remainingQuantity: string };
  expect(edited.remainingQuantity).toBe('1');
  const cancelled = (await mm.ws.cancel({ orderId: newAsk })) as { cancelledQuantity: string };
  expect(cancelled.cancelledQuantity).toBe('1');
  await expect(mm.ws.cancel({ orderId: askId })).rejects.toMatchObject({ body: { code: 'UNKNOWN_ORDER' } });
  await expect(
    mm.ws.call('private/sell', { instrument: SPOT, price: `${ask1}00001`, quantity: '1' }),
  ).rejects.toMatchObject({
    body: { code: 'PRICE_NOT_ON_TICK', field: 'price' },
  });
  expect((await mm.ws.cancelAll()).cancelled).toHaveLength(1);

  await waitFor('fills', () => (fills.length > 0 && trades.length > 0) || undefined);
  expect(fills[0]).toMatchObject({
    side: 'sell',
    price: ask2,
    quantity: '2',
    liquidity: 'maker',
    orderId: newAsk,
  });
  expect(trades[0]).toMatchObject({ price: ask2, quantity: '2', side: 'buy' });
  await waitFor(
    'order updates',
    () => updates.some((u) => u.event === 'cancelled' && u.orderId === newAsk) || undefined,
  );
  expect(updates.map((u) => u.event)).toEqual(
    expect.arrayContaining(['accepted', 'trade', 'amended', 'cancelled']),
  );
});

it("answers the account's reads over WebSocket as its REST resources do", async () => {
  const t = await ex.trader('ws-reads');
  const ws = track(ex.ws(t.credentials));
  await ws.connect();
  await expect(ws.positions()).rejects.toMatchObject({ body: { code: 'NOT_AUTHENTICATED' } });
  await ws.auth();
  const rest = ex.rest(t.credentials);
  const taker = await authed('ws-reads-taker');
  const sold = (await ws.sell({ instrument: SPOT, price: px(300), quantity: '3' })) as {
    order: { orderId: number };
  };
  const orderId = sold.order.orderId;
  await taker.ws.buy({ instrument: SPOT, price: px(300), quantity: '2' });

  // each read right after the account's own commands: the read models hold them
  const order = await ws.order(orderId);
  expect(order).toMatchObject({ orderId, status: 'open', filledQuantity: '2', remainingQuantity: '1' });
  expect(order).toEqual(await rest.order(orderId));
  const second = (await ws.buy({ instrument: SPOT, price: px(-300), quantity: '1' })) as {
    order: { orderId: number };
  };
  const history = await ws.orderHistory();
  expect(history.map((o) => o.orderId)).toEqual([second.order.orderId, orderId]);
  expect(history).toEqual(await rest.orderHistory());
  expect(await ws.orderHistory({ limit: 1 })).toEqual(history.slice(0, 1));
  expect(await ws.orderHistory({ beforeOrderId: second.order.orderId })).toEqual(history.slice(1));
  const fills = await ws.fills({ instrument: SPOT });
  expect(fills).toHaveLength(1);
  expect(fills[0]).toMatchObject({ orderId, side: 'sell', quantity: '2', liquidity: 'maker' });
  expect(fills).toEqual(await rest.fills({ instrument: SPOT }));
  expect(await ws.fills({ limit: 1 })).toEqual(fills);
  expect(await ws.fills({ instrument: 'A100-USDC' })).toEqual([]);
  const balances = await ws.balances();
  expect(balances.map((b) => b.asset)).toEqual(expect.arrayContaining(['USDC', 'H100']));
  expect(balances).toEqual(await rest.balances());
  expect(await ws.positions()).toEqual(await rest.positions());
  expect(await ws.account()).toEqual(await rest.account());

  // bad requests: the same codes as every other method
  await expect(ws.order(orderId + 1_000_000)).rejects.toMatchObject({ body: { code: 'UNKNOWN_ORDER' } });
  await expect(taker.ws.order(orderId)).rejects.toMatchObject({ body: { code: 'UNKNOWN_ORDER' } });
  await expect(ws.call('private/get_order', {})).rejects.toMatchObject({
    status: -32602,
    body: { code: 'VALIDATION_FAILED', field: 'params.orderId' },
  });
  await expect(ws.call('private/get_order_history', { beforeOrderId: 'x' })).rejects.toMatchObject({
    body: { code: 'VALIDATION_FAILED', field: 'params.beforeOrderId' },
  });
  await expect(ws.call('private/get_fills', { limit: 0 })).rejects.toMatchObject({
    body: { code: 'VALIDATION_FAILED', field: 'params.limit' },
  });
  await expect(ws.call('private/get_balances', { asset: 'USDC' })).rejects.toMatchObject({
    body: { code: 'UNKNOWN_FIELD', field: 'params.asset' },
  });
  await ws.cancelAll();
});

it('answers a JSON-RPC batch in one message, its orders sequenced in request order', async () => {
  const mm = await authed('ws-batch');
  const order = (side: 'buy' | 'sell', price: string, clientOrderId?: string) => ({
    method: `private/${side}`,
    params: { instrument: SPOT, price, quantity: '1', ...(clientOrderId ? { clientOrderId } : {}) },
  });
  const out = await mm.ws.batch([
    order('buy', px(-600), 'b-1'),
    order('sell', px(600), 'b-2'),
    order('buy', `${px(-600)}00001`),
    { method: 'public/nothing' },
    order('buy', px(-610), 'b-3'),
  ]);
  expect(out.map((o) => o.ok)).toEqual([true, true, false, false, true]);
  const seqs = [0, 1, 4].map((i) => {
    const o = out[i]!;
    if (!o.ok) throw o.error;
    return (o.result as { order: { createdSeq: number; clientOrderId: string } }).order;
  });
  expect(seqs.map((o) => o.clientOrderId)).toEqual(['b-1', 'b-2', 'b-3']);
  // dispatched in one turn: the engine sequenced them one after another, in request order
  expect(seqs.map((o) => o.createdSeq - seqs[0]!.createdSeq)).toEqual([0, 1, 2]);
  expect(out[2]).toMatchObject({ ok: false, error: { body: { code: 'PRICE_NOT_ON_TICK', field: 'price' } } });
  expect(out[3]).toMatchObject({ ok: false, error: { status: -32601, body: { code: 'METHOD_NOT_FOUND' } } });

  // a batch over the limit is refused whole: nothing of it reaches the engine
  const tooMany = Array.from({ length: TEST_CONFIG.wsMaxBatch + 1 }, (_, i) =>
    order('buy', px(-700), `big-${i}`),
  );
  await expect(mm.ws.batch(tooMany)).rejects.toMatchObject({ body: { code: 'VALIDATION_FAILED' } });
  expect(engineLevels().bids.some((l) => l[0] === px(-700))).toBe(false);
  expect((await mm.ws.cancelAll()).cancelled).toHaveLength(3);

  // the wire: one answer message per batch, notifications left out, invalid members answered in place
  const raw = new WebSocket(ex.wsUrl);
  const messages: unknown[] = [];
  raw.on('message', (d) => messages.push(JSON.parse(d.toString())));
  await new Promise<void>((r) => raw.on('open', () => r()));
  raw.send('[]');
  raw.send(
    '[1, {"jsonrpc":"2.0","method":"public/test"}, {"jsonrpc":"2.0","id":"t","method":"public/test"}]',
  );
  raw.send('[{"jsonrpc":"2.0","method":"public/test"}]');
  raw.send('{"jsonrpc":"2.0","id":9,"method":"public/test"}');
  await waitFor('answers', () => messages.length >= 3 || undefined);
  await new Promise((r) => setTimeout(r, 100));
  expect(messages).toEqual([
    { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32600 }) },
    [
      { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32600 }) },
      { jsonrpc: '2.0', id: 't', result: { version: '1' } },
    ],
    { jsonrpc: '2.0', id: 9, result: { version: '1' } },
  ]);
  raw.close();
});

it('answers bad requests with JSON-RPC errors carrying the stable codes', async () => {
  const ws = track(ex.ws());
  await ws.connect();
  await expect(ws.call('private/buy', { instrument: SPOT, price: '2', quantity: '1' })).rejects.toMatchObject(
    { body: { code: 'NOT_AUTHENTICATED' } },
  );
  await expect(ws.call('public/nothing')).rejects.toMatchObject({
    status: -32601,
    body: { code: 'METHOD_NOT_FOUND' },
  });
  await expect(ws.call('public/subscribe', { channels: ['book.NOPE'] })).rejects.toMatchObject({
    body: { code: 'UNKNOWN_INSTRUMENT' },
  });
  await expect(ws.call('public/subscribe', { channels: ['weather.today'] })).rejects.toMatchObject({
    body: { code: 'UNKNOWN_CHANNEL' },
  });
  await expect(ws.call('public/subscribe', { channels: ['user.orders'] })).rejects.toMatchObject({
    body: { code: 'NOT_AUTHENTICATED' },
  });
  await expect(ws.call('public/set_heartbeat', { interval: 'often' })).rejects.toMatchObject({
    status: -32602,
    body: { code: 'VALIDATION_FAILED' },
  });
  await expect(ws.call('public/test', { extra: 1 })).rejects.toMatchObject({
    body: { code: 'UNKNOWN_FIELD' },
  });
  const t = await ex.trader('ws-auth');
  const ts = Date.now();
  const bad = {
    key: t.credentials.keyId,
    timestampMs: ts,
    nonce: 'n1',
    signature: signRequest('wrong', ts, 'WS', '/ws', 'n1'),
  };
  await expect(ws.call('public/auth', bad)).rejects.toMatchObject({ body: { code: 'BAD_SIGNATURE' } });
  const stale = {
    ...bad,
    timestampMs: ts - 600_000,
    signature: signRequest(t.credentials.secret, ts - 600_000, 'WS', '/ws', 'n1'),
  };
  await expect(ws.call('public/auth', stale)).rejects.toMatchObject({ body: { code: 'STALE_TIMESTAMP' } });
  const good = { ...bad, signature: signRequest(t.credentials.secret, ts, 'WS', '/ws', 'n1') };
  await expect(ws.call('public/auth', good)).resolves.toMatchObject({ accountId: t.accountId });
  await expect(ws.call('public/auth', good)).rejects.toMatchObject({ body: { code: 'REPLAYED_REQUEST' } });

  // raw frames: malformed JSON and a non-JSON-RPC object
  const raw = new WebSocket(ex.wsUrl);
  const answers: { id: unknown; error: { code: number; data: { code: string } } }[] = [];
  raw.on('message', (d) => answers.push(JSON.parse(d.toString())));
  await new Promise<void>((r) => raw.on('open', () => r()));
  raw.send('{"jsonrpc":"2.0","id":1,');
  raw.send(JSON.stringify({ id: 2, method: 'public/test' }));
  await waitFor('answers', () => answers.length >= 2 || undefined);
  expect(answers[0]).toMatchObject({ id: null, error: { code: -32700, data: { code: 'MALFORMED_JSON' } } });
  expect(answers[1]).toMatchObject({ id: 2, error: { code: -32600, data: { code: 'VALIDATION_FAILED' } } });
  // a message over the size limit closes the connection (1009)
  const closed = new Promise<number>((r) => raw.on('close', (code) => r(code)));
  raw.send('x'.repeat(TEST_CONFIG.maxBodyBytes + 1));
  expect(await closed).toBe(1009);
  expect(ApiError).toBeDefined();
});

it('cancels the orders of a connection that opted in when it drops', async () => {
  const t = await ex.trader('cod');
  const ws = new WsClient({
    url: ex.wsUrl,
    credentials: t.credentials,
    createSocket: wsFactory,
    reconnect: false,
  });
  await ws.connect();
  await ws.auth();
  await ws.enableCancelOnDisconnect();
  await ws.buy({ instrument: SPOT, price: px(-900), quantity: '1' });
  await ws.sell({ instrument: SPOT, price: px(900), quantity: '1' });
  const id = ex.instrumentId(SPOT);
  expect(ex.engine.state.book(id)!.accountOrderIds(t.accountId)).toHaveLength(2);
  // a second connection without the opt-in keeps its orders
  const keeper = await authed('cod-keeper');
  await keeper.ws.buy({ instrument: SPOT, price: px(-900), quantity: '1' });
  ws.close();
  await waitFor(
    'orders cancelled',
    () => ex.engine.state.book(id)!.accountOrderIds(t.accountId).length === 0 || undefined,
  );
  expect(ex.engine.state.book(id)!.accountOrderIds(keeper.accountId)).toHaveLength(1);

  // what each account still has, asked over WebSocket as a reconnecting market maker would
  const kept = await keeper.ws.openOrders(SPOT);
  expect(kept.map((o) => o.orderId)).toEqual(ex.engine.state.book(id)!.accountOrderIds(keeper.accountId));
  expect(kept[0]).toMatchObject({ instrument: SPOT, side: 'buy', status: 'open', remainingQuantity: '1' });
  expect(await keeper.ws.openOrders('A100-USDC')).toEqual([]);
  const back = track(ex.ws(t.credentials));
  await back.connect();
  await expect(back.openOrders()).rejects.toMatchObject({ body: { code: 'NOT_AUTHENTICATED' } });
  await back.auth();
  expect(await back.openOrders()).toEqual([]);
  await keeper.ws.cancelAll();
});

it('sends heartbeats and test requests, and closes a connection that does not answer', async () => {
  const live = track(ex.ws());
  await live.connect();
  await live.setHeartbeat(1); // the SDK answers test requests by itself
  const silent = new WebSocket(ex.wsUrl);
  const seen: string[] = [];
  silent.on('message', (d) => seen.push(JSON.parse(d.toString()).params?.type ?? 'reply'));
  await new Promise<void>((r) => silent.on('open', () => r()));
  const closed = new Promise<number>((r) => silent.on('close', (code) => r(code)));
  silent.send(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'public/set_heartbeat', params: { interval: 1 } }),
  );
  expect(await closed).toBe(4000);
  expect(seen).toEqual(expect.arrayContaining(['test_request']));
  expect(live.connected).toBe(true);
}, 20_000);

it('tells a client that stops reading and drops it (backpressure)', async () => {
  const url = (await ex.startApi({ ...TEST_CONFIG, wsMaxBufferedBytes: 64 * 1024 })).replace(
    '[::1]',
    '127.0.0.1',
  );
  // a deep book makes every snapshot large (1,000 levels)
  const mm = await ex.trader('deep', '10000000', '100000');
  const mmWs = track(ex.ws(mm.credentials));
  await mmWs.connect();
  await mmWs.auth();
  for (let i = 0; i < 5; i++) {
    const quotes = Array.from({ length: 200 }, (_, j) => ({
      instrument: SPOT,
      side: 'sell' as const,
      price: px(1000 + i * 200 + j),
      quantity: '1',
    }));
    await mmWs.massQuote({ quotes });
  }
  expect(ex.engineBook(SPOT, 5000).asks.length).toBeGreaterThanOrEqual(1000);
  const slow = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  await new Promise<void>((r) => slow.on('open', () => r()));
  const closed = new Promise<number>((r) => slow.on('close', (code) => r(code)));
  slow.pause(); // stop reading: the server's buffer for this client grows
  const ask = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'public/subscribe',
    params: { channels: [`book.${SPOT}`] },
  });
  for (let i = 0; i < 2000; i++) slow.send(ask);
  slow.resume();
  expect(await closed).toBe(4008);
  await mmWs.cancelAll();
}, 60_000);
