import type { SettlementTransferReason } from './codes';

/**
 * One double-entry movement: `amountMinor` (> 0) of `asset` leaves `debitAccountId` and reaches
 * `creditAccountId` (the same orientation as the engine's LedgerTransfer event). `instrumentId` is
 * the instrument that caused it (0 for a token redemption); `leaseId` names the lease ('' if none).
 * Amounts are bigint minor units of the quote currency, or whole tokens for a GPU-hour token.
 */
export interface SettlementTransfer {
  readonly debitAccountId: number;
  readonly creditAccountId: number;
  readonly asset: string;
  readonly amountMinor: bigint;
  readonly reason: SettlementTransferReason;
  readonly instrumentId: number;
  readonly leaseId: string;
}

/**
 * Appends the movement of a signed amount: positive pays `to` from `from`, negative the other way,
 * zero moves nothing (a ledger transfer is always positive).
 */
export function pushSigned(
  out: SettlementTransfer[],
  from: number,
  to: number,
  signedMinor: bigint,
  asset: string,
  reason: SettlementTransferReason,
  instrumentId: number,
  leaseId = '',
): void {
  if (signedMinor === 0n) return;
  const pay = signedMinor > 0n;
  out.push({
    debitAccountId: pay ? from : to,
    creditAccountId: pay ? to : from,
    asset,
    amountMinor: pay ? signedMinor : -signedMinor,
    reason,
    instrumentId,
    leaseId,
  });
}

/** Net effect of transfers on each account of one asset (account id -> signed change). */
export function netChanges(transfers: readonly SettlementTransfer[], asset: string): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const t of transfers) {
    if (t.asset !== asset) continue;
    out.set(t.debitAccountId, (out.get(t.debitAccountId) ?? 0n) - t.amountMinor);
    out.set(t.creditAccountId, (out.get(t.creditAccountId) ?? 0n) + t.amountMinor);
  }
  return out;
}
