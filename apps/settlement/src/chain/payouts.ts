import {
  CommandType,
  EventType,
  SettlementKind,
  TransferReason,
  decodeEvents,
  isUserAccountId,
  type EngineEvent,
  type LedgerTransfer,
} from '@exchange/domain';

/** The engine's logged event batches (EngineService.eventLog). */
export interface EventFrames {
  frames(afterSeq: number): Iterable<{ firstSeq: number; lastSeq: number; payload: Uint8Array }>;
}

/** The final settlement of an expiry as the engine applied it: its command's seq and its money. */
export interface AppliedExpiry {
  seq: number;
  priceTicks: number;
  /** Each user account's net cash from that command (all its transfers), non-zero ones only. */
  nets: { accountId: number; netMinor: bigint }[];
}

/**
 * Finds the SettleExpiry of `instrumentId` (its InstrumentSettled event with key EXPIRY:<id>) in the
 * event log after `afterSeq`, and nets every transfer of that command per user account: the future's
 * final settlement, its options' exercise and, for a physically settled future, the delivery's
 * escrow and collateral. Undefined when it is not in the log.
 */
export function findAppliedExpiry(
  log: EventFrames,
  instrumentId: number,
  afterSeq = 0,
): AppliedExpiry | undefined {
  const key = `EXPIRY:${instrumentId}`;
  for (const frame of log.frames(afterSeq)) {
    const events = decodeEvents(frame.payload);
    const settled = events.find(
      (e) => e.type === EventType.InstrumentSettled && e.kind === SettlementKind.Expiry && e.key === key,
    );
    if (settled === undefined || settled.type !== EventType.InstrumentSettled) continue;
    const transfers = events.filter((e): e is LedgerTransfer => e.type === EventType.LedgerTransfer && e.seq === settled.seq); // prettier-ignore
    return { seq: settled.seq, priceTicks: settled.priceTicks, nets: netByAccount(transfers) };
  }
  return undefined;
}

export function netByAccount(
  transfers: readonly LedgerTransfer[],
): { accountId: number; netMinor: bigint }[] {
  const net = new Map<number, bigint>();
  for (const t of transfers) {
    if (t.asset !== 'USDC') continue;
    if (isUserAccountId(t.creditAccountId)) net.set(t.creditAccountId, (net.get(t.creditAccountId) ?? 0n) + t.amountMinor); // prettier-ignore
    if (isUserAccountId(t.debitAccountId)) net.set(t.debitAccountId, (net.get(t.debitAccountId) ?? 0n) - t.amountMinor); // prettier-ignore
  }
  return [...net]
    .filter(([, v]) => v !== 0n)
    .sort((a, b) => a[0] - b[0])
    .map(([accountId, netMinor]) => ({ accountId, netMinor }));
}

/** One account's payable: its positive net from the expiry, owed on chain to its payout address. */
export interface PayableItem {
  accountId: number;
  address: string;
  amountMinor: bigint;
}

/** What the engine did with one Withdraw of a payable: moved at `seq`, or refused with a code. */
export interface PayableOutcome extends PayableItem {
  seq: number;
  /** null: moved out of the account (a `withdrawal` transfer to External) */
  refused: string | null;
}

/** The outcome of `items`' Withdraw commands, given their first seq and the events of their batch. */
export function outcomesOf(
  items: readonly PayableItem[],
  firstSeq: number,
  events: readonly EngineEvent[],
): PayableOutcome[] {
  return items.map((item, i) => {
    const seq = firstSeq + i;
    const refusal = events.find((e) => e.seq === seq && e.type === EventType.OrderRejected);
    return { ...item, seq, refused: refusal?.type === EventType.OrderRejected ? refusal.code : null };
  });
}

function matches(item: PayableItem, events: readonly EngineEvent[]): boolean {
  return events.some(
    (e) =>
      (e.type === EventType.LedgerTransfer && e.reason === TransferReason.Withdrawal && e.debitAccountId === item.accountId && e.amountMinor === item.amountMinor) ||
      (e.type === EventType.OrderRejected && e.commandType === CommandType.Withdraw && e.accountId === item.accountId),
  ); // prettier-ignore
}

/**
 * After a restart: were `items`' Withdraw commands (sent as one batch after `afterSeq`) applied?
 * Looks for consecutive seqs whose events are exactly those withdrawals (or their refusals), in
 * order. Undefined: they never reached the engine, and may be sent.
 */
export function findPayableOutcomes(
  log: EventFrames,
  afterSeq: number,
  items: readonly PayableItem[],
): PayableOutcome[] | undefined {
  if (items.length === 0) return [];
  const bySeq = new Map<number, EngineEvent[]>();
  for (const frame of log.frames(afterSeq))
    for (const e of decodeEvents(frame.payload)) {
      if (e.seq <= afterSeq) continue;
      const list = bySeq.get(e.seq) ?? [];
      list.push(e);
      bySeq.set(e.seq, list);
    }
  for (const [seq, events] of [...bySeq].sort((a, b) => a[0] - b[0])) {
    if (!matches(items[0]!, events)) continue;
    if (!items.every((item, i) => matches(item, bySeq.get(seq + i) ?? []))) continue;
    return outcomesOf(
      items,
      seq,
      items.flatMap((_, i) => bySeq.get(seq + i) ?? []),
    );
  }
  return undefined;
}
