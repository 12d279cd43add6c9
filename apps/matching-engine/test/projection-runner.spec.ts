import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventType, decodeEvents } from '@exchange/domain';
import { openDatabase, type Database } from '@exchange/persistence';
import { ProjectionRunner } from '../src/projection/projection-runner';
import { InThreadProjectionWriter, WorkerProjectionWriter } from '../src/projection/projection-writer';
import { freePorts } from '@exchange/runtime';
import { closeEngine, feed, openEngine, type OpenEngine } from './engine-fixture';

/**
 * The projection's catch-up against live batches: the engine keeps applying batches while the
 * runner reads its stored offset and the event log, so some batches reach it twice (from the log
 * and live). Every trade must land in PostgreSQL exactly once and the projection must not stop.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let db: Database;
let s: OpenEngine;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'projection-runner-'));
  fs.chmodSync(dir, 0o755);
  db = await openDatabase({ embeddedDir: path.join(dir, 'pg'), embeddedPort: (await freePorts(1))[0]! });
  s = openEngine(path.join(dir, 'engine'));
}, 120_000);

afterAll(async () => {
  await closeEngine(s);
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('projects every trade once when batches arrive during the catch-up', async () => {
  await feed(s, 2_000);
  const runner = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service);
  const errors: unknown[] = [];
  (runner as unknown as { logger: { error(m: unknown): void } }).logger.error = (m) => errors.push(m);
  // the engine applies 2,000 more commands while the runner awaits its stored offset (after it
  // registered for live batches, before it reads the log): they reach it live and from the log
  const projection = (runner as unknown as { writer: { lastSeq(): Promise<number> } }).writer;
  const stored = projection.lastSeq.bind(projection);
  projection.lastSeq = async () => {
    const offset = await stored();
    await feed(s, 2_000);
    projection.lastSeq = stored;
    return offset;
  };
  await runner.onApplicationBootstrap();
  await feed(s, 500);
  await runner.drained();
  expect(errors).toEqual([]);
  let trades = 0;
  for (const f of s.events.frames(0))
    for (const e of decodeEvents(f.payload)) if (e.type === EventType.Trade) trades++;
  expect(trades).toBeGreaterThan(0);
  const rows = (await db.dataSource.query('SELECT count(*)::int AS n FROM trades')) as { n: number }[];
  expect(rows[0]!.n).toBe(trades);
  const offset = (await db.dataSource.query("SELECT last_seq::bigint AS s FROM projection_offsets WHERE projection = 'engine-events'")) as { s: string }[]; // prettier-ignore
  expect(Number(offset[0]!.s)).toBe(s.service.state.lastSeq);
  await runner.onApplicationShutdown(); // its listener stays on the engine: it must take nothing more
});

it('leaves batches applied after its shutdown to the next start, which catches them up', async () => {
  const runner = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service);
  const errors: unknown[] = [];
  (runner as unknown as { logger: { error(m: unknown): void } }).logger.error = (m) => errors.push(m);
  await runner.onApplicationBootstrap();
  await runner.onApplicationShutdown();
  await feed(s, 300); // e.g. cancel-on-disconnect while the api closes, after the runner stopped
  await runner.drained();
  expect(errors).toEqual([]);
  const offset = async () => Number(((await db.dataSource.query("SELECT last_seq::bigint AS s FROM projection_offsets WHERE projection = 'engine-events'")) as { s: string }[])[0]!.s); // prettier-ignore
  expect(await offset()).toBeLessThan(s.service.state.lastSeq);
  const next = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service);
  await next.onApplicationBootstrap();
  expect(await offset()).toBe(s.service.state.lastSeq);
});

it('starts live transactions an interval apart, the batches of the interval in one', async () => {
  const runner = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service, 2_000);
  await runner.onApplicationBootstrap();
  const projection = (runner as unknown as { writer: { apply(...a: unknown[]): Promise<unknown> } }).writer;
  const apply = projection.apply.bind(projection);
  let transactions = 0;
  projection.apply = (...a: unknown[]) => {
    transactions++;
    return apply(...a);
  };
  await feed(s, 100);
  await runner.drained();
  expect(transactions).toBeGreaterThan(0);
  // two submissions right after a transaction started: they wait for the interval and go together
  transactions = 0;
  await feed(s, 100);
  await feed(s, 100);
  await runner.drained();
  expect(transactions).toBe(1);
  const offset = (await db.dataSource.query("SELECT last_seq::bigint AS s FROM projection_offsets WHERE projection = 'engine-events'")) as { s: string }[]; // prettier-ignore
  expect(Number(offset[0]!.s)).toBe(s.service.state.lastSeq);
  await runner.onApplicationShutdown();
});

it('projects the same rows from a worker thread (the compiled writer of dist/)', async () => {
  execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
  const worker = pathToFileURL(
    path.join(root, 'dist', 'apps', 'matching-engine', 'src', 'projection', 'projection-worker.js'),
  );
  await feed(s, 500);
  const inThread = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service);
  await inThread.onApplicationBootstrap();
  await inThread.onApplicationShutdown();
  const reads = [
    'SELECT * FROM orders ORDER BY 1',
    'SELECT * FROM trades ORDER BY 1, 2',
    'SELECT * FROM positions ORDER BY 1, 2',
    'SELECT tx_id, account_id, asset, amount_minor, kind, seq FROM ledger_entries ORDER BY 1, 2, 3',
    'SELECT * FROM ledger_balances ORDER BY 1, 2',
  ];
  const dump = () => Promise.all(reads.map((q) => db.dataSource.query(q) as Promise<unknown[]>));
  const byMainThread = await dump();
  expect(byMainThread[1]!.length).toBeGreaterThan(0);
  await db.dataSource.query('TRUNCATE orders, trades, positions, ledger_entries, ledger_balances');
  await db.dataSource.query("DELETE FROM projection_offsets WHERE projection = 'engine-events'");

  // the whole event log again, through the worker: the same rows
  const runner = new ProjectionRunner(new WorkerProjectionWriter(db.url, undefined, worker), s.service);
  const errors: unknown[] = [];
  (runner as unknown as { logger: { error(m: unknown): void } }).logger.error = (m) => errors.push(m);
  await runner.onApplicationBootstrap();
  expect(await dump()).toEqual(byMainThread);
  // and live batches
  await feed(s, 300);
  await runner.drained();
  await runner.onApplicationShutdown();
  expect(errors).toEqual([]);
  const offset = (await db.dataSource.query("SELECT last_seq::bigint AS s FROM projection_offsets WHERE projection = 'engine-events'")) as { s: string }[]; // prettier-ignore
  expect(Number(offset[0]!.s)).toBe(s.service.state.lastSeq);
  let trades = 0;
  for (const f of s.events.frames(0))
    for (const e of decodeEvents(f.payload)) if (e.type === EventType.Trade) trades++;
  const rows = (await db.dataSource.query('SELECT count(*)::int AS n FROM trades')) as { n: number }[];
  expect(rows[0]!.n).toBe(trades);
}, 120_000);

it('fails its requests with the reason when the worker cannot start', async () => {
  const missing = pathToFileURL(path.join(dir, 'no-such-worker.js'));
  const writer = new WorkerProjectionWriter(db.url, undefined, missing);
  await expect(writer.lastSeq()).rejects.toThrow(/no-such-worker|Cannot find module|exited/);
  await writer.close();
});
