import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { RestClient } from '@exchange/client';
import { KafkaLog } from '@exchange/messaging';
import { openDatabase, type Database } from '@exchange/persistence';
import { KafkaExchangeGateway } from '../src/adapters/kafka-gateway.adapter';
import { PgReadModels, StoredOffsets } from '../src/adapters/pg-read-models';
import { startApi } from '../src/start-api';
import { TEST_CONFIG } from './api-fixture';
import { freePorts } from '@exchange/runtime';

/**
 * The API as the front door of the distributed deployment: the matching engine runs as its own
 * process on a real Kafka broker (two shards), PostgreSQL is real, and the API reaches the engine
 * only through the log. A session over REST: the catalogue is listed by the API, traders sign up and
 * are funded, quote, trade, cancel by client order id; fills and balances come back from PostgreSQL.
 */
const brokers = process.env.KAFKA_BROKERS;
const describeWithKafka = brokers ? describe : describe.skip;
const root = fileURLToPath(new URL('../../..', import.meta.url));
const P = 2;
const prefix = `apitest.${Date.now().toString(36)}.`;
/** Loopback ports for the processes the test starts, chosen in beforeAll. */
let ports: number[] = [];
const portNo = (i: number): number => ports[i]!;

describeWithKafka('api over the distributed engine (Kafka, PostgreSQL)', () => {
  let db: Database;
  let engine: ChildProcess;
  let log: KafkaLog;
  let gateway: KafkaExchangeGateway;
  let api: INestApplication;
  let url: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-dist-'));
  fs.chmodSync(dir, 0o755);

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
    log = new KafkaLog({ brokers: brokers!.split(','), clientId: 'api-test' });
    await log.connect();
    gateway = new KafkaExchangeGateway(
      { log, partitions: P, topicPrefix: prefix, quoteDomain: 'H100', ackTimeoutMs: 60_000, nowMs: () => Date.now() },
      new PgReadModels(db.dataSource, new StoredOffsets(db.dataSource, (seq) => `engine-events:shard-${(seq - 1) % P}`)),
    ); // prettier-ignore
    await gateway.start(Date.UTC(2026, 10, 1));
    api = await startApi({ gateway, database: db, port: 0, config: TEST_CONFIG, logger: false });
    url = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await gateway?.stop();
    await log?.close();
    engine?.kill('SIGTERM');
    if (engine) await new Promise((r) => (engine.exitCode === null ? engine.once('exit', r) : r(0)));
    await db?.close();
  });

  it('lists the catalogue, trades, cancels by client order id, and reads fills and balances back', async () => {
    const anon = new RestClient({ baseUrl: url });
    const instruments = await anon.instruments();
    expect(instruments.some((i) => i.symbol === 'H100-USDC')).toBe(true);
    expect(instruments.some((i) => i.symbol === 'A100-USDC')).toBe(true);
    const trader = async (name: string) => {
      const rest = new RestClient({ baseUrl: url });
      await rest.signup(name);
      await rest.faucet('USDC', '10000');
      await rest.faucet('H100', '100');
      return rest;
    };
    const maker = await trader('maker');
    const taker = await trader('taker');
    const ask = await maker.placeOrder({ instrument: 'H100-USDC', side: 'sell', price: '2.5', quantity: '10', clientOrderId: 'ask-1' }); // prettier-ignore
    expect(ask.order.status).toBe('open');
    await maker.placeOrder({ instrument: 'H100-USDC', side: 'sell', price: '2.6', quantity: '5', clientOrderId: 'ask-2' }); // prettier-ignore
    const take = await taker.placeOrder({
      instrument: 'H100-USDC',
      side: 'buy',
      price: '2.5',
      quantity: '4',
    });
    expect(take.order.status).toBe('filled');
    expect(take.fills).toEqual([expect.objectContaining({ price: '2.5', quantity: '4' })]);
    const book = await anon.book('H100-USDC', 5);
    expect(book.asks[0]).toEqual(['2.5', '6', 1]);
    const cancelled = await maker.cancelByClientOrderId('ask-2');
    expect(cancelled).toMatchObject({ cancelledQuantity: '5' });
    expect((await anon.book('H100-USDC', 5)).asks).toEqual([['2.5', '6', 1]]);
    expect(await taker.fills()).toEqual([expect.objectContaining({ price: '2.5', quantity: '4' })]);
    const balances = await taker.balances();
    expect(balances.find((b) => b.asset === 'H100')!.balance).toBe('104');
    expect(balances.find((b) => b.asset === 'USDC')!.balance).toBe('9989.99'); // 10000 - 10 - 10 bp fee
  }, 120_000);
});
