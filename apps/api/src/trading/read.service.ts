import { Inject, Injectable } from '@nestjs/common';
import { QUOTE_CURRENCY, fromMinor } from '@exchange/domain';
import {
  errorBody,
  type BalanceView,
  type FillView,
  type LedgerEntryView,
  type OrderView,
  type PositionView,
} from '@exchange/client';
import { fillView, orderRowView, price, qty } from '@exchange/gateway';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { ApiException } from '../http/api-exception';
import { EXCHANGE_GATEWAY, type ExchangeGateway, type TradeRow } from '../ports/exchange-gateway';
import { marginView, positionViews, riskView, type RiskAccountView } from './account-views';
import { InstrumentsService } from './instruments.service';
import { TradingService } from './trading.service';

/** An amount of an asset: USDC from minor units, spot tokens in whole units. */
function amount(asset: string, minor: bigint): string {
  return asset === QUOTE_CURRENCY ? fromMinor(minor) : minor.toString();
}

/** bigint values (from the risk stage's views) as decimal strings, so they survive JSON. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** How many rows a page of a list holds: `limit`, 1 to MAX_PAGE, DEFAULT_PAGE when absent (REST and WebSocket alike). */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/**
 * The account's read side from the read models. A read first waits (briefly) until the read models
 * have caught up with the account's own last command, so a client reads its own writes; if they have
 * not by then (the projection is stalled or far behind), the answer is READ_MODELS_BEHIND, never rows
 * that miss the account's own orders.
 */
@Injectable()
export class ReadService {
  constructor(
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly instruments: InstrumentsService,
    private readonly trading: TradingService,
  ) {}

  private async consistent(accountId: number): Promise<void> {
    const seq = this.trading.lastSeqOf(accountId);
    if (seq > 0 && !(await this.gateway.reads.waitFor(seq, this.config.readConsistencyTimeoutMs)))
      throw new ApiException(errorBody('READ_MODELS_BEHIND'), undefined, 1); // 503, Retry-After: 1 s
  }

  private views(rows: Parameters<typeof orderRowView>[0][]): OrderView[] {
    const out: OrderView[] = [];
    for (const r of rows) {
      const e = this.instruments.directory.byInstrumentId(r.instrument_id);
      if (e !== undefined) out.push(orderRowView(r, e.symbol, e.definition.contract));
    }
    return out;
  }

  async openOrders(accountId: number, instrument?: string): Promise<OrderView[]> {
    const entry = this.instruments.optional(instrument);
    await this.consistent(accountId);
    return this.views(await this.gateway.reads.openOrders(accountId, entry?.instrumentId));
  }

  async orderHistory(
    accountId: number,
    q: { instrument?: string; limit: number; beforeOrderId?: number },
  ): Promise<OrderView[]> {
    const entry = this.instruments.optional(q.instrument);
    await this.consistent(accountId);
    const rows = await this.gateway.reads.orderHistory(accountId, {
      instrumentId: entry?.instrumentId,
      limit: q.limit,
      beforeOrderId: q.beforeOrderId,
    });
    return this.views(rows);
  }

  async order(accountId: number, orderId: number): Promise<OrderView> {
    await this.consistent(accountId);
    const row = await this.gateway.reads.order(accountId, orderId);
    const view = row === undefined ? undefined : this.views([row])[0];
    if (view === undefined)
      throw ApiException.of('UNKNOWN_ORDER', `no order ${orderId} of this account`, 'orderId');
    return view;
  }

  private fill(row: TradeRow, accountId: number): FillView[] {
    const e = this.instruments.directory.byInstrumentId(row.instrument_id);
    if (e === undefined) return [];
    const t = this.tradeOf(row);
    const out: FillView[] = [];
    if (t.takerAccountId === accountId) out.push(fillView(t, 'taker', e.symbol, e.definition.contract));
    if (t.makerAccountId === accountId) out.push(fillView(t, 'maker', e.symbol, e.definition.contract));
    return out;
  }

  async fills(accountId: number, q: { instrument?: string; limit: number }): Promise<FillView[]> {
    const entry = this.instruments.optional(q.instrument);
    await this.consistent(accountId);
    const rows = await this.gateway.reads.fills(accountId, {
      instrumentId: entry?.instrumentId,
      limit: q.limit,
    });
    return rows.flatMap((r) => this.fill(r, accountId));
  }

  async recentTrades(instrumentId: number, limit: number) {
    const e = this.instruments.directory.byInstrumentId(instrumentId)!;
    const rows = await this.gateway.reads.recentTrades(instrumentId, limit);
    return rows.map((r) => ({
      instrument: e.symbol,
      tradeId: Number(r.trade_id),
      price: price(Number(r.price_ticks), e.definition.contract),
      quantity: qty(Number(r.qty_lots), e.definition.contract),
      side: r.aggressor_side === 0 ? ('buy' as const) : ('sell' as const),
      seq: Number(r.seq),
    }));
  }

  private tradeOf(r: TradeRow) {
    return {
      type: 5 as const,
      seq: Number(r.seq),
      instrumentId: r.instrument_id,
      tradeId: Number(r.trade_id),
      priceTicks: Number(r.price_ticks),
      qtyLots: Number(r.qty_lots),
      aggressorSide: r.aggressor_side as 0 | 1,
      makerOrderId: Number(r.maker_order_id),
      makerAccountId: Number(r.maker_account_id),
      takerOrderId: Number(r.taker_order_id),
      takerAccountId: Number(r.taker_account_id),
      makerRemainingLots: 0,
      takerRemainingLots: 0,
    };
  }

  async positions(accountId: number): Promise<PositionView[]> {
    await this.consistent(accountId);
    const rows = await this.gateway.reads.positions(accountId);
    const out: PositionView[] = [];
    for (const r of rows) {
      const e = this.instruments.directory.byInstrumentId(r.instrument_id);
      if (e === undefined) continue;
      const lots = Number(r.net_lots);
      const q = qty(Math.abs(lots), e.definition.contract);
      out.push({ instrument: e.symbol, quantity: lots < 0 ? `-${q}` : q, updatedSeq: Number(r.updated_seq) });
    }
    return out;
  }

  /** The risk stage's view of the account (undefined when there is no risk stage or no such account). */
  private riskView(accountId: number): RiskAccountView | undefined {
    return riskView(this.gateway, accountId);
  }

  async balances(accountId: number): Promise<BalanceView[]> {
    if (this.gateway.capabilities.accountView) {
      const v = this.riskView(accountId);
      if (v === undefined) return [];
      return Object.entries(v.balances)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([asset, balance]) => {
          const reserved = asset === QUOTE_CURRENCY ? v.reservedMinor : (v.reservedTokens?.[asset] ?? '0');
          // idle stake is in the USDC balance but only as provider collateral
          const idleStake = asset === QUOTE_CURRENCY ? BigInt(v.stake?.idleMinor ?? '0') : 0n;
          const free = BigInt(balance) - BigInt(reserved ?? '0') - idleStake;
          return {
            asset,
            balance: amount(asset, BigInt(balance)),
            reserved: amount(asset, BigInt(reserved ?? '0')),
            available: amount(asset, free),
          };
        });
    }
    await this.consistent(accountId);
    const rows = await this.gateway.reads.balances(accountId);
    return rows.map((r) => ({ asset: r.asset, balance: amount(r.asset, BigInt(r.balance_minor)) }));
  }

  /** The account's ledger entries from the read models, newest first. */
  async ledger(
    accountId: number,
    q: { asset?: string; kind?: string; limit: number; beforeEntryId?: number },
  ): Promise<LedgerEntryView[]> {
    await this.consistent(accountId);
    const rows = await this.gateway.reads.ledger(accountId, q);
    return rows.map((r) => ({
      entryId: Number(r.entry_id),
      txId: r.tx_id,
      asset: r.asset,
      amount: amount(r.asset, BigInt(r.amount_minor)),
      kind: r.kind,
      seq: Number(r.seq),
    }));
  }

  /** Balances, positions, margin and liquidation state from the risk stage. */
  async account(accountId: number): Promise<unknown> {
    if (!this.gateway.capabilities.accountView)
      throw ApiException.of(
        'NOT_AVAILABLE',
        'the engine in this deployment has no account view (risk stage)',
      );
    const v = this.riskView(accountId);
    if (v === undefined)
      return { accountId, balances: [], positions: [], margin: null, inLiquidation: false };
    return jsonSafe({
      accountId,
      balances: await this.balances(accountId),
      positions: positionViews(v.positions ?? [], this.instruments.directory, this.gateway),
      openOrders: v.openOrders?.length ?? 0,
      margin: marginView(v),
      inLiquidation: v.inLiquidation === true,
      stake: {
        staked: fromMinor(BigInt(v.stake?.stakeMinor ?? '0')),
        idle: fromMinor(BigInt(v.stake?.idleMinor ?? '0')),
      },
    });
  }
}
