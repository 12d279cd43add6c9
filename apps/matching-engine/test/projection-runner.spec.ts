import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventType, decodeEvents } from '@exchange/domain';
import { openDatabase, type Database } from '@exchange/persistence';
import { EngineController } from '../src/engine/engine.controller';
import { ProjectionRunner } from '../src/projection/projection-runner';
import { InThreadProjectionWriter, WorkerProjectionWriter } from '../src/projection/projection-writer';
import { freePorts } from '@exchange/runtime';
import { closeEngine, feed, openEngine, until, type OpenEngine } from './engine-fixture';

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

/** Collects what the runner logs as an error or a warning. */
function captureProblems(runner: ProjectionRunner, into: unknown[]): void {
  const logger = (runner as unknown as { logger: Record<'error' | 'warn', (m: unknown) => void> }).logger;
  logger.error = (m) => into.push(m);
  logger.warn = (m) => into.push(m);
}

const storedOffset = async () => Number(((await db.dataSource.query("SELECT last_seq::bigint AS s FROM projection_offsets WHERE projection = 'engine-events'")) as { s: string }[])[0]!.s); // prettier-ignore

/** Every trade the engine's event log holds, and how many rows PostgreSQL's trades table has. */
async function tradeCounts(): Promise<{ log: number; rows: number }> {
  let log = 0;
  for (const f of s.events.frames(0))
    for (const e of decodeEvents(f.payload)) if (e.type === EventType.Trade) log++;
  const rows = (await db.dataSource.query('SELECT count(*)::int AS n FROM trades')) as { n: number }[];
  return { log, rows: rows[0]!.n };
}

it('projects every trade once when batches arrive during the catch-up', async () => {
  await feed(s, 2_000);
  const runner = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service);
  const errors: unknown[] = [];
  captureProblems(runner, errors);
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
  const trades = await tradeCounts();
  expect(trades.log).toBeGreaterThan(0);
  expect(trades.rows).toBe(trades.log);
  expect(await storedOffset()).toBe(s.service.state.lastSeq);
  await runner.onApplicationShutdown(); // its listener stays on the engine: it must take nothing more
});

it('leaves batches applied after its shutdown to the next start, which catches them up', async () => {
  const runner = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service);
  const errors: unknown[] = [];
  captureProblems(runner, errors);
  await runner.onApplicationBootstrap();
  await runner.onApplicationShutdown();
  await feed(s, 300); // e.g. cancel-on-disconnect while the api closes, after the runner stopped
  await runner.drained();
  expect(errors).toEqual([]);
  expect(await storedOffset()).toBeLessThan(s.service.state.lastSeq);
  const next = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service);
  await next.onApplicationBootstrap();
  expect(await storedOffset()).toBe(s.service.state.lastSeq);
  await next.onApplicationShutdown();
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
  expect(await storedOffset()).toBe(s.service.state.lastSeq);
  await runner.onApplicationShutdown();
});

it('tells a waiting read when its seq is projected, starting the transaction without the interval', async () => {
  const runner = new ProjectionRunner(new InThreadProjectionWriter(db.dataSource), s.service, 10_000);
  await runner.onApplicationBootstrap();
  try {
    const reached = s.service.state.lastSeq;
    expect(await runner.waitFor(reached, 0)).toBe(true); // already projected: at once
    await feed(s, 100); // the first batch after a quiet spell goes at once...
    await feed(s, 100); // ...this one would wait 10 s for the interval
    const target = s.service.state.lastSeq;
    const t0 = performance.now();
    expect(await runner.waitFor(target, 5_000)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(await storedOffset()).toBe(target);
    // a seq the engine has not reached: false after the timeout
    expect(await runner.waitFor(target + 1, 100)).toBe(false);
    // shutdown answers the reads still waiting
    const waiting = runner.waitFor(target + 1, 60_000);
    await runner.onApplicationShutdown();
    expect(await waiting).toBe(false);
  } finally {
    await runner.onApplicationShutdown();
  }
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
  captureProblems(runner, errors);
  await runner.onApplicationBootstrap();
  expect(await dump()).toEqual(byMainThread);
  // and live batches
  await feed(s, 300);
  await runner.drained();
  await runner.onApplicationShutdown();
  expect(errors).toEqual([]);
  expect(await storedOffset()).toBe(s.service.state.lastSeq);
  const trades = await tradeCounts();
  expect(trades.rows).toBe(trades.log);
}, 120_000);

it('catches up from the stored offset after failed transactions, with a growing wait', async () => {
  const writer = new InThreadProjectionWriter(db.dataSource);
  const runner = new ProjectionRunner(writer, s.service);
  const problems: { msg: string; retryInMs: number; lastSeq?: number }[] = [];
  const resumed: unknown[] = [];
  captureProblems(runner, problems);
  (runner as unknown as { logger: { log(m: unknown): void } }).logger.log = (m) => resumed.push(m);
  await runner.onApplicationBootstrap();
  expect(await storedOffset()).toBe(s.service.state.lastSeq);

  // PostgreSQL refuses the next orders until an operator lifts the constraint; then a catch-up
  // from the stored offset reads the refused batches back from the event log
  await db.dataSource.query(
    'ALTER TABLE orders ADD CONSTRAINT refuse_new_orders CHECK (order_id < 0) NOT VALID',
  );
  const before = s.service.state.lastSeq;
  await feed(s, 300);
  await until('a stall', () => runner.status === 'stalled');
  await feed(s, 300); // applied by the engine while the projection is stalled: dropped, read back from the log
  await until('a second failed catch-up', () => problems.length >= 2);
  expect(runner.status).toBe('stalled');
  // the engine's health says so, and stays ok: orders still trade
  expect(new EngineController(s.service, runner).health()).toMatchObject({
    status: 'ok',
    projection: 'stalled',
  });
  expect(await storedOffset()).toBe(before);
  expect(await runner.waitFor(s.service.state.lastSeq, 300)).toBe(false); // reads wait, then give up
  const lastSeq = s.service.state.lastSeq;
  const waiting = runner.waitFor(lastSeq, 30_000); // this read sees the catch-up
  await db.dataSource.query('ALTER TABLE orders DROP CONSTRAINT refuse_new_orders');
  await until('the catch-up', async () => runner.status === 'following' && (await storedOffset()) === s.service.state.lastSeq); // prettier-ignore
  expect(await waiting).toBe(true);
  expect(new EngineController(s.service, runner).health()).toMatchObject({ projection: 'following' });
  await feed(s, 200); // and it follows live batches again
  await runner.drained();
  expect(await storedOffset()).toBe(s.service.state.lastSeq);
  const trades = await tradeCounts();
  expect(trades.log).toBeGreaterThan(0);
  expect(trades.rows).toBe(trades.log);

  expect(problems[0]).toMatchObject({ msg: 'projection stalled: catching up from the stored offset', retryInMs: 200 }); // prettier-ignore
  expect(problems[0]!.lastSeq).toBeGreaterThan(before);
  expect(problems[1]).toMatchObject({ retryInMs: 400 });
  expect(String((problems[0] as { error?: string }).error)).toContain('refuse_new_orders');
  expect(resumed).toContainEqual(expect.objectContaining({ msg: 'projection resumed', fromSeq: before }));
  await runner.onApplicationShutdown();
}, 60_000);

it('stops retrying at shutdown', async () => {
  const writer = new InThreadProjectionWriter(db.dataSource);
  const runner = new ProjectionRunner(writer, s.service);
  const problems: unknown[] = [];
  captureProblems(runner, problems);
  await runner.onApplicationBootstrap();
  let lastSeqCalls = 0;
  const stored = writer.lastSeq.bind(writer);
  writer.lastSeq = () => (lastSeqCalls++, stored());
  writer.apply = () => Promise.reject(new Error('connection reset'));
  await feed(s, 100);
  await until('a stall', () => runner.status === 'stalled');
  await runner.onApplicationShutdown();
  await new Promise((r) => setTimeout(r, 500)); // past the first retry's wait
  expect(lastSeqCalls).toBe(0);
  expect(problems).toHaveLength(1);
});

it('fails its requests with the reason when the worker cannot start', async () => {
  const missing = pathToFileURL(path.join(dir, 'no-such-worker.js'));
  const writer = new WorkerProjectionWriter(db.url, undefined, missing);
  await expect(writer.lastSeq()).rejects.toThrow(/no-such-worker|Cannot find module|exited/);
  await writer.close();
});
