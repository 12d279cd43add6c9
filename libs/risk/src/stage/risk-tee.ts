import type {
  CancelReason,
  CommandType,
  InstrumentStatus,
  OrderType,
  RejectCode,
  Side,
  TimeInForce,
} from '@exchange/domain';
import type { EngineEventSink, ExchangeEventSink } from '@exchange/order-book';
import type { RiskStage } from './risk-stage';

/**
 * The matching engine's sink inside the risk stage: every book event goes out unchanged, and the
 * ones that change what an account holds (accepted, traded, cancelled, amended, expired, listed)
 * are then applied to the risk stage, so its ledger events follow the trade that caused them.
 */
export class RiskTee implements EngineEventSink {
  constructor(
    private readonly out: ExchangeEventSink,
    private readonly stage: RiskStage,
  ) {}

  instrumentListed(seq: number, instrumentId: number, symbol: string): void {
    this.out.instrumentListed(seq, instrumentId, symbol);
    this.stage.onListed(instrumentId);
  }
  instrumentStatusChanged(seq: number, instrumentId: number, status: InstrumentStatus): void {
    this.out.instrumentStatusChanged(seq, instrumentId, status);
  }
  orderAccepted(
    seq: number, instrumentId: number, orderId: number, accountId: number, clientOrderId: string, side: Side,
    orderType: OrderType, timeInForce: TimeInForce, flags: number, priceTicks: number, qtyLots: number,
    displayLots: number, stopPriceTicks: number, expireAtMs: number,
  ): void {
    this.out.orderAccepted(
      seq, instrumentId, orderId, accountId, clientOrderId, side, orderType, timeInForce, flags, priceTicks, qtyLots,
      displayLots, stopPriceTicks, expireAtMs,
    );
    this.stage.onAccepted(orderId, instrumentId, accountId, side, orderType, flags, priceTicks, qtyLots);
  } // prettier-ignore
  orderRejected(
    seq: number, commandType: CommandType, instrumentId: number, accountId: number, orderId: number,
    clientOrderId: string, code: RejectCode,
  ): void {
    this.out.orderRejected(seq, commandType, instrumentId, accountId, orderId, clientOrderId, code);
  } // prettier-ignore
  trade(
    seq: number, instrumentId: number, tradeId: number, priceTicks: number, qtyLots: number, aggressorSide: Side,
    makerOrderId: number, makerAccountId: number, takerOrderId: number, takerAccountId: number,
    makerRemainingLots: number, takerRemainingLots: number,
  ): void {
    this.out.trade(
      seq, instrumentId, tradeId, priceTicks, qtyLots, aggressorSide, makerOrderId, makerAccountId, takerOrderId,
      takerAccountId, makerRemainingLots, takerRemainingLots,
    );
    this.stage.onTrade(
      seq, instrumentId, priceTicks, qtyLots, aggressorSide, makerOrderId, makerAccountId, takerOrderId,
      takerAccountId, makerRemainingLots, takerRemainingLots,
    );
  } // prettier-ignore
  orderCancelled(
    seq: number, instrumentId: number, orderId: number, accountId: number, cancelledLots: number,
    remainingLots: number, reason: CancelReason,
  ): void {
    this.out.orderCancelled(seq, instrumentId, orderId, accountId, cancelledLots, remainingLots, reason);
    this.stage.onOpenChanged(accountId, orderId, remainingLots);
  } // prettier-ignore
  orderAmended(
    seq: number, instrumentId: number, orderId: number, accountId: number, priceTicks: number,
    remainingLots: number, stopPriceTicks: number, priorityKept: boolean,
  ): void {
    this.out.orderAmended(seq, instrumentId, orderId, accountId, priceTicks, remainingLots, stopPriceTicks, priorityKept);
    this.stage.onAmended(accountId, orderId, priceTicks, remainingLots);
  } // prettier-ignore
  orderExpired(
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    expiredLots: number,
  ): void {
    this.out.orderExpired(seq, instrumentId, orderId, accountId, expiredLots);
    this.stage.onOpenChanged(accountId, orderId, 0);
  }
  orderTriggered(
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    triggerPriceTicks: number,
  ): void {
    this.out.orderTriggered(seq, instrumentId, orderId, accountId, triggerPriceTicks);
  }
  bookDelta(
    seq: number,
    instrumentId: number,
    side: Side,
    priceTicks: number,
    qtyLots: number,
    orderCount: number,
  ): void {
    this.out.bookDelta(seq, instrumentId, side, priceTicks, qtyLots, orderCount);
  }
}
