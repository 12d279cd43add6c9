import {
  LeaseFailureName,
  LeaseStateName,
  SettlementKindName,
  fromMinor,
  computeClass as computeClassOf,
  type InstrumentSettled,
} from '@exchange/domain';
import type {
  AccountSettlementView,
  CandleResolution,
  CandlesView,
  IndexPriceView,
  LeaseView,
  MarkPriceView,
  SettlementPriceView,
  VolSurfaceView,
} from '@exchange/client';
import { price, qty, type DirectoryEntry, type InstrumentDirectory } from '@exchange/gateway';
import { ApiException } from '../http/api-exception';
import type { ExchangeGateway } from '../ports/exchange-gateway';
import type { CandleBook } from './candles';
import { INDEX_IDS, indexView } from './index-feed';
import { transferReasonName, type SettlementLedger } from './settlement-ledger';
import { volSurface, type ForwardMark, type OptionQuote } from './vol-surface';

const usdc = (minor: bigint) => fromMinor(minor);
/** How long a computed surface answers requests whose inputs (option quotes, futures' marks) did not change. */
export const SURFACE_REUSE_MS = 1000;

/**
 * The market's and the account's derived resources: candles, index, marks, settlement prices, the
 * volatility surface, the account's settlements and leases. What the deployment cannot serve is
 * refused with NOT_AVAILABLE, never made up.
 */
export class MarketData {
  private readonly surfaces = new Map<string, { inputs: string; view: VolSurfaceView }>();

  constructor(
    private readonly gateway: ExchangeGateway,
    private readonly directory: InstrumentDirectory,
    private readonly candleBook: CandleBook,
    private readonly settlements: SettlementLedger,
  ) {}

  candles(
    entry: DirectoryEntry,
    q: { resolution: CandleResolution; fromMs: number; toMs: number; limit: number },
  ): CandlesView {
    const c = entry.definition.contract;
    const list = this.candleBook.range(entry.instrumentId, q.resolution, q.fromMs, q.toMs, q.limit);
    return {
      instrument: entry.symbol,
      resolution: q.resolution,
      candles: list.map((k) => ({
        startMs: k.startMs,
        open: price(k.openTicks, c),
        high: price(k.highTicks, c),
        low: price(k.lowTicks, c),
        close: price(k.closeTicks, c),
        volume: qty(k.volumeLots, c),
        trades: k.trades,
      })),
    };
  }

  private requireMarks(): void {
    if (!this.gateway.capabilities.marks)
      throw ApiException.of(
        'NOT_AVAILABLE',
        'marks live in the engine shards (no mark feed in this deployment): not served by this api',
      );
  }

  mark(entry: DirectoryEntry): MarkPriceView {
    this.requireMarks();
    return this.markView(entry.instrumentId);
  }

  markView(instrumentId: number): MarkPriceView {
    const e = this.directory.byInstrumentId(instrumentId)!;
    const c = e.definition.contract;
    const r = this.gateway.referencePrices(instrumentId);
    const kind = e.definition.kind;
    const mark = kind === 'spot' ? 0 : (r?.markTicks ?? 0);
    const index = kind === 'future' ? (r?.indexTicks ?? 0) : 0;
    return {
      instrument: e.symbol,
      kind,
      markPrice: mark > 0 ? price(mark, c) : null,
      indexPrice: index > 0 ? price(index, c) : null,
      markTimeMs: mark > 0 && r !== undefined && r.markTimeMs > 0 ? r.markTimeMs : null,
    };
  }

  private static indexId(id: string): string {
    if (!INDEX_IDS.includes(id)) throw ApiException.of('UNKNOWN_INDEX', `no index ${id}`, 'index');
    return id;
  }

  async indices(): Promise<IndexPriceView[]> {
    return (await this.gateway.reads.latestIndexRounds(INDEX_IDS)).map(indexView);
  }

  async index(id: string): Promise<IndexPriceView> {
    const rows = await this.gateway.reads.latestIndexRounds([MarketData.indexId(id)]);
    if (rows.length === 0) throw ApiException.of('NOT_FOUND', `index ${id} has no published round yet`, 'index'); // prettier-ignore
    return indexView(rows[0]!);
  }

  async indexHistory(id: string, fromMs: number, toMs: number, limit: number): Promise<IndexPriceView[]> {
    const rows = await this.gateway.reads.indexRounds(MarketData.indexId(id), fromMs, toMs, limit);
    return rows.map(indexView);
  }

  /** The class's surface from the option books and the futures' marks, at `nowMs`. */
  surface(computeClass: string, nowMs: number): VolSurfaceView {
    if (computeClassOf(computeClass) === undefined)
      throw ApiException.of('UNKNOWN_COMPUTE_CLASS', `no compute class ${computeClass}`, 'computeClass');
    this.requireMarks();
    const forwards = new Map<string, ForwardMark>();
    const options: OptionQuote[] = [];
    for (const e of this.directory.all()) {
      const d = e.definition;
      if (d.computeClass !== computeClass) continue;
      if (d.kind === 'future') {
        const markTicks = this.gateway.referencePrices(e.instrumentId)?.markTicks ?? 0;
        forwards.set(d.symbol, { markTicks, tickSize: d.contract.tickSize });
      } else if (d.kind === 'option' && d.option !== undefined) {
        const top = this.gateway.bookSnapshot(e.instrumentId, 1);
        options.push({
          underlying: d.option.underlyingSymbol,
          strike: d.option.strike,
          isCall: d.option.right === 'call',
          expiryMs: d.option.expiryMs,
          tickSize: d.contract.tickSize,
          bidTicks: top?.bids[0]?.[0] ?? 0,
          askTicks: top?.asks[0]?.[0] ?? 0,
        });
      }
    }
    // a fit costs milliseconds: the same inputs within SURFACE_REUSE_MS get the same answer (its asOfMs says when)
    const inputs = JSON.stringify([options.map((o) => [o.bidTicks, o.askTicks]), [...forwards.values()].map((f) => f.markTicks)]); // prettier-ignore
    const cached = this.surfaces.get(computeClass);
    if (
      cached !== undefined &&
      cached.inputs === inputs &&
      nowMs - cached.view.asOfMs < SURFACE_REUSE_MS &&
      nowMs >= cached.view.asOfMs
    )
      // prettier-ignore
      return cached.view;
    const view = volSurface(computeClass, options, forwards, nowMs);
    this.surfaces.set(computeClass, { inputs, view });
    return view;
  }

  /** A settlement's price in its own terms (an option's in its future's ticks). */
  private settlementPrice(s: InstrumentSettled): { price: string; intrinsic: string | null } | undefined {
    const e = this.directory.byInstrumentId(s.instrumentId);
    if (e === undefined) return undefined;
    const option = e.definition.option;
    const priced = option === undefined ? e : this.directory.bySymbolName(option.underlyingSymbol);
    if (priced === undefined) return undefined;
    const c = priced.definition.contract;
    return {
      price: price(s.priceTicks, c),
      intrinsic: option === undefined ? null : price(s.intrinsicTicks, c),
    };
  }

  async settlementPrices(q: {
    instrumentId?: number;
    kind?: 'daily' | 'expiry';
    limit: number;
  }): Promise<SettlementPriceView[]> {
    await this.settlements.ready();
    const out: SettlementPriceView[] = [];
    const all = [...this.settlements.settled].sort((a, b) => b.seq - a.seq);
    for (const s of all) {
      if (out.length >= q.limit) break;
      const kind = SettlementKindName[s.kind];
      if (q.instrumentId !== undefined && s.instrumentId !== q.instrumentId) continue;
      if (q.kind !== undefined && kind !== q.kind) continue;
      const p = this.settlementPrice(s);
      if (p === undefined) continue;
      out.push({
        instrument: this.directory.byInstrumentId(s.instrumentId)!.symbol,
        kind,
        businessDate: kind === 'daily' ? (s.key.split(':')[2] ?? null) : null,
        price: p.price,
        intrinsicValue: p.intrinsic,
        leases: s.leases,
        seq: s.seq,
      });
    }
    return out;
  }

  async accountSettlements(
    accountId: number,
    q: { instrumentId?: number; limit: number },
  ): Promise<AccountSettlementView[]> {
    await this.settlements.ready();
    const out: AccountSettlementView[] = [];
    for (const t of this.settlements.transfersOf(accountId)) {
      if (out.length >= q.limit) break;
      if (q.instrumentId !== undefined && t.instrumentId !== q.instrumentId) continue;
      const s = this.settlements.settlementAt(t.seq, t.instrumentId);
      const sign = t.creditAccountId === accountId ? 1n : -1n;
      out.push({
        seq: t.seq,
        reason: transferReasonName(t.reason),
        instrument: this.directory.byInstrumentId(t.instrumentId)?.symbol ?? null,
        asset: t.asset,
        amount: t.asset === 'USDC' ? usdc(sign * t.amountMinor) : (sign * t.amountMinor).toString(),
        leaseId: t.leaseId === '' ? null : t.leaseId,
        settlementKind: s === undefined ? null : SettlementKindName[s.kind],
        price: s === undefined ? null : (this.settlementPrice(s)?.price ?? null),
      });
    }
    return out;
  }

  async leases(accountId: number): Promise<LeaseView[]> {
    await this.settlements.ready();
    return this.settlements.leasesOf(accountId).map((l) => ({
      leaseId: l.leaseId,
      instrument: this.directory.byInstrumentId(l.instrumentId)?.symbol ?? null,
      role: l.lesseeAccountId === accountId ? 'lessee' : 'provider',
      providerAccountId: l.providerAccountId,
      lesseeAccountId: l.lesseeAccountId,
      state: LeaseStateName[l.state] ?? String(l.state),
      failureReason: l.failure === 0 ? null : (LeaseFailureName[l.failure] ?? String(l.failure)),
      gpuCount: l.gpuCount,
      deliveryStartMs: l.deliveryStartMs,
      deliveryEndMs: l.deliveryEndMs,
      releasedHours: l.releasedHours,
      paid: usdc(l.paidMinor),
      released: usdc(l.releasedMinor),
      refunded: usdc(l.refundedMinor),
      collateral: usdc(l.collateralMinor),
      updatedSeq: l.seq,
    }));
  }
}
