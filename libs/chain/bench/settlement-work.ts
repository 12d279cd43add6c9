/*
 * The off-chain work of settlement, for bench:settlement: an expiry's final settlement through the
 * code the engine's risk stage runs on SettleExpiry (libs/settlement settleFutureExpiry and
 * exerciseOptions, every transfer posted to a libs/ledger Ledger), the net payout of each account
 * and their Merkle tree (PayoutTree); and the allocation of leases (allocateDelivery +
 * openDeliveryLeases, allocateRedemption + openRedemptionLeases). Inputs come from a seeded
 * generator, on a cash-settled future of the catalogue and four of its options.
 */
import { listCatalogue, QUOTE_CURRENCY } from '@exchange/domain';
import { Ledger } from '@exchange/ledger';
import {
  allocateDelivery,
  allocateRedemption,
  DEFAULT_LEASE_TERMS,
  exerciseOptions,
  futureSettlementTerms,
  netChanges,
  openDeliveryLeases,
  openRedemptionLeases,
  optionSettlementTerms,
  referenceCostMinor,
  settleFutureExpiry,
  type DeliveryParty,
  type FuturePositionAtExpiry,
  type OptionExpiryInput,
  type ProviderCapacity,
  type RedemptionRequest,
  type SettlementTransfer,
} from '@exchange/settlement';
import { PayoutTree, type Payout } from '@exchange/chain';

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const int = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

export interface ExpiryWork {
  readonly positions: number;
  readonly futureId: number;
  readonly finalPriceTicks: number;
  readonly future: {
    settlement: 'cash' | 'physical';
    tickValueMinor: bigint;
    positions: FuturePositionAtExpiry[];
  };
  readonly options: OptionExpiryInput[];
  /** account id -> its payout address */
  readonly addresses: Map<number, string>;
}

/** Signed lots (1-50 either way) for `count` distinct accounts, netting to zero: the last takes the rest. */
function netZeroLots(rand: () => number, count: number): number[] {
  const lots = Array.from({ length: count - 1 }, () => (rand() < 0.5 ? -1 : 1) * int(rand, 1, 50));
  let sum = lots.reduce((a, b) => a + b, 0);
  if (sum === 0) {
    lots[0] += Math.sign(lots[0]);
    sum += Math.sign(lots[0]);
  }
  lots.push(-sum);
  return lots;
}

/**
 * `positions` positions: 60% on the future (accounts 1..F, one each), the rest spread evenly over
 * two calls and two puts, each on a run of consecutive accounts starting in F/2..F (so many accounts
 * net several legs and some hold options only). The future's positions carry their entry cost
 * within 150 ticks of the final price.
 */
export function expiryWork(positions: number, seed: number): ExpiryWork {
  const rand = seeded(seed);
  const catalogue = listCatalogue(Date.UTC(2026, 10, 1));
  const future = catalogue.find((d) => d.kind === 'future' && d.future?.settlement === 'cash')!;
  const f = futureSettlementTerms(future);
  // final price 0.853: the 0.80 call and the 0.90 put finish in the money, the 0.90 call and the
  // 0.80 put out of it
  const finalPriceTicks = 853;
  const optionTerms = (right: 'call' | 'put', strike: string) => {
    const o = catalogue.find(
      (d) =>
        d.option?.underlyingSymbol === future.symbol &&
        d.option.right === right &&
        d.option.strike === strike,
    );
    if (o === undefined) throw new Error(`no ${right} ${strike} on ${future.symbol} in the catalogue`);
    return optionSettlementTerms(o, future);
  };
  const chosen = [
    optionTerms('call', '0.80'),
    optionTerms('call', '0.90'),
    optionTerms('put', '0.90'),
    optionTerms('put', '0.80'),
  ];
  const futureCount = Math.round(positions * 0.6);
  const perOption = Math.floor((positions - futureCount) / chosen.length);
  const futureLots = netZeroLots(rand, futureCount);
  const futurePositions: FuturePositionAtExpiry[] = futureLots.map((qtyLots, i) => ({
    accountId: i + 1,
    qtyLots,
    costMinor: referenceCostMinor(qtyLots, finalPriceTicks + int(rand, -150, 150), f.tickValueMinor),
    fifoSeq: i + 1,
  }));
  const options: OptionExpiryInput[] = chosen.map((t, k) => {
    const lots = netZeroLots(
      rand,
      k === chosen.length - 1 ? positions - futureCount - perOption * k : perOption,
    );
    const start = int(rand, futureCount / 2, futureCount);
    return {
      instrumentId: 2 + k,
      right: t.right,
      strikeTicks: t.strikeTicks,
      tickValueMinor: t.tickValueMinor,
      positions: lots.map((qtyLots, i) => ({ accountId: start + i + 1, qtyLots })),
    };
  });
  const addresses = new Map<number, string>();
  for (let id = 1; id <= futureCount * 1.5 + 1; id++) {
    let hex = '';
    for (let k = 0; k < 5; k++)
      hex += Math.floor(rand() * 2 ** 32)
        .toString(16)
        .padStart(8, '0');
    addresses.set(id, `0x${hex}`);
  }
  return {
    positions,
    futureId: 1,
    finalPriceTicks,
    future: { settlement: 'cash', tickValueMinor: f.tickValueMinor, positions: futurePositions },
    options,
    addresses,
  };
}

export interface ExpiryOutcome {
  readonly transfers: number;
  readonly payouts: number;
  readonly tree: PayoutTree;
  readonly ledger: Ledger;
}

/**
 * The timed expiry: final settlement of the future and each option (as the risk stage's planExpiry
 * calls them), every transfer posted to the ledger (as its post does), each account's net cash
 * change, and the tree of the positive ones (accounts ascending).
 */
export function settleExpiryWork(w: ExpiryWork): ExpiryOutcome {
  const settled = new Set<string>();
  const fr = settleFutureExpiry({ instrumentId: w.futureId, ...w.future }, w.finalPriceTicks, settled);
  if (fr.status !== 'SETTLED') throw new Error(`future expiry refused: ${fr.code}`);
  const all: SettlementTransfer[][] = [fr.transfers as SettlementTransfer[]];
  for (const o of w.options) {
    const r = exerciseOptions(o, w.finalPriceTicks, settled);
    if (r.status !== 'SETTLED') throw new Error(`option expiry refused: ${r.code}`);
    all.push(r.transfers as SettlementTransfer[]);
  }
  const ledger = new Ledger();
  let transfers = 0;
  for (const list of all)
    for (const t of list) {
      ledger.transfer(t.debitAccountId, t.creditAccountId, t.asset, t.amountMinor);
      transfers++;
    }
  const net = netChanges(all.flat(), QUOTE_CURRENCY);
  const accounts = [...net.keys()].filter((id) => id > 0 && net.get(id)! > 0n).sort((a, b) => a - b);
  const payouts: Payout[] = accounts.map((id) => ({
    account: w.addresses.get(id)!,
    amountMinor: net.get(id)!,
  }));
  return { transfers, payouts: payouts.length, tree: PayoutTree.build(payouts), ledger };
}

export interface AllocationWork {
  readonly longs: DeliveryParty[];
  readonly shorts: DeliveryParty[];
  readonly requests: RedemptionRequest[];
  readonly providers: ProviderCapacity[];
}

/**
 * Physical delivery: 2,000 longs (1-8 lots, a few of 40-200) against 60 providers' shorts of
 * uneven size; token redemption: 4,000 requests (1-4 GPUs) against 80 providers' capacity. Both
 * come to about 10,000 leases (the bench prints the counts).
 */
export function allocationWork(seed: number): AllocationWork {
  const rand = seeded(seed);
  const longs: DeliveryParty[] = Array.from({ length: 2_000 }, (_, i) => ({
    accountId: 1_000 + i,
    lots: rand() < 0.02 ? int(rand, 40, 200) : int(rand, 1, 8),
    fifoSeq: int(rand, 1, 50_000),
  }));
  const oi = longs.reduce((a, p) => a + p.lots, 0);
  const weights = Array.from({ length: 60 }, () => int(rand, 1, 20));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const shortLots = weights.map((w) => Math.max(1, Math.floor((oi * w) / wsum)));
  shortLots[0] += oi - shortLots.reduce((a, b) => a + b, 0);
  const shorts = shortLots.map((lots, j) => ({ accountId: 100 + j, lots, fifoSeq: int(rand, 1, 50_000) }));
  const requests: RedemptionRequest[] = Array.from({ length: 4_000 }, (_, i) => ({
    requestId: `r${i}`,
    lesseeAccountId: 10_000 + i,
    gpuCount: int(rand, 1, 4),
    fifoSeq: int(rand, 1, 50_000),
  }));
  const providers: ProviderCapacity[] = Array.from({ length: 80 }, (_, j) => ({
    accountId: 200 + j,
    capacityGpus: int(rand, 100, 1_000),
    fifoSeq: int(rand, 1, 50_000),
  }));
  return { longs, shorts, requests, providers };
}

const COMMON = {
  computeClass: 'H100',
  benchmarkSuite: 'mlperf-training-4.0',
  referenceScore: 1_000,
  deliveryStartMs: Date.UTC(2026, 11, 1),
  deliveryEndMs: Date.UTC(2026, 11, 1) + 720 * 3_600_000,
  openedAtMs: Date.UTC(2026, 10, 30),
  terms: DEFAULT_LEASE_TERMS,
};

/** Physical delivery: the matches, then the leases (escrow and collateral transfers). Returns the lease count. */
export function deliverWork(w: AllocationWork): number {
  const alloc = allocateDelivery(w.longs, w.shorts);
  if (alloc.status !== 'ALLOCATED') throw new Error(`delivery refused: ${alloc.code}`);
  const opened = openDeliveryLeases({
    ...COMMON,
    leaseIdPrefix: 'H100-2611',
    instrumentId: 1,
    gpusPerLot: 1,
    priceMinorPerGpuHour: 2_500_000n,
    matches: alloc.matches,
  });
  if (opened.status !== 'OPENED') throw new Error(`leases refused: ${opened.code}`);
  return opened.leases.length;
}

/** Token redemption: the matches, then the leases. Returns the lease count. */
export function redeemWork(w: AllocationWork): number {
  const alloc = allocateRedemption(w.requests, w.providers);
  if (alloc.status !== 'ALLOCATED') throw new Error(`redemption refused: ${alloc.code}`);
  const opened = openRedemptionLeases({
    ...COMMON,
    leaseIdPrefix: 'R-H100',
    tokenAsset: 'H100',
    indexMinorPerGpuHour: 2_500_000n,
    matches: alloc.matches,
  });
  if (opened.status !== 'OPENED') throw new Error(`leases refused: ${opened.code}`);
  return opened.leases.length;
}

const collect = (globalThis as { gc?: () => void }).gc;

/**
 * Median wall time of `runs` calls (ms), the median CPU time of this process over each call (ms,
 * every thread: the collector's helpers too; less sensitive than wall time to other processes on a
 * shared machine) and the last result. With --expose-gc (npm run bench:settlement) the heap is
 * collected before each call, so a call does not pay for the garbage of the one before (its own
 * garbage it pays for).
 */
export function timed<T>(runs: number, fn: () => T): { ms: number; cpuMs: number; result: T } {
  const times: number[] = [];
  const cpu: number[] = [];
  let result: T | undefined;
  for (let r = 0; r < runs; r++) {
    result = undefined;
    collect?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ms: median(times), cpuMs: median(cpu), result: result! };
}
