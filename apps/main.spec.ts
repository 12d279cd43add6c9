import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * `npm start` as a user runs it: the built launcher as a real process on fresh data folders. All four
 * apps answer /health, the engine's demo session reaches PostgreSQL through the projection, and
 * SIGTERM stops everything cleanly.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const base = 40_000 + (process.pid % 2000) * 5;
const ports = { api: base, engine: base + 1, oracle: base + 2, settlement: base + 3, pg: base + 4 };

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('starts the whole exchange on its embedded defaults, projects into PostgreSQL and stops on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exchange-'));
  fs.chmodSync(dir, 0o755);
  const env = {
    ...process.env,
    ENGINE_DATA_DIR: path.join(dir, 'engine'),
    ORACLE_DATA_DIR: path.join(dir, 'oracle'),
    KAFKA_BROKERS: '', // the embedded defaults: the in-process log
    EMBEDDED_PG_DIR: path.join(dir, 'postgres'),
    EMBEDDED_PG_PORT: String(ports.pg),
    API_HTTP_PORT: String(ports.api),
    ENGINE_HTTP_PORT: String(ports.engine),
    ORACLE_HTTP_PORT: String(ports.oracle),
    SETTLEMENT_HTTP_PORT: String(ports.settlement),
    DATABASE_URL: '',
  };
  const proc = spawn(process.execPath, [path.join(root, 'dist', 'apps', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  try {
    for (const [app, port] of [
      ['api', ports.api],
      ['matching-engine', ports.engine],
      ['oracle', ports.oracle],
      ['settlement', ports.settlement],
    ] as const) {
      const health = await waitFor(`${app} health`, async () => {
        const r = await fetch(`http://127.0.0.1:${port}/health`);
        return r.ok ? ((await r.json()) as { status: string; app: string }) : undefined;
      });
      expect(health).toMatchObject({ status: 'ok', app });
    }
    const client = new pg.Client({
      connectionString: `postgresql://exchange:exchange@127.0.0.1:${ports.pg}/exchange`,
    });
    await client.connect();
    const trades = await waitFor('projected trades', async () => {
      const r = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM trades');
      return r.rows[0]!.n > 0 ? r.rows[0]!.n : undefined;
    });
    const engine = (await (
      await fetch(`http://127.0.0.1:${ports.engine}/v1/engine/books/1?depth=5`)
    ).json()) as { lastPriceTicks: number };
    expect(trades).toBe(3); // the demo session's market order takes three levels
    expect(engine.lastPriceTicks).toBeGreaterThan(0);
    const net = await client.query<{ s: string }>('SELECT sum(net_lots)::text AS s FROM positions');
    expect(net.rows[0]!.s).toBe('0');
    // the demo's deposits and trades conserve money: every asset's balances sum to zero
    const sums = await client.query<{ asset: string; total: string }>(
      'SELECT asset, sum(balance_minor)::text AS total FROM ledger_balances GROUP BY asset ORDER BY asset',
    );
    expect(sums.rows.length).toBeGreaterThan(0);
    for (const row of sums.rows) expect(row).toEqual({ asset: row.asset, total: '0' });
    await client.end();
  } finally {
    proc.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(output).toContain('"msg":"snapshot written"');
}, 120_000);
