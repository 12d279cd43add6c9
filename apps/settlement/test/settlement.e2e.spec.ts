import { CommandType, EventType, Side, SystemAccount, TransferReason } from '@exchange/domain';
import { agentProfile } from '../src/agents/provider-agents';
import {
  AS_OF, CALL, H100, L40S, TestClock, call, deposit, h100, l40s, listing, mark, openEngine, order, tempDir,
} from './settlement-fixture'; // prettier-ignore

/**
 * Settlement end to end on the engine service: positions in a physically settled future (H100),
 * a cash-settled one (L40S) and a call; a daily mark; expiry on the settlement app's clock (halt,
 * a wait while the index is thin, then the TWAP); cash payouts and option exercise; the leases the
 * H100 delivery opens, worked by the simulated provider agents hour by hour, and the failures
 * slashed after the dispute window. The ledger is conserved after every step, and a restart
 * replays it all to the same state hash.
 */
const USDC = (units: number) => BigInt(Math.round(units * 1_000_000));
const expiryMs = h100.future!.expiryMs;
const PROVIDERS = [3, 4, 7, 8, 9, 10];
const usdc = (s: ReturnType<typeof openEngine>, id: number) => s.engine.state.ledger.balance(id, 'USDC');

it('settles daily, expires at the index TWAP, pays cash and exercise, and delivers leases with escrow and slashing', async () => {
  const dir = tempDir('settlement-e2e');
  const clock = new TestClock(AS_OF);
  const s = openEngine(dir, clock);
  const conserved = () => expect(s.engine.state.ledger.conservationProblems()).toEqual([]);
  await s.engine.submit([
    listing(H100, h100), listing(L40S, l40s), listing(CALL, call), mark(H100, 2_500), mark(L40S, 1_000),
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((a) => deposit(a, USDC(100_000))),
    // six providers sell one H100 lot forward each to account 1; 6 sells L40S to 5; 2 writes a call to 1
    ...PROVIDERS.map((p) => order(H100, p, Side.Sell, 1, 2_500)), order(H100, 1, Side.Buy, 6, 2_500),
    order(L40S, 6, Side.Sell, 2, 1_000), order(L40S, 5, Side.Buy, 2, 1_000),
    order(CALL, 2, Side.Sell, 1, 200), order(CALL, 1, Side.Buy, 1, 200),
  ]); // prettier-ignore
  expect(s.engine.state.account(1)!.positions.get(H100)?.qtyLots).toBe(6);
  const start = new Map([1, 2, 5, 6].map((a) => [a, usdc(s, a)]));

  // the day before expiry, after 08:00 UTC: one daily mark per future (no trades in the window: the mark)
  clock.ms = expiryMs - 86_400_000 + 60_000;
  await s.scheduler.runOnce();
  await s.scheduler.runOnce(); // the same day again: nothing more
  const keys = [...s.engine.state.settlement.settledKeys];
  expect(keys).toEqual(['MTM:1:2026-11-26', 'MTM:2:2026-11-26']);
  conserved();

  // expiry: trading halts, the index is still missing, settlement waits and says why
  await s.engine.submit([order(H100, 3, Side.Sell, 1, 2_600)]);
  clock.ms = expiryMs + 1_000;
  await s.scheduler.runOnce();
  expect(s.scheduler.allStatus().find((x) => x.instrumentId === H100)).toMatchObject({ phase: 'halted', waiting: { reason: 'INSUFFICIENT_SAMPLES' } }); // prettier-ignore
  const late = await s.engine.submit([order(H100, 4, Side.Sell, 1, 2_600)]);
  expect(late.events.find((e) => e.type === EventType.OrderRejected)).toMatchObject({
    code: 'INSTRUMENT_EXPIRED',
  });
  expect(s.engine.state.account(3)!.orders.size).toBe(0); // the resting sell was cancelled at the halt
  expect(s.engine.state.settlement.settledKeys.has('EXPIRY:1')).toBe(false);

  // the oracle's rounds over the window: H100 2.600 then 2.620 (TWAP 2.610), L40S 1.050
  const windowStart = expiryMs - h100.future!.settlementWindowMs;
  for (let i = 0; i <= 30; i++) {
    s.index.add('H100', windowStart + i * 60_000, i < 15 ? 2_600_000 : 2_620_000);
    s.index.add('L40S', windowStart + i * 60_000, 1_050_000);
  }
  await s.scheduler.runOnce();
  expect(s.scheduler.allStatus().map((x) => [x.symbol, x.phase, x.finalPriceTicks])).toEqual([
    ['H100-2611', 'settled', 2_610],
    ['L40S-2611', 'settled', 1_050],
  ]);
  conserved();
  const delta = (a: number) => usdc(s, a) - start.get(a)!;
  // cash: L40S long 2 lots x 50 ticks x 0.72 = 72 USDC, paid by the short
  expect(delta(5)).toBe(USDC(72));
  expect(delta(6)).toBe(-USDC(72));
  // account 1: H100 6 x 110 ticks x 0.72 = 475.2, the call 110 x 0.72 = 79.2, and 6 lots of delivery
  // (6 GPUs x 720 h x 2.61 = 11,275.2) into escrow
  expect(delta(1)).toBe(USDC(475.2 + 79.2 - 11_275.2));
  expect(delta(2)).toBe(-USDC(79.2));
  expect(usdc(s, SystemAccount.Escrow)).toBe(USDC(11_275.2));
  expect(usdc(s, SystemAccount.Clearing)).toBe(0n);
  for (const a of [1, 2, 5, 6]) expect(s.engine.state.account(a)!.positions.size).toBe(0);
  const leases = [...s.engine.state.settlement.leases.values()];
  expect(leases.map((l) => [l.leaseId, l.providerAccountId, l.lesseeAccountId, l.gpuCount, l.state])).toEqual(
    PROVIDERS.map((p, i) => [`H100-2611-${i + 1}`, p, 1, 1, 'ALLOCATED']),
  );
  // the agents' profiles of these six leases cover every path
  expect(leases.map((l) => agentProfile(l.leaseId))).toEqual(['reliable', 'reliable', 'never_provisions', 'reliable', 'weak_hardware', 'drops_heartbeats']); // prettier-ignore
  // settling again is refused by key: nothing is paid twice
  const again = await s.engine.submit([
    { type: CommandType.SettleExpiry, instrumentId: H100, finalPriceTicks: 2_610 },
  ]);
  expect(again.events.map((e) => e.type)).toEqual([EventType.OrderRejected]);

  // delivery: the agents provision, attest and send heartbeats every five minutes for three hours
  const deliveryStart = h100.future!.deliveryStartMs;
  for (let t = deliveryStart; t <= deliveryStart + 3 * 3_600_000 + 10 * 60_000; t += 5 * 60_000) {
    clock.ms = t;
    const before = s.engine.state.lastSeq;
    await s.agents.runOnce();
    await s.scheduler.runOnce();
    if (s.engine.state.lastSeq > before) conserved();
  }
  for (const l of s.engine.state.settlement.leases.values()) {
    const profile = agentProfile(l.leaseId);
    if (profile === 'reliable') expect([l.state, l.releasedHours]).toEqual(['ACTIVE', 3]);
    if (profile === 'never_provisions') expect(l.state).toBe('ALLOCATED');
    if (profile === 'weak_hardware')
      expect([l.state, l.failureReason]).toEqual(['FAILED', 'BENCHMARK_BELOW_THRESHOLD']);
    if (profile === 'drops_heartbeats')
      expect([l.state, l.failureReason]).toEqual(['FAILED', 'HEARTBEAT_MISSED']);
    // each verified hour went from escrow to the provider
    expect(l.releasedMinor).toBe(BigInt(l.releasedHours) * BigInt(l.gpuCount) * 2_610_000n);
  }
  // a lease that never provisions fails at the deadline, and is slashed when the dispute window closes
  clock.ms = deliveryStart + 5 * 3_600_000;
  await s.scheduler.runOnce();
  clock.ms = deliveryStart + 5 * 3_600_000 + 73 * 3_600_000;
  await s.scheduler.runOnce();
  for (const l of s.engine.state.settlement.leases.values()) {
    if (agentProfile(l.leaseId) === 'reliable') continue;
    expect(l.state).toBe('SLASHED');
    expect(l.slashCompensationMinor + l.slashInsuranceMinor).toBe(l.collateralMinor);
  }
  conserved();
  const hash = s.engine.state.stateHash();
  const lastSeq = s.engine.state.lastSeq;
  await s.close();

  // the journal replays to the same state (settled keys, leases and all)
  const replay = openEngine(dir, clock);
  expect(replay.engine.recovery).toMatchObject({ lastSeq, stateHash: hash });
  await replay.close();
});

it('refuses a daily mark twice for a day, and a lease event for an unknown lease, with stable codes', async () => {
  const clock = new TestClock(AS_OF);
  const s = openEngine(tempDir('settlement-codes'), clock);
  await s.engine.submit([listing(H100, h100), mark(H100, 2_500)]);
  const settle = { type: CommandType.DailySettle, instrumentId: H100, businessDate: '2026-11-02', priceTicks: 2_500 } as const; // prettier-ignore
  expect((await s.engine.submit([settle])).events.map((e) => e.type)).toEqual([EventType.InstrumentSettled]);
  const codes = async (c: Parameters<typeof s.engine.submit>[0]) =>
    (await s.engine.submit(c)).events.flatMap((e) => (e.type === EventType.OrderRejected ? [e.code] : []));
  expect(await codes([settle])).toEqual(['ALREADY_SETTLED']);
  expect(await codes([{ ...settle, businessDate: '2026-02-30' }])).toEqual(['INVALID_BUSINESS_DATE']);
  expect(await codes([{ type: CommandType.ExpireInstrument, instrumentId: H100 }])).toEqual(['NOT_EXPIRED']);
  expect(await codes([{ type: CommandType.LeaseHeartbeat, leaseId: 'H100-2611-9' }])).toEqual([
    'UNKNOWN_LEASE',
  ]);
  expect(TransferReason.VariationMargin).toBe(7);
  await s.close();
});
