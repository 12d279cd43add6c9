import * as http from 'node:http';
import { build as buildHistogram, type Histogram } from 'hdr-histogram-js';
import { Pool, type Dispatcher } from 'undici';
import WebSocket from 'ws';
import {
  RestClient,
  WsClient,
  nodeWebSocketFactory,
  type BookMessage,
  type Credentials,
  type PlaceOrderParams,
} from '@exchange/client';

export const INSTRUMENT = 'H100-USDC';
const TICKS_PER_UNIT = 10_000; // H100-USDC's tick is 0.0001

export const wsFactory = nodeWebSocketFactory(WebSocket);

export function histogram(): Histogram {
  return buildHistogram({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export interface OrderRound {
  orders: number;
  seconds: number;
  ordersPerS: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  firstError?: string;
}

/** An order of a client's stream. */
type StreamOrder = PlaceOrderParams & { side: 'buy' | 'sell' };

/**
 * The order stream of one loop of a client: resting limit orders that never cross (bids from 2.4499
 * down, asks from 2.5501 up, cycling over 1,500 ticks), so each order is one new resting order.
 * Quantities are 1 to 5 lots above five times the loop's `lane`: the loops of one key never send
 * the same body, so two of its requests signed in the same millisecond never share a signature (the
 * API would refuse the second as a replay), and one loop's consecutive bodies differ.
 */
export class OrderStream {
  private n = 0;
  constructor(
    private readonly offset: number,
    private readonly lane = 0,
  ) {}
  next(): StreamOrder {
    const i = this.n++ + this.offset;
    const buy = i % 2 === 0;
    const step = Math.floor(i / 2) % 1500;
    const ticks = buy ? 24_499 - step : 25_501 + step;
    return {
      instrument: INSTRUMENT,
      side: buy ? 'buy' : 'sell',
      price: (ticks / TICKS_PER_UNIT).toFixed(4),
      quantity: String(1 + (i % 5) + 5 * this.lane),
    };
  }
}

export function signupAccounts(baseUrl: string, count: number, prefix: string): Promise<Credentials[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const rest = new RestClient({ baseUrl });
      const s = await rest.signup(`${prefix}-${i}`);
      await rest.faucet('USDC', '100000000');
      await rest.faucet('H100', '10000000');
      return { keyId: s.keyId, secret: s.secret };
    }),
  );
}

function describe(err: unknown): string {
  const e = err as { body?: { code?: string }; message?: string };
  return e.body?.code ?? e.message ?? String(err);
}

/**
 * Runs `workers` loops for `seconds`, each sending a request of `ordersPerRequest` orders from its
 * stream and waiting for its acknowledgement;
 * every `cancelEvery` acknowledged orders of a client its open orders are cancelled in one request
 * (not counted, not timed), so books stay shallow. Latency: send to acknowledgement of each order.
 */
async function runLoops(
  clients: {
    /** Sends one request holding `orders` (ordersPerRequest of them). */
    place(orders: StreamOrder[]): Promise<unknown>;
    cancelAll(): Promise<unknown>;
  }[],
  inFlightPerClient: number,
  seconds: number,
  cancelEvery: number,
  ordersPerRequest = 1,
): Promise<OrderRound> {
  const h = histogram();
  let orders = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    clients.flatMap((client, c) => {
      let sinceCancel = 0;
      return Array.from({ length: inFlightPerClient }, async (_, w) => {
        const stream = new OrderStream(c * 7919 + w * 104_729, w);
        while (performance.now() < end) {
          const sent = performance.now();
          try {
            await client.place(Array.from({ length: ordersPerRequest }, () => stream.next()));
            h.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000)));
            orders += ordersPerRequest;
          } catch (err) {
            errors++;
            firstError ??= describe(err);
          }
          if (++sinceCancel >= cancelEvery) {
            sinceCancel = 0;
            await client.cancelAll().catch((err: unknown) => {
              errors++;
              firstError ??= describe(err);
            });
          }
        }
      });
    }),
  );
  const round = roundEnded(h, orders, t0, errors, firstError);
  await Promise.all(clients.map((c) => c.cancelAll().catch(() => undefined)));
  return round;
}

/** The figures of a round that began at `t0` and has just ended. */
function roundEnded(
  h: Histogram,
  orders: number,
  t0: number,
  errors: number,
  firstError: string | undefined,
): OrderRound {
  const elapsedS = (performance.now() - t0) / 1000;
  return {
    orders,
    seconds: elapsedS,
    ordersPerS: orders / elapsedS,
    p50Ms: h.getValueAtPercentile(50) / 1000,
    p99Ms: h.getValueAtPercentile(99) / 1000,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

/** Authenticated WebSocket connections (one per account), JSON-RPC order entry through WsClient. */
export async function connectWs(wsUrl: string, accounts: Credentials[]): Promise<WsClient[]> {
  return Promise.all(
    accounts.map(async (credentials) => {
      const ws = new WsClient({ url: wsUrl, credentials, createSocket: wsFactory, reconnect: false });
      await ws.connect();
      await ws.auth();
      return ws;
    }),
  );
}

export function wsOrders(clients: WsClient[], inFlight: number, seconds: number): Promise<OrderRound> {
  return runLoops(
    clients.map((ws) => ({
      place: ([{ side, ...o }]) => (side === 'buy' ? ws.buy(o) : ws.sell(o)),
      cancelAll: () => ws.cancelAll(INSTRUMENT),
    })),
    inFlight,
    seconds,
    200,
  );
}

/** An open-loop round: the rate offered and what came of it. */
export interface OfferedRound extends OrderRound {
  offeredPerS: number;
  /** Orders that were due but not sent because a client already had `maxInFlight` waiting. */
  notSent: number;
}

/**
 * Open-loop WebSocket order entry: orders are due on a fixed schedule (`ratePerS` in all, dealt to
 * the clients in turn) whatever the answers do, and sent as they fall due (a timer checks every
 * millisecond). Latency runs from each order's due time to its acknowledgement, so a stall anywhere
 * delays the orders due during it and counts against each of them (no coordinated omission). Every
 * 200 acknowledged orders of a client its open orders are cancelled in one request, not awaited.
 * A client with `maxInFlight` orders unanswered sends no more until answers come back; orders that
 * fall due meanwhile are counted as not sent (the server did not keep up with the rate).
 */
export async function wsOrdersAtRate(
  clients: WsClient[],
  ratePerS: number,
  seconds: number,
  maxInFlight = 512,
): Promise<OfferedRound> {
  const h = histogram();
  const streams = clients.map((_, c) => new OrderStream(c * 7919, c));
  const inFlight = clients.map(() => 0);
  const sinceCancel = clients.map(() => 0);
  let orders = 0;
  let errors = 0;
  let notSent = 0;
  let firstError: string | undefined;
  const total = Math.max(1, Math.round(ratePerS * seconds));
  const t0 = performance.now();
  let next = 0;
  // requests unanswered; the round ends when the schedule is through and none is left
  let outstanding = 0;
  let allSent = false;
  let finished: () => void = () => undefined;
  const ended = new Promise<void>((r) => (finished = r));
  const settled = () => {
    if (--outstanding === 0 && allSent) finished();
  };
  const failed = (err: unknown) => {
    errors++;
    firstError ??= describe(err);
  };
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * ratePerS) / 1000) + 1);
      for (; next < due; next++) {
        const c = next % clients.length;
        if (inFlight[c]! >= maxInFlight) {
          notSent++;
          continue;
        }
        const dueAt = t0 + (next * 1000) / ratePerS;
        const { side, ...o } = streams[c]!.next();
        const ws = clients[c]!;
        inFlight[c]!++;
        outstanding++;
        (side === 'buy' ? ws.buy(o) : ws.sell(o))
          .then(() => {
            h.recordValue(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
            orders++;
            if (++sinceCancel[c]! >= 200) {
              sinceCancel[c] = 0;
              outstanding++;
              ws.cancelAll(INSTRUMENT).catch(failed).finally(settled);
            }
          }, failed)
          .finally(() => {
            inFlight[c]!--;
            settled();
          });
      }
      if (next >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  // answers still on their way belong to the round
  allSent = true;
  if (outstanding > 0) await ended;
  const round = roundEnded(h, orders, t0, errors, firstError);
  await Promise.all(clients.map((c) => c.cancelAll(INSTRUMENT).catch(() => undefined)));
  return { ...round, offeredPerS: ratePerS, notSent };
}

/**
 * Market-maker requotes over WebSocket: each request is one private/mass_quote that replaces the
 * client's quotes on H100-USDC with `quotesPerRequest` new resting orders (half bids, half asks) in
 * one engine batch. Orders per second count the quotes placed (each is an order in the book);
 * latency is per request.
 */
export function wsMassQuotes(
  clients: WsClient[],
  inFlight: number,
  seconds: number,
  quotesPerRequest: number,
): Promise<OrderRound> {
  return runLoops(
    clients.map((ws) => ({
      place: async (orders) => {
        const quotes = orders.map((o) => ({
          instrument: o.instrument,
          side: o.side,
          price: o.price!,
          quantity: o.quantity,
        }));
        const r = (await ws.massQuote({ replace: true, quotes })) as {
          quotes: { ok: boolean; error?: { code: string } }[];
        };
        const failed = r.quotes.find((q) => !q.ok);
        if (failed !== undefined) throw new Error(failed.error?.code ?? 'QUOTE_FAILED');
      },
      cancelAll: () => ws.cancelAll(INSTRUMENT),
    })),
    inFlight,
    seconds,
    Number.MAX_SAFE_INTEGER,
    quotesPerRequest,
  );
}

/**
 * Order entry in JSON-RPC batches over WebSocket: each request is one message of `ordersPerBatch`
 * private/buy and private/sell calls (WsClient.batch), answered by one message; every call must
 * succeed. Orders per second count the orders placed; latency is per batch.
 */
export function wsBatchOrders(
  clients: WsClient[],
  inFlight: number,
  seconds: number,
  ordersPerBatch: number,
): Promise<OrderRound> {
  return runLoops(
    clients.map((ws) => ({
      place: async (orders) => {
        const calls = orders.map(({ side, ...o }) => ({
          method: side === 'buy' ? 'private/buy' : 'private/sell',
          params: o as Record<string, unknown>,
        }));
        const failed = (await ws.batch(calls)).find((o) => !o.ok);
        if (failed !== undefined && !failed.ok) throw failed.error;
      },
      cancelAll: () => ws.cancelAll(INSTRUMENT),
    })),
    inFlight,
    seconds,
    Math.max(1, Math.round(200 / ordersPerBatch)),
    ordersPerBatch,
  );
}

/** How the REST clients reach the server: undici's Pool, node:http with a keep-alive agent, or Node's fetch. */
export type RestTransport = 'undici' | 'http' | 'fetch';

/** The part of fetch RestClient uses (status, a header, the text of the body). */
type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/**
 * RestClient's fetch over undici's connection pool (`maxSockets` keep-alive connections, one
 * request at a time on each). Node 20's fetch (undici behind the WHATWG API) answers about 2,500
 * requests/s here against a server that does nothing and node:http about 6,000, at some 150 µs of
 * client CPU a request: either would make the bench's client the bottleneck.
 */
function undiciFetch(baseUrl: string, maxSockets: number): { fetch: FetchLike; close(): Promise<void> } {
  const pool = new Pool(baseUrl, { connections: maxSockets, pipelining: 1 });
  const fetchLike: FetchLike = async (url, init) => {
    const res = await pool.request({
      path: url.slice(baseUrl.length),
      method: init.method as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body ?? null,
    });
    const text = await res.body.text();
    const header = (name: string) => {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    };
    return { status: res.statusCode, headers: { get: header }, text: async () => text };
  };
  return { fetch: fetchLike, close: () => pool.close() };
}

/** RestClient's fetch over node:http with a keep-alive agent. */
function keepAliveFetch(maxSockets: number): { fetch: FetchLike; close(): Promise<void> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const fetchLike: FetchLike = (url, init) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: init.method, headers: init.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              get: (name: string) => (res.headers[name.toLowerCase()] as string | undefined) ?? null,
            },
            text: async () => text,
          });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body);
    });
  return { fetch: fetchLike, close: async () => agent.destroy() };
}

/** REST order entry through RestClient (signed POST /v1/orders, keep-alive connections). */
export async function restOrders(
  baseUrl: string,
  accounts: Credentials[],
  inFlight: number,
  seconds: number,
  transport: RestTransport = 'undici',
): Promise<OrderRound> {
  const sockets = accounts.length * inFlight;
  const t =
    transport === 'undici'
      ? undiciFetch(baseUrl, sockets)
      : transport === 'http'
        ? keepAliveFetch(sockets)
        : undefined;
  try {
    return await runLoops(
      accounts.map((credentials) => {
        const rest = new RestClient({
          baseUrl,
          credentials,
          ...(t !== undefined ? { fetch: t.fetch as unknown as typeof fetch } : {}),
        });
        return { place: ([o]) => rest.placeOrder(o!), cancelAll: () => rest.cancelAll(INSTRUMENT) };
      }),
      inFlight,
      seconds,
      200,
    );
  } finally {
    await t?.close();
  }
}

export interface FanoutRound {
  subscribers: number;
  changesPerS: number;
  deliveries: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  resyncs: number;
}

/**
 * Market-data fan-out: `count` WsClient subscribers to book.H100-USDC (each keeps a local book and
 * checks links and checksums); a publisher places a bid at a price no one else uses, waits for the
 * acknowledgement, cancels it, at `ratePerS` placements per second. Delivery latency: from the
 * publisher sending the order to a subscriber's handler getting the change with that price level.
 */
export async function fanout(
  wsUrl: string,
  publisherAccount: Credentials,
  count: number,
  seconds: number,
  ratePerS: number,
  kind: 'sdk' | 'raw' = 'sdk',
): Promise<FanoutRound> {
  const sentAtMs = new Map<number, number>();
  const h = histogram();
  let deliveries = 0;
  let resyncs = 0;
  const record = (bids: BookMessage['bids']) => {
    const now = performance.now();
    for (const [price, quantity] of bids) {
      if (quantity === '0') continue;
      const sent = sentAtMs.get(Math.round(Number(price) * TICKS_PER_UNIT));
      if (sent === undefined) continue;
      h.recordValue(Math.max(1, Math.round((now - sent) * 1000)));
      deliveries++;
    }
  };
  const closers: (() => void)[] = [];
  if (kind === 'sdk') {
    const subscribers: WsClient[] = [];
    for (let i = 0; i < count; i += 50) {
      const batch = Array.from({ length: Math.min(50, count - i) }, async () => {
        const ws = new WsClient({ url: wsUrl, createSocket: wsFactory, reconnect: false });
        await ws.connect();
        return ws;
      });
      subscribers.push(...(await Promise.all(batch)));
    }
    for (const ws of subscribers) {
      ws.onBookEvent((_, event) => {
        if (event === 'resync') resyncs++;
      });
      ws.on(`book.${INSTRUMENT}`, (data) => {
        const msg = data as BookMessage;
        if (msg.type === 'change') record(msg.bids);
      });
      closers.push(() => ws.close());
    }
    await Promise.all(subscribers.map((ws) => ws.subscribe(`book.${INSTRUMENT}`)));
  } else {
    // raw sockets: JSON-RPC subscribe, then each message parsed once (no local book, no checksum)
    for (let i = 0; i < count; i += 50) {
      const batch = Array.from(
        { length: Math.min(50, count - i) },
        () =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(wsUrl);
            ws.once('error', reject);
            ws.on('message', (raw: Buffer) => {
              const msg = JSON.parse(raw.toString()) as {
                id?: number;
                method?: string;
                params?: { data?: BookMessage };
              };
              if (msg.id === 1) return resolve();
              const data = msg.params?.data;
              if (msg.method === 'subscription' && data?.type === 'change') record(data.bids);
            });
            ws.once('open', () =>
              ws.send(
                JSON.stringify({
                  jsonrpc: '2.0',
                  id: 1,
                  method: 'public/subscribe',
                  params: { channels: [`book.${INSTRUMENT}`] },
                }),
              ),
            );
            closers.push(() => ws.close());
          }),
      );
      await Promise.all(batch);
    }
  }
  const publisher = new WsClient({ url: wsUrl, credentials: publisherAccount, createSocket: wsFactory });
  await publisher.connect();
  await publisher.auth();
  const total = Math.max(1, Math.round(seconds * ratePerS));
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const ticks = 20_000 + (i % 2000); // 2.0000 to 2.1999: levels no other client uses
    sentAtMs.set(ticks, performance.now());
    const r = (await publisher.buy({
      instrument: INSTRUMENT,
      price: (ticks / TICKS_PER_UNIT).toFixed(4),
      quantity: '1',
    })) as { order: { orderId: number } };
    await publisher.cancel({ orderId: r.order.orderId });
  }
  const elapsedS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500)); // the last deliveries
  publisher.close();
  for (const close of closers) close();
  return {
    subscribers: count,
    changesPerS: total / elapsedS,
    deliveries,
    expected: total * count,
    p50Ms: h.getValueAtPercentile(50) / 1000,
    p99Ms: h.getValueAtPercentile(99) / 1000,
    maxMs: h.maxValue / 1000,
    resyncs,
  };
}
