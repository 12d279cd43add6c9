import * as path from 'node:path';
import { TOPICS, type LogRecord } from '@exchange/messaging';
import { RoundAttestor, twap, type PublishedRound } from '@exchange/oracle';
import type { Database } from '@exchange/persistence';
import { decodeRoundRecord } from '../src/publication/round-record';
import {
  DOMAIN,
  ManualClock,
  closeAll,
  T0,
  http,
  provider,
  registerProvider,
  report,
  sign,
  startDatabase,
  startOracle,
  tempDir,
  waitFor,
  type RunningOracle,
} from './oracle-fixture';

/** The index from the oracle log, rebuilt by replay; publication to TOPICS.prices and index_prices; history and TWAP. */
let db: Database;
const root = tempDir('oracle-pub-');
const CLASSES = ['H100', 'A100', 'L40S', 'RTX4090'] as const;
// prices in proportion to the benchmark scores: one price per compute unit, so the CU index keeps everyone
const PRICE = { H100: 2_500_000, A100: 1_000_000, L40S: 500_000, RTX4090: 275_000 };
const SCORE = { H100: 3_000_000, A100: 1_200_000, L40S: 600_000, RTX4090: 330_000 };
const providers = Array.from({ length: 16 }, (_, i) => ({ ...provider(i), cls: CLASSES[i % 4]! }));

beforeAll(async () => {
  db = await startDatabase(root);
}, 120_000);

afterEach(closeAll);

afterAll(async () => {
  await db?.close();
});

/** One feed round at the clock's time: every provider reports its class price times `level` (ppm). */
async function feed(o: RunningOracle, clock: ManualClock, step: number, levelPpm: number): Promise<void> {
  const reports = providers.map((p, i) =>
    sign(
      p,
      report(p, {
        observedAtMs: clock.t - 500,
        nonce: step + 1,
        computeClass: p.cls,
        priceMicros: Math.round((PRICE[p.cls] * levelPpm) / 1e6) + i * 10,
        benchmarkScoreMilli: SCORE[p.cls] + i,
        gpusTotal: 16 + 8 * i,
        gpusAvailable: 4,
      }),
    ),
  );
  const res = await http('POST', `${o.url}/v1/oracle/reports/batch`, { reports });
  expect(res.body.accepted).toBe(providers.length);
  await waitFor('the log consumer', async () => {
    const m = (await http('GET', `${o.url}/v1/oracle/metrics`)).body;
    return m.log.records === (step + 1) * providers.length ? true : undefined;
  });
}

async function collectPrices(o: RunningOracle, n: number): Promise<LogRecord[]> {
  const got: LogRecord[] = [];
  const sub = await o.log.consume({
    topic: TOPICS.prices,
    groupId: `test-${Date.now()}-${Math.random()}`,
    handle: async (rs) => void got.push(...rs),
  });
  await waitFor(`${n} price records`, async () => (got.length >= n ? true : undefined));
  await sub.stop();
  return got;
}

it('publishes signed rounds to the prices topic and index_prices; rebuilds the same index after a restart', async () => {
  const dir = path.join(root, 'log-a');
  const clock = new ManualClock(T0);
  let oracle = await startOracle({ database: db, dataDir: dir, clock });
  for (const p of providers) await registerProvider(oracle.url, p);

  // before any report every index is stale, and a stale index is never published
  const empty = (await http('GET', `${oracle.url}/v1/oracle/indices`)).body;
  expect(empty.indices.map((i: { stale: boolean }) => i.stale)).toEqual([true, true, true, true, true]);
  expect(await oracle.publication.tick(clock.t)).toEqual([]);

  const levels = [1_000_000, 1_001_000, 1_020_000, 1_020_500, 0.98e6];
  const published: PublishedRound[][] = [];
  for (let step = 0; step < levels.length; step++) {
    clock.t = T0 + step * 60_000;
    await feed(oracle, clock, step, levels[step]!);
    published.push((await oracle.publication.tick(clock.t)).map((s) => s.round));
  }
  // first, within the 50 bps deviation threshold (nothing), 2% up (all), within again, 4% down (all)
  expect(published.map((rounds) => rounds.length)).toEqual([5, 0, 5, 0, 5]);
  expect(published[2]!.map((r) => r.roundId)).toEqual([2, 2, 2, 2, 2]);

  const indices = (await http('GET', `${oracle.url}/v1/oracle/indices`)).body;
  for (const index of indices.indices) {
    expect(index).toMatchObject({ status: 'ok', stale: false, providers: index.indexId === 'CU' ? 16 : 4 });
    expect(index.confidence.lowMicros).toBeLessThanOrEqual(index.priceMicros);
    expect(index.confidence.highMicros).toBeGreaterThanOrEqual(index.priceMicros);
    expect(index.lastRound.roundId).toBe(3);
  }
  const h100 = indices.indices[0];
  expect(h100.price).toBe((h100.priceMicros / 1e6).toString());

  // the prices topic carries the signed rounds, keyed by index, verifiable with the oracle's address
  const records = await collectPrices(oracle, 15);
  const attestor = new RoundAttestor(DOMAIN);
  const eip = (await http('GET', `${oracle.url}/v1/oracle/eip712`)).body;
  for (const r of records) {
    const signed = decodeRoundRecord(r.value)!;
    expect(r.key).toBe(signed.round.indexId);
    expect(attestor.verify(signed, eip.oracleAddress)).toBe(true);
  }
  // and index_prices holds the same rounds
  const rows = (await db.dataSource.query(
    `SELECT index_id, published_at_ms::text AS at, price, status, signature, round_id::int AS round_id
     FROM index_prices ORDER BY published_at_ms, index_id`,
  )) as {
    index_id: string;
    at: string;
    price: string;
    status: string;
    signature: string;
    round_id: number;
  }[];
  expect(rows).toHaveLength(15);
  const fromTopic = records.map((r) => decodeRoundRecord(r.value)!);
  for (const row of rows) {
    const s = fromTopic.find(
      (x) => x.round.indexId === row.index_id && x.round.publishedAtMs === Number(row.at),
    )!;
    expect(row).toMatchObject({ status: 'ok', signature: s.signature, round_id: s.round.roundId });
    expect(row.price).toBe((s.round.priceMicros / 1e6).toString());
  }
  const before = { indices, window: oracle.publication.snapshot };
  await oracle.close();

  // restart at the same time: the index is replayed from the log and equals the one before
  oracle = await startOracle({ database: db, dataDir: dir, clock });
  const after = (await http('GET', `${oracle.url}/v1/oracle/indices`)).body;
  expect(after).toEqual(before.indices);
  expect(oracle.publication.snapshot).toEqual(before.window);
  // the publishers resume: numbering continues and the deviation reference is the last round
  clock.t += 60_000;
  await feed(oracle, clock, levels.length, 1_000_000);
  const next = await oracle.publication.tick(clock.t);
  expect(next.map((s) => s.round.roundId)).toEqual([4, 4, 4, 4, 4]);

  // history and TWAP over the published rounds
  const hist = (
    await http('GET', `${oracle.url}/v1/oracle/indices/H100/history?fromMs=${T0}&toMs=${clock.t + 1}`)
  ).body;
  expect(hist.rounds.map((r: PublishedRound) => r.roundId)).toEqual([1, 2, 3, 4]);
  expect(hist.truncated).toBe(false);
  const rounds = hist.rounds as PublishedRound[];
  const fromMs = T0 + 30_000;
  const toMs = clock.t;
  const tw = (await http('GET', `${oracle.url}/v1/oracle/indices/H100/twap?fromMs=${fromMs}&toMs=${toMs}`))
    .body;
  const expected = twap(rounds, fromMs, toMs, oracle.config.publication.maxGapMs);
  expect(tw).toMatchObject({
    indexId: 'H100',
    fromMs,
    toMs,
    status: 'ok',
    priceMicros: expected.priceMicros,
  });
  expect(expected.priceMicros).toBeGreaterThan(Math.min(...rounds.map((r) => r.priceMicros)));
  expect(expected.priceMicros).toBeLessThan(Math.max(...rounds.map((r) => r.priceMicros)));
  // a window that starts before the first round has no TWAP
  const early = (await http('GET', `${oracle.url}/v1/oracle/indices/CU/twap?fromMs=${T0 - 1}&toMs=${toMs}`))
    .body;
  expect(early).toMatchObject({ status: 'insufficient_data', priceMicros: null });

  // bad queries and unknown indices
  const badFrom = await http('GET', `${oracle.url}/v1/oracle/indices/H100/twap?fromMs=abc&toMs=${toMs}`);
  expect({ status: badFrom.status, ...badFrom.body }).toMatchObject({
    status: 400,
    code: 'BAD_QUERY',
    field: 'fromMs',
  });
  const reversed = await http(
    'GET',
    `${oracle.url}/v1/oracle/indices/H100/history?fromMs=${toMs}&toMs=${T0}`,
  );
  expect({ status: reversed.status, code: reversed.body.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
  const unknown = await http('GET', `${oracle.url}/v1/oracle/indices/TPU/history`);
  expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 404, code: 'UNKNOWN_INDEX' });
  await oracle.close();
});

it('marks an index stale when its providers stop reporting (quorum lost), and never publishes it', async () => {
  await db.dataSource.query('TRUNCATE providers, index_prices');
  const clock = new ManualClock(T0);
  const oracle = await startOracle({ database: db, dataDir: path.join(root, 'log-b'), clock });
  for (const p of providers) await registerProvider(oracle.url, p);
  await feed(oracle, clock, 0, 1_000_000);
  expect(await oracle.publication.tick(clock.t)).toHaveLength(5);
  clock.t += 6 * 60_000; // past the freshness window
  expect(await oracle.publication.tick(clock.t)).toEqual([]);
  const indices = (await http('GET', `${oracle.url}/v1/oracle/indices`)).body.indices;
  expect(indices.map((i: { stale: boolean }) => i.stale)).toEqual([true, true, true, true, true]);
  expect(indices[0].lastRound.roundId).toBe(1); // the last published round stays visible with its age
  await oracle.close();
});
