import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSettlementConfig } from '../src/config/settlement-config';
import { tempDir } from './settlement-fixture';
import { freePorts } from '@exchange/runtime';

/**
 * How the settlement app finds its chain at start, as real processes: an unreachable CHAIN_RPC_URL
 * stops the start (settlement on its own, and the whole exchange) with CHAIN_UNREACHABLE and starts
 * no local node in its place; CHAIN=off runs without a chain only when it is asked for, and says so.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
/** Loopback ports for the processes the test starts, chosen in beforeAll. */
let ports: number[] = [];
const portNo = (i: number): number => ports[i]!;

beforeAll(async () => {
  ports = await freePorts(6);
  execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
}, 120_000);

interface Started {
  code: number | null;
  output: string;
}

/** Runs `script` until it exits, or until `until` appears in its output (then `then`, and SIGTERM). */
function start(
  script: string,
  env: NodeJS.ProcessEnv,
  until?: RegExp,
  then?: () => Promise<void>,
): Promise<Started> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(root, 'dist', ...script.split('/'))], {
      env: { ...process.env, KAFKA_BROKERS: '', DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let seen = false;
    const take = (d: Buffer) => {
      output += d.toString();
      if (seen || !until?.test(output)) return;
      seen = true;
      void (then ?? (() => Promise.resolve()))().finally(() => proc.kill('SIGTERM'));
    };
    proc.stdout.on('data', take);
    proc.stderr.on('data', take);
    proc.on('exit', (code) => resolve({ code, output }));
  });
}

it('stops start:settlement with CHAIN_UNREACHABLE when CHAIN_RPC_URL does not answer, and starts no local chain', async () => {
  const dir = tempDir('settlement-start');
  const r = await start('apps/settlement/src/main.js', {
    CHAIN_RPC_URL: 'http://127.0.0.1:1',
    CHAIN_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
    SETTLEMENT_SIGNING_KEY: `0x${'22'.repeat(32)}`,
    CHAIN_CONNECT_TIMEOUT_MS: '500',
    CHAIN_DATA_DIR: path.join(dir, 'chain'),
    SETTLEMENT_DATA_DIR: path.join(dir, 'settlement'),
    SETTLEMENT_HTTP_PORT: String(portNo(0)),
  });
  expect(r.code).toBe(1);
  expect(r.output).toContain('CHAIN_UNREACHABLE');
  expect(r.output).not.toContain('chain ready');
  expect(r.output).not.toContain('settlement ready');
});

it('stops the whole exchange (npm start) with CHAIN_UNREACHABLE before any app listens', async () => {
  const dir = tempDir('exchange-chain-start');
  fs.chmodSync(dir, 0o755);
  const r = await start('apps/main.js', {
    CHAIN_RPC_URL: 'http://127.0.0.1:1',
    CHAIN_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
    SETTLEMENT_SIGNING_KEY: `0x${'22'.repeat(32)}`,
    CHAIN_CONNECT_TIMEOUT_MS: '500',
    ENGINE_DATA_DIR: path.join(dir, 'engine'),
    ORACLE_DATA_DIR: path.join(dir, 'oracle'),
    EMBEDDED_PG_DIR: path.join(dir, 'postgres'),
    EMBEDDED_PG_PORT: String(portNo(1)),
    API_HTTP_PORT: String(portNo(2)),
    ENGINE_HTTP_PORT: String(portNo(3)),
    ORACLE_HTTP_PORT: String(portNo(4)),
    SETTLEMENT_HTTP_PORT: String(portNo(5)),
  });
  expect(r.code).toBe(1);
  expect(r.output).toContain('CHAIN_UNREACHABLE');
  expect(r.output).not.toMatch(/"msg":"(matching-engine|settlement|api) ready"/);
}, 60_000);

it('runs start:settlement without a chain only when CHAIN=off says so', async () => {
  const dir = tempDir('settlement-off');
  const port = portNo(1);
  let view: unknown;
  const r = await start(
    'apps/settlement/src/main.js',
    { CHAIN: 'off', SETTLEMENT_DATA_DIR: path.join(dir, 'settlement'), SETTLEMENT_HTTP_PORT: String(port) },
    /settlement ready/,
    async () => {
      view = await (await fetch(`http://127.0.0.1:${port}/v1/settlement/chain`)).json();
    },
  );
  expect(view).toEqual({ mode: 'off' });
  expect(r.output).toContain('chain off (CHAIN=off)');
  expect(r.output).not.toContain('chain ready');
  expect(() => loadSettlementConfig({ CHAIN: 'maybe' })).toThrow('CHAIN must be on or off');
  // a chain of one's own needs one's own price signer: no development key behind CHAIN_RPC_URL
  expect(() => loadSettlementConfig({ CHAIN_RPC_URL: 'http://127.0.0.1:8545' })).toThrow(
    'SETTLEMENT_SIGNING_KEY',
  );
  expect(loadSettlementConfig({}).chain).toBe(true);
});
