import {
  EventType,
  TransferReasonName,
  type InstrumentSettled,
  type LeaseStateChanged,
  type LedgerTransfer,
} from '@exchange/domain';
import type { ExchangeGateway, SettlementEvent } from '../ports/exchange-gateway';

/**
 * The settlement side of the engine's history, kept from its events: every settlement applied
 * (InstrumentSettled), the transfers of settlement and lease reasons per account, and each lease's
 * latest state. The history before the api started comes from the gateway once (the embedded
 * engine's event log, or the events topic the distributed gateway replayed); the live events follow.
 * A seq the live stream delivered is taken from there only (a command's events arrive together), so
 * the overlap between the two is never counted twice.
 */
export class SettlementLedger {
  private readonly live: SettlementEvent[] = [];
  private readonly liveSeqs = new Set<number>();
  private loading?: Promise<void>;
  private loaded = false;
  readonly settled: InstrumentSettled[] = [];
  private readonly settledBySeq = new Map<number, InstrumentSettled[]>();
  private readonly transfers = new Map<number, LedgerTransfer[]>();
  private readonly leases = new Map<string, LeaseStateChanged>();
  private readonly leasesByAccount = new Map<number, Set<string>>();

  constructor(private readonly gateway: ExchangeGateway) {}

  /** A live settlement event (from the api's own listener). */
  onEvent(e: SettlementEvent): void {
    if (this.loaded) {
      this.apply(e);
      return;
    }
    this.live.push(e);
    this.liveSeqs.add(e.seq);
  }

  /** Resolves once the history is in (read at the first call; a failed read is tried again at the next). */
  ready(): Promise<void> {
    this.loading ??= this.gateway.settlementHistory().then(
      (history) => {
        for (const e of history) if (!this.liveSeqs.has(e.seq)) this.apply(e);
        for (const e of this.live) this.apply(e);
        this.live.length = 0;
        this.liveSeqs.clear();
        this.loaded = true;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  private apply(e: SettlementEvent): void {
    switch (e.type) {
      case EventType.InstrumentSettled: {
        this.settled.push(e);
        const list = this.settledBySeq.get(e.seq);
        if (list === undefined) this.settledBySeq.set(e.seq, [e]);
        else list.push(e);
        break;
      }
      case EventType.LedgerTransfer:
        for (const accountId of [e.debitAccountId, e.creditAccountId]) {
          if (accountId <= 0) continue; // system accounts
          const list = this.transfers.get(accountId);
          if (list === undefined) this.transfers.set(accountId, [e]);
          else list.push(e);
        }
        break;
      case EventType.LeaseStateChanged: {
        const prev = this.leases.get(e.leaseId);
        if (prev !== undefined && prev.seq > e.seq) break;
        this.leases.set(e.leaseId, e);
        for (const accountId of [e.providerAccountId, e.lesseeAccountId]) {
          let set = this.leasesByAccount.get(accountId);
          if (set === undefined) this.leasesByAccount.set(accountId, (set = new Set()));
          set.add(e.leaseId);
        }
        break;
      }
    }
  }

  /** The settlement of a command seq for an instrument (daily mark or expiry), if any. */
  settlementAt(seq: number, instrumentId: number): InstrumentSettled | undefined {
    return this.settledBySeq.get(seq)?.find((s) => s.instrumentId === instrumentId);
  }

  /** The account's settlement and lease transfers, newest first. */
  transfersOf(accountId: number): LedgerTransfer[] {
    return [...(this.transfers.get(accountId) ?? [])].sort((a, b) => b.seq - a.seq);
  }

  /** The account's leases (as lessee or provider) after their latest change, by lease id. */
  leasesOf(accountId: number): LeaseStateChanged[] {
    const ids = [...(this.leasesByAccount.get(accountId) ?? [])].sort();
    return ids.map((id) => this.leases.get(id)!);
  }
}

export const transferReasonName = (reason: number): string => TransferReasonName[reason] ?? String(reason);
