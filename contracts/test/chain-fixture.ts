import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import {
  connectChain,
  EthersSettlementChain,
  HARDHAT_DEV_KEYS,
  startLocalChain,
  type ChainConnection,
  type DeployParams,
  type LocalChain,
} from '@exchange/chain';

/** A fresh local Hardhat node with the contracts deployed, for one test file. */
export interface ChainFixture {
  readonly local: LocalChain;
  readonly connection: ChainConnection;
  readonly chain: EthersSettlementChain;
  readonly dataDir: string;
  readonly oracle: Wallet;
  readonly keys: readonly string[];
  now(): Promise<bigint>;
  increaseTime(seconds: bigint): Promise<void>;
  mine(blocks?: number): Promise<void>;
  close(): Promise<void>;
}

export const PARAMS = {
  priceDisputeWindowS: 3600n,
  maxPriceAgeS: 86_400n,
  maxClockSkewS: 300n,
  slashDisputeWindowS: 86_400n,
  unbondingDelayS: 7n * 86_400n,
  computeClasses: ['H100', 'A100'],
  gpuTokenDecimals: 6,
} as const;

export async function startChainFixture(): Promise<ChainFixture> {
  const local = await startLocalChain();
  const connection = await connectChain(local.rpcUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'chain-test-'));
  const oracle = new Wallet(HARDHAT_DEV_KEYS[3]);
  const chain = new EthersSettlementChain(connection, HARDHAT_DEV_KEYS[0], {
    dataDir,
    confirmations: 1,
    pollIntervalMs: 20,
  });
  const params: DeployParams = {
    ...PARAMS,
    oracleSigners: [oracle.address],
    insuranceFund: new Wallet(HARDHAT_DEV_KEYS[2]).address,
  };
  await chain.deploy(params);
  const provider = connection.provider;
  // fresh keys funded with ether, so tests never share a sender's nonces
  const keys = Array.from({ length: 9 }, () => Wallet.createRandom().privateKey);
  for (const key of keys) {
    await provider.send('hardhat_setBalance', [new Wallet(key).address, '0x56BC75E2D63100000']);
  }
  return {
    local,
    connection,
    chain,
    dataDir,
    oracle,
    keys,
    async now() {
      const block = (await provider.send('eth_getBlockByNumber', ['latest', false])) as { timestamp: string };
      return BigInt(block.timestamp);
    },
    async increaseTime(seconds) {
      await provider.send('evm_increaseTime', [Number(seconds)]);
      await provider.send('evm_mine', []);
    },
    async mine(blocks = 1) {
      for (let i = 0; i < blocks; i++) await provider.send('evm_mine', []);
    },
    async close() {
      provider.destroy();
      await local.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
