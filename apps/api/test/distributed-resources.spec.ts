import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { ApiError, RestClient, WsClient, type PositionsUpdate, type TradeView } from '@exchange/client';
import { CommandType, EventType, TriggerSource, ticksToPrice } from '@exchange/domain';
import { KafkaLog } from '@exchange/messaging';
import { openDatabase, type Database } from '@exchange/persistence';
import { IndexPriceStore } from '../../oracle/src/publication/index-price-store';
import { KafkaExchangeGateway } from '../src/adapters/kafka-gateway.adapter';
import { PgReadModels, StoredOffsets } from '../src/adapters/pg-read-models';
import { startApi } from '../src/start-api';
import { TEST_CONFIG, waitFor, wsFactory } from './api-fixture';
import { freePorts } from '@exchange/runtime';

/**
 * The new resources in the distributed deployment: the engine runs as its own process on a real
 * Kafka broker, the api reaches it through the log and reads PostgreSQL. Candles, index prices,
 * settlement prices, the account's settlements and its positions channel are served (settlements also
 * by a second api that only replayed the events topic); marks, the surface and margin answer NOT_AVAILABLE.
 */
const brokers = process.env.KAFKA_BROKERS;
const describeWithKafka = brokers ? describe : describe.skip;
const root = fileURLToPath(new URL('../../..', import.meta.url));
const P = 2;
const prefix = `apires.${Date.now().toString(36)}.`;
/** Loopback ports for the processes the test starts, chosen in beforeAll. */
let ports: number[] = [];
const portNo = (i: number): number => ports[i]!;

describeWithKafka('market and account resources over the distributed engine', () => {
  let db: Database;
  let engine: ChildProcess;
  let log: KafkaLog;
  const gateways: KafkaExchangeGateway[] = [];
  const apps: INestApplication[] = [];
  const clients: WsClient[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-dist-res-'));
  fs.chmodSync(dir, 0o755);

  async function api(): Promise<{ url: string; gateway: KafkaExchangeGateway }> {
    const gateway = new KafkaExchangeGateway(
      { log, partitions: P, topicPrefix: prefix, quoteDomain: 'H100', ackTimeoutMs: 60_000, nowMs: () => Date.now() },
      new PgReadModels(db.dataSource, new StoredOffsets(db.dataSource, (seq) => `engine-events:shard-${(seq - 1) % P}`)),
    ); // prettier-ignore
    await gateway.start(Date.now());
    gateways.push(gateway);
    const app = await startApi({ gateway, database: db, port: 0, config: TEST_CONFIG, logger: false });
    apps.push(app);
    return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), gateway };
  }

  beforeAll(async () => {
    ports = await freePorts(2);
    execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
    db = await openDatabase({ embeddedDir: path.join(dir, 'pg'), embeddedPort: portNo(0) });
    engine = spawn(process.execPath, [path.join(root, 'dist', 'apps', 'matching-engine', 'src', 'main.js')], {
      env: {
        ...process.env, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, ORDER_PARTITIONS: String(P),
        DATABASE_URL: db.url, ENGINE_HTTP_PORT: String(portNo(1)), ENGINE_DATA_DIR: path.join(dir, 'engine'),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }); // prettier-ignore
    log = new KafkaLog({ brokers: brokers!.split(','), clientId: 'api-resources-test' });
    await log.connect();
  }, 240_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const a of apps.reverse()) await a.close();
    for (const g of gateways) await g.stop();
    await log?.close();
    engine?.kill('SIGTERM');
    if (engine) await new Promise((r) => (engine.exitCode === null ? engine.once('exit', r) : r(0)));
    await db?.close();
  });

  it('serves candles, index, settlement prices, settlements and positions; refuses marks, the surface and margin', async () => {
    const { url, gateway } = await api();
    const anon = new RestClient({ baseUrl: url });
    const trader = async (name: string) => {
      const rest = new RestClient({ baseUrl: url });
      const s = await rest.signup(name);
      await rest.faucet('USDC', '100000');
      await rest.faucet('H100', '100');
      return { rest, accountId: s.accountId, credentials: { keyId: s.keyId, secret: s.secret } };
    };
    const maker = await trader('d-maker');
    const taker = await trader('d-taker');

    // candles from the live trades, equal to the trades channel's aggregation (times are the gateway's)
    const watcher = new WsClient({ url: `${url.replace(/^http/, 'ws')}/ws`, createSocket: wsFactory });
    clients.push(watcher);
    await watcher.connect();
    const seen: TradeView[] = [];
    watcher.on('trades.H100-USDC', (d) => seen.push(...(d as TradeView[])));
    await watcher.subscribe('trades.H100-USDC');
    for (const [price, quantity] of [
      ['2.5', '3'],
      ['2.55', '1'],
      ['2.45', '2'],
    ] as const) {
      await maker.rest.placeOrder({ instrument: 'H100-USDC', side: 'sell', price, quantity });
      await taker.rest.placeOrder({
        instrument: 'H100-USDC',
        side: 'buy',
        price,
        quantity,
        timeInForce: 'IOC',
      });
    }
    await waitFor('trades on the channel', () => seen.length >= 3 || undefined);
    const minutes = new Map<number, TradeView[]>();
    for (const t of seen) {
      const start = Math.floor(t.timestampMs! / 60_000) * 60_000;
      minutes.set(start, [...(minutes.get(start) ?? []), t]);
    }
    const candles = await anon.candles('H100-USDC', '1m');
    expect(candles.candles.map((c) => [c.startMs, c.open, c.close, c.volume, c.trades])).toEqual(
      [...minutes].map(([start, ts]) => [start, ts[0]!.price, ts.at(-1)!.price, String(ts.reduce((n, t) => n + Number(t.quantity), 0)), ts.length]), // prettier-ignore
    );

    // index prices from PostgreSQL
    const t0 = Date.now() - 60_000;
    await new IndexPriceStore(db.dataSource).insert([{ round: { indexId: 'A100', roundId: 1, priceMicros: 1_234_500, lowMicros: 1_200_000, highMicros: 1_250_000, utilisationBps: 7000, providers: 5, publishedAtMs: t0 }, signature: '0xab' }] as never); // prettier-ignore
    expect(await anon.index('A100')).toMatchObject({
      index: 'A100',
      price: '1.2345',
      roundId: 1,
      publishedAtMs: t0,
    });

    // marks and margin live in the engine shards: NOT_AVAILABLE, never a made-up value
    const notAvailable = async (p: Promise<unknown>) => {
      const err = await p.then(() => undefined, (e: unknown) => e); // prettier-ignore
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(501);
      expect((err as ApiError).code).toBe('NOT_AVAILABLE');
    };
    const future = (await anon.instruments({ kind: 'future', computeClass: 'H100' }))[0]!;
    await notAvailable(anon.mark(future.symbol));
    await notAvailable(anon.volSurface('H100'));
    await notAvailable(maker.rest.account());
    const ws = new WsClient({ url: `${url.replace(/^http/, 'ws')}/ws`, credentials: maker.credentials, createSocket: wsFactory }); // prettier-ignore
    clients.push(ws);
    await ws.connect();
    await ws.auth();
    for (const channel of ['user.margin', `mark.${future.symbol}`])
      await expect(ws.subscribe(channel)).rejects.toMatchObject({ body: { code: 'NOT_AVAILABLE' } });
    // positions are in the events (PositionChanged): served, valued at no mark
    let positions: PositionsUpdate | undefined;
    ws.onPositions((u) => (positions = u));
    await ws.subscribe('user.positions');
    await waitFor('positions snapshot', () => positions);
    expect(positions!.positions).toEqual([]);

    // a daily settlement on the engine shard: its price and the variation margin reach the api through the events
    const id = future.instrumentId;
    // a command that causes no events is acknowledged by its shard's (empty) frame
    const mark = await gateway.submit([
      {
        type: CommandType.SetReferencePrice,
        instrumentId: id,
        source: TriggerSource.MarkPrice,
        priceTicks: 2500,
      },
    ]);
    expect(mark.events).toEqual([]);
    await gateway.submit([
      { type: CommandType.Deposit, accountId: maker.accountId, asset: 'USDC', amountMinor: 1_000_000n },
    ]);
    await maker.rest.placeOrder({ instrument: future.symbol, side: 'sell', price: '2.5', quantity: '2' });
    const take = await taker.rest.placeOrder({
      instrument: future.symbol,
      side: 'buy',
      price: '2.5',
      quantity: '2',
    });
    expect(take.order.status).toBe('filled');
    await waitFor('positions after the trade', () => positions!.positions.length === 1 || undefined);
    expect(positions!.positions).toEqual([
      { instrument: future.symbol, quantity: '-2', cost: '-3600', markPrice: null },
    ]);
    // the same as the read model in PostgreSQL, once the projection has it
    await waitFor('the projected position', async () => (await maker.rest.positions()).find((p) => p.instrument === future.symbol && p.quantity === '-2')); // prettier-ignore
    const businessDate = new Date().toISOString().slice(0, 10);
    const settled = await gateway.submit([{ type: CommandType.DailySettle, instrumentId: id, businessDate, priceTicks: 2560 }]); // prettier-ignore
    expect(settled.events.some((e) => e.type === EventType.InstrumentSettled)).toBe(true);
    const expected = [{ instrument: future.symbol, kind: 'daily', businessDate, price: ticksToPrice(2560, '0.001'), intrinsicValue: null, leases: 0, seq: settled.firstSeq }]; // prettier-ignore
    expect(await anon.settlementPrices({ instrument: future.symbol })).toEqual(expected);
    // (2.56 - 2.50) x 720 x 2 lots
    expect(await taker.rest.accountSettlements()).toEqual([expect.objectContaining({ reason: 'variation_margin', amount: '86.4', instrument: future.symbol, price: '2.56' })]); // prettier-ignore
    expect(await maker.rest.accountSettlements()).toEqual([expect.objectContaining({ reason: 'variation_margin', amount: '-86.4' })]); // prettier-ignore

    // a second api replays the events topic: the same settlements
    const second = await api();
    const again = new RestClient({ baseUrl: second.url, credentials: taker.credentials });
    expect(await again.settlementPrices({ instrument: future.symbol })).toEqual(expected);
    expect(await again.accountSettlements()).toEqual(await taker.rest.accountSettlements());
  }, 180_000);
});
