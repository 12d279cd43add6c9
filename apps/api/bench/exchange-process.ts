import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyncStats } from '@exchange/journal';
import { freePorts } from '@exchange/runtime';
import { processTreeCpuUs } from './process-cpu';

/** dist/ (this file is dist/apps/api/bench/exchange-process.js when it runs). */
export const distRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function waitUntilAnswering(url: string, child: ChildProcess, logFile: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the process exited during start (${child.exitCode}); log: ${logFile}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms; log: ${logFile}`);
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Waits for the embedded PostgreSQL of a data folder to finish its shutdown (it outlives its parent briefly). */
async function waitForPostgres(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 50 && Number.isInteger(pid) && alive(); i++) {
    if (i === 10) process.kill(pid, 'SIGINT'); // fast shutdown
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface RunningServer {
  baseUrl: string;
  wsUrl: string;
  dir: string;
  /** The exchange's command journal so far (GET /v1/engine/journal on the engine's port); the peer has none. */
  journal?: () => Promise<SyncStats>;
  /** CPU time so far of the server process and its descendants (the embedded PostgreSQL), µs; undefined off Linux. */
  cpuUs(): number | undefined;
  stop(): Promise<void>;
}

/** The node flags `npm start` runs the exchange with: package.json's `config.nodeFlags`. */
export function exchangeNodeFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(distRoot, '..', 'package.json'), 'utf8')) as {
    config?: { nodeFlags?: string };
  };
  return (pkg.config?.nodeFlags ?? '').split(' ').filter((a) => a !== '');
}

/**
 * The whole exchange (dist/apps/main.js) as a child process on free loopback ports, with its data
 * in a temporary folder: no demo session, no simulated oracle feeds, no chain, rate limits out of the
 * way. Node runs it with the flags of `npm start` (exchangeNodeFlags).
 * JOURNAL_FSYNC is passed through (default batch: acknowledged orders are on disk).
 * BENCH_EXCHANGE_NODE_ARGS (space-separated) are further node options for the exchange process, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server during the bench.
 */
export async function startExchange(): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-api-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
  const [api, engine, oracle, settlement, pg] = await freePorts(5);
  const logFile = path.join(dir, 'exchange.log');
  const log = fs.openSync(logFile, 'a');
  const nodeArgs = [
    ...exchangeNodeFlags(),
    ...(process.env.BENCH_EXCHANGE_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
  ];
  const child = spawn(process.execPath, [...nodeArgs, path.join(distRoot, 'apps', 'main.js')], {
    env: {
      ...process.env,
      API_HTTP_PORT: String(api),
      ENGINE_HTTP_PORT: String(engine),
      ORACLE_HTTP_PORT: String(oracle),
      SETTLEMENT_HTTP_PORT: String(settlement),
      EMBEDDED_PG_PORT: String(pg),
      ENGINE_DATA_DIR: path.join(dir, 'engine'),
      ORACLE_DATA_DIR: path.join(dir, 'oracle'),
      EMBEDDED_PG_DIR: path.join(dir, 'postgres'),
      API_DATA_DIR: path.join(dir, 'api'),
      KAFKA_BROKERS: '',
      DATABASE_URL: '',
      ENGINE_DEMO: 'off',
      DEMO_TRADERS: 'off',
      ORACLE_SIMULATOR: 'off',
      CHAIN: 'off', // settlement's chain side takes no part in order entry
      JOURNAL_FSYNC: process.env.JOURNAL_FSYNC || 'batch',
      API_RATE_LIMIT_BURST: '10000000',
      API_RATE_LIMIT_PER_S: '10000000',
      API_PUBLIC_RATE_LIMIT_BURST: '10000000',
      API_PUBLIC_RATE_LIMIT_PER_S: '10000000',
    },
    stdio: ['ignore', log, log],
  });
  const baseUrl = `http://127.0.0.1:${api}`;
  const stop = async () => {
    // the data is thrown away: a stop that takes longer than a few seconds is cut short (the
    // embedded PostgreSQL is then stopped through its pid file)
    await stopChild(child, 5000);
    fs.closeSync(log);
    await waitForPostgres(path.join(dir, 'postgres'));
    if (process.env.BENCH_KEEP_LOG) fs.copyFileSync(logFile, process.env.BENCH_KEEP_LOG);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(`${baseUrl}/v1/time`, child, logFile, 120_000);
  } catch (err) {
    await stopChild(child, 5000);
    throw err;
  }
  const journal = async () => {
    const res = await fetch(`http://127.0.0.1:${engine}/v1/engine/journal`);
    if (!res.ok) throw new Error(`GET /v1/engine/journal: ${res.status}`);
    return (await res.json()) as SyncStats;
  };
  return {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${api}/ws`,
    dir,
    journal,
    cpuUs: () => processTreeCpuUs(child.pid),
    stop,
  };
}

/** The transport peer (transport-peer.js) as a child process on a free port. */
export async function startTransportPeer(): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-api-peer-'));
  const [port] = await freePorts(1);
  const logFile = path.join(dir, 'peer.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(distRoot, 'apps', 'api', 'bench', 'transport-peer.js')], {
    env: { ...process.env, PEER_PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${baseUrl}/v1/time`, child, logFile, 30_000);
  return {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dir,
    cpuUs: () => processTreeCpuUs(child.pid),
    stop: async () => {
      await stopChild(child, 5000);
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
