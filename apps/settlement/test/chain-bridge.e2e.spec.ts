import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interface, Wallet } from 'ethers';
import { EthersSettlementChain, HARDHAT_DEV_KEYS, startLocalChain, type LocalChain } from '@exchange/chain';
import {
  CommandType,
  EventType,
  TriggerSource,
  bookSpecOf,
  listCatalogue,
  type EngineEvent,
} from '@exchange/domain';
import { SettlementAccount } from '@exchange/settlement';
import { EthersChainAdapter } from '../src/adapters/ethers-chain.adapter';
import { ChainBridge, chainWithdrawalId } from '../src/chain/chain-bridge';
import { loadSettlementConfig } from '../src/config/settlement-config';
import {
  chainEnv,
  openChainApp,
  registration,
  syncChainTime,
  type ChainApp,
} from './chain-settlement-fixture';
import { TestClock, tempDir } from './settlement-fixture';

/**
 * Money between the ledger and a real chain (local Hardhat node, the deployed vault and GpuHourToken):
 * a chain withdrawal is paid (USDC, from the vault) or minted (tokens) to the account's payout address
 * (after it registers one), a vault deposit is credited, a burn by
 * depositToExchange is credited back to the account, a burn by redeem is credited and redeemed into
 * leases (or, refused, left credited), a burn from an unknown address is reported,
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
const PROVIDER = 12;
const USDC = (units: number) => BigInt(units * 1_000_000);

const refused = (events: EngineEvent[]) =>
  events.filter((e) => e.type === EventType.OrderRejected).map((e) => (e as { code: string }).code);

it('pays USDC and mints tokens to the payout address, credits deposits and redemptions once, reports unknown senders, and survives a crash', async () => {
  const dir = tempDir('chain-bridge-e2e');
  const clock = new TestClock(Date.now());
  const app: ChainApp = await openChainApp(local, dir, clock);
  const config = loadSettlementConfig(chainEnv(local, dir));
  const adapter = new EthersChainAdapter(app.chain, true);
  const bridge = new ChainBridge(config, app.engine, app.settlement, adapter);
  const tokens = (id: number) => app.engine.state.ledger.balance(id, 'H100');
  const holder = new Wallet(HOLDER_KEY);
  const supply = () => app.chain.gpuHourSupply('H100');
  try {
    // gas for the two wallets (1 ETH each)
    for (const key of [HOLDER_KEY, STRANGER_KEY])
      await app.chain.sender.raw('hardhat_setBalance', [new Wallet(key).address, '0xde0b6b3a7640000']);
    // the account's money came from the faucet (no chain backing): 20 H100 tokens and 100 USDC
    expect(refused((await app.engine.submit([{ type: CommandType.Deposit, accountId: ACCOUNT, asset: 'H100', amountMinor: 20n }, { type: CommandType.Deposit, accountId: ACCOUNT, asset: 'USDC', amountMinor: USDC(100) }])).events)).toEqual([]); // prettier-ignore
    const w = await app.engine.submit([{ type: CommandType.ChainWithdraw, accountId: ACCOUNT, asset: 'H100', amountMinor: 10n }]); // prettier-ignore
    expect(refused(w.events)).toEqual([]);
    expect(tokens(ACCOUNT)).toBe(10n);
    // a plain Withdraw (the payables' kind) is not the bridge's business
    expect(refused((await app.engine.submit([{ type: CommandType.Withdraw, accountId: ACCOUNT, asset: 'H100', amountMinor: 1n }])).events)).toEqual([]); // prettier-ignore
    const u = await app.engine.submit([{ type: CommandType.ChainWithdraw, accountId: ACCOUNT, asset: 'USDC', amountMinor: USDC(40) }]); // prettier-ignore
    expect(refused(u.events)).toEqual([]);

    // no payout address yet: the withdrawal waits
    await bridge.runOnce();
    expect((await bridge.status()).pending).toEqual([
      { seq: w.firstSeq, accountId: ACCOUNT, asset: 'H100', amount: '10' },
      { seq: u.firstSeq, accountId: ACCOUNT, asset: 'USDC', amount: '40000000' },
    ]);
    expect(await supply()).toBe(0n);

    const reg = await registration(ACCOUNT, holder);
    expect(app.settlement.payoutAddresses.register(ACCOUNT, reg.address, reg.signature)).toBeNull();
    await bridge.runOnce();
    expect(await app.chain.gpuHourBalance('H100', holder.address)).toBe(10n);
    // the vault held nothing: the operator minted and deposited the 40 USDC, then paid them out
    expect(await app.chain.stablecoinBalance(holder.address)).toBe(USDC(40));
    expect(await app.chain.custodyMinor()).toBe(0n);
    expect((await bridge.status()).pending).toEqual([]);

    // a provider commits 2 H100 GPUs to redemptions (the index: 2.5 USDC per GPU-hour on an H100 future)
    const future = listCatalogue(clock.ms).find((d) => d.kind === 'future' && d.computeClass === 'H100')!;
    const { events } = await app.engine.submit([
      { type: CommandType.ListInstrument, instrumentId: 1, symbol: future.symbol, spec: bookSpecOf(future.contract), definition: future },
      { type: CommandType.SetReferencePrice, instrumentId: 1, source: TriggerSource.IndexPrice, priceTicks: 2_500 },
      { type: CommandType.Deposit, accountId: PROVIDER, asset: 'USDC', amountMinor: 1_000_000_000n },
      { type: CommandType.CommitCapacity, accountId: PROVIDER, computeClass: 'H100', gpuCount: 2 },
    ]); // prettier-ignore
    expect(refused(events)).toEqual([]);

    // the holder burns 3 back into the exchange, gives 1 to a stranger who burns it too, redeems
    // 2 GPUs for 1 hour (served) and then 4 GPUs for 1 hour (no capacity left: credited instead)
    const holderChain = app.chain.as(HOLDER_KEY);
    await holderChain.depositGpuHours('back-3', 'H100', 3n);
    const iface = new Interface(['function transfer(address,uint256) returns (bool)', 'function redeem(uint32,uint32) returns (uint256)']); // prettier-ignore
    const call = (key: string, fn: string, args: unknown[]) =>
      holderChain.sender.send(key, () => ({ to: app.chain.addresses.gpuHourTokens.H100!, data: iface.encodeFunctionData(fn, args) })); // prettier-ignore
    await call('give-1', 'transfer', [new Wallet(STRANGER_KEY).address, 1n]);
    await app.chain.as(STRANGER_KEY).depositGpuHours('stranger-1', 'H100', 1n);
    await call('redeem-2x1', 'redeem', [2, 1]);
    await call('redeem-4x1', 'redeem', [4, 1]);
    expect(await app.chain.gpuHourBalance('H100', holder.address)).toBe(0n);
    // and deposits 15 of its USDC into the vault, and so does the stranger (who has no account)
    await holderChain.approveStablecoin('vault-15', app.chain.addresses.vault, USDC(15));
    await holderChain.deposit('vault-15', USDC(15));
    const stranger = app.chain.as(STRANGER_KEY);
    await app.chain.mintTestStablecoin('stranger', new Wallet(STRANGER_KEY).address, USDC(5));
    await stranger.approveStablecoin('vault-5', app.chain.addresses.vault, USDC(5));
    await stranger.deposit('vault-5', USDC(5));

    // a crash after the credits but before the bridge recorded them: the same pass runs again
    const store = path.join(config.dataDir, 'chain-bridge');
    const saved = path.join(dir, 'bridge-before');
    fs.cpSync(store, saved, { recursive: true });
    await bridge.runOnce();
    const leases = () => [...app.engine.state.settlement.leases.values()];
    expect(leases().map((l) => [l.lesseeAccountId, l.providerAccountId, l.gpuCount, l.gpuHours, l.source])).toEqual([[ACCOUNT, PROVIDER, 2, 2, 'REDEMPTION']]); // prettier-ignore
    expect(tokens(ACCOUNT)).toBe(16n); // 20 - 10 - 1, + 3 back, + 2 credited and escrowed, + 4 credited
    expect(app.engine.state.ledger.balance(SettlementAccount.Escrow, 'H100')).toBe(2n);
    expect(app.engine.state.ledger.balance(ACCOUNT, 'USDC')).toBe(USDC(75)); // 100 - 40 + 15
    expect((await bridge.status()).refusedRedemptions).toEqual([expect.objectContaining({ accountId: ACCOUNT, gpus: 4, hours: 1, code: 'INSUFFICIENT_CAPACITY' })]); // prettier-ignore
    fs.rmSync(store, { recursive: true, force: true });
    fs.cpSync(saved, store, { recursive: true });
    const restarted = new ChainBridge(config, app.engine, app.settlement, adapter);
    await restarted.runOnce();
    expect(tokens(ACCOUNT)).toBe(16n); // the engine refused each second credit (DUPLICATE_DEPOSIT)
    expect(app.engine.state.ledger.balance(ACCOUNT, 'USDC')).toBe(USDC(75));
    expect(leases()).toHaveLength(1); // and redeemed nothing twice
    expect(await supply()).toBe(0n); // 10 minted, 3 + 1 + 2 + 4 burnt
    const status = await restarted.status();
    const strangerAddress = new Wallet(STRANGER_KEY).address;
    expect(status.unattributed).toEqual([
      expect.objectContaining({ asset: 'H100', sender: strangerAddress, amount: '1' }),
      expect.objectContaining({ asset: 'USDC', sender: strangerAddress, amount: '5000000' }),
    ]);
    // the record against the chain: custody 15 + 5 (deposits) + 40 (top-up) - 40 (paid), supply 0
    expect(status.expected.custodyMinor).toBe(USDC(20).toString());
    expect(status.onChain).toMatchObject({ custodyMinor: USDC(20).toString() });
    expect(status.expected.gpuHourSupply.find((g) => g.computeClass === 'H100')!.supply).toBe('0');
    expect(status.error).toBeNull();
    expect((await app.settlement.reconcileNow())!.differences).toEqual([]);

    // the mint is keyed by the withdrawal: asking again sends nothing and mints nothing
    await adapter.mintGpuHours('H100', chainWithdrawalId(w.firstSeq, ACCOUNT, 'H100'), holder.address, 10n);
    expect(await supply()).toBe(0n);
    expect(app.engine.state.ledger.conservationProblems()).toEqual([]);
  } finally {
    await app.close();
  }
});

it('credits a deposit only once it has the configured confirmations', async () => {
  const dir = tempDir('chain-bridge-confirmations');
  const clock = new TestClock(Date.now());
  const app: ChainApp = await openChainApp(local, dir, clock);
  try {
    const config = { ...loadSettlementConfig(chainEnv(local, dir)), dataDir: path.join(dir, 'three') };
    const chain = new EthersSettlementChain(app.chain.connection, HARDHAT_DEV_KEYS[0], { dataDir: path.join(dir, 'c3'), confirmations: 3, pollIntervalMs: 10 }, app.chain.addresses); // prettier-ignore
    const bridge = new ChainBridge(config, app.engine, app.settlement, new EthersChainAdapter(chain, true));
    const wallet = Wallet.createRandom();
    await app.chain.sender.raw('hardhat_setBalance', [wallet.address, '0xde0b6b3a7640000']);
    const reg = await registration(ACCOUNT, wallet);
    expect(app.settlement.payoutAddresses.register(ACCOUNT, reg.address, reg.signature)).toBeNull();
    await app.chain.mintTestStablecoin('confirm', wallet.address, USDC(7));
    const own = app.chain.as(wallet.privateKey);
    await own.approveStablecoin('confirm-7', app.chain.addresses.vault, USDC(7));
    await own.deposit('confirm-7', USDC(7));
    await bridge.runOnce();
    expect(app.engine.state.ledger.balance(ACCOUNT, 'USDC')).toBe(0n); // one block so far
    await app.chain.sender.raw('evm_mine', []);
    await bridge.runOnce();
    expect(app.engine.state.ledger.balance(ACCOUNT, 'USDC')).toBe(0n); // two
    await app.chain.sender.raw('evm_mine', []);
    await bridge.runOnce();
    expect(app.engine.state.ledger.balance(ACCOUNT, 'USDC')).toBe(USDC(7)); // three: final
    // a withdrawal after the bridge has read the log reaches it through the engine's listener
    const w = await app.engine.submit([{ type: CommandType.ChainWithdraw, accountId: ACCOUNT, asset: 'USDC', amountMinor: USDC(2) }]); // prettier-ignore
    expect(refused(w.events)).toEqual([]);
    // its transactions wait for three blocks too: mine while the pass runs
    let done = false;
    const pass = bridge.runOnce().finally(() => (done = true));
    while (!done) {
      await app.chain.sender.raw('evm_mine', []);
      await new Promise((r) => setTimeout(r, 20));
    }
    await pass;
    expect(await app.chain.stablecoinBalance(wallet.address)).toBe(USDC(2));
    expect((await bridge.status()).error).toBeNull();
  } finally {
    await app.close();
  }
});

it('credits stake from chain, follows its release and a slash on chain, and reconciles the stake', async () => {
  const dir = tempDir('chain-bridge-stake');
  const clock = new TestClock(Date.now());
  const app: ChainApp = await openChainApp(local, dir, clock);
  const config = loadSettlementConfig(chainEnv(local, dir));
  const adapter = new EthersChainAdapter(app.chain, true);
  let bridge = new ChainBridge(config, app.engine, app.settlement, adapter);
  const store = path.join(config.dataDir, 'chain-bridge');
  const providerKey = Wallet.createRandom().privateKey;
  const providerWallet = new Wallet(providerKey);
  const provider = app.chain.as(providerKey);
  const staked = () => app.engine.state.account(PROVIDER)?.stakeMinor ?? 0;
  const submit = async (...commands: Parameters<typeof app.engine.submit>[0]) => {
    const out = await app.engine.submit(commands);
    return { ...out, refused: refused(out.events) };
  };
  try {
    await app.chain.sender.raw('hardhat_setBalance', [providerWallet.address, '0xde0b6b3a7640000']);
    const reg = await registration(PROVIDER, providerWallet);
    expect(app.settlement.payoutAddresses.register(PROVIDER, reg.address, reg.signature)).toBeNull();
    // the provider stakes 1,000 USDC on chain, in two transactions
    await app.chain.mintTestStablecoin('provider-usdc', providerWallet.address, USDC(1_000));
    await provider.approveStablecoin('stake', app.chain.addresses.providerCollateral, USDC(1_000));
    await provider.stake('stake-600', USDC(600));
    await bridge.runOnce();
    const afterFirst = path.join(dir, 'bridge-after-first-stake');
    fs.cpSync(store, afterFirst, { recursive: true });
    await provider.stake('stake-400', USDC(400));
    await bridge.runOnce();
    expect(staked()).toBe(Number(USDC(1_000)));
    // a bridge whose record stops before the second stake's credit records it again, not twice in the engine
    fs.rmSync(store, { recursive: true, force: true });
    fs.cpSync(afterFirst, store, { recursive: true });
    bridge = new ChainBridge(config, app.engine, app.settlement, adapter);
    await bridge.runOnce();
    expect(staked()).toBe(Number(USDC(1_000)));
    expect((await bridge.status()).stakes).toEqual({
      [PROVIDER]: { [providerWallet.address]: USDC(1_000).toString() },
    });
    expect(app.engine.state.ledger.balance(PROVIDER, 'USDC')).toBe(USDC(1_000));
    // stake is provider collateral only: not withdrawable
    expect((await submit({ type: CommandType.ChainWithdraw, accountId: PROVIDER, asset: 'USDC', amountMinor: 1n })).refused).toEqual(['INSUFFICIENT_BALANCE']); // prettier-ignore

    // it backs a commitment of 2 H100 GPUs (90 USDC at an index of 2.5); a lessee redeems them for 10 hours
    const future = listCatalogue(clock.ms).find((d) => d.kind === 'future' && d.computeClass === 'H100')!;
    expect((await submit(
      { type: CommandType.ListInstrument, instrumentId: 1, symbol: future.symbol, spec: bookSpecOf(future.contract), definition: future },
      { type: CommandType.SetReferencePrice, instrumentId: 1, source: TriggerSource.IndexPrice, priceTicks: 2_500 },
      { type: CommandType.CommitCapacity, accountId: PROVIDER, computeClass: 'H100', gpuCount: 2 },
      { type: CommandType.Deposit, accountId: ACCOUNT, asset: 'H100', amountMinor: 20n },
      { type: CommandType.RedeemTokens, accountId: ACCOUNT, computeClass: 'H100', gpuCount: 2, hours: 10 },
    )).refused).toEqual([]); // prettier-ignore
    const lease = [...app.engine.state.settlement.leases.values()][0]!;
    expect(lease.providerAccountId).toBe(PROVIDER);

    // never provisioned: it fails at the deadline; the dispute is decided against the provider at once
    clock.ms = lease.provisionDeadlineMs + 1;
    await submit({ type: CommandType.LeaseTick, computeClass: 'H100', indexMinorPerGpuHour: USDC(2.5) });
    await submit({ type: CommandType.DisputeLease, leaseId: lease.leaseId });
    await submit({ type: CommandType.ResolveLeaseDispute, leaseId: lease.leaseId, upheld: true, indexMinorPerGpuHour: USDC(2.5) }); // prettier-ignore
    const slashed = app.engine.state.settlement.leases.get(lease.leaseId)!;
    expect(slashed.state).toBe('SLASHED');
    const slash = slashed.slashCompensationMinor + slashed.slashInsuranceMinor;
    expect(slash).toBe(lease.collateralMinor);
    expect(staked()).toBe(Number(USDC(1_000) - slash));

    // on chain the slash waits for the contract's own dispute window (a day after the failure)
    await syncChainTime(app.chain, clock);
    await bridge.runOnce();
    expect((await bridge.status()).pendingStake).toEqual([expect.objectContaining({ accountId: PROVIDER, change: 'slash', amount: slash.toString(), leaseId: lease.leaseId })]); // prettier-ignore
    expect((await app.chain.stakeOf(providerWallet.address)).bondedMinor).toBe(USDC(1_000));
    clock.ms += 86_400_000 + 1_000;
    await syncChainTime(app.chain, clock);
    await bridge.runOnce();
    expect((await bridge.status()).pendingStake).toEqual([]);
    // taken from the staking address and deposited into the vault
    expect((await app.chain.stakeOf(providerWallet.address)).bondedMinor).toBe(USDC(1_000) - slash);
    expect(await app.chain.custodyMinor()).toBe(slash);

    // the commitment went into the lease: the rest of the stake is idle and may leave (not more);
    // 300 USDC of it are released and the bridge starts their unbonding
    expect(app.engine.state.settlement.redemption.capacityOf('H100')).toEqual([]);
    expect((await submit({ type: CommandType.ReleaseStake, accountId: PROVIDER, amountMinor: USDC(1_000) })).refused).toEqual(['INSUFFICIENT_STAKE']); // prettier-ignore
    const saved = path.join(dir, 'bridge-before-release');
    fs.cpSync(store, saved, { recursive: true });
    expect((await submit({ type: CommandType.ReleaseStake, accountId: PROVIDER, amountMinor: USDC(300) })).refused).toEqual([]); // prettier-ignore
    await bridge.runOnce();
    const onChain = await app.chain.stakeOf(providerWallet.address);
    expect(onChain).toMatchObject({ bondedMinor: USDC(700) - slash, unbondingMinor: USDC(300) });
    // a bridge that lost its record of the release releases nothing twice
    fs.rmSync(store, { recursive: true, force: true });
    fs.cpSync(saved, store, { recursive: true });
    const restarted = new ChainBridge(config, app.engine, app.settlement, adapter);
    await restarted.runOnce();
    expect(await app.chain.stakeOf(providerWallet.address)).toMatchObject({ bondedMinor: USDC(700) - slash, unbondingMinor: USDC(300) }); // prettier-ignore
    expect(staked()).toBe(Number(USDC(700) - slash));

    const status = await restarted.status();
    expect(status.stakes).toEqual({
      [PROVIDER]: { [providerWallet.address]: (USDC(700) - slash).toString() },
    });
    expect(status.error).toBeNull();
    expect((await app.settlement.reconcileNow())!.differences).toEqual([]);
    expect(app.engine.state.ledger.conservationProblems()).toEqual([]);
  } finally {
    await app.close();
  }
});
