import { createHash } from 'node:crypto';
import { QUOTE_CURRENCY } from '@exchange/domain';
import {
  FINAL_LEASE_STATES,
  SettlementAccount,
  type LeaseFailureReason,
  type LeaseState,
  type SettlementRejectCode,
} from './codes';
import { escrowMinor, HOUR_MS, lockedCollateralMinor, type Lease } from './lease';
import type { SettlementTransfer } from './transfer';
import { isSafeInt } from './validate';

/**
 * The lease state machine. Events carry their time (`atMs`, the log's clock); the machine reads no
 * clock. Applying an event first lets time act (deadlines, the SLA, the end of delivery, the end of
 * the dispute window), then the event itself:
 *
 * - PROVISION (ALLOCATED -> PROVISIONED): endpoint and the credential's SHA-256; by the provisioning
 *   deadline (deliveryStartMs + provisionGraceMs), else NOT_PROVISIONED.
 * - ATTEST (PROVISIONED -> VERIFIED): a benchmark attestation of the class's suite within
 *   verifyGraceMs of provisioning (else NOT_VERIFIED); the score per GPU must reach
 *   benchmarkThresholdBps of the class reference score, else BENCHMARK_BELOW_THRESHOLD.
 * - HEARTBEAT (VERIFIED -> ACTIVE, ACTIVE): service between consecutive heartbeats no more than
 *   heartbeatSlaMs apart counts, clipped to the delivery window (time before delivery starts or
 *   after it ends never counts). A gap over the SLA inside the window: HEARTBEAT_MISSED. Each whole
 *   hour of counted service releases gpuCount x escrowPerGpuHour from escrow to the payee (a partial
 *   hour is never paid: it is refunded at the end). The delivery completes when time reaches its end
 *   with the last heartbeat within the SLA: the rest of escrow goes back to the lessee, the
 *   collateral back to the provider.
 * - Failure (FAILED): what escrow holds goes back to the lessee at once; the collateral stays locked
 *   for disputeWindowMs. DISPUTE within it (-> DISPUTED); RESOLVE_DISPUTE upholds the failure
 *   (-> SLASHED) or overturns it (-> VOIDED: collateral back to the provider). Undisputed, the first
 *   TICK at or after the window's end slashes (-> SLASHED).
 * - Slash: with U the GPU-hours not paid out and I the index (USDC minor units per GPU-hour) the
 *   lessee receives min(collateral, makeWhole + penalty), where makeWhole = U x max(0, I - price)
 *   for a USDC lease (the refund returned the price; the index is what replacing the compute costs)
 *   and 0 for a redemption (the refunded tokens are themselves worth the index), and penalty =
 *   floor(U x I x penaltyBps / 10,000) (rounded down to the minor unit); the rest of the collateral
 *   goes to the insurance fund.
 * - TICK: time only (the index it carries is used by a slash).
 *
 * Refusals: a malformed event, an event for a final lease, an event earlier than the last one, or an
 * event the lease's state does not take is refused with a code and changes nothing. An event that
 * would have been valid but came after its deadline is refused with DEADLINE_PASSED, and the
 * time-driven failure it revealed is applied (time did pass).
 */
export type LeaseEvent =
  | { readonly type: 'PROVISION'; readonly atMs: number; readonly endpoint: string; readonly credentialHash: string } // prettier-ignore
  | { readonly type: 'ATTEST'; readonly atMs: number; readonly suite: string; readonly scorePerGpu: number }
  | { readonly type: 'HEARTBEAT'; readonly atMs: number }
  | { readonly type: 'TICK'; readonly atMs: number; readonly indexMinorPerGpuHour: bigint }
  | { readonly type: 'DISPUTE'; readonly atMs: number }
  | { readonly type: 'RESOLVE_DISPUTE'; readonly atMs: number; readonly upheld: boolean; readonly indexMinorPerGpuHour: bigint }; // prettier-ignore

export interface LeaseStep {
  readonly lease: Lease;
  readonly transfers: readonly SettlementTransfer[];
  readonly rejection: SettlementRejectCode | null;
}

type Draft = { -readonly [K in keyof Lease]: Lease[K] };

/** The credential's hash as a lease stores it: SHA-256 of `${leaseId}\n${credential}`, hex. */
export function hashCredential(leaseId: string, credential: string): string {
  return createHash('sha256').update(`${leaseId}\n${credential}`).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;
// printable ASCII without spaces; '@' is refused so that no user:password@host slips in
const ENDPOINT = /^[!-?A-~]{1,256}$/;

/** States each event is taken in (before time acts). TICK is taken in every live state. */
const TAKES: Record<Exclude<LeaseEvent['type'], 'TICK'>, readonly LeaseState[]> = {
  PROVISION: ['ALLOCATED'],
  ATTEST: ['PROVISIONED'],
  HEARTBEAT: ['VERIFIED', 'ACTIVE'],
  DISPUTE: ['FAILED'],
  RESOLVE_DISPUTE: ['DISPUTED'],
};

function isIndex(v: unknown): boolean {
  return typeof v === 'bigint' && v > 0n;
}

function formatProblem(l: Lease, e: LeaseEvent): SettlementRejectCode | null {
  if (typeof e !== 'object' || e === null || !isSafeInt(e.atMs)) return 'INVALID_EVENT';
  switch (e.type) {
    case 'PROVISION':
      if (typeof e.endpoint !== 'string' || !ENDPOINT.test(e.endpoint)) return 'INVALID_ENDPOINT';
      return typeof e.credentialHash === 'string' && HEX64.test(e.credentialHash) ? null : 'INVALID_CREDENTIAL_HASH';
    case 'ATTEST':
      if (e.suite !== l.benchmarkSuite) return 'WRONG_BENCHMARK_SUITE';
      return typeof e.scorePerGpu === 'number' && Number.isFinite(e.scorePerGpu) && e.scorePerGpu >= 0 ? null : 'INVALID_SCORE';
    case 'TICK':
      return isIndex(e.indexMinorPerGpuHour) ? null : 'INVALID_INDEX_PRICE';
    case 'RESOLVE_DISPUTE':
      if (typeof e.upheld !== 'boolean') return 'INVALID_EVENT';
      return isIndex(e.indexMinorPerGpuHour) ? null : 'INVALID_INDEX_PRICE';
    case 'HEARTBEAT':
    case 'DISPUTE':
      return null;
    default:
      return 'INVALID_EVENT';
  }
} // prettier-ignore

function precheck(l: Lease, e: LeaseEvent): SettlementRejectCode | null {
  const format = formatProblem(l, e);
  if (format !== null) return format;
  if (FINAL_LEASE_STATES.has(l.state)) return 'LEASE_CLOSED';
  if (e.atMs < l.lastEventMs) return 'TIME_WENT_BACKWARDS';
  if (e.type !== 'TICK' && !TAKES[e.type].includes(l.state)) return 'LEASE_WRONG_STATE';
  if (e.type === 'DISPUTE' && e.atMs >= l.disputeEndsMs) return 'DISPUTE_WINDOW_CLOSED';
  return null;
}

export function applyLeaseEvent(lease: Lease, e: LeaseEvent): LeaseStep {
  const refused = precheck(lease, e);
  if (refused !== null) return { lease, transfers: [], rejection: refused };
  const l: Draft = { ...lease, lastEventMs: e.atMs };
  const out: SettlementTransfer[] = [];
  const index = e.type === 'TICK' || e.type === 'RESOLVE_DISPUTE' ? e.indexMinorPerGpuHour : null;
  if (e.type === 'HEARTBEAT') heartbeat(l, out, e.atMs);
  else {
    const before = l.state;
    advance(l, out, e.atMs, e.type === 'TICK' ? index : null);
    if (l.state !== before) {
      checkLease(l);
      return { lease: l, transfers: out, rejection: e.type === 'TICK' ? null : 'DEADLINE_PASSED' };
    }
    act(l, out, e);
  }
  checkLease(l);
  return { lease: l, transfers: out, rejection: null };
}

function act(l: Draft, out: SettlementTransfer[], e: LeaseEvent): void {
  switch (e.type) {
    case 'PROVISION':
      l.state = 'PROVISIONED';
      l.endpoint = e.endpoint;
      l.credentialHash = e.credentialHash;
      l.verifyDeadlineMs = e.atMs + l.terms.verifyGraceMs;
      return;
    case 'ATTEST': {
      l.scorePerGpu = e.scorePerGpu;
      const need = l.referenceScore * l.terms.benchmarkThresholdBps;
      if (e.scorePerGpu * 10_000 < need) return fail(l, out, 'BENCHMARK_BELOW_THRESHOLD', e.atMs);
      l.state = 'VERIFIED';
      l.lastSeenMs = e.atMs;
      return;
    }
    case 'DISPUTE':
      l.state = 'DISPUTED';
      return;
    case 'RESOLVE_DISPUTE':
      if (e.upheld) slash(l, out, e.indexMinorPerGpuHour);
      else voidFailure(l, out);
      return;
    default:
      return;
  }
}

/** Time acts: deadlines, the SLA, the end of delivery, the end of the dispute window. */
function advance(l: Draft, out: SettlementTransfer[], atMs: number, index: bigint | null): void {
  switch (l.state) {
    case 'ALLOCATED':
      if (atMs > l.provisionDeadlineMs) fail(l, out, 'NOT_PROVISIONED', atMs);
      return;
    case 'PROVISIONED':
      if (atMs > l.verifyDeadlineMs) fail(l, out, 'NOT_VERIFIED', atMs);
      return;
    case 'VERIFIED':
    case 'ACTIVE': {
      const since = Math.max(l.lastSeenMs, l.deliveryStartMs);
      if (atMs >= l.deliveryEndMs) {
        if (l.deliveryEndMs - since <= l.terms.heartbeatSlaMs) {
          credit(l, out, l.deliveryEndMs);
          complete(l, out);
        } else fail(l, out, 'HEARTBEAT_MISSED', atMs);
      } else if (atMs - since > l.terms.heartbeatSlaMs) fail(l, out, 'HEARTBEAT_MISSED', atMs);
      return;
    }
    case 'FAILED':
      if (index !== null && atMs >= l.disputeEndsMs) slash(l, out, index);
      return;
    default:
      return;
  }
}

function heartbeat(l: Draft, out: SettlementTransfer[], atMs: number): void {
  const since = Math.max(l.lastSeenMs, l.deliveryStartMs);
  const until = Math.min(atMs, l.deliveryEndMs);
  if (until - since > l.terms.heartbeatSlaMs) return fail(l, out, 'HEARTBEAT_MISSED', atMs);
  l.state = 'ACTIVE';
  credit(l, out, atMs);
  if (atMs >= l.deliveryEndMs) complete(l, out);
}

/** Counts service from the last heartbeat (or the start of delivery) to `untilMs`, and pays whole hours. */
function credit(l: Draft, out: SettlementTransfer[], untilMs: number): void {
  const since = Math.max(l.lastSeenMs, l.deliveryStartMs);
  const until = Math.min(untilMs, l.deliveryEndMs);
  if (until > since) l.creditedMs += until - since;
  if (untilMs > l.lastSeenMs) l.lastSeenMs = untilMs;
  const hours = Math.floor(l.creditedMs / HOUR_MS);
  if (hours > l.releasedHours) {
    const amount = BigInt(hours - l.releasedHours) * BigInt(l.gpuCount) * l.escrowPerGpuHour;
    l.releasedHours = hours;
    l.releasedMinor += amount;
    const reason = l.escrowPayeeAccountId === SettlementAccount.External ? 'TOKEN_BURN' : 'ESCROW_RELEASE';
    move(l, out, SettlementAccount.Escrow, l.escrowPayeeAccountId, l.escrowAsset, amount, reason);
  }
}

function refundEscrow(l: Draft, out: SettlementTransfer[]): void {
  const rest = escrowMinor(l);
  l.refundedMinor += rest;
  move(l, out, SettlementAccount.Escrow, l.lesseeAccountId, l.escrowAsset, rest, 'ESCROW_REFUND');
}

function complete(l: Draft, out: SettlementTransfer[]): void {
  refundEscrow(l, out);
  const rest = lockedCollateralMinor(l);
  l.collateralReturnedMinor += rest;
  move(l, out, SettlementAccount.ProviderCollateral, l.providerAccountId, QUOTE_CURRENCY, rest, 'COLLATERAL_RELEASE'); // prettier-ignore
  l.state = 'COMPLETED';
}

function fail(l: Draft, out: SettlementTransfer[], reason: LeaseFailureReason, atMs: number): void {
  refundEscrow(l, out);
  l.state = 'FAILED';
  l.failureReason = reason;
  l.failedAtMs = atMs;
  l.disputeEndsMs = atMs + l.terms.disputeWindowMs;
}

/** The slash's split of the collateral; see the module comment. */
export function slashSplit(
  l: Lease,
  indexMinorPerGpuHour: bigint,
): { compensationMinor: bigint; insuranceMinor: bigint } {
  // prettier-ignore
  const collateral = lockedCollateralMinor(l);
  const undelivered = BigInt(l.gpuHours - l.releasedHours * l.gpuCount);
  const gap = indexMinorPerGpuHour - l.priceMinorPerGpuHour;
  const makeWhole = l.escrowAsset === QUOTE_CURRENCY && gap > 0n ? undelivered * gap : 0n;
  const penalty = (undelivered * indexMinorPerGpuHour * BigInt(l.terms.penaltyBps)) / 10_000n;
  const owed = makeWhole + penalty;
  const compensationMinor = owed < collateral ? owed : collateral;
  return { compensationMinor, insuranceMinor: collateral - compensationMinor };
}

function slash(l: Draft, out: SettlementTransfer[], index: bigint): void {
  const { compensationMinor, insuranceMinor } = slashSplit(l, index);
  l.slashCompensationMinor += compensationMinor;
  l.slashInsuranceMinor += insuranceMinor;
  move(l, out, SettlementAccount.ProviderCollateral, l.lesseeAccountId, QUOTE_CURRENCY, compensationMinor, 'SLASH_COMPENSATION'); // prettier-ignore
  move(l, out, SettlementAccount.ProviderCollateral, SettlementAccount.InsuranceFund, QUOTE_CURRENCY, insuranceMinor, 'SLASH_INSURANCE'); // prettier-ignore
  l.state = 'SLASHED';
}

function voidFailure(l: Draft, out: SettlementTransfer[]): void {
  const rest = lockedCollateralMinor(l);
  l.collateralReturnedMinor += rest;
  move(l, out, SettlementAccount.ProviderCollateral, l.providerAccountId, QUOTE_CURRENCY, rest, 'COLLATERAL_RELEASE'); // prettier-ignore
  l.state = 'VOIDED';
}

function move(
  l: Lease,
  out: SettlementTransfer[],
  from: number,
  to: number,
  asset: string,
  amountMinor: bigint,
  reason: SettlementTransfer['reason'],
): void {
  if (amountMinor === 0n) return;
  out.push({ debitAccountId: from, creditAccountId: to, asset, amountMinor, reason, instrumentId: l.instrumentId, leaseId: l.leaseId }); // prettier-ignore
}

/** Invariants every lease keeps; a breach is a defect (thrown). */
export function checkLease(l: Lease): void {
  const problems: string[] = [];
  if (escrowMinor(l) < 0n) problems.push('escrow is negative');
  if (lockedCollateralMinor(l) < 0n) problems.push('collateral is over-spent');
  if (l.creditedMs > l.deliveryEndMs - l.deliveryStartMs) problems.push('credited more than the window');
  if (l.releasedMinor !== BigInt(l.releasedHours) * BigInt(l.gpuCount) * l.escrowPerGpuHour)
    problems.push('released is not whole hours');
  if (FINAL_LEASE_STATES.has(l.state) && (escrowMinor(l) !== 0n || lockedCollateralMinor(l) !== 0n))
    problems.push('a final lease still holds escrow or collateral');
  if (problems.length > 0) throw new Error(`lease ${l.leaseId}: ${problems.join('; ')}`);
}
