import * as path from 'node:path';
import { TOPICS } from '@exchange/messaging';
import type { Database } from '@exchange/persistence';
import {
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
  type RunningOracle,
} from './oracle-fixture';

/** Ingestion over real HTTP: every rejection path with its code and no state change; batches; the registry. */
let db: Database;
const root = tempDir('oracle-ingest-');

beforeAll(async () => {
  db = await startDatabase(root);
}, 120_000);

afterEach(closeAll);

afterAll(async () => {
  await db?.close();
});

let run = 0;
async function fresh(
  clock = new ManualClock(T0),
): Promise<{ oracle: RunningOracle; clock: ManualClock; dir: string }> {
  await db.dataSource.query('TRUNCATE providers, index_prices');
  const dir = path.join(root, `log-${++run}`);
  return { oracle: await startOracle({ database: db, dataDir: dir, clock }), clock, dir };
}

/** What a rejection must leave alone: the log, the index window, the counters other than its own. */
async function observable(o: RunningOracle) {
  const metrics = (await http('GET', `${o.url}/v1/oracle/metrics`)).body;
  return {
    logEnds: await o.log.endOffsets(TOPICS.oracleReports),
    held: metrics.log.heldReports,
    accepted: metrics.ingestion.accepted,
    rejected: metrics.ingestion.rejected as Record<string, number>,
  };
}

describe('POST /v1/oracle/reports', () => {
  it('accepts a valid report, appends it to the oracle log keyed by provider and feeds the index', async () => {
    const { oracle } = await fresh();
    const p = provider(1);
    await registerProvider(oracle.url, p);
    const signed = sign(p, report(p, { observedAtMs: T0 - 1_000, nonce: 1 }));
    const res = await http('POST', `${oracle.url}/v1/oracle/reports`, signed);
    expect(res).toEqual({ status: 200, body: { status: 'accepted', providerId: p.providerId, nonce: 1 } });
    const ends = await oracle.log.endOffsets(TOPICS.oracleReports);
    expect(ends.reduce((a, b) => a + b, 0)).toBe(1);
    const metrics = await (async () => {
      for (;;) {
        const m = (await http('GET', `${oracle.url}/v1/oracle/metrics`)).body;
        if (m.log.applied === 1) return m;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    expect(metrics.ingestion.accepted).toBe(1);
    expect(metrics.log.heldReports).toBe(1);
    await oracle.close();
  });

  it('rejects each bad report with its stable code, counts it and changes nothing else', async () => {
    const { oracle } = await fresh();
    const [p, suspended, unknown] = [provider(1), provider(2), provider(3)];
    await registerProvider(oracle.url, p);
    await registerProvider(oracle.url, suspended, 'suspended');
    const ok = sign(p, report(p, { observedAtMs: T0 - 1_000, nonce: 10 }));
    expect((await http('POST', `${oracle.url}/v1/oracle/reports`, ok)).status).toBe(200);
    const tampered = { ...sign(p, report(p, { observedAtMs: T0, nonce: 11 })) };
    const cases: [string, unknown][] = [
      [
        'BAD_SIGNATURE',
        { report: { ...tampered.report, priceMicros: 9_999_999 }, signature: tampered.signature },
      ],
      ['BAD_SIGNATURE', { report: tampered.report, signature: '0x1234' }],
      ['BAD_SIGNATURE', sign(unknown, report(p, { observedAtMs: T0, nonce: 12 }))],
      ['UNKNOWN_PROVIDER', sign(unknown, report(unknown, { observedAtMs: T0, nonce: 1 }))],
      ['PROVIDER_INACTIVE', sign(suspended, report(suspended, { observedAtMs: T0, nonce: 1 }))],
      ['STALE_REPORT', sign(p, report(p, { observedAtMs: T0 - 10 * 60_000, nonce: 13 }))],
      [
        'STALE_REPORT',
        sign(p, report(p, { observedAtMs: T0, benchmarkMeasuredAtMs: T0 - 30 * 86_400_000, nonce: 14 })),
      ],
      ['FUTURE_REPORT', sign(p, report(p, { observedAtMs: T0 + 60_000, nonce: 15 }))],
      ['NONCE_REPLAYED', ok],
      ['NONCE_REPLAYED', sign(p, report(p, { observedAtMs: T0, nonce: 9 }))],
      ['VALUE_OUT_OF_RANGE', sign(p, report(p, { observedAtMs: T0, nonce: 16, utilisationBps: 10_001 }))],
      ['VALUE_OUT_OF_RANGE', sign(p, report(p, { observedAtMs: T0, nonce: 17, gpusAvailable: 65 }))],
      ['VALUE_OUT_OF_RANGE', sign(p, report(p, { observedAtMs: T0, nonce: 18, priceMicros: 0 }))],
      [
        'VALUE_OUT_OF_RANGE',
        { report: { ...tampered.report, gpusTotal: '64' }, signature: tampered.signature },
      ],
      ['UNKNOWN_CLASS', sign(p, report(p, { observedAtMs: T0, nonce: 19, computeClass: 'TPUv5' as 'H100' }))],
    ];
    for (const [code, body] of cases) {
      const before = await observable(oracle);
      const res = await http('POST', `${oracle.url}/v1/oracle/reports`, body);
      expect({ code, status: res.status, body: res.body.code }).toEqual({ code, status: 422, body: code });
      expect(typeof res.body.message).toBe('string');
      const after = await observable(oracle);
      expect(after.logEnds).toEqual(before.logEnds);
      expect(after.held).toBe(before.held);
      expect(after.accepted).toBe(before.accepted);
      expect(after.rejected[code]).toBe(before.rejected[code]! + 1);
      for (const other of Object.keys(before.rejected))
        if (other !== code) expect(after.rejected[other]).toBe(before.rejected[other]);
    }
    // the provider's nonce sequence is intact: the next nonce is accepted
    const next = sign(p, report(p, { observedAtMs: T0, nonce: 11 }));
    expect((await http('POST', `${oracle.url}/v1/oracle/reports`, next)).body.status).toBe('accepted');
    await oracle.close();
  });

  it('answers malformed bodies with 400 { code, message, field } and changes nothing', async () => {
    const { oracle } = await fresh();
    const p = provider(1);
    await registerProvider(oracle.url, p);
    const signed = sign(p, report(p, { observedAtMs: T0, nonce: 1 }));
    const before = await observable(oracle);
    const cases: [unknown, string, string | undefined][] = [
      ['{"report": ', 'MALFORMED_BODY', undefined],
      [[1, 2], 'MALFORMED_BODY', 'body'],
      [{ signature: signed.signature }, 'MALFORMED_BODY', 'report'],
      [{ report: signed.report }, 'MALFORMED_BODY', 'signature'],
      [{ report: signed.report, signature: 42 }, 'MALFORMED_BODY', 'signature'],
    ];
    for (const [body, code, field] of cases) {
      const res = await http('POST', `${oracle.url}/v1/oracle/reports`, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(code);
      expect(typeof res.body.message).toBe('string');
      expect(res.body.field).toBe(field);
    }
    const batchCases: [unknown, string, string][] = [
      [{ reports: 'x' }, 'MALFORMED_BODY', 'reports'],
      [{ reports: [] }, 'MALFORMED_BODY', 'reports'],
      [{ reports: [signed, { report: signed.report }] }, 'MALFORMED_BODY', 'reports[1].signature'],
      [{ reports: Array.from({ length: 101 }, () => signed) }, 'BATCH_TOO_LARGE', 'reports'],
    ];
    for (const [body, code, field] of batchCases) {
      const res = await http('POST', `${oracle.url}/v1/oracle/reports/batch`, body);
      expect({ status: res.status, code: res.body.code, field: res.body.field }).toEqual({
        status: 400,
        code,
        field,
      });
    }
    const after = await observable(oracle);
    expect(after).toEqual(before);
    expect((await http('GET', `${oracle.url}/v1/oracle/metrics`)).body.ingestion.malformedRequests).toBe(8);
    await oracle.close();
  });
});

describe('POST /v1/oracle/reports/batch', () => {
  it('answers one result per report, in order, and appends only the accepted ones', async () => {
    const { oracle } = await fresh();
    const [a, b] = [provider(1), provider(2)];
    await registerProvider(oracle.url, a);
    await registerProvider(oracle.url, b);
    const a1 = sign(a, report(a, { observedAtMs: T0, nonce: 1 }));
    const reports = [
      a1,
      sign(b, report(b, { observedAtMs: T0, nonce: 1 })),
      a1, // the same report again inside the batch
      sign(b, report(b, { observedAtMs: T0 - 3_600_000, nonce: 2 })),
      sign(a, report(a, { observedAtMs: T0, nonce: 2, computeClass: 'X' as 'H100' })),
      { report: { ...a1.report, nonce: 3 }, signature: a1.signature },
      sign(a, report(a, { observedAtMs: T0, nonce: 4, clusterId: 'other' })),
    ];
    const res = await http('POST', `${oracle.url}/v1/oracle/reports/batch`, { reports });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(3);
    expect(res.body.rejected).toBe(4);
    expect(res.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'accepted',
      'accepted',
      'NONCE_REPLAYED',
      'STALE_REPORT',
      'UNKNOWN_CLASS',
      'BAD_SIGNATURE',
      'accepted',
    ]);
    expect(res.body.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect((await oracle.log.endOffsets(TOPICS.oracleReports)).reduce((x, y) => x + y, 0)).toBe(3);
    const metrics = (await http('GET', `${oracle.url}/v1/oracle/metrics`)).body.ingestion;
    expect(metrics.accepted).toBe(3);
    expect(metrics.rejected).toMatchObject({
      NONCE_REPLAYED: 1,
      STALE_REPORT: 1,
      UNKNOWN_CLASS: 1,
      BAD_SIGNATURE: 1,
    });
    await oracle.close();
  });
});

describe('provider registry', () => {
  it('registers idempotently by id, refuses other details, lists, suspends, and reloads from PostgreSQL', async () => {
    const { oracle, clock, dir } = await fresh();
    const p = provider(1);
    const body = {
      providerId: p.providerId,
      address: p.address.toUpperCase().replace('0X', '0x'),
      stakeMinor: '123456789012345678901234567890',
    };
    const first = await http('POST', `${oracle.url}/v1/oracle/providers`, body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      created: true,
      provider: { providerId: p.providerId, address: p.address, status: 'active' },
    });
    const again = await http('POST', `${oracle.url}/v1/oracle/providers`, body);
    expect(again).toEqual({ status: 200, body: { ...first.body, created: false } });
    const conflict = await http('POST', `${oracle.url}/v1/oracle/providers`, { ...body, stakeMinor: '1' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('PROVIDER_CONFLICT');
    for (const [bad, field] of [
      [{ ...body, address: '0x12' }, 'address'],
      [{ ...body, providerId: '' }, 'providerId'],
      [{ ...body, stakeMinor: '1.5' }, 'stakeMinor'],
      [{ ...body, stakeMinor: -1 }, 'stakeMinor'],
      [{ ...body, status: 'gone' }, 'status'],
    ] as const) {
      const res = await http('POST', `${oracle.url}/v1/oracle/providers`, bad);
      expect({ status: res.status, code: res.body.code, field: res.body.field }).toEqual({
        status: 400,
        code: 'MALFORMED_BODY',
        field,
      });
    }
    await registerProvider(oracle.url, provider(2));
    const listed = (await http('GET', `${oracle.url}/v1/oracle/providers`)).body.providers;
    expect(listed.map((x: { providerId: string }) => x.providerId)).toEqual([p.providerId, 'tp-2']);
    expect(listed[0].stakeMinor).toBe('123456789012345678901234567890');

    // suspend: reports are refused; unknown provider: 404
    const suspend = await http('POST', `${oracle.url}/v1/oracle/providers/tp-2/status`, {
      status: 'suspended',
    });
    expect(suspend.body.provider.status).toBe('suspended');
    expect(
      (await http('POST', `${oracle.url}/v1/oracle/providers/nobody/status`, { status: 'active' })).body.code,
    ).toBe('UNKNOWN_PROVIDER');
    const q = provider(2);
    const refused = await http(
      'POST',
      `${oracle.url}/v1/oracle/reports`,
      sign(q, report(q, { observedAtMs: T0, nonce: 1 })),
    );
    expect(refused.body.code).toBe('PROVIDER_INACTIVE');
    await oracle.close();

    // a restart loads the registry from PostgreSQL
    const restarted = await startOracle({ database: db, dataDir: dir, clock });
    expect((await http('GET', `${restarted.url}/v1/oracle/providers`)).body.providers).toEqual(
      listed.map((x: object, i: number) => (i === 1 ? suspend.body.provider : x)),
    );
    const accepted = await http(
      'POST',
      `${restarted.url}/v1/oracle/reports`,
      sign(p, report(p, { observedAtMs: T0, nonce: 1 })),
    );
    expect(accepted.body.status).toBe('accepted');
    const stillRefused = await http(
      'POST',
      `${restarted.url}/v1/oracle/reports`,
      sign(q, report(q, { observedAtMs: T0, nonce: 1 })),
    );
    expect(stillRefused.body.code).toBe('PROVIDER_INACTIVE');
    await restarted.close();
  });

  it('refuses a replayed report after a restart (nonces come back from the oracle log)', async () => {
    const { oracle, clock, dir } = await fresh();
    const p = provider(1);
    await registerProvider(oracle.url, p);
    const signed = sign(p, report(p, { observedAtMs: T0, nonce: 5 }));
    expect((await http('POST', `${oracle.url}/v1/oracle/reports`, signed)).body.status).toBe('accepted');
    await oracle.close();
    clock.t = T0 + 10_000; // still fresh
    const restarted = await startOracle({ database: db, dataDir: dir, clock });
    const before = await observable(restarted);
    const replay = await http('POST', `${restarted.url}/v1/oracle/reports`, signed);
    expect(replay.status).toBe(422);
    expect(replay.body.code).toBe('NONCE_REPLAYED');
    const after = await observable(restarted);
    expect(after.logEnds).toEqual(before.logEnds);
    const next = sign(p, report(p, { observedAtMs: T0 + 5_000, nonce: 6 }));
    expect((await http('POST', `${restarted.url}/v1/oracle/reports`, next)).body.status).toBe('accepted');
    await restarted.close();
  });
});
