import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CommandType,
  EventType,
  Side,
  TimeInForce,
  bookSpecOf,
  listCatalogue,
  placeOrder,
  type Command,
  type EngineEvent,
  type InstrumentDefinition,
  type UnsequencedCommand,
} from '@exchange/domain';
import { KafkaLog, encodeOrderMessage, partitionOf, shardSeq } from '@exchange/messaging';
import { EventCollector } from '@exchange/order-book';
import { openDatabase, type Database } from '@exchange/persistence';
import { RiskStage } from '@exchange/risk';
import { until as waitUntil } from './engine-fixture';
import { freePorts } from '@exchange/runtime';

/**
 * The distributed deployment under a crash, with real processes on a real Kafka broker and a real
 * PostgreSQL: an engine process consumes the orders topic (2 partitions = 2 shards, one compute
 * class each) and is killed with SIGKILL mid-stream; then two engine processes share the partitions
 * and the rest of the stream arrives. Every acknowledged command must be applied exactly once: each
 * shard's state hash equals a clean replay of its partition, and PostgreSQL's trades, orders and
 * ledger equal the replay's, with no duplicate and no gap.
 */
const brokers = process.env.KAFKA_BROKERS;
const describeWithKafka = brokers ? describe : describe.skip;
const root = fileURLToPath(new URL('../../..', import.meta.url));
const main = path.join(root, 'dist', 'apps', 'matching-engine', 'src', 'main.js');
const P = 2;
const T0 = 1_795_000_000_000;
const prefix = `test.${Date.now().toString(36)}.`;
/** Loopback ports for the processes the test starts, chosen in beforeAll. */
let ports: number[] = [];
const portNo = (i: number): number => ports[i]!;

interface Domain {
  key: string;
  partition: number;
  spot: InstrumentDefinition & { instrumentId: number };
}

/** Two compute classes whose keys fall on different partitions: one shard each. */
function domains(): Domain[] {
  const spots = listCatalogue(T0).filter((d) => d.kind === 'spot');
  const out: Domain[] = [];
  spots.forEach((d, i) => {
    const partition = partitionOf(d.computeClass, P);
    if (!out.some((o) => o.partition === partition))
      out.push({ key: d.computeClass, partition, spot: { ...d, instrumentId: 100 + i } });
  });
  if (out.length < P) throw new Error('compute classes do not cover both partitions');
  return out;
}

/** A seeded stream for one domain: listing, funding of 8 accounts, then orders, cancels and IOCs. */
function stream(d: Domain, count: number, seed: number): UnsequencedCommand[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const { instrumentId, ...definition } = d.spot;
  const out: UnsequencedCommand[] = [
    { type: CommandType.ListInstrument, instrumentId, symbol: definition.symbol, spec: bookSpecOf(definition.contract), definition },
  ]; // prettier-ignore
  for (let a = 1; a <= 8; a++) {
    out.push({ type: CommandType.Deposit, accountId: a, asset: 'USDC', amountMinor: 5_000_000_000n });
    out.push({ type: CommandType.Deposit, accountId: a, asset: d.key, amountMinor: 2_000n });
  }
  while (out.length < count) {
    const accountId = int(1, 8);
    if (rnd() < 0.15) {
      out.push({ type: CommandType.MassCancel, accountId, instrumentId });
      continue;
    }
    const side = rnd() < 0.5 ? Side.Buy : Side.Sell;
    const ioc = rnd() < 0.2;
    const offset = int(0, 40) * (side === Side.Buy ? -1 : 1) + (ioc ? (side === Side.Buy ? 50 : -50) : 0);
    const { seq: _s, timeMs: _t, ...c } = placeOrder({
      instrumentId, accountId, side, priceTicks: 25_000 + offset, qtyLots: int(1, 12),
      timeInForce: ioc ? TimeInForce.IOC : TimeInForce.GTC,
    }); // prettier-ignore
    out.push(c);
  }
  return out;
}

/** Waits up to 90 s unless told, looking every 250 ms: the shards run in child processes. */
const until = <T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> =>
  waitUntil(what, probe, ms, 250);

interface ShardView {
  partition: number;
  lastOffset: number;
  lastSeq: number;
  stateHash: string;
}

describeWithKafka('distributed engine on Kafka and PostgreSQL, killed mid-stream', () => {
  let db: Database;
  let producer: KafkaLog;
  const procs: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-crash-'));
  fs.chmodSync(dir, 0o755);

  beforeAll(async () => {
    ports = await freePorts(4);
    execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
    db = await openDatabase({ embeddedDir: path.join(dir, 'pg'), embeddedPort: portNo(3) });
    producer = new KafkaLog({ brokers: brokers!.split(','), clientId: 'crash-test-producer' });
    await producer.connect();
    await producer.ensureTopics([
      { name: `${prefix}exchange.orders`, partitions: P },
      { name: `${prefix}exchange.events`, partitions: P },
    ]);
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await producer?.close();
    await db?.close();
  });

  function engine(port: number): { proc: ChildProcess; output: () => string } {
    const proc = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        ORDER_PARTITIONS: String(P),
        DATABASE_URL: db.url,
        ENGINE_HTTP_PORT: String(port),
        ENGINE_DATA_DIR: path.join(dir, `engine-${port}`),
        SNAPSHOT_EVERY: '400',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    procs.push(proc);
    return { proc, output: () => out };
  }

  const shardsOf = async (port: number): Promise<ShardView[]> =>
    (await (await fetch(`http://127.0.0.1:${port}/v1/engine/shards`)).json()) as ShardView[];

  it('applies every acknowledged command exactly once, to the state of a clean replay, into PostgreSQL', async () => {
    const ds = domains();
    const commands = ds.map((d, i) => stream(d, 2_400, 7 + i));
    // what was acknowledged: per partition, the commands of the message at each offset the broker gave
    const acked = ds.map(() => new Map<number, { commands: UnsequencedCommand[]; timeMs: number }>());
    let clock = T0;
    const produce = async (from: number, to: number) => {
      for (let i = from; i < to; i += 200) {
        for (let k = 0; k < ds.length; k++) {
          const chunk = commands[k]!.slice(i, Math.min(i + 200, to));
          // messages of 1 to 7 commands, as a producer batches what it has
          const stamped: { commands: UnsequencedCommand[]; timeMs: number }[] = [];
          for (let j = 0; j < chunk.length; j += 1 + (j % 7))
            stamped.push({ commands: chunk.slice(j, j + 1 + (j % 7)), timeMs: ++clock });
          const positions = await producer.append(
            `${prefix}exchange.orders`,
            stamped.map((s) => ({ key: ds[k]!.key, value: encodeOrderMessage(s.commands, s.timeMs) })),
          );
          positions.forEach((pos, j) => {
            expect(pos.partition).toBe(ds[k]!.partition);
            acked[k]!.set(pos.offset, stamped[j]!);
          });
        }
      }
    };

    const first = engine(portNo(0));
    await until('the first engine', async () =>
      (await shardsOf(portNo(0))).length === P ? true : undefined,
    );
    await produce(0, 1_200);
    // kill -9 once it is partway through what was sent
    await until('progress before the kill', async () => {
      const s = await shardsOf(portNo(0));
      return s.every((v) => v.lastOffset > 80) ? true : undefined;
    });
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.on('exit', r));

    // two processes now share the shards; the rest of the stream arrives
    const a = engine(portNo(1));
    const b = engine(portNo(2));
    await produce(1_200, 2_400);
    const views = await until('both shards caught up', async () => {
      const all = [...(await shardsOf(portNo(1))), ...(await shardsOf(portNo(2)))];
      const done = ds.every((d, k) => all.some((v) => v.partition === d.partition && v.lastOffset === acked[k]!.size - 1));
      return done && all.length === P ? all : undefined;
    }, 120_000); // prettier-ignore

    // the two processes share the shards between them
    expect((await shardsOf(portNo(1))).length + (await shardsOf(portNo(2))).length).toBe(P);

    // clean replay of each partition from what the broker acknowledged
    const replayEvents: EngineEvent[] = [];
    const ledgerTotals = new Map<string, bigint>();
    for (let k = 0; k < ds.length; k++) {
      const sink = new EventCollector();
      const stage = new RiskStage(sink);
      const p = ds[k]!.partition;
      for (let offset = 0; offset < acked[k]!.size; offset++) {
        const { commands: batch, timeMs } = acked[k]!.get(offset)!;
        batch.forEach((c, index) =>
          stage.process({ ...c, seq: shardSeq(offset, index, p, P), timeMs } as Command),
        );
      }
      expect(views.find((v) => v.partition === p)!.stateHash).toBe(stage.stateHash());
      replayEvents.push(...sink.events);
      for (const [id, asset, v] of stage.ledger.entries())
        ledgerTotals.set(`${id}:${asset}`, (ledgerTotals.get(`${id}:${asset}`) ?? 0n) + v);
    }

    // PostgreSQL: the projection reaches each shard's last seq, with every row exactly once
    const lastSeqs = ds.map((d, k) => {
      const lastOffset = acked[k]!.size - 1;
      return shardSeq(lastOffset, acked[k]!.get(lastOffset)!.commands.length - 1, d.partition, P);
    });
    await until('projection caught up', async () => {
      const rows = (await db.dataSource.query(
        `SELECT projection, last_seq::bigint AS s FROM projection_offsets WHERE projection LIKE 'engine-events:shard-%'`,
      )) as { projection: string; s: string }[];
      const ok = ds.every((d, k) => rows.some((r) => r.projection === `engine-events:shard-${d.partition}` && Number(r.s) >= lastSeqs[k]!));
      return ok ? true : undefined;
    }); // prettier-ignore
    const trades = replayEvents.filter((e) => e.type === EventType.Trade);
    expect(trades.length).toBeGreaterThan(100);
    const tradeRows = (await db.dataSource.query(
      'SELECT instrument_id::int AS i, trade_id::int AS t FROM trades ORDER BY instrument_id, trade_id',
    )) as { i: number; t: number }[];
    expect(tradeRows).toEqual(
      trades
        .map((e) => ({ i: e.instrumentId, t: (e as { tradeId: number }).tradeId }))
        .sort((x, y) => x.i - y.i || x.t - y.t),
    );
    for (const d of ds) {
      const ids = tradeRows.filter((r) => r.i === d.spot.instrumentId).map((r) => r.t);
      expect(ids).toEqual(ids.map((_, j) => j + 1)); // no gap, no duplicate
    }
    const orders = (await db.dataSource.query('SELECT count(*)::int AS n FROM orders')) as { n: number }[];
    expect(orders[0]!.n).toBe(replayEvents.filter((e) => e.type === EventType.OrderAccepted).length);
    const balances = (await db.dataSource.query(
      'SELECT account_id::int AS a, asset, balance_minor::text AS v FROM ledger_balances WHERE balance_minor <> 0',
    )) as { a: number; asset: string; v: string }[];
    expect(new Map(balances.map((r) => [`${r.a}:${r.asset}`, BigInt(r.v)]))).toEqual(
      new Map([...ledgerTotals].filter(([, v]) => v !== 0n)),
    );
    const sums = (await db.dataSource.query(
      'SELECT asset, sum(balance_minor)::text AS total FROM ledger_balances GROUP BY asset',
    )) as { asset: string; total: string }[];
    for (const s of sums) expect(s.total).toBe('0'); // conservation

    for (const p of [a, b]) p.proc.kill('SIGTERM');
    await Promise.all(
      [a, b].map((p) => new Promise((r) => (p.proc.exitCode === null ? p.proc.on('exit', r) : r(0)))),
    );
  }, 300_000);
});
