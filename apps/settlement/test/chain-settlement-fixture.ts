import * as path from 'node:path';
import { Wallet } from 'ethers';
import {
  EthersSettlementChain,
  HARDHAT_DEV_KEYS,
  chainSettingsFromEnv,
  connectChain,
  openChain,
  type LocalChain,
  type SettlementChainOptions,
} from '@exchange/chain';
import { COMPUTE_CLASSES, listCatalogue, priceToTicks, type InstrumentDefinition } from '@exchange/domain';
import { EthersChainAdapter } from '../src/adapters/ethers-chain.adapter';
import { ChainSettlement } from '../src/chain/chain-settlement';
import { payoutAddressMessage } from '../src/chain/payout-addresses';
import { loadSettlementConfig, type SettlementConfig } from '../src/config/settlement-config';
import { SettlementScheduler } from '../src/scheduler/settlement-scheduler';
import { TestClock, openEngine } from './settlement-fixture';

/**
 * The settlement app with a real chain: the engine service on a data folder, the scheduler and
 * ChainSettlement on the test's clock, over EthersChainAdapter on a local Hardhat node reached as
 * CHAIN_RPC_URL (so the node outlives a restart of the app). The node's clock is moved with the
 * test's clock (both jump to expiry).
 */
export const PRICE_SIGNER_KEY = HARDHAT_DEV_KEYS[3];
export const DISPUTE_WINDOW_S = 600;

/** The next expiry's H100 future (physical), L40S future (cash) and an H100 call, as of the real time. */
export function instrumentsAsOf(nowMs: number) {
  const catalogue = listCatalogue(nowMs);
  const h100 = catalogue.find((d) => d.kind === 'future' && d.computeClass === 'H100')!;
  const l40s = catalogue.find((d) => d.kind === 'future' && d.computeClass === 'L40S' && d.future!.expiryMs === h100.future!.expiryMs)!; // prettier-ignore
  const calls = catalogue.filter((d) => d.kind === 'option' && d.option!.underlyingSymbol === h100.symbol && d.option!.right === 'call'); // prettier-ignore
  const call = calls.find((d) => d.option!.strike === '2.50')!;
  return { h100, l40s, call };
}

export function ticks(d: InstrumentDefinition, price: string): number {
  return priceToTicks(price, d.contract.tickSize);
}

export interface ChainApp {
  engine: ReturnType<typeof openEngine>['engine'];
  index: ReturnType<typeof openEngine>['index'];
  scheduler: SettlementScheduler;
  settlement: ChainSettlement;
  chain: EthersSettlementChain;
  close(): Promise<void>;
}

export function chainEnv(local: LocalChain, dir: string): NodeJS.ProcessEnv {
  return {
    CHAIN_RPC_URL: local.rpcUrl,
    CHAIN_PRIVATE_KEY: HARDHAT_DEV_KEYS[0],
    CHAIN_CONFIRMATIONS: '1',
    CHAIN_DATA_DIR: path.join(dir, 'chain'),
    CHAIN_PRICE_DISPUTE_WINDOW_S: String(DISPUTE_WINDOW_S),
    SETTLEMENT_SIGNING_KEY: PRICE_SIGNER_KEY,
    SETTLEMENT_DATA_DIR: path.join(dir, 'settlement'),
  };
}

/** Opens (or reopens, after a "crash") the engine, the chain and the settlement app on `dir`. */
export async function openChainApp(
  local: LocalChain,
  dir: string,
  clock: TestClock,
  hooks?: SettlementChainOptions['hooks'],
): Promise<ChainApp> {
  const env = chainEnv(local, dir);
  const config: SettlementConfig = { ...loadSettlementConfig(env), leaseTickMs: 0 };
  const settings = chainSettingsFromEnv(
    env,
    COMPUTE_CLASSES.map((c) => c.id),
  );
  const opened = await openChain(settings); // deploys once, then finds the recorded deployment
  // the operator as the settlement app runs it (with crash hooks when the test asks for them)
  const connection = await connectChain(local.rpcUrl);
  const chain = new EthersSettlementChain(connection, HARDHAT_DEV_KEYS[0], { dataDir: settings.dataDir, confirmations: 1, pollIntervalMs: 10, hooks }, opened.chain.addresses); // prettier-ignore
  await opened.close();
  await chain.sender.resume();
  const e = openEngine(path.join(dir, 'engine'), clock);
  const settlement = new ChainSettlement(config, clock, e.engine, new EthersChainAdapter(chain, true));
  const scheduler = new SettlementScheduler(config, clock, e.index, e.engine, settlement);
  return {
    engine: e.engine,
    index: e.index,
    scheduler,
    settlement,
    chain,
    close: async () => {
      connection.provider.destroy();
      await e.close();
    },
  };
}

/** Sets the node's next block time to the test clock (it only moves forward) and mines it. */
export async function syncChainTime(chain: EthersSettlementChain, clock: TestClock): Promise<void> {
  const block = await chain.sender.raw<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false]);
  const target = Math.max(Number(BigInt(block.timestamp)) + 1, Math.floor(clock.ms / 1000));
  await chain.sender.raw('evm_setNextBlockTimestamp', [target]);
  await chain.sender.raw('evm_mine', []);
}

/** A wallet's signed registration as the account's payout address. */
export async function registration(accountId: number, wallet: Pick<Wallet, 'address' | 'signMessage'>) {
  return { address: wallet.address, signature: await wallet.signMessage(payoutAddressMessage(accountId, wallet.address)) }; // prettier-ignore
}
