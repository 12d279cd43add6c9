import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Wallet } from 'ethers';
import { HARDHAT_DEV_KEYS, connectChain, startLocalChain, type LocalChain } from '@exchange/chain';
import { USDC } from './chain-settlement-fixture';
import { tempDir } from './settlement-fixture';

/**
 * kill -9 of the settlement process mid-expiry: a real child process (engine service, settlement
 * app, chain adapter against this test's Hardhat node) is killed with SIGKILL at each crash point
 * (after SettleExpiry, after a chain operation is journalled or broadcast, after the payables'
 * withdrawals reach the engine) and started again. Each run must end where an uninterrupted one
 * ends: both roots posted, the same number of operator transactions (nothing sent twice), one
 * withdrawal per payee (nothing moved twice), the vault holding exactly the payables, chain and
 * ledger reconciled and the ledger conserved.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const child = path.join(root, 'dist', 'apps', 'settlement', 'test', 'chain-crash-child.js');
const START_MS = Date.now();
const operator = new Wallet(HARDHAT_DEV_KEYS[0]).address;

let local: LocalChain;
beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'infra', 'scripts', 'build.js')], { cwd: root });
  local = await startLocalChain();
}, 120_000);
afterAll(async () => {
  await local?.stop();
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  summary?: { steps: [string, string, string | null][]; withdrawals: [number, string][]; conservation: unknown[]; differences: unknown[]; vaultBalance: string }; // prettier-ignore
  output: string;
}

function run(dir: string, crashAt: string): Promise<Run> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [child, dir, local.rpcUrl, String(START_MS), crashAt], { stdio: ['ignore', 'pipe', 'pipe'] }); // prettier-ignore
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    proc.on('exit', (code, signal) => {
      const line = output.split('\n').find((l) => l.startsWith('SUMMARY '));
      resolve({ code, signal, output, summary: line ? (JSON.parse(line.slice('SUMMARY '.length)) as Run['summary']) : undefined }); // prettier-ignore
    });
  });
}

async function operatorNonce(): Promise<number> {
  const c = await connectChain(local.rpcUrl);
  try {
    return Number(await c.provider.send('eth_getTransactionCount', [operator, 'latest']));
  } finally {
    c.provider.destroy();
  }
}

it('sends, moves and pays nothing twice and loses nothing when killed at any point of an expiry', async () => {
  // an uninterrupted run: what every interrupted one must end with
  let before = await operatorNonce();
  const clean = await run(tempDir('chain-crash-clean'), '-');
  expect(clean.code).toBe(0);
  const txs = (await operatorNonce()) - before;
  const expected = clean.summary!;
  expect(expected.steps.filter(([, step]) => step === 'root_posted')).toHaveLength(2);
  // 4's payable is refused by the risk stage (margin), 8 has no payout address: neither is withdrawn
  expect(expected.withdrawals).toEqual([[7, String(USDC(79.2))], [5, String(USDC(72))]]); // prettier-ignore
  expect([expected.vaultBalance, expected.differences, expected.conservation]).toEqual([String(USDC(151.2)), [], []]); // prettier-ignore

  const points = [
    'settle-expiry', 'journal:price', 'broadcast:price', 'withdrawn', 'journal:faucet', 'broadcast:approve',
    'journal:deposit', 'broadcast:deposit', 'journal:root', 'broadcast:root', 'broadcast:prime',
  ]; // prettier-ignore
  for (const point of points) {
    const dir = tempDir(`chain-crash-${point.replace(':', '-')}`);
    before = await operatorNonce();
    const killed = await run(dir, point);
    expect([point, killed.signal, killed.summary]).toEqual([point, 'SIGKILL', undefined]);
    const again = await run(dir, '-');
    expect([point, again.code]).toEqual([point, 0]);
    expect([point, (await operatorNonce()) - before]).toEqual([point, txs]);
    expect({ point, ...again.summary }).toEqual({ point, ...expected, vault: expect.any(String) as string });
  }
}, 600_000);
