import { Wallet, ZeroHash } from 'ethers';
import {
  ChainRejectedError,
  HARDHAT_DEV_KEYS,
  expiryIdOf,
  startLocalChain,
  type LocalChain,
} from '@exchange/chain';
import { EventType, TransferReason, decodeEvents, type LedgerTransfer } from '@exchange/domain';
import { startApp } from '@exchange/runtime';
import { EthersChainAdapter } from '../src/adapters/ethers-chain.adapter';
import { loadSettlementConfig } from '../src/config/settlement-config';
import { ChainSettlement } from '../src/chain/chain-settlement';
import { SettlementScheduler } from '../src/scheduler/settlement-scheduler';
import { SettlementModule } from '../src/settlement.module';
import {
  DISPUTE_WINDOW_S, L40S, PRICE_SIGNER_KEY, USDC, chainEnv, indexRounds, instrumentsAsOf, openChainApp, registration, syncChainTime,
  ticks, trade, type ChainApp,
} from './chain-settlement-fixture'; // prettier-ignore
import { TestClock, tempDir } from './settlement-fixture';

/**
 * Cash settlement on chain, end to end on real components: the engine service (journal, event log),
 * the settlement app's scheduler and ChainSettlement, and the contracts on a local Hardhat node.
 * Futures (a physically delivered H100 and a cash-settled L40S) and an H100 call expire at the
 * index TWAP; the signed final prices are posted and wait out their dispute window; the accounts'
 * positive nets leave the ledger as withdrawals into each expiry's payout root; the accounts claim
 * from other wallets with the proofs the settlement endpoint serves. The ledger is conserved, its
 * payables equal what each root was funded with, and a restart sends and moves nothing again.
 */
const START_MS = Date.now();
const instruments = instrumentsAsOf(START_MS);
const { h100, l40s } = instruments;
const expiryMs = h100.future!.expiryMs;

let local: LocalChain;
beforeAll(async () => {
  local = await startLocalChain();
}, 60_000);
afterAll(async () => {
  await local?.stop();
});

const usdc = (app: ChainApp, id: number) => app.engine.state.ledger.balance(id, 'USDC');
const nonce = async (app: ChainApp) => Number(await app.chain.sender.raw<string>('eth_getTransactionCount', [app.chain.operator, 'latest'])); // prettier-ignore

/** Every `withdrawal` transfer in the engine's event log. */
function withdrawals(app: ChainApp): LedgerTransfer[] {
  const out: LedgerTransfer[] = [];
  for (const f of app.engine.eventLog.frames(0))
    for (const e of decodeEvents(f.payload))
      if (e.type === EventType.LedgerTransfer && e.reason === TransferReason.Withdrawal) out.push(e);
  return out;
}

it('posts the signed final prices, moves the payables, posts funded roots, and pays claims from any wallet', async () => {
  const dir = tempDir('chain-settlement-e2e');
  const clock = new TestClock(START_MS);
  let app = await openChainApp(local, dir, clock);
  const conserved = () => expect(app.engine.state.ledger.conservationProblems()).toEqual([]);
  await trade(app, instruments);
  expect([8, 4].map((a) => app.engine.state.account(a)!.positions.get(L40S)?.qtyLots)).toEqual([1, 1]);
  expect(app.engine.state.account(4)!.inLiquidation).toBe(false);
  const wallets = new Map([1, 4, 5, 6, 7].map((a) => [a, Wallet.createRandom()]));
  for (const [a, w] of wallets) expect(app.settlement.payoutAddresses.register(a, ...Object.values(await registration(a, w)) as [string, string])).toBeNull(); // prettier-ignore
  // bad registrations are refused with a code and change nothing
  const stranger = Wallet.createRandom();
  const forged = await registration(2, stranger);
  expect(app.settlement.payoutAddresses.register(3, forged.address, forged.signature)).toBe('BAD_SIGNATURE');
  const taken = await registration(2, wallets.get(5)!);
  expect(app.settlement.payoutAddresses.register(2, taken.address, taken.signature)).toBe('ADDRESS_IN_USE');
  expect(app.settlement.payoutAddresses.register(0, stranger.address, forged.signature)).toBe(
    'INVALID_ACCOUNT',
  );
  expect([2, 3, 8].map((a) => app.settlement.payoutAddresses.get(a))).toEqual([
    undefined,
    undefined,
    undefined,
  ]);
  const start = new Map([1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => [a, usdc(app, a)]));
  const delta = (a: number) => usdc(app, a) - start.get(a)!;

  // expiry: halt, the TWAP, SettleExpiry; the signed prices are posted and wait out the dispute window
  clock.ms = expiryMs + 1_000;
  indexRounds(app, h100);
  await syncChainTime(app.chain, clock);
  await app.pass();
  expect(app.scheduler.allStatus().filter((s) => s.expiryMs === expiryMs).map((s) => [s.symbol, s.phase, s.finalPriceTicks])).toEqual([
    [h100.symbol, 'settled', ticks(h100, '2.610')],
    [l40s.symbol, 'settled', ticks(l40s, '1.050')],
  ]); // prettier-ignore
  const signer = new Wallet(PRICE_SIGNER_KEY).address;
  expect(await app.chain.priceOf(expiryIdOf(h100.symbol))).toMatchObject({ priceMicros: 2_610_000n, signer });
  expect(await app.chain.priceOf(expiryIdOf(l40s.symbol))).toMatchObject({ priceMicros: 1_050_000n, signer });
  expect(app.settlement.statusOf(l40s.symbol)).toMatchObject({ step: 'price_posted', waiting: { reason: 'PRICE_DISPUTE_WINDOW' } }); // prettier-ignore
  // the expiry's cash is in the accounts; nothing has left the ledger yet
  expect([delta(5), delta(8), delta(6), delta(9), delta(7), delta(2)]).toEqual([USDC(72), USDC(36), -USDC(72), -USDC(72), USDC(79.2), -USDC(79.2)]); // prettier-ignore
  expect(withdrawals(app)).toEqual([]);
  const account4 = usdc(app, 4); // its 36 USDC (and the later future's daily variation margin)
  const afterPrices = await nonce(app);
  await app.pass(); // still inside the dispute window: nothing moves
  expect([await nonce(app), withdrawals(app).length]).toEqual([afterPrices, 0]);
  expect(await app.chain.rootOf(expiryIdOf(l40s.symbol))).toBe(ZeroHash);

  // the window is over: the positive nets leave the ledger and the roots are funded and posted
  clock.ms += DISPUTE_WINDOW_S * 1_000 + 1_000;
  await syncChainTime(app.chain, clock);
  await app.pass();
  conserved();
  // 4's withdrawal is refused (its later short needs the margin): its 36 stay in its account
  expect([delta(5), delta(7), delta(8), usdc(app, 4), delta(1) < 0n, delta(6)]).toEqual([0n, 0n, USDC(36), account4, true, -USDC(72)]); // prettier-ignore
  expect(withdrawals(app).map((t) => [t.debitAccountId, t.amountMinor])).toEqual([[7, USDC(79.2)], [5, USDC(72)]]); // prettier-ignore
  const status = app.settlement.status();
  expect(status.find((s) => s.symbol === l40s.symbol)).toMatchObject({
    step: 'root_posted',
    payables: { accounts: 1, totalMinor: String(USDC(72)), kept: [{ accountId: 8, amountMinor: String(USDC(36)), reason: 'NO_PAYOUT_ADDRESS' }], refused: [{ accountId: 4, amountMinor: String(USDC(36)), code: 'INSUFFICIENT_BALANCE' }] }, // prettier-ignore
  });
  expect(status.find((s) => s.symbol === h100.symbol)).toMatchObject({ step: 'root_posted', payables: { accounts: 1, totalMinor: String(USDC(79.2)) } }); // prettier-ignore
  expect(app.settlement.lastReconciliation?.differences).toEqual([]);
  // per expiry: the ledger's payables (its withdrawals) are what the vault holds for the expiry's root
  for (const [symbol, accountId] of [
    [l40s.symbol, 5],
    [h100.symbol, 7],
  ] as const) {
    const root = await app.chain.rootOf(expiryIdOf(symbol));
    const payables = withdrawals(app).filter((t) => t.debitAccountId === accountId).reduce((a, t) => a + t.amountMinor, 0n); // prettier-ignore
    expect(await app.chain.poolOf(root)).toEqual({ remainingMinor: payables, posted: true });
  }
  const vault = app.chain.addresses.vault;
  expect(await app.chain.stablecoinBalance(vault)).toBe(USDC(72 + 79.2));
  expect(await app.chain.custodyMinor()).toBe(0n);

  // account 5 claims from a wallet of its own choosing with the served proof
  const [claim5] = await app.settlement.claimsOf(5);
  expect(claim5).toMatchObject({ symbol: l40s.symbol, account: wallets.get(5)!.address, amountMinor: String(USDC(72)), claimed: false }); // prettier-ignore
  expect(await app.settlement.claimsOf(6)).toEqual([]); // a loser has nothing to claim
  expect(await app.settlement.claimsOf(8)).toEqual([]); // no payout address: its 36 stay in the ledger
  const payer = app.chain.as(HARDHAT_DEV_KEYS[2]);
  const leaf5 = { index: claim5!.index, account: claim5!.account, amountMinor: BigInt(claim5!.amountMinor) };
  await expect(payer.claim(claim5!.root, { ...leaf5, amountMinor: leaf5.amountMinor + 1n }, claim5!.proof)).rejects.toMatchObject({ code: 'INVALID_PROOF' }); // prettier-ignore
  await payer.claim(claim5!.root, leaf5, claim5!.proof);
  expect(await app.chain.stablecoinBalance(wallets.get(5)!.address)).toBe(USDC(72));
  const again = app.chain.as(HARDHAT_DEV_KEYS[1]);
  const refused = await again.claim(claim5!.root, leaf5, claim5!.proof).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ChainRejectedError);
  expect(refused).toMatchObject({ code: 'ALREADY_CLAIMED' });
  expect(await app.chain.stablecoinBalance(wallets.get(5)!.address)).toBe(USDC(72));
  expect((await app.chain.poolOf(claim5!.root)).remainingMinor).toBe(0n);
  expect((await app.settlement.reconcileNow())?.differences).toEqual([]);
  const rootsPosted = await nonce(app);
  await app.close();

  // restarted (as a Nest app, over HTTP): nothing is posted, moved or paid again; 7 claims through the endpoint
  app = await openChainApp(local, dir, clock);
  const config = { ...loadSettlementConfig(chainEnv(local, dir)), intervalMs: 3_600_000 };
  const http = await startApp(
    SettlementModule.register({ engine: app.engine, index: app.index, config, clock, chain: new EthersChainAdapter(app.chain, true) }), // prettier-ignore
    { name: 'settlement', port: 0 },
  );
  try {
    const url = await http.getUrl();
    for (let i = 0; i < 2; i++) {
      await http.get(SettlementScheduler).runOnce();
      await http.get(ChainSettlement).runOnce();
    }
    expect([await nonce(app), withdrawals(app).length]).toEqual([rootsPosted, 2]);
    const body = (await (await fetch(`${url}/v1/settlement/status`)).json()) as { chain: { mode: string; expiries: { symbol: string; step: string }[]; reconciliation: { differences: unknown[] } } }; // prettier-ignore
    expect(body.chain.mode).toBe('on');
    expect(body.chain.expiries.filter((s) => [h100.symbol, l40s.symbol].includes(s.symbol)).map((s) => s.step)).toEqual(['root_posted', 'root_posted']); // prettier-ignore
    expect(body.chain.reconciliation.differences).toEqual([]);
    const served = (await (await fetch(`${url}/v1/settlement/claims/7`)).json()) as { claims: { root: string; index: number; account: string; amountMinor: string; proof: string[] }[] }; // prettier-ignore
    expect(served.claims).toHaveLength(1);
    const c7 = served.claims[0]!;
    await app.chain
      .as(HARDHAT_DEV_KEYS[2])
      .claim(
        c7.root,
        { index: c7.index, account: c7.account, amountMinor: BigInt(c7.amountMinor) },
        c7.proof,
      );
    expect(await app.chain.stablecoinBalance(wallets.get(7)!.address)).toBe(USDC(79.2));
    expect(await (await fetch(`${url}/v1/settlement/claims/x`)).json()).toMatchObject({
      code: 'INVALID_ACCOUNT',
    });
    // the ledger's payables of each expiry equal what its root was funded with, and all of it is paid out
    expect(await app.chain.stablecoinBalance(app.chain.addresses.vault)).toBe(0n);
    expect(withdrawals(app).reduce((a, t) => a + t.amountMinor, 0n)).toBe(USDC(72 + 79.2));
    expect((await app.settlement.reconcileNow())?.differences).toEqual([]);
    expect(app.engine.state.ledger.conservationProblems()).toEqual([]);
    // money the ledger never credited reaches the vault: the reconciler reports it
    const stranger = app.chain.as(HARDHAT_DEV_KEYS[1]);
    await stranger.mintTestStablecoin('stray', stranger.operator, 5n);
    await stranger.approveStablecoin('stray', app.chain.addresses.vault, 5n);
    await stranger.deposit('stray', 5n);
    expect((await app.settlement.reconcileNow())?.differences).toEqual([{ what: 'custody', key: 'vault', ledger: '0', chain: '5' }]); // prettier-ignore
  } finally {
    await http.close();
    await app.close();
  }
}, 180_000);
