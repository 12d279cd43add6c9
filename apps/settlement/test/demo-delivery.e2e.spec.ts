import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SystemAccount } from '@exchange/domain';
import { DemoFlow } from '../../matching-engine/src/demo/demo-flow';
import { DEMO_LESSEE_ACCOUNT, DEMO_PROVIDER_ACCOUNTS } from '../../matching-engine/src/demo/demo-delivery';
import { agentProfile } from '../src/agents/provider-agents';
import { leaseView } from '../src/http/settlement.controller';
import { TestClock, openEngine, tempDir } from './settlement-fixture';

/**
 * The demo session's physical delivery on real components: the engine service with the demo on (its
 * DemoFlow lists the catalogue and the demo future, and plays the spot and delivery sessions), the
 * settlement scheduler and the simulated provider agents, all on a clock the test moves. The demo
 * future expires five minutes after start, settles at the index TWAP, its long is allocated to the
 * six demo providers as leases, and the agents take each lease through the path of its profile.
 */
const START = Date.UTC(2026, 10, 24, 0, 30, 12);
const EXPIRY = Date.UTC(2026, 10, 24, 0, 36); // 5 minutes after start, rounded up to the minute
const SYMBOL = 'H100-DEMO-261124-0036';
const HOUR = 3_600_000;
const engineConfig = (demo: boolean) => ({ dataDir: '', fsync: 'none' as const, journalSyncThread: 'caller' as const, snapshotEvery: 1_000_000, httpPort: 0, demo, orderPartitions: 1, topicPrefix: '', projection: false, projectionThread: 'main' as const }); // prettier-ignore

async function start(demo: boolean) {
  const clock = new TestClock(START);
  const s = openEngine(tempDir('demo-delivery'), clock);
  await new DemoFlow(engineConfig(demo), clock, s.engine, { expiryMin: 5 }).onApplicationBootstrap();
  const state = s.engine.state;
  const demoFutureId = state.instrumentIds().find((id) => state.book(id)!.symbol === SYMBOL);
  return { clock, s, demoFutureId };
}

it('lists nothing of the delivery demo when the demo is off', async () => {
  const { s, demoFutureId } = await start(false);
  expect(s.engine.state.instrumentIds().length).toBeGreaterThan(100); // the catalogue is listed
  expect(demoFutureId).toBeUndefined();
  for (const a of [...DEMO_PROVIDER_ACCOUNTS, DEMO_LESSEE_ACCOUNT])
    expect(s.engine.state.ledger.balance(a, 'USDC')).toBe(0n);
  await s.close();
});

it('expires the demo future, allocates its leases to the providers and the agents take them through their states', async () => {
  const { clock, s, demoFutureId } = await start(true);
  const state = () => s.engine.state;
  const conserved = () => expect(state().ledger.conservationProblems()).toEqual([]);
  expect(demoFutureId).toBeDefined();
  const id = demoFutureId!;
  const future = state().instrument(id)!;
  expect(future.definition.future).toMatchObject({ settlement: 'physical', expiryMs: EXPIRY, deliveryStartMs: EXPIRY, deliveryEndMs: EXPIRY + 2 * HOUR }); // prettier-ignore
  // the providers sold one lot each (with their collateral posted), the lessee bought all six
  expect(state().account(DEMO_LESSEE_ACCOUNT)!.positions.get(id)?.qtyLots).toBe(6);
  for (const p of DEMO_PROVIDER_ACCOUNTS) expect(state().account(p)!.positions.get(id)?.qtyLots).toBe(-1);

  // the oracle's rounds over the 4-minute settlement window: 2.600 USDC per GPU-hour every 15 s
  const windowMs = future.definition.future!.settlementWindowMs;
  for (let t = EXPIRY - windowMs; t <= EXPIRY; t += 15_000) s.index.add('H100', t, 2_600_000);
  const phase = () => s.scheduler.allStatus().find((x) => x.instrumentId === id)!;
  clock.ms = EXPIRY - 1_000;
  await s.scheduler.runOnce();
  expect(phase().phase).toBe('trading');
  expect(state().settlement.leases.size).toBe(0);

  // expiry: halted and settled at the TWAP; the long is allocated to the six providers as leases
  clock.ms = EXPIRY + 5_000;
  await s.scheduler.runOnce();
  expect(phase()).toMatchObject({ phase: 'settled', finalPriceTicks: 2_600 });
  const leases = () => [...state().settlement.leases.values()].filter((l) => l.instrumentId === id);
  expect(leases().map((l) => [l.leaseId, l.providerAccountId, l.lesseeAccountId, l.gpuCount, l.state])).toEqual(
    DEMO_PROVIDER_ACCOUNTS.map((p, i) => [`${SYMBOL}-${i + 1}`, p, DEMO_LESSEE_ACCOUNT, 8, 'ALLOCATED']),
  ); // prettier-ignore
  // 6 leases x 8 GPUs x 2 hours x 2.600 USDC in escrow
  expect(state().ledger.balance(SystemAccount.Escrow, 'USDC')).toBe(249_600_000n);
  conserved();
  const profiles = new Set(leases().map((l) => agentProfile(l.leaseId)));
  expect([...profiles].sort()).toEqual(['drops_heartbeats', 'never_provisions', 'reliable', 'weak_hardware']);

  // delivery: the agents and the scheduler every 30 s; each lease's states as the API shows them,
  // and as the agents log them
  const logged = new Map<string, string[]>();
  const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => {
    const e = m as { msg?: string; leaseId?: string; state?: string; releasedHours?: number };
    if (e.msg === 'lease') logged.set(e.leaseId!, [...(logged.get(e.leaseId!) ?? []), `${e.state}:${e.releasedHours}`]); // prettier-ignore
  });
  const seen = new Map<string, string[]>();
  const note = () => {
    for (const l of leases()) {
      const v = leaseView(l);
      const list = seen.get(l.leaseId) ?? [];
      if (list.at(-1) !== v.state) list.push(v.state);
      seen.set(l.leaseId, list);
    }
  };
  note();
  const run = async (untilMs: number) => {
    for (let t = clock.ms + 30_000; t <= untilMs; t += 30_000) {
      clock.ms = t;
      await s.agents.runOnce();
      await s.scheduler.runOnce();
      note();
    }
  };
  // within minutes: every delivering lease is active, the weak hardware has failed its benchmark
  await run(EXPIRY + 7 * 60_000); // provisioned, then verified a pass later, active at the first heartbeat 5 min on
  for (const l of leases()) {
    const want = { reliable: 'ACTIVE', drops_heartbeats: 'ACTIVE', never_provisions: 'ALLOCATED', weak_hardware: 'FAILED' }; // prettier-ignore
    expect([l.leaseId, l.state]).toEqual([l.leaseId, want[agentProfile(l.leaseId)]]);
  }
  const weak = leases().find((l) => agentProfile(l.leaseId) === 'weak_hardware')!;
  expect(weak.failureReason).toBe('BENCHMARK_BELOW_THRESHOLD');
  expect(weak.disputeEndsMs).toBe(weak.failedAtMs + 72 * HOUR);
  conserved();

  // an hour of verified service pays the provider an hour from escrow
  const reliable = leases().find((l) => agentProfile(l.leaseId) === 'reliable')!;
  const provider = () => state().ledger.balance(reliable.providerAccountId, 'USDC');
  const before = provider();
  await run(EXPIRY + HOUR);
  expect(leases().find((l) => l.leaseId === reliable.leaseId)!.releasedHours).toBe(0);
  await run(EXPIRY + HOUR + 10 * 60_000);
  expect(leases().find((l) => l.leaseId === reliable.leaseId)!.releasedHours).toBe(1);
  expect(provider() - before).toBe(8n * 2_600_000n);

  // the end of delivery: the reliable leases complete (the last, partial hour goes back to the lessee)
  await run(EXPIRY + 2 * HOUR + 60_000);
  for (const l of leases()) {
    const path = seen.get(l.leaseId);
    switch (agentProfile(l.leaseId)) {
      case 'reliable':
        expect(path).toEqual(['allocated', 'provisioned', 'verified', 'active', 'completed']);
        expect([l.releasedHours, l.releasedMinor]).toEqual([1, 8n * 2_600_000n]);
        break;
      case 'drops_heartbeats':
        expect(path).toEqual(['allocated', 'provisioned', 'verified', 'active', 'failed']);
        expect([l.failureReason, l.releasedHours]).toEqual(['HEARTBEAT_MISSED', 0]);
        break;
      case 'weak_hardware':
        expect(path).toEqual(['allocated', 'provisioned', 'failed']);
        break;
      case 'never_provisions':
        expect(path).toEqual(['allocated']);
        break;
    }
  }
  spy.mockRestore();
  const reliablePath = ['allocated:0', 'provisioned:0', 'verified:0', 'active:0', 'active:1', 'completed:1'];
  for (const l of leases())
    if (agentProfile(l.leaseId) === 'reliable') expect(logged.get(l.leaseId)).toEqual(reliablePath);
  const dropped = leases().find((l) => agentProfile(l.leaseId) === 'drops_heartbeats')!;
  expect(logged.get(dropped.leaseId)).toEqual(['allocated:0', 'provisioned:0', 'verified:0', 'active:0', 'failed:0']); // prettier-ignore
  // escrow holds only the unprovisioned lease's price now (its provisioning deadline is 4 hours on)
  const never = leases().find((l) => agentProfile(l.leaseId) === 'never_provisions')!;
  expect(state().ledger.balance(SystemAccount.Escrow, 'USDC')).toBe(never.paidMinor);
  conserved();

  // the provisioning deadline passes, and the dispute windows close: the failures are slashed
  clock.ms = weak.failedAtMs + 72 * HOUR + 4 * HOUR;
  await s.scheduler.runOnce(); // the unprovisioned lease fails now
  clock.ms += 72 * HOUR;
  await s.scheduler.runOnce();
  for (const l of leases())
    expect(l.state).toBe(agentProfile(l.leaseId) === 'reliable' ? 'COMPLETED' : 'SLASHED');
  expect(state().ledger.balance(SystemAccount.Escrow, 'USDC')).toBe(0n);
  conserved();
  await s.close();
});
