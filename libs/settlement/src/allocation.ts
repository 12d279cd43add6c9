import type { SettlementRejectCode } from './codes';
import type { DeliveryParty } from './expiry';
import { apportion, proRataTransportEach } from './pro-rata';
import { isPositiveSafeInt, isSafeInt, isUserAccount } from './validate';

/**
 * Who delivers to whom.
 *
 * Physical delivery: every open long of a physically settled future is matched to the shorts (the
 * providers who sold it). Longs and shorts are ranked FIFO: by `fifoSeq` (the seq at which the
 * position was opened, older first), ties by account id. Each long receives from every short in
 * proportion to the short's share of open interest (pro rata by position), by proRataTransport's
 * rounding rule: floors of the exact quotas first, then the remaining lots one per pair, longs in
 * FIFO order, each to the shorts with the most left to deliver, ties FIFO. So every long receives
 * exactly its lots, every short delivers exactly its lots, and each pair gets the floor of its exact
 * pro-rata quota or one lot more. Matches come out longs in FIFO order, then shorts in FIFO order.
 *
 * Token redemption: a request for GPUs (from burning GPU-hour tokens) is shared among providers in
 * proportion to their committed capacity: first the total is apportioned over providers (largest
 * remainder, ties FIFO, never above a provider's capacity), then split across the requests in the
 * same pro-rata way as delivery.
 */
export interface DeliveryMatch {
  readonly lesseeAccountId: number;
  readonly providerAccountId: number;
  readonly lots: number;
}

export type DeliveryAllocation =
  | { readonly status: 'ALLOCATED'; readonly openInterestLots: number; readonly matches: DeliveryMatch[] }
  | { readonly status: 'REJECTED'; readonly code: SettlementRejectCode };

interface Ranked {
  readonly accountId: number;
  readonly units: number;
  readonly fifoSeq: number;
}

/** FIFO order: fifoSeq ascending, then account id ascending. */
export function fifoOrder<T extends { readonly accountId: number; readonly fifoSeq: number }>(parties: readonly T[]): T[] {
  return [...parties].sort((a, b) => a.fifoSeq - b.fifoSeq || a.accountId - b.accountId);
} // prettier-ignore

function partiesProblem(parties: readonly Ranked[], seen: Set<number>): SettlementRejectCode | null {
  for (const p of parties) {
    if (!isUserAccount(p.accountId) || !isSafeInt(p.fifoSeq)) return 'INVALID_POSITION';
    if (!isPositiveSafeInt(p.units)) return 'INVALID_QUANTITY';
    if (seen.has(p.accountId)) return 'DUPLICATE_ACCOUNT';
    seen.add(p.accountId);
  }
  return null;
}

export function allocateDelivery(
  longs: readonly DeliveryParty[],
  shorts: readonly DeliveryParty[],
): DeliveryAllocation {
  const seen = new Set<number>();
  const l = longs.map((p) => ({ accountId: p.accountId, units: p.lots, fifoSeq: p.fifoSeq }));
  const s = shorts.map((p) => ({ accountId: p.accountId, units: p.lots, fifoSeq: p.fifoSeq }));
  const problem = partiesProblem(l, seen) ?? partiesProblem(s, seen);
  if (problem !== null) return { status: 'REJECTED', code: problem };
  const longLots = l.reduce((a, p) => a + p.units, 0);
  const shortLots = s.reduce((a, p) => a + p.units, 0);
  if (longLots !== shortLots || !Number.isSafeInteger(longLots))
    return { status: 'REJECTED', code: 'OPEN_INTEREST_MISMATCH' };
  const rl = fifoOrder(l);
  const rs = fifoOrder(s);
  const matches: DeliveryMatch[] = [];
  proRataTransportEach(
    rl.map((p) => p.units),
    rs.map((p) => p.units),
    (row, col, lots) =>
      void matches.push({ lesseeAccountId: rl[row]!.accountId, providerAccountId: rs[col]!.accountId, lots }),
  );
  return { status: 'ALLOCATED', openInterestLots: longLots, matches };
}

export interface RedemptionRequest {
  /** Unique per request (e.g. the seq of the redeeming command). */
  readonly requestId: string;
  readonly lesseeAccountId: number;
  readonly gpuCount: number;
  /** FIFO rank (the seq of the redeeming command). */
  readonly fifoSeq: number;
}

export interface ProviderCapacity {
  readonly accountId: number;
  /** GPUs committed and not yet allocated for the window. */
  readonly capacityGpus: number;
  /** FIFO rank (the seq at which the capacity was committed). */
  readonly fifoSeq: number;
}

export interface RedemptionMatch {
  readonly requestId: string;
  readonly lesseeAccountId: number;
  readonly providerAccountId: number;
  readonly gpuCount: number;
}

export type RedemptionAllocation =
  | {
      readonly status: 'ALLOCATED';
      readonly matches: RedemptionMatch[];
      /** Every provider's capacity after the allocation, in FIFO order. */
      readonly remaining: ProviderCapacity[];
    }
  | { readonly status: 'REJECTED'; readonly code: SettlementRejectCode };

function redemptionProblem(
  requests: readonly RedemptionRequest[],
  providers: readonly ProviderCapacity[],
): SettlementRejectCode | null {
  const ids = new Set<string>();
  const lessees = new Set<number>();
  for (const r of requests) {
    if (typeof r.requestId !== 'string' || r.requestId === '' || !isUserAccount(r.lesseeAccountId))
      return 'INVALID_POSITION';
    if (!isSafeInt(r.fifoSeq)) return 'INVALID_POSITION';
    if (!isPositiveSafeInt(r.gpuCount)) return 'INVALID_QUANTITY';
    if (ids.has(r.requestId)) return 'DUPLICATE_ACCOUNT';
    ids.add(r.requestId);
    lessees.add(r.lesseeAccountId);
  }
  const seen = new Set<number>();
  for (const p of providers) {
    if (!isUserAccount(p.accountId) || !isSafeInt(p.fifoSeq)) return 'INVALID_POSITION';
    if (!isSafeInt(p.capacityGpus) || p.capacityGpus < 0) return 'INVALID_QUANTITY';
    // a provider never leases to itself
    if (seen.has(p.accountId) || (p.capacityGpus > 0 && lessees.has(p.accountId))) return 'DUPLICATE_ACCOUNT';
    seen.add(p.accountId);
  }
  return null;
}

export function allocateRedemption(
  requests: readonly RedemptionRequest[],
  providers: readonly ProviderCapacity[],
): RedemptionAllocation {
  const problem = redemptionProblem(requests, providers);
  if (problem !== null) return { status: 'REJECTED', code: problem };
  const demand = requests.reduce((a, r) => a + r.gpuCount, 0);
  const ranked = fifoOrder(providers);
  const capacity = ranked.reduce((a, p) => a + p.capacityGpus, 0);
  if (!Number.isSafeInteger(demand) || demand > capacity) return { status: 'REJECTED', code: 'INSUFFICIENT_CAPACITY' };
  const rr = [...requests].sort((a, b) => a.fifoSeq - b.fifoSeq || (a.requestId < b.requestId ? -1 : 1));
  const targets = demand === 0 ? ranked.map(() => 0) : apportion(demand, ranked.map((p) => p.capacityGpus));
  const matches: RedemptionMatch[] = [];
  proRataTransportEach(rr.map((r) => r.gpuCount), targets, (row, col, gpuCount) =>
    void matches.push({ requestId: rr[row]!.requestId, lesseeAccountId: rr[row]!.lesseeAccountId, providerAccountId: ranked[col]!.accountId, gpuCount }),
  );
  const remaining = ranked.map((p, j) => ({ ...p, capacityGpus: p.capacityGpus - targets[j]! }));
  return { status: 'ALLOCATED', matches, remaining };
} // prettier-ignore
