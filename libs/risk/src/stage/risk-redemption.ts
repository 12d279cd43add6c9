import {
  computeClass,
  Dec,
  isUserAccountId,
  QUOTE_CURRENCY,
  type ByteReader,
  type ByteWriter,
  type CommitCapacity,
  type RedeemTokens,
  type RejectCode,
} from '@exchange/domain';
import {
  allocateRedemption,
  collateralOnNotionalMinor,
  DEFAULT_LEASE_TERMS,
  HOUR_MS,
  openRedemptionLeases,
  SettlementAccount,
  type Lease,
  type SettlementTransfer,
} from '@exchange/settlement';
import { InstrumentKind, type RiskInstrument } from './risk-instrument';
import type { RiskStage } from './risk-stage';

/** What the exchange takes in token redemptions (RiskConfig.redemption). */
export interface RedemptionTerms {
  /** The longest redemption, in hours; committed capacity is collateralised for this long. */
  readonly maxHours: number;
  /** An index older than this (ms, by command time) values neither capacity nor a redemption. */
  readonly maxIndexAgeMs: number;
}

/** Up to three days of compute per redemption; an index at most five minutes old. */
export const DEFAULT_REDEMPTION_TERMS: RedemptionTerms = { maxHours: 72, maxIndexAgeMs: 5 * 60_000 };

/** The most GPUs one commitment or one redemption names. */
export const MAX_REDEMPTION_GPUS = 100_000;

/** A provider's GPUs of one compute class committed to token redemptions. */
export interface CapacityCommitment {
  readonly accountId: number;
  readonly computeClass: string;
  /** GPUs committed and not yet allocated. */
  gpuCount: number;
  /** Provider collateral held for them in SettlementAccount.ProviderCollateral, USDC minor units. */
  collateralMinor: bigint;
  /** FIFO rank: the seq of the command that opened the commitment. */
  readonly fifoSeq: number;
}

/** The latest index of a compute class: USDC minor units per GPU-hour, and the command time it came at. */
export interface ClassIndex {
  readonly minorPerGpuHour: bigint;
  readonly atMs: number;
}

/** What RiskRedemption needs from the settlement state: the leases it opens join the others. */
export interface LeaseBook {
  openLeases(seq: number, leases: readonly Lease[]): void;
  post(seq: number, transfers: readonly SettlementTransfer[]): void;
}

const capKey = (cls: string, accountId: number): string => `${cls}:${accountId}`;

/**
 * Token redemption, sequenced with everything else:
 * - Providers commit GPUs of a class (CommitCapacity). The commitment locks provider collateral:
 *   DEFAULT_LEASE_TERMS.collateralBps (25%) of the committed GPUs' value at the class index over the
 *   longest redemption (`maxHours`), moved from the provider to SettlementAccount.ProviderCollateral
 *   (COLLATERAL_LOCK) and back on reduction (COLLATERAL_RELEASE). A larger commitment needs the
 *   difference in free USDC (after margin) plus idle stake, else INSUFFICIENT_PROVIDER_COLLATERAL.
 * - An account redeems tokens (RedeemTokens): `gpuCount` GPUs for `hours` hours from the command's
 *   time. The request is allocated over the class's commitments by @exchange/settlement
 *   allocateRedemption (pro rata by committed GPUs, largest remainder, ties FIFO; never to the
 *   redeemer itself), each match a lease `<class>-RDM-<seq>-<n>` opened by openRedemptionLeases: the
 *   lessee's gpuCount x hours tokens go into escrow (burnt hour by hour as service is verified),
 *   and the provider's lease collateral is locked at the index. Each matched provider's capacity
 *   shrinks by its GPUs and the commitment's collateral for them is released first, so a provider
 *   never holds collateral twice for the same GPUs.
 * - The class index is the oracle's, as the mark feed sends it to the class's futures
 *   (SetReferencePrice, source index): priceTicks x tick per GPU-hour, stamped with the command time.
 * All or nothing: a refused command changes nothing.
 */
export class RiskRedemption {
  readonly commitments = new Map<string, CapacityCommitment>();
  readonly classIndex = new Map<string, ClassIndex>();
  /** Per provider, the collateral its commitments keep locked (their collateralMinor summed). */
  private readonly committed = new Map<number, bigint>();
  /** Futures' tick value per GPU-hour (minor units), cached by instrument id. */
  private readonly tickPerGpuHour = new Map<number, bigint>();

  constructor(
    private readonly stage: RiskStage,
    private readonly leases: LeaseBook,
  ) {}

  private get terms(): RedemptionTerms {
    return this.stage.config.redemption ?? DEFAULT_REDEMPTION_TERMS;
  }

  private get collateralBps(): number {
    return (this.stage.config.leaseTerms ?? DEFAULT_LEASE_TERMS).collateralBps;
  }

  /** A future's index price: the class index from now on. */
  noteIndex(ins: RiskInstrument, priceTicks: number): void {
    if (ins.kind !== InstrumentKind.Future || !Number.isSafeInteger(priceTicks) || priceTicks <= 0) return;
    let tick = this.tickPerGpuHour.get(ins.instrumentId);
    if (tick === undefined) {
      const t = new Dec(ins.definition.contract.tickSize).mul(1_000_000);
      tick = t.isInteger() && t.gt(0) ? BigInt(t.toFixed(0)) : 0n;
      this.tickPerGpuHour.set(ins.instrumentId, tick);
    }
    if (tick === 0n) return;
    this.classIndex.set(ins.definition.computeClass, { minorPerGpuHour: BigInt(priceTicks) * tick, atMs: this.stage.nowMs });
  } // prettier-ignore

  /** The class index if it is fresh enough at the current command time, else null. */
  indexOf(cls: string): bigint | null {
    const i = this.classIndex.get(cls);
    if (i === undefined || this.stage.nowMs - i.atMs > this.terms.maxIndexAgeMs) return null;
    return i.minorPerGpuHour;
  }

  commit(c: CommitCapacity): RejectCode | null {
    if (!isUserAccountId(c.accountId)) return 'INVALID_ACCOUNT';
    const cls = typeof c.computeClass === 'string' ? computeClass(c.computeClass) : undefined;
    if (cls === undefined) return 'UNKNOWN_ASSET';
    if (!Number.isSafeInteger(c.gpuCount) || c.gpuCount < 0 || c.gpuCount > MAX_REDEMPTION_GPUS) return 'INVALID_QUANTITY';
    const key = capKey(cls.id, c.accountId);
    const prev = this.commitments.get(key);
    const held = prev?.collateralMinor ?? 0n;
    let collateral = 0n;
    if (c.gpuCount > 0) {
      const index = this.indexOf(cls.id);
      if (index === null) return 'NO_INDEX_PRICE';
      const a = this.stage.account(c.accountId);
      if (a === undefined) return 'INSUFFICIENT_PROVIDER_COLLATERAL';
      if (a.inLiquidation) return 'ACCOUNT_IN_LIQUIDATION';
      collateral = collateralOnNotionalMinor(BigInt(c.gpuCount * this.terms.maxHours) * index, this.collateralBps);
      if (collateral > held && this.stage.state.collateralFunds(a) < Number(collateral - held))
        return 'INSUFFICIENT_PROVIDER_COLLATERAL';
    }
    if (prev === undefined && c.gpuCount === 0) return 'AMEND_NO_CHANGE';
    this.moveCommitted(c.seq, c.accountId, collateral - held);
    if (c.gpuCount === 0) this.commitments.delete(key);
    else this.commitments.set(key, { accountId: c.accountId, computeClass: cls.id, gpuCount: c.gpuCount, collateralMinor: collateral, fifoSeq: prev?.fifoSeq ?? c.seq }); // prettier-ignore
    return null;
  } // prettier-ignore

  redeem(c: RedeemTokens): RejectCode | null {
    if (!isUserAccountId(c.accountId)) return 'INVALID_ACCOUNT';
    const cls = typeof c.computeClass === 'string' ? computeClass(c.computeClass) : undefined;
    if (cls === undefined) return 'UNKNOWN_ASSET';
    if (!Number.isSafeInteger(c.gpuCount) || c.gpuCount <= 0 || c.gpuCount > MAX_REDEMPTION_GPUS)
      return 'INVALID_QUANTITY';
    if (!Number.isSafeInteger(c.hours) || c.hours <= 0 || c.hours > this.terms.maxHours)
      return 'INVALID_DURATION';
    const a = this.stage.account(c.accountId);
    const tokens = c.gpuCount * c.hours;
    const free =
      a === undefined ? 0 : Number(this.stage.ledger.balance(a.accountId, cls.id)) - a.lockedToken(cls.id);
    if (tokens > free) return 'INSUFFICIENT_BALANCE';
    const index = this.indexOf(cls.id);
    if (index === null) return 'NO_INDEX_PRICE';
    const offered = [...this.commitments.values()].filter((p) => p.computeClass === cls.id && p.accountId !== c.accountId); // prettier-ignore
    const prefix = `${cls.id}-RDM-${c.seq}`;
    const alloc = allocateRedemption(
      [{ requestId: prefix, lesseeAccountId: c.accountId, gpuCount: c.gpuCount, fifoSeq: c.seq }],
      offered.map((p) => ({ accountId: p.accountId, capacityGpus: p.gpuCount, fifoSeq: p.fifoSeq })),
    );
    if (alloc.status === 'REJECTED') return alloc.code === 'INSUFFICIENT_CAPACITY' ? 'INSUFFICIENT_CAPACITY' : 'SETTLEMENT_REFUSED'; // prettier-ignore
    const now = this.stage.nowMs;
    const opened = openRedemptionLeases({
      leaseIdPrefix: prefix, computeClass: cls.id, benchmarkSuite: cls.benchmarkSuite, referenceScore: cls.referenceScore,
      deliveryStartMs: now, deliveryEndMs: now + c.hours * HOUR_MS, openedAtMs: now,
      terms: this.stage.config.leaseTerms ?? DEFAULT_LEASE_TERMS, tokenAsset: cls.id, indexMinorPerGpuHour: index,
      matches: alloc.matches,
    }); // prettier-ignore
    if (opened.status === 'REJECTED') return 'SETTLEMENT_REFUSED';
    // per provider: the commitment's collateral for the allocated GPUs comes back, the leases' is locked
    const plan = new Map<number, { p: CapacityCommitment; gpus: number; release: bigint; lock: bigint }>();
    for (const m of alloc.matches) {
      const p = this.commitments.get(capKey(cls.id, m.providerAccountId))!;
      const e = plan.get(p.accountId) ?? { p, gpus: 0, release: 0n, lock: 0n };
      e.gpus += m.gpuCount;
      plan.set(p.accountId, e);
    }
    for (const l of opened.leases) plan.get(l.providerAccountId)!.lock += l.collateralMinor;
    for (const e of plan.values()) {
      e.release = e.gpus === e.p.gpuCount ? e.p.collateralMinor : (e.p.collateralMinor * BigInt(e.gpus)) / BigInt(e.p.gpuCount); // prettier-ignore
      const extra = e.lock - e.release;
      if (extra > 0n && this.stage.state.collateralFunds(this.stage.account(e.p.accountId)!) < Number(extra))
        return 'INSUFFICIENT_PROVIDER_COLLATERAL';
    }
    for (const e of [...plan.values()].sort((x, y) => x.p.fifoSeq - y.p.fifoSeq)) {
      this.moveCommitted(c.seq, e.p.accountId, -e.release);
      e.p.gpuCount -= e.gpus;
      e.p.collateralMinor -= e.release;
      if (e.p.gpuCount === 0) this.commitments.delete(capKey(cls.id, e.p.accountId));
    }
    this.leases.post(c.seq, opened.transfers);
    this.leases.openLeases(c.seq, opened.leases);
    return null;
  }

  /** The collateral a provider's commitments keep locked. */
  committedCollateralMinor(accountId: number): bigint {
    return this.committed.get(accountId) ?? 0n;
  }

  /**
   * Commitment collateral moves: positive, provider to ProviderCollateral (lock); negative, back
   * (release). The provider's committed total moves with it.
   */
  private moveCommitted(seq: number, accountId: number, amountMinor: bigint): void {
    if (amountMinor === 0n) return;
    this.addCommitted(accountId, amountMinor);
    const lock = amountMinor > 0n;
    this.leases.post(seq, [{
      instrumentId: 0, leaseId: '',
      debitAccountId: lock ? accountId : SettlementAccount.ProviderCollateral,
      creditAccountId: lock ? SettlementAccount.ProviderCollateral : accountId,
      asset: QUOTE_CURRENCY, amountMinor: lock ? amountMinor : -amountMinor,
      reason: lock ? 'COLLATERAL_LOCK' : 'COLLATERAL_RELEASE',
    }]); // prettier-ignore
  }

  private addCommitted(accountId: number, amountMinor: bigint): void {
    const total = this.committedCollateralMinor(accountId) + amountMinor;
    if (total === 0n) this.committed.delete(accountId);
    else this.committed.set(accountId, total);
  }

  /** The capacity committed to a class, per provider, FIFO order. */
  capacityOf(cls: string): CapacityCommitment[] {
    return [...this.commitments.values()]
      .filter((p) => p.computeClass === cls)
      .sort((x, y) => x.fifoSeq - y.fifoSeq || x.accountId - y.accountId);
  }

  /** Snapshot section: commitments by key, then class indexes by class, each in ascending order. */
  write(w: ByteWriter): void {
    const keys = [...this.commitments.keys()].sort();
    w.f64(keys.length);
    for (const k of keys) {
      const p = this.commitments.get(k)!;
      w.f64(p.accountId);
      w.str(p.computeClass);
      w.f64(p.gpuCount);
      w.bigint(p.collateralMinor);
      w.f64(p.fifoSeq);
    }
    const classes = [...this.classIndex.keys()].sort();
    w.f64(classes.length);
    for (const cls of classes) {
      const i = this.classIndex.get(cls)!;
      w.str(cls);
      w.bigint(i.minorPerGpuHour);
      w.f64(i.atMs);
    }
  }

  read(r: ByteReader): void {
    for (let i = r.f64(); i > 0; i--) {
      const p: CapacityCommitment = { accountId: r.f64(), computeClass: r.str(), gpuCount: r.f64(), collateralMinor: r.bigint(), fifoSeq: r.f64() }; // prettier-ignore
      this.commitments.set(capKey(p.computeClass, p.accountId), p);
      this.addCommitted(p.accountId, p.collateralMinor);
    }
    for (let i = r.f64(); i > 0; i--)
      this.classIndex.set(r.str(), { minorPerGpuHour: r.bigint(), atMs: r.f64() });
  }
}
