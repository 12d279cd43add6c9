import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  CommandType,
  EventType,
  QUOTE_CURRENCY,
  QUOTE_DECIMALS,
  type EngineEvent,
  type UnsequencedCommand,
} from '@exchange/domain';
import type { ErrorBody, PlaceResult } from '@exchange/client';
import {
  AMEND_ORDER_SCHEMA,
  IdempotencyCache,
  assetAmountMinor,
  TRANSFER_SCHEMA,
  amendOutcome,
  cancelOutcome,
  fingerprint,
  massCancelOutcome,
  placeOutcome,
  rejectError,
  toAmendOrder,
  toPlaceOrder,
  type AmendOrderRequest,
  type AmendResult,
  type MassQuoteRequest,
  type Outcome,
  type PlaceOrderRequest,
} from '@exchange/gateway';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { ApiException, validated } from '../http/api-exception';
import {
  EXCHANGE_GATEWAY,
  type ExchangeGateway,
  type OrderRef,
  type TransferKind,
} from '../ports/exchange-gateway';
import { PAYOUT_ADDRESSES, type PayoutAddressRegistry } from '../ports/payout-addresses';
import { InstrumentsService } from './instruments.service';

function unwrap<T>(o: Outcome<T>): T {
  if (!o.ok) throw new ApiException(o.error);
  return o.value;
}

export interface QuoteResult {
  ok: boolean;
  result?: PlaceResult;
  error?: ErrorBody;
}

/**
 * Order entry shared by REST and WebSocket: validates a request, converts its decimal strings to
 * ticks and lots (refusing what is off tick or lot without touching the engine), submits the
 * command and turns the events into the answer. Client order ids make placement idempotent.
 */
@Injectable()
export class TradingService {
  private readonly logger = new Logger('Trading');
  private readonly idempotency: IdempotencyCache<Outcome<PlaceResult>>;
  /** The last seq each account's own commands reached (reads wait for the read models to get there). */
  private readonly lastSeqByAccount = new Map<number, number>();

  constructor(
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
    @Inject(API_CONFIG) config: ApiConfig,
    private readonly instruments: InstrumentsService,
    @Optional() @Inject(PAYOUT_ADDRESSES) private readonly payoutAddresses?: PayoutAddressRegistry,
  ) {
    this.idempotency = new IdempotencyCache(config.idempotencyTtlMs);
  }

  lastSeqOf(accountId: number): number {
    return this.lastSeqByAccount.get(accountId) ?? 0;
  }

  private async submit(accountId: number, commands: UnsequencedCommand[]) {
    try {
      const r = await this.gateway.submit(commands);
      if (r.lastSeq > this.lastSeqOf(accountId)) this.lastSeqByAccount.set(accountId, r.lastSeq);
      return r;
    } catch (err) {
      this.logger.error({ msg: 'submit failed', error: (err as Error).message });
      throw ApiException.of('ENGINE_UNAVAILABLE');
    }
  }

  /** Places an order; `request` was checked against PLACE_ORDER_SCHEMA by the caller (field paths are its own). */
  async place(accountId: number, request: PlaceOrderRequest): Promise<PlaceResult> {
    const entry = this.instruments.get(request.instrument);
    // reduce-only orders: the risk stage fills in the position
    const c = toPlaceOrder(request, entry.instrumentId, entry.definition.contract, accountId);
    if (!c.ok) throw new ApiException(c.error);
    const symbol = entry.symbol;
    const contract = entry.definition.contract;
    const cid = request.clientOrderId;
    if (cid === undefined) {
      const r = await this.submit(accountId, [c.command]);
      return unwrap(placeOutcome(r.events, r.firstSeq, symbol, contract));
    }
    // a retry with the same client order id and the same request gets the first answer
    const key = `${accountId}:${cid}`;
    const print = fingerprint(request);
    const now = Date.now();
    const earlier = this.idempotency.lookup(key, print, now);
    if (earlier === 'conflict')
      throw ApiException.of(
        'DUPLICATE_CLIENT_ORDER_ID',
        'this client order id was used for a different order',
        'clientOrderId',
      );
    if (earlier !== 'miss') return unwrap(await earlier);
    const result = this.submit(accountId, [c.command]).then((r) =>
      placeOutcome(r.events, r.firstSeq, symbol, contract),
    );
    this.idempotency.remember(key, print, result, now);
    return unwrap(
      await result.catch((err: unknown) => {
        this.idempotency.forget(key);
        throw err;
      }),
    );
  }

  private locate(accountId: number, ref: OrderRef, instrument?: string) {
    const where = this.gateway.locateOrder(accountId, ref);
    const entry = where && this.instruments.directory.byInstrumentId(where.instrumentId);
    if (
      where === undefined ||
      entry === undefined ||
      (instrument !== undefined && instrument !== entry.symbol)
    )
      throw ApiException.of('UNKNOWN_ORDER', undefined, 'orderId' in ref ? 'orderId' : 'clientOrderId');
    return { where, entry };
  }

  async amend(accountId: number, ref: OrderRef, input: unknown): Promise<AmendResult> {
    const request = validated<AmendOrderRequest>(AMEND_ORDER_SCHEMA, input);
    if (request.instrument !== undefined) this.instruments.get(request.instrument);
    const { where, entry } = this.locate(accountId, ref, request.instrument);
    const c = toAmendOrder(request, where.instrumentId, entry.definition.contract, accountId, {
      orderId: where.orderId,
    });
    if (!c.ok) throw new ApiException(c.error);
    const { firstSeq, events } = await this.submit(accountId, [c.command]);
    return unwrap(amendOutcome(events, firstSeq, entry.symbol, entry.definition.contract));
  }

  async cancel(accountId: number, ref: OrderRef): Promise<{ orderId: number; cancelledQuantity: string }> {
    const { where, entry } = this.locate(accountId, ref);
    const { firstSeq, events } = await this.submit(accountId, [
      {
        type: CommandType.CancelOrder,
        instrumentId: where.instrumentId,
        accountId,
        orderId: where.orderId,
        clientOrderId: '',
      },
    ]);
    return unwrap(cancelOutcome(events, firstSeq, entry.definition.contract));
  }

  async cancelAll(accountId: number, instrument?: string): Promise<{ cancelled: number[] }> {
    const entry = this.instruments.optional(instrument);
    const { firstSeq, events } = await this.submit(accountId, [
      { type: CommandType.MassCancel, accountId, instrumentId: entry?.instrumentId ?? 0 },
    ]);
    return unwrap(massCancelOutcome(events, firstSeq));
  }

  /**
   * Places many GTC limit orders in one engine batch, optionally cancelling the account's orders on
   * the quoted instruments first. Every quote is checked before anything is sent: one bad quote
   * refuses the whole request and nothing changes. `request` was checked against MASS_QUOTE_SCHEMA by
   * the caller.
   */
  async massQuote(
    accountId: number,
    request: MassQuoteRequest,
  ): Promise<{ cancelled: number[]; quotes: QuoteResult[] }> {
    const commands: UnsequencedCommand[] = [];
    const entries = request.quotes.map((q, i) =>
      this.instruments.get(q.instrument, `quotes[${i}].instrument`),
    );
    if (request.replace) {
      for (const id of new Set(entries.map((e) => e.instrumentId)))
        commands.push({ type: CommandType.MassCancel, accountId, instrumentId: id });
    }
    const cancels = commands.length;
    request.quotes.forEach((q, i) => {
      const c = toPlaceOrder(q, entries[i]!.instrumentId, entries[i]!.definition.contract, accountId);
      if (!c.ok) throw new ApiException({ ...c.error, field: `quotes[${i}].${c.error.field ?? ''}` });
      commands.push(c.command);
    });
    const { firstSeq, events } = await this.submit(accountId, commands);
    const cancelled = events.filter((e) => e.type === EventType.OrderCancelled && e.seq < firstSeq + cancels);
    return {
      cancelled: cancelled.map((e) => (e as { orderId: number }).orderId),
      quotes: request.quotes.map((_q, i) => {
        const o = placeOutcome(
          events,
          firstSeq + cancels + i,
          entries[i]!.symbol,
          entries[i]!.definition.contract,
        );
        return o.ok ? { ok: true, result: o.value } : { ok: false, error: o.error };
      }),
    };
  }

  /** Deposit (development faucet) or withdrawal, when the engine has the commands. */
  async transfer(kind: 'deposit' | 'withdraw', accountId: number, input: unknown) {
    const available =
      kind === 'deposit' ? this.gateway.capabilities.deposits : this.gateway.capabilities.withdrawals;
    if (!available)
      throw ApiException.of('NOT_AVAILABLE', `the engine in this deployment has no ${kind} command`);
    const request = validated<{ asset: string; amount: string }>(TRANSFER_SCHEMA, input);
    const amountMinor = assetAmountMinor(request.asset, request.amount);
    if (amountMinor === undefined)
      throw ApiException.of(
        'INVALID_AMOUNT',
        request.asset === QUOTE_CURRENCY
          ? `amount must be positive with at most ${QUOTE_DECIMALS} decimals`
          : 'spot tokens move in whole positive numbers',
        'amount',
      );
    // with chain settlement a withdrawal goes to the account's payout address on chain
    let to: TransferKind = kind;
    if (kind === 'withdraw' && this.payoutAddresses !== undefined) {
      if (this.payoutAddresses.get(accountId) === undefined)
        throw ApiException.of('PAYOUT_ADDRESS_REQUIRED', undefined, 'asset');
      to = 'chain-withdraw';
    }
    let r: { seq: number; events: EngineEvent[] };
    try {
      r = await this.gateway.transfer(to, accountId, request.asset, amountMinor);
    } catch (err) {
      this.logger.error({ msg: `${kind} failed`, error: (err as Error).message });
      throw ApiException.of('ENGINE_UNAVAILABLE');
    }
    if (r.seq > this.lastSeqOf(accountId)) this.lastSeqByAccount.set(accountId, r.seq);
    for (const e of r.events)
      if (e.seq === r.seq && e.type === EventType.OrderRejected) throw new ApiException(rejectError(e.code));
    return { asset: request.asset, amount: request.amount, seq: r.seq };
  }
}
