import { listCatalogue, SystemAccount } from '@exchange/domain';
import { Ledger } from '@exchange/ledger';
import { allocateDelivery } from './allocation';
import { SettlementAccount } from './codes';
import { settleExpiry } from './expiry';
import { futureSettlementTerms } from './instrument-terms';
import { DEFAULT_LEASE_TERMS, openDeliveryLeases, type Lease } from './lease';
import { applyLeaseEvent, hashCredential, type LeaseEvent } from './lease-lifecycle';
import { markToMarket, referenceCostMinor } from './mark-to-market';
import type { SettlementTransfer } from './transfer';

const post = (ledger: Ledger, ts: readonly SettlementTransfer[]) => {
  for (const t of ts) ledger.transfer(t.debitAccountId, t.creditAccountId, t.asset, t.amountMinor);
};

describe('a physically settled H100 future from the first mark to the last lease', () => {
  it('marks daily, expires at the TWAP, delivers leases and keeps the ledger conserved throughout', () => {
    const future = listCatalogue(Date.UTC(2026, 10, 1)).find((d) => d.symbol === 'H100-2611')!;
    const f = futureSettlementTerms(future);
    const ledger = new Ledger();
    for (const id of [1, 2, 3, 4]) ledger.transfer(SystemAccount.External, id, 'USDC', 100_000_000_000n);
    // two startups long (3 and 1 lots, bought at 2.500), two providers short (2 and 2, sold at 2.500)
    let positions = [
      { accountId: 1, qtyLots: 3, fifoSeq: 10 },
      { accountId: 2, qtyLots: 1, fifoSeq: 11 },
      { accountId: 3, qtyLots: -2, fifoSeq: 10 },
      { accountId: 4, qtyLots: -2, fifoSeq: 11 },
    ].map((p) => ({ ...p, costMinor: referenceCostMinor(p.qtyLots, 2500, f.tickValueMinor) }));
    const settled = new Set<string>();
    for (const [date, price] of [
      ['2026-11-25', 2550],
      ['2026-11-26', 2580],
    ] as const) {
      const r = markToMarket({ instrumentId: 1, businessDate: date, settlementPriceTicks: price, tickValueMinor: f.tickValueMinor, positions }, settled); // prettier-ignore
      if (r.status !== 'APPLIED') throw new Error(r.code);
      post(ledger, r.transfers);
      settled.add(r.key);
      positions = positions.map((p) => ({ ...p, costMinor: r.positions.find((x) => x.accountId === p.accountId)!.costMinor })); // prettier-ignore
      expect(ledger.balance(SystemAccount.Clearing, 'USDC')).toBe(0n);
    }
    // the index over the window: 2.600 then 2.620, half each: TWAP 2.610
    const start = f.expiryMs - f.settlementWindowMs;
    const samples = Array.from({ length: 31 }, (_, i) => ({ tsMs: start + i * 60_000, priceTicks: i < 15 ? 2600 : 2620 })); // prettier-ignore
    const expiry = settleExpiry(
      { finalPrice: { expiryMs: f.expiryMs, settlementWindowMs: f.settlementWindowMs, nowMs: f.expiryMs, samples, minSamples: 12, maxGapMs: 300_000 },
        future: { instrumentId: 1, settlement: f.settlement, tickValueMinor: f.tickValueMinor, positions }, options: [] },
      settled,
    ); // prettier-ignore
    if (expiry.status !== 'SETTLED') throw new Error(expiry.status);
    expect(expiry.finalPriceTicks).toBe(2610);
    post(ledger, expiry.transfers);
    // all P&L is realised: long 1 made 3 lots x 0.110 x 720 = 237.60 USDC
    expect(ledger.balance(1, 'USDC')).toBe(100_000_000_000n + 237_600_000n);
    expect(ledger.balance(SystemAccount.Clearing, 'USDC')).toBe(0n);
    const alloc = allocateDelivery(expiry.future.delivery!.longs, expiry.future.delivery!.shorts);
    if (alloc.status !== 'ALLOCATED') throw new Error(alloc.code);
    expect(alloc.matches).toEqual([
      { lesseeAccountId: 1, providerAccountId: 3, lots: 2 },
      { lesseeAccountId: 1, providerAccountId: 4, lots: 1 },
      { lesseeAccountId: 2, providerAccountId: 4, lots: 1 },
    ]);
    const opened = openDeliveryLeases({
      leaseIdPrefix: 'F1', instrumentId: 1, computeClass: f.computeClass, benchmarkSuite: f.benchmarkSuite, referenceScore: f.referenceScore,
      deliveryStartMs: f.deliveryStartMs, deliveryEndMs: f.deliveryEndMs, openedAtMs: f.expiryMs, terms: DEFAULT_LEASE_TERMS,
      gpusPerLot: f.gpusPerLot, priceMinorPerGpuHour: BigInt(expiry.finalPriceTicks) * f.tickMinorPerGpuHour, matches: alloc.matches,
    }); // prettier-ignore
    if (opened.status !== 'OPENED') throw new Error(opened.code);
    post(ledger, opened.transfers);
    // lease 1 (2 GPUs for 720 hours at 2.61): 3,758.40 USDC in escrow
    expect(opened.leases[0]!.paidMinor).toBe(2n * 720n * 2_610_000n);
    const leases: Lease[] = [...opened.leases];
    const apply = (k: number, e: LeaseEvent) => {
      const s = applyLeaseEvent(leases[k]!, e);
      expect(s.rejection).toBeNull();
      post(ledger, s.transfers);
      leases[k] = s.lease;
    };
    const t0 = f.deliveryStartMs;
    // leases 1 and 3 are delivered in full, lease 2's provider never provisions
    for (const k of [0, 2]) {
      apply(k, { type: 'PROVISION', atMs: t0, endpoint: `ssh://node-${k}.example`, credentialHash: hashCredential(leases[k]!.leaseId, 'key') }); // prettier-ignore
      apply(k, { type: 'ATTEST', atMs: t0 + 60_000, suite: f.benchmarkSuite, scorePerGpu: 2950 });
    }
    for (let t = t0 + 120_000; t <= f.deliveryEndMs; t += 600_000) {
      apply(0, { type: 'HEARTBEAT', atMs: t });
      apply(2, { type: 'HEARTBEAT', atMs: t });
    }
    // the last heartbeat came 8 minutes before the end, within the SLA: the end completes them
    for (const k of [0, 1, 2])
      apply(k, { type: 'TICK', atMs: f.deliveryEndMs, indexMinorPerGpuHour: 2_700_000n });
    apply(1, { type: 'TICK', atMs: f.deliveryEndMs + 73 * 3_600_000, indexMinorPerGpuHour: 2_700_000n });
    expect(leases.map((l) => l.state)).toEqual(['COMPLETED', 'SLASHED', 'COMPLETED']);
    // service counted from the attestation, a minute in: 719 whole hours paid, the rest refunded
    expect(leases[0]!.releasedHours).toBe(719);
    expect(ledger.balance(SettlementAccount.Escrow, 'USDC')).toBe(0n);
    expect(ledger.balance(SettlementAccount.ProviderCollateral, 'USDC')).toBe(0n);
    expect(ledger.balance(SystemAccount.InsuranceFund, 'USDC')).toBe(leases[1]!.slashInsuranceMinor);
    expect(ledger.conservationProblems()).toEqual([]);
    expect(ledger.netDeposits('USDC')).toBe(400_000_000_000n);
  });
});
