import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  RestClient,
  WsClient,
  type Credentials,
  type IndexPriceView,
  type MarginUpdate,
  type MarkPriceView,
  type PositionsUpdate,
  type TradeView,
} from '@exchange/client';
import {
  CommandType,
  Dec,
  EventType,
  InstrumentRegistry,
  TriggerSource,
  bookSpecOf,
  computeClass,
  fromMinor,
  listCatalogue,
  priceToTicks,
  ticksToPrice,
  type Instrument,
  type UnsequencedCommand,
} from '@exchange/domain';
import { SnapshotStore } from '@exchange/journal';
import { openDatabase, type Database } from '@exchange/persistence';
import { black76Price } from '@exchange/pricing';
import { FileCommandLog } from '../../matching-engine/src/embedded/file-command-log';
import { FileEventLog } from '../../matching-engine/src/embedded/file-event-log';
import { EngineService } from '../../matching-engine/src/engine/engine.service';
import { MarkFeed } from '../../matching-engine/src/marks/mark-feed';
import { IndexPriceStore } from '../../oracle/src/publication/index-price-store';
import { startApi } from '../src/start-api';
import { freePorts } from '@exchange/runtime';
import { TEST_CONFIG, expectApiError, waitFor, wsFactory } from './api-fixture';

/**
 * The market and account resources over real HTTP and WebSocket on loopback: the engine service on
 * a clock the test moves (so trades fall in chosen minutes and an expiry can be reached), a real
 * PostgreSQL (keys, the oracle's index_prices), the api app in front. Every answer is checked against
 * an independent source: the test's own record of its trades, the engine's state, the rows stored.
 */
const SPOT = 'H100-USDC';
const YEAR_MS = 365 * 24 * 3_600_000;
const clock = { ms: Math.floor(Date.now() / 60_000) * 60_000 + 5_000, nowMs: () => clock.ms };
let dir: string;
let db: Database;
let engine: EngineService;
let commands: FileCommandLog;
let events: FileEventLog;
const apps: INestApplication[] = [];
let url: string;
let instruments: Instrument[];
const clients: WsClient[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-resources-'));
  fs.chmodSync(dir, 0o755);
  db = await openDatabase({ embeddedDir: path.join(dir, 'pg'), embeddedPort: (await freePorts(1))[0]! });
  commands = new FileCommandLog(path.join(dir, 'engine', 'journal'), 'none', clock);
  events = new FileEventLog(path.join(dir, 'engine', 'events'));
  const snapshots = new SnapshotStore(path.join(dir, 'engine', 'snapshots'), 'engine');
  engine = new EngineService(
    { dataDir: dir, fsync: 'none', journalSyncThread: 'caller' as const, snapshotEvery: 1_000_000, httpPort: 0, demo: false, orderPartitions: 1, topicPrefix: '', projection: false, projectionThread: 'main' as const }, // prettier-ignore
    commands,
    events,
    snapshots,
  );
  engine.recover();
  // the catalogue as of now, each future with its class's reference price as first mark (as the engine's start does)
  instruments = new InstrumentRegistry().assign(listCatalogue(clock.ms));
  const listings: UnsequencedCommand[] = [];
  for (const { instrumentId, ...d } of instruments) {
    listings.push({ type: CommandType.ListInstrument, instrumentId, symbol: d.symbol, spec: bookSpecOf(d.contract), definition: d }); // prettier-ignore
    if (d.kind === 'future')
      listings.push({ type: CommandType.SetReferencePrice, instrumentId, source: TriggerSource.MarkPrice, priceTicks: priceToTicks(computeClass(d.computeClass)!.referencePrice, d.contract.tickSize) }); // prettier-ignore
  }
  await engine.submit(listings);
  url = await api();
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const a of apps.reverse()) await a.close();
  await engine?.settle();
  await commands?.close();
  await events?.close();
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function api(): Promise<string> {
  const app = await startApi({ engine, database: db, port: 0, config: TEST_CONFIG, logger: false });
  apps.push(app);
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

async function trader(name: string, usdc = '1000000'): Promise<{ rest: RestClient; credentials: Credentials; accountId: number }> {
  const rest = new RestClient({ baseUrl: url });
  const s = await rest.signup(name);
  await rest.faucet('USDC', usdc);
  await rest.faucet('H100', '1000');
  return { rest, credentials: { keyId: s.keyId, secret: s.secret }, accountId: s.accountId };
} // prettier-ignore

async function ws(credentials?: Credentials): Promise<WsClient> {
  const c = new WsClient({ url: `${url.replace(/^http/, 'ws')}/ws`, credentials, createSocket: wsFactory });
  clients.push(c);
  await c.connect();
  if (credentials) await c.auth();
  return c;
}

function byKind(kind: 'future' | 'option', cls = 'H100'): Instrument[] {
  return instruments.filter((i) => i.kind === kind && i.computeClass === cls).sort((a, b) => (a.future?.expiryMs ?? a.option!.expiryMs) - (b.future?.expiryMs ?? b.option!.expiryMs)); // prettier-ignore
}
const nearFuture = () => byKind('future')[0]!;
/** A future about three months or more out (options with time value for the surface). */
const farFuture = () => byKind('future').find((f) => f.future!.expiryMs - clock.ms > 80 * 86_400_000)!;

/** Waits for a channel message that satisfies `ok`. */
function nextMessage<T>(c: WsClient, channel: string, ok: (m: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const off = c.on(channel, (d) => {
      if (!ok(d as T)) return;
      off();
      resolve(d as T);
    });
  });
}

describe('candles', () => {
  it('equal an independent aggregation of the trades made, per minute and per five minutes', async () => {
    const seller = await trader('candle-seller');
    const buyer = await trader('candle-buyer');
    const watcher = await ws();
    const seen: TradeView[] = [];
    watcher.on(`trades.${SPOT}`, (d) => seen.push(...(d as TradeView[])));
    await watcher.subscribe(`trades.${SPOT}`);
    // [seconds after the first minute's start, price, quantity]
    const plan: [number, string, number][] = [
      [5, '2.5', 3], [20, '2.61', 1], [50, '2.4', 2],
      [65, '2.55', 4], [70, '2.45', 1],
      [190, '2.65', 5], [200, '2.52', 2], [310, '2.58', 1],
    ]; // prettier-ignore
    const minute0 = clock.ms - 5_000;
    const made: { tMs: number; ticks: number; lots: number }[] = [];
    for (const [s, price, quantity] of plan) {
      clock.ms = minute0 + s * 1000;
      await seller.rest.placeOrder({ instrument: SPOT, side: 'sell', price, quantity: String(quantity) });
      const r = await buyer.rest.placeOrder({ instrument: SPOT, side: 'buy', price, quantity: String(quantity), timeInForce: 'IOC' }); // prettier-ignore
      expect(r.order.status).toBe('filled');
      made.push({ tMs: clock.ms, ticks: priceToTicks(price, '0.0001'), lots: quantity });
    }
    await waitFor('every trade on the channel', () => seen.length >= plan.length || undefined);
    // the channel's trade times are the engine's (the clock the test set)
    expect(seen.map((t) => t.timestampMs)).toEqual(made.map((m) => m.tMs));
    for (const [res, width] of [
      ['1m', 60_000],
      ['5m', 300_000],
    ] as const) {
      const expected = new Map<
        number,
        { o: number; h: number; l: number; c: number; v: number; n: number }
      >();
      for (const m of made) {
        const start = Math.floor(m.tMs / width) * width;
        const b = expected.get(start);
        if (b === undefined) expected.set(start, { o: m.ticks, h: m.ticks, l: m.ticks, c: m.ticks, v: m.lots, n: 1 });
        else Object.assign(b, { h: Math.max(b.h, m.ticks), l: Math.min(b.l, m.ticks), c: m.ticks, v: b.v + m.lots, n: b.n + 1 }); // prettier-ignore
      }
      const got = await seller.rest.candles(SPOT, res);
      expect(got.instrument).toBe(SPOT);
      expect(got.candles).toEqual(
        [...expected].map(([startMs, b]) => ({
          startMs,
          open: ticksToPrice(b.o, '0.0001'),
          high: ticksToPrice(b.h, '0.0001'),
          low: ticksToPrice(b.l, '0.0001'),
          close: ticksToPrice(b.c, '0.0001'),
          volume: String(b.v),
          trades: b.n,
        })),
      );
    }
    // a window and a limit: the newest buckets inside [from, to), oldest first
    const oneMinute = await seller.rest.candles(SPOT, '1m', {
      fromMs: minute0 + 60_000,
      toMs: minute0 + 240_000,
    });
    expect(oneMinute.candles.map((c) => c.startMs)).toEqual([minute0 + 60_000, minute0 + 180_000]);
    const last = await seller.rest.candles(SPOT, '1m', { limit: 2 });
    expect(last.candles.map((c) => [c.startMs, c.close])).toEqual([[minute0 + 180_000, '2.52'], [minute0 + 300_000, '2.58']]); // prettier-ignore
    expect((await seller.rest.candles(SPOT, '1d')).candles.reduce((n, c) => n + c.trades, 0)).toBe(
      plan.length,
    );
  }, 60_000);

  it('refuses bad input with stable codes', async () => {
    const rest = new RestClient({ baseUrl: url });
    await expectApiError(rest.candles(SPOT, '2m' as never), 400, 'UNKNOWN_RESOLUTION', 'resolution');
    await expectApiError(rest.call('GET', `/v1/candles/${SPOT}`, undefined, false), 400, 'VALIDATION_FAILED', 'resolution'); // prettier-ignore
    await expectApiError(
      rest.candles(SPOT, '1m', { fromMs: 2000, toMs: 1000 }),
      400,
      'BAD_TIME_RANGE',
      'from',
    );
    await expectApiError(rest.candles(SPOT, '1m', { limit: 0 }), 400, 'VALIDATION_FAILED', 'limit');
    await expectApiError(rest.call('GET', `/v1/candles/${SPOT}?resolution=1m&from=yesterday`, undefined, false), 400, 'VALIDATION_FAILED', 'from'); // prettier-ignore
    await expectApiError(rest.call('GET', `/v1/candles/${SPOT}?resolution=1m&side=buy`, undefined, false), 400, 'UNKNOWN_FIELD', 'side'); // prettier-ignore
    await expectApiError(rest.candles('NOPE-USDC', '1m'), 404, 'UNKNOWN_INSTRUMENT', 'symbol');
  });
});

describe('index prices', () => {
  const store = () => new IndexPriceStore(db.dataSource);
  const round = (roundId: number, publishedAtMs: number, priceMicros: number) => ({
    round: { indexId: 'H100', roundId, priceMicros, lowMicros: priceMicros - 10_000, highMicros: priceMicros + 10_000, utilisationBps: 8100, providers: 6, publishedAtMs }, // prettier-ignore
    signature: `0x${String(roundId).padStart(130, '0')}`,
  });
  const t0 = Date.UTC(2026, 10, 20, 12);

  it('serves the newest round and the history of an index from the stored rounds', async () => {
    await store().insert([round(1, t0, 2_410_000), round(2, t0 + 60_000, 2_455_500), round(3, t0 + 120_000, 2_433_000)] as never); // prettier-ignore
    const rest = new RestClient({ baseUrl: url });
    expect(await rest.index('H100')).toEqual({
      index: 'H100', price: '2.433', low: '2.423', high: '2.443', utilisationBps: 8100, providers: 6, roundId: 3,
      publishedAtMs: t0 + 120_000, signature: round(3, 0, 0).signature,
    }); // prettier-ignore
    const history = await rest.indexHistory('H100', { fromMs: t0, toMs: t0 + 120_000 });
    expect(history.map((r) => [r.roundId, r.price])).toEqual([
      [1, '2.41'],
      [2, '2.4555'],
    ]);
    expect((await rest.indexHistory('H100', { limit: 1 })).map((r) => r.roundId)).toEqual([3]);
    expect((await rest.indices()).map((r) => r.index)).toEqual(['H100']);
    await expectApiError(rest.index('Z999'), 404, 'UNKNOWN_INDEX', 'index');
    await expectApiError(rest.index('L40S'), 404, 'NOT_FOUND', 'index');
    await expectApiError(rest.indexHistory('H100', { fromMs: 5, toMs: 5 }), 400, 'BAD_TIME_RANGE');
  });

  it('pushes a new round on index.<class> after a snapshot of the newest one', async () => {
    const c = await ws();
    const first = nextMessage<IndexPriceView>(c, 'index.H100');
    await c.subscribe('index.H100');
    expect((await first).roundId).toBe(3);
    const next = nextMessage<IndexPriceView>(c, 'index.H100');
    await store().insert([round(4, t0 + 180_000, 2_500_000)] as never);
    const pushed = await next;
    expect(pushed).toEqual(await new RestClient({ baseUrl: url }).index('H100'));
    expect(pushed).toMatchObject({ roundId: 4, price: '2.5' });
    await expect(c.subscribe('index.NOPE')).rejects.toMatchObject({ body: { code: 'UNKNOWN_INDEX' } });
  });
});

describe('marks, the volatility surface and the account channels', () => {
  it('quotes options on an SVI smile: the surface recovers it', async () => {
    const mm = await trader('vol-maker', '10000000');
    const far = farFuture();
    const options = byKind('option').filter(
      (o) => o.option!.underlyingSymbol === far.symbol && o.option!.right === 'call',
    );
    expect(options.length).toBeGreaterThanOrEqual(5);
    const forward = 2.5; // the future's first mark
    const t = (options[0]!.option!.expiryMs - Date.now()) / YEAR_MS;
    const svi = { a: 0.12 * t, b: 0.3 * t, rho: -0.3, m: 0.05, sigma: 0.2 };
    const smile = (k: number) => Math.sqrt((svi.a + svi.b * (svi.rho * (k - svi.m) + Math.sqrt((k - svi.m) ** 2 + svi.sigma ** 2))) / t); // prettier-ignore
    for (const o of options) {
      const strike = Number(o.option!.strike);
      const mid = priceToTicks(new Dec(black76Price(forward, strike, t, smile(Math.log(strike / forward)), 0, true)).toDecimalPlaces(4).toFixed(), '0.0001'); // prettier-ignore
      const ticks = Math.round(mid / 5); // option tick 0.0005
      await mm.rest.placeOrder({
        instrument: o.symbol,
        side: 'buy',
        price: ticksToPrice(ticks - 2, '0.0005'),
        quantity: '1',
      });
      await mm.rest.placeOrder({
        instrument: o.symbol,
        side: 'sell',
        price: ticksToPrice(ticks + 2, '0.0005'),
        quantity: '1',
      });
    }
    const surface = await mm.rest.volSurface('H100');
    const slice = surface.slices.find((s) => s.underlying === far.symbol)!;
    expect(slice).toMatchObject({ forward: '2.5', quotes: options.length });
    expect(['OK', 'REPAIRED']).toContain(slice.status);
    expect(slice.params).not.toBeNull();
    for (const g of slice.grid)
      expect(Math.abs(g.vol! - smile(Math.log(Number(g.strike) / forward)))).toBeLessThan(0.01);
    // the other expiries have no quotes: listed, but without a fit
    expect(surface.slices.filter((s) => s.underlying !== far.symbol).every((s) => s.status === 'INSUFFICIENT_DATA' && s.params === null)).toBe(true); // prettier-ignore
    // a quote gone is a quote less at once (a surface is reused only while its inputs stay the same)
    await mm.rest.cancelAll(options[0]!.symbol);
    const fewer = (await mm.rest.volSurface('H100')).slices.find((s) => s.underlying === far.symbol)!;
    expect(fewer.quotes).toBe(options.length - 1);
    for (const o of options.slice(0, 1)) {
      const strike = Number(o.option!.strike);
      const mid = priceToTicks(new Dec(black76Price(forward, strike, t, smile(Math.log(strike / forward)), 0, true)).toDecimalPlaces(4).toFixed(), '0.0001'); // prettier-ignore
      const ticks = Math.round(mid / 5);
      await mm.rest.placeOrder({
        instrument: o.symbol,
        side: 'buy',
        price: ticksToPrice(ticks - 2, '0.0005'),
        quantity: '1',
      });
      await mm.rest.placeOrder({
        instrument: o.symbol,
        side: 'sell',
        price: ticksToPrice(ticks + 2, '0.0005'),
        quantity: '1',
      });
    }
    expect((await mm.rest.volSurface('H100')).slices.find((s) => s.underlying === far.symbol)!.quotes).toBe(
      options.length,
    );
    await expectApiError(mm.rest.volSurface('Z999'), 404, 'UNKNOWN_COMPUTE_CLASS', 'computeClass');
  }, 60_000);

  it('sends margin and positions equal to the account resource after a trade and after a mark move', async () => {
    const near = nearFuture();
    const long = await trader('mark-long');
    const short = await trader('mark-short');
    const c = await ws(long.credentials);
    let margin: MarginUpdate | undefined;
    let positions: PositionsUpdate | undefined;
    c.onMargin((m) => (margin = m));
    c.onPositions((p) => (positions = p));
    const markSeen: MarkPriceView[] = [];
    c.onMark(near.symbol, (m) => markSeen.push(m));
    await c.subscribe('user.margin', 'user.positions', `mark.${near.symbol}`);
    await waitFor('snapshots', () => (margin && positions && markSeen.length === 1) || undefined);
    expect(positions!.positions).toEqual([]);
    expect(markSeen[0]).toEqual({ instrument: near.symbol, kind: 'future', markPrice: '2.5', indexPrice: null, markTimeMs: expect.any(Number) }); // prettier-ignore

    await short.rest.placeOrder({ instrument: near.symbol, side: 'sell', price: '2.5', quantity: '2' });
    await long.rest.placeOrder({ instrument: near.symbol, side: 'buy', price: '2.5', quantity: '2' });
    await waitFor('positions after the trade', () => positions!.positions.length === 1 || undefined);
    const account = (await long.rest.account()) as {
      margin: unknown;
      positions: unknown;
      inLiquidation: boolean;
    };
    await waitFor('margin after the trade', () => JSON.stringify(margin!.margin) === JSON.stringify(account.margin) || undefined); // prettier-ignore
    expect(Number((account.margin as { maintenance: string }).maintenance)).toBeGreaterThan(0);
    expect(positions!.positions).toEqual(account.positions);
    expect(positions!.positions).toEqual([
      { instrument: near.symbol, quantity: '2', cost: '3600', markPrice: '2.5' },
    ]);

    // a connection that follows the margin only (no positions channel) also hears of mark moves
    const marginOnly = await ws(long.credentials);
    let lastMargin: MarginUpdate | undefined;
    marginOnly.onMargin((m) => (lastMargin = m));
    await marginOnly.subscribe('user.margin');
    await waitFor('margin snapshot', () => lastMargin);

    // the engine's mark feed turns an index round into marks; the api serves the engine's values
    const feed = new MarkFeed(undefined as never, engine);
    await engine.submit(
      feed.referencePrices({ indexId: 'H100', priceMicros: 2_600_000, publishedAtMs: clock.ms }),
    );
    const book = engine.state.book(near.instrumentId)!;
    const expected = { instrument: near.symbol, kind: 'future', markPrice: ticksToPrice(book.markPriceTicks, '0.001'), indexPrice: ticksToPrice(book.indexPriceTicks, '0.001'), markTimeMs: engine.state.instrument(near.instrumentId)!.markTimeMs }; // prettier-ignore
    expect(expected.indexPrice).toBe('2.6');
    expect(await long.rest.mark(near.symbol)).toEqual(expected);
    await waitFor('mark pushed', () => markSeen.length === 2 || undefined);
    expect(markSeen[1]).toEqual(expected);
    // options are marked from the surface too; the api answers the engine's mark
    const call = byKind('option').find((o) => o.option!.underlyingSymbol === farFuture().symbol && o.option!.strike === '2.50' && o.option!.right === 'call')!; // prettier-ignore
    const callMark = engine.state.book(call.instrumentId)!.markPriceTicks;
    expect(callMark).toBeGreaterThan(0);
    expect(await long.rest.mark(call.symbol)).toMatchObject({ kind: 'option', markPrice: ticksToPrice(callMark, '0.0005'), indexPrice: null }); // prettier-ignore
    expect(await long.rest.mark(SPOT)).toMatchObject({ kind: 'spot', markPrice: null, indexPrice: null });

    const after = (await long.rest.account()) as { margin: { equity: string } };
    expect(after.margin.equity).not.toBe((account.margin as { equity: string }).equity);
    await waitFor('margin after the mark move', () => JSON.stringify(margin!.margin) === JSON.stringify(after.margin) || undefined); // prettier-ignore
    await waitFor('margin-only connection after the mark move', () => JSON.stringify(lastMargin!.margin) === JSON.stringify(after.margin) || undefined); // prettier-ignore
    expect(positions!.positions[0]!.markPrice).toBe(expected.markPrice);
    await expectApiError(long.rest.mark('NOPE-USDC'), 404, 'UNKNOWN_INSTRUMENT');
    await expect(c.subscribe('mark.NOPE-USDC')).rejects.toMatchObject({
      body: { code: 'UNKNOWN_INSTRUMENT' },
    });
    const anon = await ws();
    await expect(anon.subscribe('user.margin')).rejects.toMatchObject({
      body: { code: 'NOT_AUTHENTICATED' },
    });
  }, 60_000);
});

describe('settlements and leases', () => {
  it('serves daily and final settlement prices, the account settlements and its leases, also from the history', async () => {
    const near = nearFuture();
    const lessee = await trader('lessee');
    const provider = await trader('provider');
    await provider.rest.placeOrder({ instrument: near.symbol, side: 'sell', price: '2.6', quantity: '1' });
    await lessee.rest.placeOrder({ instrument: near.symbol, side: 'buy', price: '2.6', quantity: '1' });
    const businessDate = new Date(clock.ms).toISOString().slice(0, 10);
    const daily = await engine.submit([{ type: CommandType.DailySettle, instrumentId: near.instrumentId, businessDate, priceTicks: 2650 }]); // prettier-ignore
    expect(daily.events.some((e) => e.type === EventType.InstrumentSettled)).toBe(true);
    const rest = new RestClient({ baseUrl: url });
    expect(await rest.settlementPrices({ instrument: near.symbol })).toEqual([
      { instrument: near.symbol, kind: 'daily', businessDate, price: '2.65', intrinsicValue: null, leases: 0, seq: daily.firstSeq }, // prettier-ignore
    ]);
    // variation margin: (2.65 - 2.60) x 720 GPU-hours x 1 lot
    const vm = { seq: daily.firstSeq, reason: 'variation_margin', instrument: near.symbol, asset: 'USDC', leaseId: null, settlementKind: 'daily', price: '2.65' }; // prettier-ignore
    expect(await lessee.rest.accountSettlements()).toEqual([{ ...vm, amount: '36' }]);
    expect(await provider.rest.accountSettlements({ instrument: near.symbol })).toEqual([
      { ...vm, amount: '-36' },
    ]);

    // expiry: halt, then the final price; the physically settled future turns into leases
    clock.ms = near.future!.expiryMs + 1000;
    await engine.submit([{ type: CommandType.ExpireInstrument, instrumentId: near.instrumentId }]);
    const final = await engine.submit([{ type: CommandType.SettleExpiry, instrumentId: near.instrumentId, finalPriceTicks: 2700 }]); // prettier-ignore
    expect(final.events.some((e) => e.type === EventType.OrderRejected)).toBe(false);
    const expiries = await rest.settlementPrices({ kind: 'expiry', limit: 1000 });
    expect(expiries.find((s) => s.instrument === near.symbol)).toMatchObject({ price: '2.7', intrinsicValue: null, seq: final.firstSeq }); // prettier-ignore
    const call = byKind('option').find((o) => o.option!.underlyingSymbol === near.symbol && o.option!.right === 'call' && o.option!.strike === '2.50')!; // prettier-ignore
    expect(expiries.find((s) => s.instrument === call.symbol)).toMatchObject({
      price: '2.7',
      intrinsicValue: '0.2',
    });
    expect((await rest.settlementPrices({ instrument: near.symbol })).map((s) => s.kind)).toEqual([
      'expiry',
      'daily',
    ]);

    const engineLeases = [...engine.state.settlement.leases.values()].filter((l) => l.lesseeAccountId === lessee.accountId); // prettier-ignore
    expect(engineLeases.length).toBeGreaterThan(0);
    const leases = await lessee.rest.leases();
    expect(leases).toEqual(
      engineLeases
        .sort((a, b) => (a.leaseId < b.leaseId ? -1 : 1))
        .map((l) => expect.objectContaining({
          leaseId: l.leaseId, instrument: near.symbol, role: 'lessee', lesseeAccountId: lessee.accountId,
          providerAccountId: l.providerAccountId, state: l.state.toLowerCase(), gpuCount: l.gpuCount,
          deliveryStartMs: l.deliveryStartMs, deliveryEndMs: l.deliveryEndMs, paid: fromMinor(l.paidMinor),
          collateral: fromMinor(l.collateralMinor),
        })), // prettier-ignore
    );
    expect((await provider.rest.leases()).every((l) => l.role === 'provider' && l.providerAccountId === provider.accountId)).toBe(true); // prettier-ignore
    const flows = await lessee.rest.accountSettlements();
    expect(flows.find((f) => f.reason === 'future_final_settlement')).toMatchObject({ amount: '36', settlementKind: 'expiry', price: '2.7' }); // prettier-ignore
    const escrow = flows.filter((f) => f.reason === 'escrow_fund');
    expect(escrow.map((f) => [f.leaseId, f.amount])).toEqual(expect.arrayContaining(engineLeases.map((l) => [l.leaseId, `-${fromMinor(l.paidMinor)}`]))); // prettier-ignore

    // a second api started now reads the same from the engine's event log
    const second = new RestClient({ baseUrl: await api() });
    expect(await second.settlementPrices({ limit: 1000 })).toEqual(
      await rest.settlementPrices({ limit: 1000 }),
    );
    second.setCredentials(lessee.credentials);
    expect(await second.leases()).toEqual(leases);
    expect(await second.accountSettlements()).toEqual(flows);

    await expectApiError(
      rest.settlementPrices({ kind: 'weekly' as never }),
      400,
      'VALIDATION_FAILED',
      'kind',
    );
    await expectApiError(rest.settlementPrices({ instrument: 'NOPE' }), 400, 'UNKNOWN_INSTRUMENT');
    await expectApiError(rest.call('GET', '/v1/account/leases', undefined, false), 401, 'MISSING_AUTH');
  }, 60_000);
});

it('documents every new resource in the OpenAPI document', async () => {
  const doc = (await new RestClient({ baseUrl: url }).send('GET', '/openapi.json')).body as {
    paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
  };
  for (const p of [
    '/v1/candles/{symbol}',
    '/v1/index',
    '/v1/index/{index}',
    '/v1/index/{index}/history',
    '/v1/mark/{symbol}',
    '/v1/surface/{computeClass}',
    '/v1/settlement-prices',
    '/v1/account/settlements',
    '/v1/account/leases',
  ])
    // prettier-ignore
    expect(Object.keys(doc.paths[p]?.get?.responses ?? {})).toContain('200');
});
