import {
  CancelReason,
  CommandType,
  InstrumentStatus,
  LeaseFailureName,
  LeaseStateName,
  SettlementKind,
  TransferReason,
  type AttestLease,
  type ByteReader,
  type CommitCapacity,
  type ByteWriter,
  type DailySettle,
  type DisputeLease,
  type ExpireInstrument,
  type LeaseHeartbeat,
  type LeaseTick,
  type ProvisionLease,
  type RedeemTokens,
  type RejectCode,
  type ResolveLeaseDispute,
  type SettleExpiry,
} from '@exchange/domain';
import {
  allocateDelivery,
  applyLeaseEvent,
  DEFAULT_LEASE_TERMS,
  DEFAULT_PROVIDER_COLLATERAL_BPS,
  exerciseOptions,
  expiryKey,
  FINAL_LEASE_STATES,
  futureSettlementTerms,
  LEASE_FAILURE_REASONS,
  LEASE_STATES,
  lockedCollateralMinor,
  markToMarket,
  openDeliveryLeases,
  optionSettlementTerms,
  providerCollateralRequirementMinor,
  SETTLEMENT_TRANSFER_REASONS,
  settleFutureExpiry,
  type CollateralLeg,
  type FuturePositionAtExpiry,
  type Lease,
  type LeaseEvent,
  type LeaseStep,
  type SettlementRejectCode,
  type SettlementTransfer,
} from '@exchange/settlement';
import type { RiskAccount } from './risk-account';
import { InstrumentKind, type RiskInstrument } from './risk-instrument';
import { RiskRedemption } from './risk-redemption';
import type { RiskStage } from './risk-stage';

export type SettlementCommand =
  | DailySettle
  | ExpireInstrument
  | SettleExpiry
  | ProvisionLease
  | AttestLease
  | LeaseHeartbeat
  | LeaseTick
  | DisputeLease
  | ResolveLeaseDispute
  | CommitCapacity
  | RedeemTokens;

/** The settlement core's reasons, in order, are the domain's TransferReason values from VariationMargin on. */
const REASON = new Map(SETTLEMENT_TRANSFER_REASONS.map((r, i) => [r, (TransferReason.VariationMargin + i) as TransferReason])); // prettier-ignore

/** Settlement core refusals that the engine reports under the same code; the rest are SETTLEMENT_REFUSED. */
const SAME_CODE = new Set<string>([
  'ALREADY_SETTLED', 'INVALID_PRICE', 'INVALID_BUSINESS_DATE', 'OPEN_INTEREST_MISMATCH', 'LEASE_WRONG_STATE',
  'LEASE_CLOSED', 'DEADLINE_PASSED', 'INVALID_ENDPOINT', 'INVALID_CREDENTIAL_HASH', 'WRONG_BENCHMARK_SUITE',
  'INVALID_SCORE', 'DISPUTE_WINDOW_CLOSED',
]); // prettier-ignore

function rejectCodeOf(code: SettlementRejectCode): RejectCode {
  return (SAME_CODE.has(code) ? code : 'SETTLEMENT_REFUSED') as RejectCode;
}

const BIGINT_FIELDS = new Set([
  'priceMinorPerGpuHour', 'escrowPerGpuHour', 'paidMinor', 'releasedMinor', 'refundedMinor', 'collateralMinor',
  'collateralReturnedMinor', 'slashCompensationMinor', 'slashInsuranceMinor',
]); // prettier-ignore

/** A lease as canonical JSON: keys sorted (terms too), bigints as decimal strings. */
export function leaseToJson(l: Lease): string {
  const sorted = (o: object): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      const v = (o as Record<string, unknown>)[k];
      out[k] = typeof v === 'bigint' ? v.toString() : v !== null && typeof v === 'object' ? sorted(v) : v;
    }
    return out;
  };
  return JSON.stringify(sorted(l));
}

export function leaseFromJson(json: string): Lease {
  return JSON.parse(json, (k, v: unknown) => (BIGINT_FIELDS.has(k) && typeof v === 'string' ? BigInt(v) : v)) as Lease; // prettier-ignore
}

/**
 * The risk stage's settlement state and commands: daily marks (variation margin through
 * @exchange/settlement markToMarket, positions' cost reset to the settlement price), expiry (the
 * books halt, resting orders are cancelled), final settlement (futures closed, options exercised or
 * expired, physically settled futures allocated into leases), and the lease state machine driven by
 * sequenced commands. Every decision uses the command's time and the stage's state, so a replay
 * settles identically; settled keys, expired instruments and leases are part of the snapshot.
 */
export class RiskSettlement {
  /** MTM:<id>:<date> and EXPIRY:<id> keys applied: the same key again is ALREADY_SETTLED. */
  readonly settledKeys = new Set<string>();
  /** Instruments halted at their last trading time (futures and their options). */
  readonly expired = new Set<number>();
  readonly leases = new Map<string, Lease>();
  /** Per provider, the collateral its leases keep locked (lockedCollateralMinor summed), kept as they change. */
  private readonly leaseCollateral = new Map<number, bigint>();
  /** Capacity committed to token redemptions, the class indexes, and redemption itself. */
  readonly redemption: RiskRedemption;

  constructor(private readonly stage: RiskStage) {
    this.redemption = new RiskRedemption(stage, {
      post: (seq, transfers) => this.post(seq, transfers),
      openLeases: (seq, leases) => this.openLeases(seq, leases),
    });
  }

  process(c: SettlementCommand): void {
    switch (c.type) {
      case CommandType.DailySettle:
        return this.dailySettle(c);
      case CommandType.ExpireInstrument: {
        const code = this.expireProblem(c.instrumentId);
        if (code !== null) return this.reject(c.seq, c.type, c.instrumentId, code);
        if (this.expired.has(c.instrumentId)) return this.reject(c.seq, c.type, c.instrumentId, 'INSTRUMENT_EXPIRED');
        return this.halt(c.seq, this.stage.instrument(c.instrumentId)!);
      } // prettier-ignore
      case CommandType.SettleExpiry:
        return this.settleExpiry(c);
      case CommandType.ProvisionLease:
        return this.leaseEvent(c.seq, c.type, c.leaseId, { type: 'PROVISION', atMs: this.stage.nowMs, endpoint: c.endpoint, credentialHash: c.credentialHash }); // prettier-ignore
      case CommandType.AttestLease:
        return this.leaseEvent(c.seq, c.type, c.leaseId, { type: 'ATTEST', atMs: this.stage.nowMs, suite: c.suite, scorePerGpu: c.scorePerGpu }); // prettier-ignore
      case CommandType.LeaseHeartbeat:
        return this.leaseEvent(c.seq, c.type, c.leaseId, { type: 'HEARTBEAT', atMs: this.stage.nowMs });
      case CommandType.DisputeLease:
        return this.leaseEvent(c.seq, c.type, c.leaseId, { type: 'DISPUTE', atMs: this.stage.nowMs });
      case CommandType.ResolveLeaseDispute:
        return this.leaseEvent(c.seq, c.type, c.leaseId, { type: 'RESOLVE_DISPUTE', atMs: this.stage.nowMs, upheld: c.upheld === true, indexMinorPerGpuHour: c.indexMinorPerGpuHour }); // prettier-ignore
      case CommandType.LeaseTick:
        return this.leaseTick(c);
      case CommandType.CommitCapacity: {
        const code = this.redemption.commit(c);
        return code === null ? undefined : this.reject(c.seq, c.type, 0, code, c.accountId);
      }
      case CommandType.RedeemTokens: {
        const code = this.redemption.redeem(c);
        return code === null ? undefined : this.reject(c.seq, c.type, 0, code, c.accountId);
      }
    }
  }

  /* ------------------------------------------------------------- daily marks ------------------------------------------------------------- */

  private dailySettle(c: DailySettle): void {
    const ins = this.stage.instrument(c.instrumentId);
    if (ins === undefined || ins.kind !== InstrumentKind.Future)
      return this.reject(c.seq, c.type, c.instrumentId, 'NOT_SETTLEABLE');
    if (this.settledKeys.has(expiryKey(ins.instrumentId)))
      return this.reject(c.seq, c.type, c.instrumentId, 'ALREADY_SETTLED');
    const positions = this.positionsOf(ins);
    const r = markToMarket(
      { instrumentId: ins.instrumentId, businessDate: c.businessDate, settlementPriceTicks: c.priceTicks, tickValueMinor: ins.tickValueMinor, positions },
      this.settledKeys,
    ); // prettier-ignore
    if (r.status === 'REJECTED') return this.reject(c.seq, c.type, c.instrumentId, rejectCodeOf(r.code));
    this.post(c.seq, r.transfers);
    for (const m of r.positions) {
      const p = this.stage.account(m.accountId)!.positions.get(ins.instrumentId)!;
      p.costMinor = m.costMinor;
      this.stage.out.positionChanged(c.seq, ins.instrumentId, m.accountId, p.qtyLots, p.costMinor);
    }
    this.settledKeys.add(r.key);
    this.stage.out.instrumentSettled(
      c.seq,
      ins.instrumentId,
      SettlementKind.Daily,
      r.key,
      c.priceTicks,
      0,
      0,
    );
  }

  /** Every open position on an instrument, ascending by account, with its FIFO rank. */
  private positionsOf(ins: RiskInstrument): FuturePositionAtExpiry[] {
    const holders = this.stage.state.holders.get(ins.underlyingId);
    const out: FuturePositionAtExpiry[] = [];
    for (const accountId of [...(holders ?? [])].sort((x, y) => x - y)) {
      const p = this.stage.account(accountId)?.positions.get(ins.instrumentId);
      if (p !== undefined && p.qtyLots !== 0)
        out.push({ accountId, qtyLots: p.qtyLots, costMinor: p.costMinor, fifoSeq: p.openedSeq });
    }
    return out;
  }

  /* ---------------------------------------------------------------- expiry ---------------------------------------------------------------- */

  private expireProblem(instrumentId: number): RejectCode | null {
    const ins = this.stage.instrument(instrumentId);
    if (ins === undefined || ins.kind !== InstrumentKind.Future) return 'NOT_SETTLEABLE';
    if (!(this.stage.nowMs >= ins.expiryMs)) return 'NOT_EXPIRED';
    return null;
  }

  /** The future and its options, ascending by id. */
  private family(future: RiskInstrument): RiskInstrument[] {
    const out: RiskInstrument[] = [];
    for (const id of this.stage.instrumentIds()) {
      const ins = this.stage.instrument(id);
      if (ins !== undefined && ins.underlyingId === future.instrumentId) out.push(ins);
    }
    return out.sort((a, b) => a.instrumentId - b.instrumentId);
  }

  /** Last trading time: resting orders cancelled (instrument_expired), books halted. */
  private halt(seq: number, future: RiskInstrument): void {
    for (const ins of this.family(future)) {
      const book = this.stage.book(ins.instrumentId)!;
      book.cancelAll(seq, CancelReason.InstrumentExpired);
      if (book.status === InstrumentStatus.Trading) book.setStatus(seq, InstrumentStatus.Halted);
      this.expired.add(ins.instrumentId);
    }
  }

  private settleExpiry(c: SettleExpiry): void {
    const problem = this.expireProblem(c.instrumentId);
    if (problem !== null) return this.reject(c.seq, c.type, c.instrumentId, problem);
    const future = this.stage.instrument(c.instrumentId)!;
    const plan = this.planExpiry(future, c.finalPriceTicks);
    if (typeof plan === 'string') return this.reject(c.seq, c.type, c.instrumentId, plan);
    if (!this.expired.has(future.instrumentId)) this.halt(c.seq, future);
    const { futureResult, options, leases } = plan;
    this.post(c.seq, futureResult.transfers);
    for (const o of options) this.post(c.seq, o.result.transfers);
    this.closePositions(
      c.seq,
      future,
      futureResult.closed.map((p) => p.accountId),
    );
    for (const o of options)
      this.closePositions(
        c.seq,
        o.ins,
        o.result.closed.map((p) => p.accountId),
      );
    if (leases !== null) {
      this.post(c.seq, leases.transfers);
      this.openLeases(c.seq, leases.leases);
    }
    const close = (ins: RiskInstrument, key: string, intrinsic: number, count: number) => {
      this.settledKeys.add(key);
      this.stage.out.instrumentSettled(c.seq, ins.instrumentId, SettlementKind.Expiry, key, c.finalPriceTicks, intrinsic, count);
      const book = this.stage.book(ins.instrumentId)!;
      if (book.status !== InstrumentStatus.Closed) book.setStatus(c.seq, InstrumentStatus.Closed);
    }; // prettier-ignore
    close(future, futureResult.key, 0, leases?.leases.length ?? 0);
    for (const o of options) close(o.ins, o.result.key, o.result.intrinsicTicks, 0);
  }

  /** Everything an expiry will do, computed before anything changes (all or nothing), or the refusal. */
  private planExpiry(future: RiskInstrument, finalPriceTicks: number) {
    const d = future.definition;
    let terms: ReturnType<typeof futureSettlementTerms>;
    try {
      terms = futureSettlementTerms(d);
    } catch {
      return 'NOT_SETTLEABLE' as const;
    }
    const futureResult = settleFutureExpiry(
      { instrumentId: future.instrumentId, settlement: terms.settlement, tickValueMinor: future.tickValueMinor, positions: this.positionsOf(future) },
      finalPriceTicks,
      this.settledKeys,
    ); // prettier-ignore
    if (futureResult.status === 'REJECTED') return rejectCodeOf(futureResult.code);
    const options: { ins: RiskInstrument; result: Extract<ReturnType<typeof exerciseOptions>, { status: 'SETTLED' }> }[] = []; // prettier-ignore
    for (const ins of this.family(future)) {
      if (ins.kind !== InstrumentKind.Option) continue;
      let o: ReturnType<typeof optionSettlementTerms>;
      try {
        o = optionSettlementTerms(ins.definition, d);
      } catch {
        return 'NOT_SETTLEABLE' as const;
      }
      const positions = this.positionsOf(ins).map((p) => ({ accountId: p.accountId, qtyLots: p.qtyLots }));
      const result = exerciseOptions({ instrumentId: ins.instrumentId, ...o, positions }, finalPriceTicks, this.settledKeys); // prettier-ignore
      if (result.status === 'REJECTED') return rejectCodeOf(result.code);
      options.push({ ins, result });
    }
    let leases: { leases: Lease[]; transfers: SettlementTransfer[] } | null = null;
    if (futureResult.delivery !== null) {
      const alloc = allocateDelivery(futureResult.delivery.longs, futureResult.delivery.shorts);
      if (alloc.status === 'REJECTED') return rejectCodeOf(alloc.code);
      const opened = openDeliveryLeases({
        leaseIdPrefix: d.symbol, instrumentId: future.instrumentId, computeClass: terms.computeClass,
        benchmarkSuite: terms.benchmarkSuite, referenceScore: terms.referenceScore, deliveryStartMs: terms.deliveryStartMs,
        deliveryEndMs: terms.deliveryEndMs, openedAtMs: this.stage.nowMs, terms: this.stage.config.leaseTerms ?? DEFAULT_LEASE_TERMS,
        gpusPerLot: terms.gpusPerLot, priceMinorPerGpuHour: BigInt(finalPriceTicks) * terms.tickMinorPerGpuHour, matches: alloc.matches,
      }); // prettier-ignore
      if (opened.status === 'REJECTED') return rejectCodeOf(opened.code);
      leases = opened;
    }
    return { futureResult, options, leases };
  }

  private closePositions(seq: number, ins: RiskInstrument, accountIds: readonly number[]): void {
    const st = this.stage.state;
    for (const accountId of accountIds) {
      const a = this.stage.account(accountId)!;
      if (!a.positions.delete(ins.instrumentId)) continue;
      this.stage.out.positionChanged(seq, ins.instrumentId, accountId, 0, 0n);
      st.trackHolder(a, ins.underlyingId);
    }
  }

  /* ---------------------------------------------------------------- leases ---------------------------------------------------------------- */

  private leaseEvent(seq: number, type: CommandType, leaseId: string, e: LeaseEvent): void {
    const lease = typeof leaseId === 'string' ? this.leases.get(leaseId) : undefined;
    if (lease === undefined) return this.reject(seq, type, 0, 'UNKNOWN_LEASE');
    const step = applyLeaseEvent(lease, e);
    this.applyStep(seq, lease, step);
    if (step.rejection !== null) this.reject(seq, type, lease.instrumentId, rejectCodeOf(step.rejection));
  }

  private leaseTick(c: LeaseTick): void {
    if (typeof c.indexMinorPerGpuHour !== 'bigint' || c.indexMinorPerGpuHour <= 0n)
      return this.reject(c.seq, c.type, 0, 'SETTLEMENT_REFUSED');
    const ids = [...this.leases.keys()].sort();
    for (const id of ids) {
      const l = this.leases.get(id)!;
      if (l.computeClass !== c.computeClass || FINAL_LEASE_STATES.has(l.state)) continue;
      const step = applyLeaseEvent(l, { type: 'TICK', atMs: this.stage.nowMs, indexMinorPerGpuHour: c.indexMinorPerGpuHour }); // prettier-ignore
      this.applyStep(c.seq, l, step);
    }
  }

  /** New leases join the book, each announced with its first LeaseStateChanged. */
  private openLeases(seq: number, leases: readonly Lease[]): void {
    for (const l of leases) {
      this.putLease(l);
      this.emitLease(seq, l);
    }
  }

  private applyStep(seq: number, before: Lease, step: LeaseStep): void {
    const l = step.lease;
    if (l === before) return;
    this.putLease(l);
    this.post(seq, step.transfers);
    if (l.state === 'SLASHED' && before.state !== 'SLASHED') {
      const slashed = l.slashCompensationMinor + l.slashInsuranceMinor - before.slashCompensationMinor - before.slashInsuranceMinor; // prettier-ignore
      this.stage.stakeSlashed(seq, l.providerAccountId, slashed, l.leaseId, l.failedAtMs);
    }
    if (
      l.state !== before.state ||
      l.releasedHours !== before.releasedHours ||
      l.refundedMinor !== before.refundedMinor
    )
      this.emitLease(seq, l);
  }

  private emitLease(seq: number, l: Lease): void {
    const failure = l.failureReason === null ? 0 : LEASE_FAILURE_REASONS.indexOf(l.failureReason) + 1;
    this.stage.out.leaseStateChanged(
      seq, l.instrumentId, l.leaseId, l.providerAccountId, l.lesseeAccountId, LEASE_STATES.indexOf(l.state), failure,
      l.gpuCount, l.deliveryStartMs, l.deliveryEndMs, l.releasedHours, l.paidMinor, l.releasedMinor, l.refundedMinor,
      l.collateralMinor,
    ); // prettier-ignore
  }

  /* ------------------------------------------------------------ provider collateral ------------------------------------------------------------ */

  /** The provider collateral an account has locked: its leases' and its capacity commitments'. */
  collateralLockedMinor(accountId: number): number {
    return Number(
      (this.leaseCollateral.get(accountId) ?? 0n) + this.redemption.committedCollateralMinor(accountId),
    );
  }

  /** Files a lease (new or in a new state) and moves its provider's locked total by the difference. */
  private putLease(l: Lease): void {
    const before = this.leases.get(l.leaseId);
    this.leases.set(l.leaseId, l);
    const delta = lockedCollateralMinor(l) - (before === undefined ? 0n : lockedCollateralMinor(before));
    if (delta === 0n) return;
    const total = (this.leaseCollateral.get(l.providerAccountId) ?? 0n) + delta;
    if (total === 0n) this.leaseCollateral.delete(l.providerAccountId);
    else this.leaseCollateral.set(l.providerAccountId, total);
  }

  /**
   * The provider collateral an account needs if it sells `extraSellLots` more of `instrumentId`: a
   * share (DEFAULT_PROVIDER_COLLATERAL_BPS) of the notional of its worst-case shorts on physically
   * settled futures (position minus every open sell), at their reference prices, in minor units.
   */
  providerCollateralMinor(a: RiskAccount, instrumentId: number, extraSellLots: number): number {
    const legs: CollateralLeg[] = [];
    const ids = new Set<number>([...a.positions.keys(), ...a.exposure.keys(), instrumentId]);
    for (const id of ids) {
      const ins = this.stage.instrument(id);
      if (ins === undefined || !ins.physical) continue;
      const qty = (a.positions.get(id)?.qtyLots ?? 0) - (a.exposure.get(id)?.sellLots ?? 0) - (id === instrumentId ? extraSellLots : 0); // prettier-ignore
      legs.push({ qtyLots: qty, settlement: 'physical', priceTicks: ins.referenceTicks, tickValueMinor: ins.tickValueMinor }); // prettier-ignore
    }
    return Number(providerCollateralRequirementMinor(legs, DEFAULT_PROVIDER_COLLATERAL_BPS));
  }

  /* ------------------------------------------------------------------ glue ------------------------------------------------------------------ */

  private post(seq: number, transfers: readonly SettlementTransfer[]): void {
    const st = this.stage.state;
    for (const t of transfers)
      st.move(seq, t.instrumentId, t.debitAccountId, t.creditAccountId, t.asset, t.amountMinor, REASON.get(t.reason)!, t.leaseId); // prettier-ignore
  }

  private reject(
    seq: number,
    type: CommandType,
    instrumentId: number,
    code: RejectCode,
    accountId = 0,
  ): void {
    this.stage.state.reject(seq, type, instrumentId, code, accountId);
  }

  /**
   * The settlement section of the snapshot: keys, expired instruments and leases, each in ascending
   * order, then (version 3) the redemption state.
   */
  write(w: ByteWriter): void {
    const keys = [...this.settledKeys].sort();
    w.f64(keys.length);
    for (const k of keys) w.str(k);
    const expired = [...this.expired].sort((x, y) => x - y);
    w.f64(expired.length);
    for (const id of expired) w.f64(id);
    const ids = [...this.leases.keys()].sort();
    w.f64(ids.length);
    for (const id of ids) w.text(leaseToJson(this.leases.get(id)!));
    this.redemption.write(w);
  }

  read(r: ByteReader, withRedemption: boolean): void {
    for (let i = r.f64(); i > 0; i--) this.settledKeys.add(r.str());
    for (let i = r.f64(); i > 0; i--) this.expired.add(r.f64());
    for (let i = r.f64(); i > 0; i--) this.putLease(leaseFromJson(r.text()));
    if (withRedemption) this.redemption.read(r);
  }
}

/** Stable names for a lease's state and failure as LeaseStateChanged carries them. */
export function leaseStateName(state: number): string {
  return LeaseStateName[state] ?? 'unknown';
}
export function leaseFailureName(failure: number): string {
  return LeaseFailureName[failure] ?? 'unknown';
}
