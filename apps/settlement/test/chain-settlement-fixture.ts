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
import {
  COMPUTE_CLASSES,
  EventType,
  Side,
  listCatalogue,
  priceToTicks,
  type InstrumentDefinition,
} from '@exchange/domain';
import { EthersChainAdapter } from '../src/adapters/ethers-chain.adapter';
import { ChainSettlement } from '../src/chain/chain-settlement';
import { payoutAddressMessage } from '../src/chain/payout-addresses';
import { loadSettlementConfig, type SettlementConfig } from '../src/config/settlement-config';
import { SettlementScheduler } from '../src/scheduler/settlement-scheduler';
import { TestClock, deposit, listing, mark, openEngine, order } from './settlement-fixture';

/**
 * The settlement app with a real chain: the engine service on a data folder, the scheduler and
 * ChainSettlement on the test's clock, over EthersChainAdapter on a local Hardhat node reached as
 * CHAIN_RPC_URL (so the node outlives a restart of the app). The node's clock is moved with the
 * test's clock (both jump to expiry).
 */
export const PRICE_SIGNER_KEY = HARDHAT_DEV_KEYS[3];
export const DISPUTE_WINDOW_S = 600;

/** The next expiry's H100 future (physical), L40S future (cash), an H100 call, and the H100 future after. */
export function instrumentsAsOf(nowMs: number) {
  const catalogue = listCatalogue(nowMs);
  const h100 = catalogue.find((d) => d.kind === 'future' && d.computeClass === 'H100')!;
  const l40s = catalogue.find((d) => d.kind === 'future' && d.computeClass === 'L40S' && d.future!.expiryMs === h100.future!.expiryMs)!; // prettier-ignore
  const calls = catalogue.filter((d) => d.kind === 'option' && d.option!.underlyingSymbol === h100.symbol && d.option!.right === 'call'); // prettier-ignore
  const call = calls.find((d) => d.option!.strike === '2.50')!;
  const later = catalogue.find((d) => d.kind === 'future' && d.computeClass === 'H100' && d.future!.expiryMs > h100.future!.expiryMs)!; // prettier-ignore
  return { h100, l40s, call, later };
}

export function ticks(d: InstrumentDefinition, price: string): number {
  return priceToTicks(price, d.contract.tickSize);
}

export interface ChainApp {
  engine: ReturnType<typeof openEngine>['engine'];
  index: ReturnType<typeof openEngine>['index'];
  scheduler: SettlementScheduler;
  settlement: ChainSettlement;
  /** A scheduler pass, then a cash settlement pass (their timers in a running app). */
  pass(): Promise<void>;
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
    pass: async () => {
      await scheduler.runOnce();
      await settlement.runOnce();
    },
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

export const [H100, L40S, CALL, LATER] = [1, 2, 3, 4];
export const USDC = (units: number) => BigInt(Math.round(units * 1_000_000));
type Instruments = ReturnType<typeof instrumentsAsOf>;

/**
 * The positions: H100 (physical) 3 sells one lot to 1; a call on it: 2 writes one to 7; L40S (cash)
 * 6 sells two lots to 5, 9 sells one to 8 and one to 4. At H100 2.610 and L40S 1.050 the positive
 * nets are 5: 72, 7: 79.2 (the exercise), 8: 36 and 4: 36 USDC; 1's futures gain is less than its
 * delivery's escrow. Account 4 (1,500 USDC) is also short the later H100 future, marked up to 3.750:
 * above maintenance, but its initial margin leaves less than 36 USDC free after the expiry.
 */
export async function trade(
  app: Pick<ChainApp, 'engine'>,
  { h100, l40s, call, later }: Instruments,
): Promise<void> {
  const { events } = await app.engine.submit([
    listing(H100, h100), listing(L40S, l40s), listing(CALL, call), listing(LATER, later),
    mark(H100, ticks(h100, '2.500')), mark(L40S, ticks(l40s, '1.000')), mark(LATER, ticks(later, '2.500')),
    ...[1, 2, 3, 5, 6, 7, 8, 9, 10].map((a) => deposit(a, USDC(100_000))), deposit(4, USDC(1_500)),
    order(H100, 3, Side.Sell, 1, ticks(h100, '2.500')), order(H100, 1, Side.Buy, 1, ticks(h100, '2.500')),
    order(CALL, 2, Side.Sell, 1, ticks(call, '0.200')), order(CALL, 7, Side.Buy, 1, ticks(call, '0.200')),
    order(L40S, 6, Side.Sell, 2, ticks(l40s, '1.000')), order(L40S, 5, Side.Buy, 2, ticks(l40s, '1.000')),
    order(L40S, 9, Side.Sell, 2, ticks(l40s, '1.000')), order(L40S, 8, Side.Buy, 1, ticks(l40s, '1.000')),
    order(L40S, 4, Side.Buy, 1, ticks(l40s, '1.000')),
    order(LATER, 10, Side.Buy, 1, ticks(later, '2.500')), order(LATER, 4, Side.Sell, 1, ticks(later, '2.500')),
    mark(LATER, ticks(later, '3.750')),
  ]); // prettier-ignore
  const refused = events.filter((e) => e.type === EventType.OrderRejected);
  if (refused.length > 0) throw new Error(`the set-up was refused: ${JSON.stringify(refused)}`);
}

/** The oracle's rounds over the settlement window: H100 2.600 then 2.620 (TWAP 2.610), L40S 1.050. */
export function indexRounds(app: Pick<ChainApp, 'index'>, h100: InstrumentDefinition): void {
  const windowStart = h100.future!.expiryMs - h100.future!.settlementWindowMs;
  for (let i = 0; i <= 30; i++) {
    app.index.add('H100', windowStart + i * 60_000, i < 15 ? 2_600_000 : 2_620_000);
    app.index.add('L40S', windowStart + i * 60_000, 1_050_000);
  }
}
