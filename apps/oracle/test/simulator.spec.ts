import * as path from 'node:path';
import type { Database } from '@exchange/persistence';
import { closeAll, http, startDatabase, startOracle, tempDir, waitFor } from './oracle-fixture';

/** The simulated providers (system clock, short timers): registered, posting through ingestion, live indices. */
let db: Database;
const root = tempDir('oracle-sim-');

beforeAll(async () => {
  db = await startDatabase(root);
}, 120_000);

afterEach(closeAll);

afterAll(async () => {
  await db?.close();
});

it('registers the simulated providers and produces live, non-stale indices; hostile feeds are rejected', async () => {
  const env = {
    ORACLE_SIMULATOR: 'on',
    ORACLE_SIMULATOR_INTERVAL_MS: '100',
    ORACLE_PUBLISH_INTERVAL_MS: '100',
  };
  const oracle = await startOracle({ database: db, dataDir: path.join(root, 'log'), env });
  const providers = (await http('GET', `${oracle.url}/v1/oracle/providers`)).body.providers;
  expect(providers).toHaveLength(24); // 6 per class, the default
  const live = await waitFor('live indices', async () => {
    const body = (await http('GET', `${oracle.url}/v1/oracle/indices`)).body;
    return body.indices.every((i: { stale: boolean; lastRound: unknown }) => !i.stale && i.lastRound !== null)
      ? body
      : undefined;
  });
  expect(live.indices.map((i: { indexId: string }) => i.indexId)).toEqual([
    'H100',
    'A100',
    'L40S',
    'RTX4090',
    'CU',
  ]);
  for (const i of live.indices) expect(i.providers).toBeGreaterThanOrEqual(3);
  // the default seed has stale, outlier, bad-signature and replaying providers
  const metrics = await waitFor('hostile feeds rejected', async () => {
    const m = (await http('GET', `${oracle.url}/v1/oracle/metrics`)).body;
    const r = m.ingestion.rejected;
    return r.STALE_REPORT > 0 && r.BAD_SIGNATURE > 0 && r.NONCE_REPLAYED > 0 ? m : undefined;
  });
  expect(metrics.ingestion.accepted).toBeGreaterThan(0);
  const outliers = live.indices.flatMap((i: { outlierProviders: string[] }) => i.outlierProviders);
  expect(outliers.length).toBeGreaterThan(0);
  await oracle.close();

  // after a restart the simulated providers continue above the nonces the log holds
  const again = await startOracle({ database: db, dataDir: path.join(root, 'log'), env });
  const before = (await http('GET', `${again.url}/v1/oracle/metrics`)).body.ingestion.accepted;
  await waitFor('accepted after restart', async () => {
    const m = (await http('GET', `${again.url}/v1/oracle/metrics`)).body.ingestion;
    return m.accepted > before + 20 ? true : undefined;
  });
  await again.close();
});
