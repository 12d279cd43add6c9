import fc from 'fast-check';
import { SystemAccount } from '@exchange/domain';
import { Ledger } from '@exchange/ledger';
import { SettlementAccount } from './codes';
import {
  DEFAULT_LEASE_TERMS,
  escrowMinor,
  HOUR_MS,
  lockedCollateralMinor,
  openDeliveryLeases,
  openRedemptionLeases,
  type Lease,
} from './lease';
import { applyLeaseEvent, hashCredential, slashSplit, type LeaseEvent } from './lease-lifecycle';
import type { SettlementTransfer } from './transfer';

const MIN = 60_000;
const START = Date.UTC(2027, 0, 1);
const END = START + 3 * HOUR_MS;
const PRICE = 2_600_000n; // 2.60 USDC per GPU-hour
const SUITE = 'mlperf-inference-llama2-70b-offline-tokens-per-s-per-gpu';
const LESSEE = 1;
const PROVIDER = 2;
const common = {
  computeClass: 'H100',
  benchmarkSuite: SUITE,
  referenceScore: 3000,
  deliveryStartMs: START,
  deliveryEndMs: END,
  openedAtMs: START - 2 * HOUR_MS,
  terms: DEFAULT_LEASE_TERMS,
};

/** One lease of 2 GPUs for 3 hours: 6 GPU-hours, 15.6 USDC in escrow, 3.9 USDC of collateral. */
function delivery(gpus = 2): { lease: Lease; transfers: SettlementTransfer[] } {
  const r = openDeliveryLeases({
    ...common,
    leaseIdPrefix: 'F1',
    instrumentId: 1,
    gpusPerLot: gpus,
    priceMinorPerGpuHour: PRICE,
    matches: [{ lesseeAccountId: LESSEE, providerAccountId: PROVIDER, lots: 1 }],
  });
  if (r.status !== 'OPENED') throw new Error(r.code);
  return { lease: r.leases[0]!, transfers: r.transfers };
}

function funded(): Ledger {
  const ledger = new Ledger();
  for (const id of [LESSEE, PROVIDER]) {
    ledger.transfer(SystemAccount.External, id, 'USDC', 1_000_000_000n);
    ledger.transfer(SystemAccount.External, id, 'H100', 1_000n);
  }
  return ledger;
}

const post = (ledger: Ledger, ts: readonly SettlementTransfer[]) => {
  for (const t of ts) ledger.transfer(t.debitAccountId, t.creditAccountId, t.asset, t.amountMinor);
};

/** Applies events in turn, posting transfers; fails on any refusal unless expected. */
function run(lease: Lease, ledger: Ledger, events: LeaseEvent[]): Lease {
  for (const e of events) {
    const s = applyLeaseEvent(lease, e);
    if (s.rejection !== null) throw new Error(`${e.type} at ${e.atMs}: ${s.rejection}`);
    post(ledger, s.transfers);
    lease = s.lease;
  }
  return lease;
}

const provision = (atMs: number): LeaseEvent => ({ type: 'PROVISION', atMs, endpoint: 'ssh://gpu-7.provider.example:22', credentialHash: hashCredential('F1-1', 's3cret') }); // prettier-ignore
const attest = (atMs: number, scorePerGpu = 3000): LeaseEvent => ({
  type: 'ATTEST',
  atMs,
  suite: SUITE,
  scorePerGpu,
});
const beats = (from: number, to: number, every = 5 * MIN): LeaseEvent[] => {
  const out: LeaseEvent[] = [];
  for (let t = from; t <= to; t += every) out.push({ type: 'HEARTBEAT', atMs: t });
  return out;
};
const tick = (atMs: number, index = PRICE): LeaseEvent => ({
  type: 'TICK',
  atMs,
  indexMinorPerGpuHour: index,
});

describe('lease lifecycle', () => {
  it('allocated -> provisioned -> verified -> active -> completed, paid hour by hour', () => {
    const ledger = funded();
    const first = delivery();
    let lease = first.lease;
    post(ledger, first.transfers);
    expect(lease).toMatchObject({ state: 'ALLOCATED', gpuCount: 2, gpuHours: 6, paidMinor: 15_600_000n, collateralMinor: 3_900_000n }); // prettier-ignore
    lease = run(lease, ledger, [provision(START - HOUR_MS), attest(START - 30 * MIN)]);
    expect(lease.state).toBe('VERIFIED');
    expect(lease.credentialHash).toMatch(/^[0-9a-f]{64}$/);
    lease = run(lease, ledger, beats(START, START + 65 * MIN));
    expect(lease.state).toBe('ACTIVE');
    expect(lease.releasedMinor).toBe(5_200_000n); // one hour x 2 GPUs x 2.60
    expect(ledger.balance(SettlementAccount.Escrow, 'USDC')).toBe(10_400_000n);
    lease = run(lease, ledger, beats(START + 70 * MIN, END));
    expect(lease).toMatchObject({ state: 'COMPLETED', releasedMinor: 15_600_000n, refundedMinor: 0n, collateralReturnedMinor: 3_900_000n }); // prettier-ignore
    expect(ledger.balance(PROVIDER, 'USDC')).toBe(1_000_000_000n + 15_600_000n);
    expect(ledger.balance(SettlementAccount.Escrow, 'USDC')).toBe(0n);
    expect(ledger.balance(SettlementAccount.ProviderCollateral, 'USDC')).toBe(0n);
    expect(ledger.conservationProblems()).toEqual([]);
  });

  it('late start: only whole verified hours are paid, the rest is refunded at the end', () => {
    const ledger = funded();
    const first = delivery();
    let lease = first.lease;
    post(ledger, first.transfers);
    lease = run(lease, ledger, [provision(START + 30 * MIN), attest(START + 50 * MIN), ...beats(START + 50 * MIN, END)]); // prettier-ignore
    // served 2h10m: 2 whole hours paid, 1 refunded
    expect(lease).toMatchObject({ state: 'COMPLETED', releasedHours: 2, releasedMinor: 10_400_000n, refundedMinor: 5_200_000n }); // prettier-ignore
    expect(ledger.conservationProblems()).toEqual([]);
  });

  it('not provisioned by the deadline: refund, dispute window, then the slash', () => {
    const ledger = funded();
    const first = delivery();
    let lease = first.lease;
    post(ledger, first.transfers);
    lease = run(lease, ledger, [tick(START + 4 * HOUR_MS)]);
    expect(lease.state).toBe('ALLOCATED'); // the deadline itself is still in time
    lease = run(lease, ledger, [tick(START + 4 * HOUR_MS + 1)]);
    expect(lease).toMatchObject({
      state: 'FAILED',
      failureReason: 'NOT_PROVISIONED',
      refundedMinor: 15_600_000n,
    });
    expect(lease.disputeEndsMs).toBe(START + 76 * HOUR_MS + 1);
    lease = run(lease, ledger, [tick(lease.disputeEndsMs - 1)]);
    expect(lease.state).toBe('FAILED');
    // index 2.70: made whole 6 x 0.10 = 0.60, penalty 10% x 6 x 2.70 = 1.62; the rest 1.68 to insurance
    lease = run(lease, ledger, [tick(lease.disputeEndsMs, 2_700_000n)]);
    expect(lease).toMatchObject({ state: 'SLASHED', slashCompensationMinor: 2_220_000n, slashInsuranceMinor: 1_680_000n }); // prettier-ignore
    expect(ledger.balance(LESSEE, 'USDC')).toBe(1_000_000_000n + 2_220_000n);
    expect(ledger.balance(SystemAccount.InsuranceFund, 'USDC')).toBe(1_680_000n);
    expect(ledger.balance(PROVIDER, 'USDC')).toBe(1_000_000_000n - 3_900_000n);
    expect(ledger.conservationProblems()).toEqual([]);
  });

  it('a slash never takes more than the collateral', () => {
    const { lease } = delivery();
    expect(slashSplit(lease, 10_000_000n)).toEqual({ compensationMinor: 3_900_000n, insuranceMinor: 0n });
    // below the lease price there is nothing to make whole, only the penalty (rounded down)
    expect(slashSplit(lease, 1_000_001n)).toEqual({
      compensationMinor: 600_000n,
      insuranceMinor: 3_300_000n,
    });
  });

  it('a provision after its deadline is refused and the lease fails instead', () => {
    const { lease } = delivery();
    const s = applyLeaseEvent(lease, provision(START + 5 * HOUR_MS));
    expect(s.rejection).toBe('DEADLINE_PASSED');
    expect(s.lease).toMatchObject({ state: 'FAILED', failureReason: 'NOT_PROVISIONED', endpoint: '' });
    expect(s.transfers.map((t) => t.reason)).toEqual(['ESCROW_REFUND']);
  });

  it('benchmark: 90% of the class reference score passes, under it fails', () => {
    const { lease } = delivery();
    const provisioned = applyLeaseEvent(lease, provision(START - HOUR_MS)).lease;
    expect(applyLeaseEvent(provisioned, attest(START - 50 * MIN, 2700)).lease.state).toBe('VERIFIED');
    const low = applyLeaseEvent(provisioned, attest(START - 50 * MIN, 2699.99));
    expect(low.lease).toMatchObject({ state: 'FAILED', failureReason: 'BENCHMARK_BELOW_THRESHOLD', scorePerGpu: 2699.99 }); // prettier-ignore
    expect(low.rejection).toBeNull();
    const late = applyLeaseEvent(provisioned, tick(START - HOUR_MS + 2 * HOUR_MS + 1));
    expect(late.lease).toMatchObject({ state: 'FAILED', failureReason: 'NOT_VERIFIED' });
  });

  it('heartbeats missing past the SLA: the hours served stay paid, the rest is refunded', () => {
    const ledger = funded();
    const first = delivery();
    let lease = first.lease;
    post(ledger, first.transfers);
    lease = run(lease, ledger, [
      provision(START - HOUR_MS),
      attest(START - HOUR_MS),
      ...beats(START, START + 90 * MIN),
    ]);
    lease = run(lease, ledger, [tick(START + 100 * MIN)]);
    expect(lease.state).toBe('ACTIVE'); // exactly the SLA
    lease = run(lease, ledger, [tick(START + 100 * MIN + 1)]);
    expect(lease).toMatchObject({ state: 'FAILED', failureReason: 'HEARTBEAT_MISSED', releasedMinor: 5_200_000n, refundedMinor: 10_400_000n }); // prettier-ignore
    // a late heartbeat fails the lease by itself
    const again = delivery().lease;
    const verified = run(again, funded(), [provision(START - HOUR_MS), attest(START - HOUR_MS), ...beats(START, START + 20 * MIN)]); // prettier-ignore
    expect(applyLeaseEvent(verified, { type: 'HEARTBEAT', atMs: START + 31 * MIN }).lease.failureReason).toBe('HEARTBEAT_MISSED'); // prettier-ignore
    // the delivery window's end counts: no heartbeat in its last SLA fails the lease
    const quiet = run(delivery().lease, funded(), [provision(START - HOUR_MS), attest(START - HOUR_MS), ...beats(START, END - 15 * MIN)]); // prettier-ignore
    expect(applyLeaseEvent(quiet, tick(END)).lease.failureReason).toBe('HEARTBEAT_MISSED');
  });

  it('dispute: inside the window it holds the slash; overturned returns the collateral, upheld slashes', () => {
    const ledger = funded();
    const first = delivery();
    let lease = first.lease;
    post(ledger, first.transfers);
    lease = run(lease, ledger, [tick(START + 5 * HOUR_MS), { type: 'DISPUTE', atMs: START + 6 * HOUR_MS }]);
    expect(lease.state).toBe('DISPUTED');
    lease = run(lease, ledger, [tick(START + 200 * HOUR_MS)]);
    expect(lease.state).toBe('DISPUTED'); // waits for the decision
    const overturned = applyLeaseEvent(lease, { type: 'RESOLVE_DISPUTE', atMs: START + 201 * HOUR_MS, upheld: false, indexMinorPerGpuHour: PRICE }); // prettier-ignore
    expect(overturned.lease).toMatchObject({ state: 'VOIDED', collateralReturnedMinor: 3_900_000n, failureReason: 'NOT_PROVISIONED' }); // prettier-ignore
    const upheld = applyLeaseEvent(lease, { type: 'RESOLVE_DISPUTE', atMs: START + 201 * HOUR_MS, upheld: true, indexMinorPerGpuHour: PRICE }); // prettier-ignore
    expect(upheld.lease).toMatchObject({ state: 'SLASHED', slashCompensationMinor: 1_560_000n, slashInsuranceMinor: 2_340_000n }); // prettier-ignore
    const failed = run(delivery().lease, funded(), [tick(START + 5 * HOUR_MS)]);
    const closed = applyLeaseEvent(failed, { type: 'DISPUTE', atMs: failed.disputeEndsMs });
    expect(closed).toEqual({ lease: failed, transfers: [], rejection: 'DISPUTE_WINDOW_CLOSED' });
  });

  it('refuses bad events with a stable code and changes nothing', () => {
    const { lease } = delivery();
    const provisioned = applyLeaseEvent(lease, provision(START - HOUR_MS)).lease;
    const completed = run(provisioned, funded(), [attest(START - HOUR_MS), ...beats(START, END)]);
    const cases: [Lease, LeaseEvent, string][] = [
      [lease, { ...provision(START), credentialHash: 'hunter2' } as LeaseEvent, 'INVALID_CREDENTIAL_HASH'],
      [lease, { ...provision(START), endpoint: 'ssh://root:pw@host' } as LeaseEvent, 'INVALID_ENDPOINT'],
      [lease, { ...provision(START), endpoint: '' } as LeaseEvent, 'INVALID_ENDPOINT'],
      [provisioned, { ...attest(START), suite: 'other' } as LeaseEvent, 'WRONG_BENCHMARK_SUITE'],
      [provisioned, attest(START, Number.NaN), 'INVALID_SCORE'],
      [provisioned, attest(START - 2 * HOUR_MS), 'TIME_WENT_BACKWARDS'],
      [lease, { type: 'HEARTBEAT', atMs: START }, 'LEASE_WRONG_STATE'],
      [lease, attest(START), 'LEASE_WRONG_STATE'],
      [lease, { type: 'DISPUTE', atMs: START }, 'LEASE_WRONG_STATE'],
      [lease, tick(START, 0n), 'INVALID_INDEX_PRICE'],
      [lease, { type: 'NOPE', atMs: START } as unknown as LeaseEvent, 'INVALID_EVENT'],
      [lease, { type: 'TICK', atMs: 1.5, indexMinorPerGpuHour: PRICE }, 'INVALID_EVENT'],
      [completed, tick(END + HOUR_MS), 'LEASE_CLOSED'],
    ];
    for (const [l, e, code] of cases)
      expect(applyLeaseEvent(l, e)).toEqual({ lease: l, transfers: [], rejection: code });
  });

  it('redeemed tokens are escrowed, burnt as hours are served, refunded on failure; the slash is the penalty', () => {
    const ledger = funded();
    const r = openRedemptionLeases({
      ...common,
      leaseIdPrefix: 'R42',
      tokenAsset: 'H100',
      indexMinorPerGpuHour: PRICE,
      matches: [{ requestId: '42', lesseeAccountId: LESSEE, providerAccountId: PROVIDER, gpuCount: 2 }],
    });
    if (r.status !== 'OPENED') throw new Error(r.code);
    post(ledger, r.transfers);
    let lease = r.leases[0]!;
    expect(lease).toMatchObject({
      leaseId: 'R42-1',
      escrowAsset: 'H100',
      paidMinor: 6n,
      collateralMinor: 3_900_000n,
    });
    lease = run(lease, ledger, [provision(START - HOUR_MS), attest(START - HOUR_MS), ...beats(START, START + 60 * MIN)]); // prettier-ignore
    expect(ledger.balance(SystemAccount.External, 'H100')).toBe(-2_000n + 2n); // two tokens burnt
    lease = run(lease, ledger, [tick(START + 80 * MIN)]);
    expect(lease).toMatchObject({ state: 'FAILED', refundedMinor: 4n });
    lease = run(lease, ledger, [tick(lease.disputeEndsMs, 5_000_000n)]);
    // the refunded tokens are worth the index: only the penalty, 10% x 4 GPU-hours x 5.00 = 2.00
    expect(lease).toMatchObject({ state: 'SLASHED', slashCompensationMinor: 2_000_000n, slashInsuranceMinor: 1_900_000n }); // prettier-ignore
    expect(ledger.balance(LESSEE, 'H100')).toBe(1_000n - 2n);
    expect(ledger.conservationProblems()).toEqual([]);
  });

  it('credential hashes are per lease', () => {
    expect(hashCredential('A-1', 'x')).not.toBe(hashCredential('A-2', 'x'));
    expect(hashCredential('A-1', 'x')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('lease lifecycle properties', () => {
  const eventArb = fc.record({
    lease: fc.integer({ min: 0, max: 2 }),
    kind: fc.constantFrom('PROVISION', 'ATTEST', 'HEARTBEAT', 'HEARTBEAT', 'HEARTBEAT', 'HEARTBEAT', 'TICK', 'DISPUTE', 'RESOLVE'), // prettier-ignore
    dtMs: fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0, max: 5 * MIN }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 * HOUR_MS }) },
    ),
    score: fc.integer({ min: 2_500, max: 3_200 }),
    index: fc.bigInt({ min: 1n, max: 10_000_000n }),
    flag: fc.boolean(),
  });

  interface Step {
    lease: number;
    kind: string;
    dtMs: number;
    score: number;
    index: bigint;
    flag: boolean;
  }

  function toEvent(x: Step, atMs: number): LeaseEvent {
    switch (x.kind) {
      case 'PROVISION': return provision(atMs);
      case 'ATTEST': return attest(atMs, x.score);
      case 'HEARTBEAT': return { type: 'HEARTBEAT', atMs };
      case 'TICK': return tick(atMs, x.index);
      case 'DISPUTE': return { type: 'DISPUTE', atMs };
      default: return { type: 'RESOLVE_DISPUTE', atMs, upheld: x.flag, indexMinorPerGpuHour: x.index };
    }
  } // prettier-ignore

  // a one-hour delivery window, so that random sequences also complete
  const short = { ...common, deliveryEndMs: START + HOUR_MS };

  function opened(): { leases: Lease[]; ledger: Ledger } {
    const ledger = funded();
    const d = openDeliveryLeases({ ...short, leaseIdPrefix: 'F1', instrumentId: 1, gpusPerLot: 3, priceMinorPerGpuHour: PRICE,
      matches: [{ lesseeAccountId: LESSEE, providerAccountId: PROVIDER, lots: 1 }, { lesseeAccountId: 3, providerAccountId: 4, lots: 2 }] }); // prettier-ignore
    const r = openRedemptionLeases({ ...short, leaseIdPrefix: 'R1', tokenAsset: 'H100', indexMinorPerGpuHour: 2_000_001n,
      matches: [{ requestId: '1', lesseeAccountId: LESSEE, providerAccountId: PROVIDER, gpuCount: 5 }] }); // prettier-ignore
    if (d.status !== 'OPENED' || r.status !== 'OPENED') throw new Error('not opened');
    post(ledger, d.transfers);
    post(ledger, r.transfers);
    return { leases: [...d.leases, ...r.leases], ledger };
  }

  /** Plain comparisons (this runs after every event of every run). */
  function check(leases: Lease[], ledger: Ledger): void {
    const problems = ledger.conservationProblems();
    for (const asset of ['USDC', 'H100']) {
      const held = leases.filter((l) => l.escrowAsset === asset).reduce((a, l) => a + escrowMinor(l), 0n);
      if (ledger.balance(SettlementAccount.Escrow, asset) !== held)
        problems.push(`escrow ${asset} is not the leases'`);
    }
    for (const l of leases)
      if (escrowMinor(l) < 0n || lockedCollateralMinor(l) < 0n) problems.push(`${l.leaseId} over-spent`);
    const locked = leases.reduce((a, l) => a + lockedCollateralMinor(l), 0n);
    if (ledger.balance(SettlementAccount.ProviderCollateral, 'USDC') !== locked)
      problems.push("collateral is not the leases'");
    expect(problems).toEqual([]);
  }

  function play(events: Step[]) {
    const { leases, ledger } = opened();
    let now = common.openedAtMs;
    for (const x of events) {
      now += x.dtMs;
      const s = applyLeaseEvent(leases[x.lease]!, toEvent(x, now));
      post(ledger, s.transfers);
      if (s.rejection !== null && s.rejection !== 'DEADLINE_PASSED') expect(s.transfers).toEqual([]);
      leases[x.lease] = s.lease;
      check(leases, ledger);
    }
    return { leases, ledger, now };
  }

  /** A plausible script per lease (with wrong-state and late events among them), merged by time. */
  const scriptArb = fc.record({
    provisionAt: fc.integer({ min: 0, max: 7 * HOUR_MS }),
    attestAfter: fc.integer({ min: 0, max: 150 * MIN }),
    score: fc.integer({ min: 2_500, max: 3_200 }),
    beatGaps: fc.array(fc.integer({ min: 1, max: 12 * MIN }), { maxLength: 25 }),
    disputeAfter: fc.option(fc.integer({ min: 0, max: 100 * HOUR_MS })),
    resolve: fc.option(fc.boolean()),
    index: fc.bigInt({ min: 1n, max: 10_000_000n }),
    ticks: fc.array(fc.integer({ min: 0, max: 12 * HOUR_MS }), { maxLength: 4 }),
  });

  function scripted(
    scripts: {
      provisionAt: number;
      attestAfter: number;
      score: number;
      beatGaps: number[];
      disputeAfter: number | null;
      resolve: boolean | null;
      index: bigint;
      ticks: number[];
    }[],
  ): Step[] {
    // prettier-ignore
    const timed: { atMs: number; step: Omit<Step, 'dtMs'> }[] = [];
    scripts.forEach((x, lease) => {
      const base = { lease, score: x.score, index: x.index, flag: x.resolve ?? false };
      let t = common.openedAtMs + x.provisionAt;
      timed.push({ atMs: t, step: { ...base, kind: 'PROVISION' } });
      t += x.attestAfter;
      timed.push({ atMs: t, step: { ...base, kind: 'ATTEST' } });
      for (const gap of x.beatGaps) timed.push({ atMs: (t += gap), step: { ...base, kind: 'HEARTBEAT' } });
      for (const dt of x.ticks) timed.push({ atMs: common.openedAtMs + dt, step: { ...base, kind: 'TICK' } });
      if (x.disputeAfter !== null) {
        // a tick shortly after the script reveals any failure, then the provider disputes
        timed.push({ atMs: (t += 20 * MIN), step: { ...base, kind: 'TICK' } });
        timed.push({ atMs: (t += x.disputeAfter), step: { ...base, kind: 'DISPUTE' } });
        if (x.resolve !== null) timed.push({ atMs: (t += HOUR_MS), step: { ...base, kind: 'RESOLVE' } });
      }
    });
    timed.sort((a, b) => a.atMs - b.atMs);
    let now = common.openedAtMs;
    return timed.map(({ atMs, step }) => {
      const dtMs = atMs - now;
      now = atMs;
      return { ...step, dtMs };
    });
  }

  it('escrow is never negative, the ledger is conserved, and every lease ends with released + refunded = paid', () => {
    const seen = new Set<string>();
    const eventsArb = fc.oneof(
      fc.array(scriptArb, { minLength: 3, maxLength: 3 }).map(scripted),
      fc.array(eventArb, { maxLength: 150 }),
    );
    fc.assert(
      fc.property(eventsArb, (events) => {
        const { leases, ledger, now } = play(events);
        // time runs out: every lease reaches a final state
        const later = [now + 400 * HOUR_MS, now + 800 * HOUR_MS];
        for (let k = 0; k < leases.length; k++) {
          for (const t of later) {
            let s = applyLeaseEvent(leases[k]!, tick(Math.max(t, leases[k]!.lastEventMs), 3_000_000n));
            if (s.lease.state === 'DISPUTED')
              s = applyLeaseEvent(s.lease, { type: 'RESOLVE_DISPUTE', atMs: s.lease.lastEventMs, upheld: true, indexMinorPerGpuHour: 3_000_000n }); // prettier-ignore
            post(ledger, s.transfers);
            leases[k] = s.lease;
          }
        }
        check(leases, ledger);
        for (const l of leases) {
          seen.add(l.state).add(`${l.state}:${l.failureReason ?? ''}`);
          expect(['COMPLETED', 'SLASHED', 'VOIDED']).toContain(l.state);
          expect(l.releasedMinor + l.refundedMinor).toBe(l.paidMinor);
          expect(l.collateralReturnedMinor + l.slashCompensationMinor + l.slashInsuranceMinor).toBe(
            l.collateralMinor,
          );
        }
        expect(ledger.balance(SettlementAccount.Escrow, 'USDC')).toBe(0n);
        expect(ledger.balance(SettlementAccount.Escrow, 'H100')).toBe(0n);
        expect(ledger.balance(SettlementAccount.ProviderCollateral, 'USDC')).toBe(0n);
      }),
      { numRuns: 200 },
    );
    // the random sequences reach every ending
    for (const end of [
      'COMPLETED:',
      'VOIDED',
      'SLASHED:NOT_PROVISIONED',
      'SLASHED:NOT_VERIFIED',
      'SLASHED:BENCHMARK_BELOW_THRESHOLD',
      'SLASHED:HEARTBEAT_MISSED',
    ])
      // prettier-ignore
      expect(seen).toContain(end);
  });

  it('replays identically', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        const a = play(events);
        const b = play(events);
        expect(b.leases).toEqual(a.leases);
        expect(b.ledger.entries()).toEqual(a.ledger.entries());
      }),
      { numRuns: 50 },
    );
  });
});
