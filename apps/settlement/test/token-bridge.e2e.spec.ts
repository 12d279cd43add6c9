import * as fs from 'node:fs';
import * as path from 'node:path';
import { Contract, Wallet } from 'ethers';
import { startLocalChain, type LocalChain } from '@exchange/chain';
import { CommandType, EventType, type EngineEvent } from '@exchange/domain';
import { EthersChainAdapter } from '../src/adapters/ethers-chain.adapter';
import { TokenBridge, tokenWithdrawalId } from '../src/chain/token-bridge';
import { loadSettlementConfig } from '../src/config/settlement-config';
import { chainEnv, openChainApp, registration, type ChainApp } from './chain-settlement-fixture';
import { TestClock, tempDir } from './settlement-fixture';

/**
 * GPU-hour tokens between the ledger and a real chain (local Hardhat node, the deployed GpuHourToken):
 * a ledger withdrawal is minted to the account's payout address (after it registers one), a burn by
 * depositToExchange is credited back to the account, a burn from an unknown address is reported,
 * and a bridge that dies before recording a step mints and credits nothing twice.
 */
let local: LocalChain;
beforeAll(async () => {
  local = await startLocalChain();
}, 60_000);
afterAll(async () => {
  await local?.stop();
});

const HOLDER_KEY = Wallet.createRandom().privateKey;
const STRANGER_KEY = Wallet.createRandom().privateKey;
const ACCOUNT = 11;

const refused = (events: EngineEvent[]) =>
  events.filter((e) => e.type === EventType.OrderRejected).map((e) => (e as { code: string }).code);

it('mints withdrawals to the payout address, credits deposits once, reports unknown burns, and survives a crash', async () => {
  const dir = tempDir('token-bridge-e2e');
  const clock = new TestClock(Date.now());
  const app: ChainApp = await openChainApp(local, dir, clock);
  const config = loadSettlementConfig(chainEnv(local, dir));
  const adapter = new EthersChainAdapter(app.chain, true);
  const bridge = new TokenBridge(config, app.engine, app.settlement, adapter);
  const tokens = (id: number) => app.engine.state.ledger.balance(id, 'H100');
  const holder = new Wallet(HOLDER_KEY);
  const supply = () => app.chain.gpuHourSupply('H100');
  try {
    // gas for the two wallets (1 ETH each)
    for (const key of [HOLDER_KEY, STRANGER_KEY])
      await app.chain.sender.raw('hardhat_setBalance', [new Wallet(key).address, '0xde0b6b3a7640000']);
    expect(refused((await app.engine.submit([{ type: CommandType.Deposit, accountId: ACCOUNT, asset: 'H100', amountMinor: 10n }])).events)).toEqual([]); // prettier-ignore
    const w = await app.engine.submit([{ type: CommandType.Withdraw, accountId: ACCOUNT, asset: 'H100', amountMinor: 4n }]); // prettier-ignore
    expect(refused(w.events)).toEqual([]);
    expect(tokens(ACCOUNT)).toBe(6n);

    // no payout address yet: the withdrawal waits
    await bridge.runOnce();
    expect((await bridge.status()).pending).toEqual([{ seq: w.firstSeq, accountId: ACCOUNT, computeClass: 'H100', amount: '4' }]); // prettier-ignore
    expect(await supply()).toBe(0n);

    const reg = await registration(ACCOUNT, holder);
    expect(app.settlement.payoutAddresses.register(ACCOUNT, reg.address, reg.signature)).toBeNull();
    await bridge.runOnce();
    expect(await app.chain.gpuHourBalance('H100', holder.address)).toBe(4n);
    expect((await bridge.status()).pending).toEqual([]);

    // the holder burns 3 back into the exchange, and gives 1 to a stranger who burns it too
    const holderChain = app.chain.as(HOLDER_KEY);
    await holderChain.depositGpuHours('back-3', 'H100', 3n);
    const token = new Contract(app.chain.addresses.gpuHourTokens.H100!, ['function transfer(address,uint256) returns (bool)', 'function depositToExchange(uint256)'], new Wallet(HOLDER_KEY, app.chain.connection.provider)); // prettier-ignore
    await (await token.getFunction('transfer')(new Wallet(STRANGER_KEY).address, 1n)).wait();
    await (await token.connect(new Wallet(STRANGER_KEY, app.chain.connection.provider)).getFunction('depositToExchange')(1n)).wait(); // prettier-ignore

    // a crash after the credits but before the bridge recorded them: the same pass runs again
    const store = path.join(config.dataDir, 'token-bridge');
    const saved = path.join(dir, 'bridge-before');
    fs.cpSync(store, saved, { recursive: true });
    await bridge.runOnce();
    expect(tokens(ACCOUNT)).toBe(9n);
    fs.rmSync(store, { recursive: true, force: true });
    fs.cpSync(saved, store, { recursive: true });
    const restarted = new TokenBridge(config, app.engine, app.settlement, adapter);
    await restarted.runOnce();
    expect(tokens(ACCOUNT)).toBe(9n); // the engine refused the second credit (DUPLICATE_DEPOSIT)
    expect(await supply()).toBe(0n); // 4 minted, 3 + 1 burnt
    const status = await restarted.status();
    expect(status.unattributed).toEqual([expect.objectContaining({ computeClass: 'H100', holder: new Wallet(STRANGER_KEY).address, amount: '1' })]); // prettier-ignore
    expect(status.supply.find((s) => s.computeClass === 'H100')).toEqual({ computeClass: 'H100', expected: '0', onChain: '0' }); // prettier-ignore
    expect(status.error).toBeNull();

    // the mint is keyed by the withdrawal: asking again sends nothing and mints nothing
    await adapter.mintGpuHours('H100', tokenWithdrawalId(w.firstSeq, ACCOUNT, 'H100'), holder.address, 4n);
    expect(await supply()).toBe(0n);
    expect(app.engine.state.ledger.conservationProblems()).toEqual([]);
  } finally {
    await app.close();
  }
});
