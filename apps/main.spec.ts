import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePorts } from '@exchange/runtime';

/**
 * `npm start` as a user runs it: the built launcher as a real process on fresh data folders. All four
 * apps answer /health, the engine's demo session reaches PostgreSQL through the projection, the demo
 * traders keep a live market, and SIGTERM stops everything cleanly.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const ports = { api: 0, engine: 0, oracle: 0, settlement: 0, pg: 0 };

beforeAll(async () => {
  const [api, engine, oracle, settlement, pg] = await freePorts(5);
  Object.assign(ports, { api, engine, oracle, settlement, pg });
  execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
});

/** package.json's scripts and the node flags they start the exchange with (`config.nodeFlags`). */
function packageJson(): { scripts: Record<string, string>; config: { nodeFlags: string } } {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as ReturnType<
    typeof packageJson
  >;
}
const nodeFlags = () =>
  packageJson()
    .config.nodeFlags.split(' ')
    .filter((f) => f !== '');

it('runs the exchange from npm start, start:matching-engine and start:api with the node flags of package.json', () => {
  const { scripts } = packageJson();
  expect(nodeFlags()).toContain('--max-semi-space-size=64');
  for (const [name, main] of [
    ['start', 'dist/apps/main.js'],
    ['start:matching-engine', 'dist/apps/matching-engine/src/main.js'],
    ['start:api', 'dist/apps/api/src/main.js'],
  ])
    expect(scripts[name]).toContain(`node $npm_package_config_nodeFlags ${main}`);
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
    PROJECTION_THREAD: 'worker', // the default (jest's own processes project on the main thread)
    // the test reads every listed book: public rate limits out of its way
    API_PUBLIC_RATE_LIMIT_BURST: '1000000',
    API_PUBLIC_RATE_LIMIT_PER_S: '1000000',
  };
  const proc = spawn(process.execPath, [...nodeFlags(), path.join(root, 'dist', 'apps', 'main.js')], {
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
      // the engine's read models follow it; the api's lastSeq is the engine's (same process)
      if (app === 'matching-engine') expect(health).toMatchObject({ projection: 'following' });
      if (app === 'api') expect(health).toMatchObject({ lastSeq: expect.any(Number) });
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
    expect(trades).toBeGreaterThanOrEqual(3); // the demo session's market order takes three levels
    expect(engine.lastPriceTicks).toBeGreaterThan(0);
    // the demo traders (clients of the api on the SDK) quote both sides of every spot book and future
    // and of options, and their takers trade
    const api = `http://127.0.0.1:${ports.api}`;
    const instruments = (await (await fetch(`${api}/v1/instruments`)).json()) as {
      symbol: string;
      kind: string;
    }[];
    const sides = async (symbol: string) => {
      const book = (await (await fetch(`${api}/v1/book/${symbol}`)).json()) as {
        bids: unknown[];
        asks: unknown[];
      };
      return (book.bids.length > 0 ? 1 : 0) + (book.asks.length > 0 ? 1 : 0);
    };
    const marked = async (symbol: string) =>
      ((await (await fetch(`${api}/v1/mark/${symbol}`)).json()) as { markPrice: string | null }).markPrice !==
      null;
    for (const i of instruments.filter((x) => x.kind !== 'option')) {
      if (i.kind === 'future' && !(await marked(i.symbol))) continue; // no fair price to quote around yet
      await waitFor(`two-sided ${i.symbol}`, async () => ((await sides(i.symbol)) === 2 ? true : undefined));
    }
    // options: quoted once the surface marks them; the cheapest (a tick or two) get asks only
    const options = instruments.filter((x) => x.kind === 'option');
    const quoted = await waitFor('quoted options', async () => {
      const n = await Promise.all(options.map((o) => sides(o.symbol)));
      const any = n.filter((k) => k > 0).length;
      return any > options.length / 2 ? { any, both: n.filter((k) => k === 2).length } : undefined;
    });
    expect(quoted.both).toBeGreaterThan(0);
    await waitFor('demo taker trades', async () => {
      const r = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM trades');
      return r.rows[0]!.n > 3 ? true : undefined;
    });
    expect(output).toContain('"msg":"demo traders started"');
    // the demo providers stake on the embedded chain from their own wallets; the bridge credits it
    const bridge = await waitFor('demo stake credited from chain', async () => {
      const r = (await (await fetch(`http://127.0.0.1:${ports.settlement}/v1/settlement/bridge`)).json()) as { stakes: Record<string, Record<string, string>>; error: string | null }; // prettier-ignore
      return Object.keys(r.stakes).length > 0 ? r : undefined;
    });
    expect(bridge.error).toBeNull();
    for (const held of Object.values(bridge.stakes)) expect(Object.values(held)).toEqual(['200000000']);
    const net = await client.query<{ s: string }>('SELECT sum(net_lots)::text AS s FROM positions');
    expect(net.rows[0]!.s).toBe('0');
    // the demo's deposits and trades conserve money: every asset's balances sum to zero
    const sums = await client.query<{ asset: string; total: string }>(
      'SELECT asset, sum(balance_minor)::text AS total FROM ledger_balances GROUP BY asset ORDER BY asset',
    );
    expect(sums.rows.length).toBeGreaterThan(0);
    for (const row of sums.rows) expect(row).toEqual({ asset: row.asset, total: '0' });
    await client.end();
  } catch (err) {
    // what the exchange printed says why (a port taken, a start that failed)
    throw new Error(`${(err as Error).message}\n--- the exchange's last output ---\n${output.slice(-4000)}`);
  } finally {
    proc.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(output).toContain('"msg":"snapshot written"');
}, 120_000);
