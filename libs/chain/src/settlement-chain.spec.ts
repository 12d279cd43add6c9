import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { connectChain, type ChainConnection } from './connection';
import { HARDHAT_DEV_KEYS, startLocalChain, type LocalChain } from './local-chain';
import { PayoutTree } from './merkle';
import { chainSettingsFromEnv, openChain } from './open-chain';
import { reconcile } from './reconciler';
import { EthersSettlementChain, expiryIdOf, type SettlementChainOptions } from './settlement-chain';
import { TEST_DEPLOY_PARAMS } from './test-deploy-params';
import { settlementDomain, signFinalPrice } from './typed-data';

let local: LocalChain;
let connection: ChainConnection;
let dataDir: string;

beforeAll(async () => {
  local = await startLocalChain();
  connection = await connectChain(local.rpcUrl);
  dataDir = mkdtempSync(join(tmpdir(), 'chain-adapter-'));
}, 60_000);
afterAll(async () => {
  connection?.provider.destroy();
  await local?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

class Crash extends Error {}

/** The operations of one expiry, as the settlement service would run them after every restart. */
/** The chain's latest block time: the time an oracle signature made now would carry. */
async function chainNow(): Promise<bigint> {
  const block = (await connection.provider.send('eth_getBlockByNumber', ['latest', false])) as {
    timestamp: string;
  };
  return BigInt(block.timestamp);
}

async function runExpiry(
  via: ChainConnection,
  options: SettlementChainOptions,
  tree: PayoutTree,
  expiryId: string,
  signedAt: bigint,
): Promise<EthersSettlementChain> {
  const chain = new EthersSettlementChain(via, HARDHAT_DEV_KEYS[0], options);
  await chain.sender.resume();
  await chain.deploy(TEST_DEPLOY_PARAMS);
  await chain.mintTestStablecoin('fund', chain.operator, tree.totalMinor);
  await chain.approveStablecoin('fund', chain.addresses.vault, tree.totalMinor);
  await chain.deposit('fund', tree.totalMinor);
  // the oracle signs once; the signed price is kept with the expiry (the caller's fixed signedAt)
  const domain = settlementDomain(connection.chainId, chain.addresses.settlementPrice);
  const signed = await signFinalPrice(new Wallet(HARDHAT_DEV_KEYS[3]), domain, {
    expiryId,
    priceMicros: 2_000_000n,
    windowEnd: signedAt,
    signedAt,
  });
  await chain.postPrice(signed);
  if (!(await chain.isFinal(expiryId))) {
    await connection.provider.send('evm_increaseTime', [Number(TEST_DEPLOY_PARAMS.priceDisputeWindowS)]);
    await connection.provider.send('evm_mine', []);
  }
  await chain.postRoot({
    expiryId,
    root: tree.root,
    totalMinor: tree.totalMinor,
    priceMicros: 2_000_000n,
    leafCount: tree.leaves.length,
  });
  for (const leaf of tree.leaves) await chain.claim(tree.root, leaf, tree.proof(leaf.index));
  return chain;
}

describe('EthersSettlementChain', () => {
  it('sends nothing twice when the adapter dies mid-way, before or after a broadcast, and restarts', async () => {
    const dir = join(dataDir, 'restart');
    const tree = PayoutTree.build(
      [1, 2, 3, 4, 5].map((i) => ({ account: Wallet.createRandom().address, amountMinor: BigInt(i * 1000) })),
    );
    const expiryId = expiryIdOf('H100-RESTART');
    const operator = new Wallet(HARDHAT_DEV_KEYS[0]).address;
    const nonceBefore = Number(
      await connection.provider.send('eth_getTransactionCount', [operator, 'latest']),
    );
    const signedAt = await chainNow();
    let journalled = 0;
    let broadcast = 0;
    // crash points: after the 3rd journal write (signed, not sent), after the 8th broadcast (sent, not confirmed), ...
    for (const crash of [{ journal: 3 }, { broadcast: 8 }, { journal: 11 }, { broadcast: 13 }, {}]) {
      const options: SettlementChainOptions = {
        dataDir: dir,
        confirmations: 1,
        pollIntervalMs: 10,
        hooks: {
          afterJournal: () => {
            if (++journalled === crash.journal) throw new Crash('killed after the journal write');
          },
          afterBroadcast: () => {
            if (++broadcast === crash.broadcast) throw new Crash('killed after the broadcast');
          },
        },
      };
      try {
        const chain = await runExpiry(connection, options, tree, expiryId, signedAt);
        for (const leaf of tree.leaves)
          expect(await chain.stablecoinBalance(leaf.account)).toBe(leaf.amountMinor);
        expect((await chain.poolOf(tree.root)).remainingMinor).toBe(0n);
        expect(crash).toEqual({});
      } catch (err) {
        if (!(err instanceof Crash)) throw err;
      }
    }
    // deploy 5 contracts + mint, approve, deposit + price + root + 5 claims: one transaction each
    const nonceAfter = Number(
      await connection.provider.send('eth_getTransactionCount', [operator, 'latest']),
    );
    expect(nonceAfter - nonceBefore).toBe(5 + 3 + 1 + 1 + 5);
  });

  it('retries RPC calls that fail in transport', async () => {
    let n = 0;
    let failed = 0;
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (++n % 3 === 0) {
          failed++;
          res.writeHead(502).end('bad gateway');
          return;
        }
        const upstream = await fetch(local.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Buffer.concat(chunks),
        });
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as { port: number }).port;
    try {
      const flaky = await connectChain(`http://127.0.0.1:${port}`);
      const tree = PayoutTree.build([{ account: Wallet.createRandom().address, amountMinor: 700n }]);
      const chain = await runExpiry(
        flaky,
        { dataDir: join(dataDir, 'flaky'), confirmations: 1, pollIntervalMs: 10, retryDelayMs: 5 },
        tree,
        expiryIdOf('H100-FLAKY'),
        await chainNow(),
      );
      expect(await chain.stablecoinBalance(tree.leaves[0].account)).toBe(700n);
      // the whole expiry went through the proxy, which failed every third call
      expect(failed).toBeGreaterThanOrEqual(5);
      flaky.provider.destroy();
    } finally {
      proxy.close();
    }
  });

  it('waits for the configured confirmations', async () => {
    const chain = new EthersSettlementChain(
      connection,
      HARDHAT_DEV_KEYS[1],
      { dataDir: join(dataDir, 'conf'), confirmations: 3, pollIntervalMs: 10 },
      undefined,
    );
    let done = false;
    const sent = chain.sender
      .send('self-transfer', () => ({ to: chain.operator, data: '0x' }))
      .then((r) => {
        done = true;
        return r;
      });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    await connection.provider.send('evm_mine', []);
    await connection.provider.send('evm_mine', []);
    expect((await sent).state).toBe('confirmed');
  });

  it('reconciles the chain with the ledger and reports each difference', async () => {
    const chain = new EthersSettlementChain(connection, HARDHAT_DEV_KEYS[0], {
      dataDir: join(dataDir, 'restart'),
      confirmations: 1,
    });
    await chain.deploy(TEST_DEPLOY_PARAMS);
    const custody = await chain.custodyMinor();
    const ledger = {
      custodyMinor: custody,
      pools: [],
      providerStakes: [],
      gpuHourSupply: [{ computeClass: 'H100', supply: 0n }],
    };
    expect(await reconcile(chain, ledger)).toEqual([]);
    const off = await reconcile(chain, {
      ...ledger,
      custodyMinor: custody + 5n,
      gpuHourSupply: [{ computeClass: 'H100', supply: 1n }],
    });
    expect(off).toEqual([
      { what: 'custody', key: 'vault', ledger: custody + 5n, chain: custody },
      { what: 'gpu-hour-supply', key: 'H100', ledger: 1n, chain: 0n },
    ]);
  });

  it('fails with CHAIN_UNREACHABLE when CHAIN_RPC_URL does not answer, and starts no local chain', async () => {
    const settings = chainSettingsFromEnv(
      {
        CHAIN_RPC_URL: 'http://127.0.0.1:1',
        CHAIN_PRIVATE_KEY: HARDHAT_DEV_KEYS[0],
        CHAIN_CONNECT_TIMEOUT_MS: '500',
      },
      ['H100'],
    );
    await expect(openChain(settings)).rejects.toMatchObject({ code: 'CHAIN_UNREACHABLE' });
    expect(() => chainSettingsFromEnv({ CHAIN_RPC_URL: 'http://127.0.0.1:1' }, ['H100'])).toThrow(
      'CHAIN_PRIVATE_KEY',
    );
  });
});
