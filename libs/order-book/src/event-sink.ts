import {
  ByteWriter,
  EventType,
  writeAccountEvent,
  writeEvent,
  type LiquidationPhase,
  type SettlementKind,
  type StakeChange,
  type TransferReason,
  type CancelReason,
  type CommandType,
  type EngineEvent,
  type InstrumentStatus,
  type OrderType,
  type RejectCode,
  type Side,
  type TimeInForce,
} from '@exchange/domain';

/** A writer's parameters without the leading ByteWriter. */
type EventFields<F> = F extends (w: ByteWriter, ...fields: infer P) => void ? P : never;

/**
 * Where the engine's events go: one method per event type with the event's fields as plain
 * arguments (the same signatures as the codec's `writeEvent` writers, minus the writer), so a sink
 * can encode straight into a buffer without building objects. Two sinks come with the book: one
 * that collects event objects and one that writes the binary codec.
 */
export type EngineEventSink = {
  [K in keyof typeof writeEvent]: (...fields: EventFields<(typeof writeEvent)[K]>) => void;
};

/** Where the risk stage's events go (ledger transfers, positions, liquidations), in the same style. */
export type AccountEventSink = {
  [K in keyof typeof writeAccountEvent]: (...fields: EventFields<(typeof writeAccountEvent)[K]>) => void;
};

/** Every event of the exchange's sequenced core: the books' and the risk stage's. */
export type ExchangeEventSink = EngineEventSink & AccountEventSink;

/** Collects events as objects (tests, small tools). */
export class EventCollector implements ExchangeEventSink {
  events: EngineEvent[] = [];

  take(): EngineEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  instrumentListed(seq: number, instrumentId: number, symbol: string): void {
    this.events.push({ type: EventType.InstrumentListed, seq, instrumentId, symbol });
  }
  instrumentStatusChanged(seq: number, instrumentId: number, status: InstrumentStatus): void {
    this.events.push({ type: EventType.InstrumentStatusChanged, seq, instrumentId, status });
  }
  orderAccepted(
    seq: number, instrumentId: number, orderId: number, accountId: number, clientOrderId: string, side: Side,
    orderType: OrderType, timeInForce: TimeInForce, flags: number, priceTicks: number, qtyLots: number,
    displayLots: number, stopPriceTicks: number, expireAtMs: number,
  ): void {
    this.events.push({
      type: EventType.OrderAccepted, seq, instrumentId, orderId, accountId, clientOrderId, side, orderType,
      timeInForce, flags, priceTicks, qtyLots, displayLots, stopPriceTicks, expireAtMs,
    });
  } // prettier-ignore
  orderRejected(
    seq: number, commandType: CommandType, instrumentId: number, accountId: number, orderId: number,
    clientOrderId: string, code: RejectCode,
  ): void {
    this.events.push({ type: EventType.OrderRejected, seq, commandType, instrumentId, accountId, orderId, clientOrderId, code });
  } // prettier-ignore
  trade(
    seq: number, instrumentId: number, tradeId: number, priceTicks: number, qtyLots: number, aggressorSide: Side,
    makerOrderId: number, makerAccountId: number, takerOrderId: number, takerAccountId: number,
    makerRemainingLots: number, takerRemainingLots: number,
  ): void {
    this.events.push({
      type: EventType.Trade, seq, instrumentId, tradeId, priceTicks, qtyLots, aggressorSide, makerOrderId,
      makerAccountId, takerOrderId, takerAccountId, makerRemainingLots, takerRemainingLots,
    });
  } // prettier-ignore
  orderCancelled(
    seq: number, instrumentId: number, orderId: number, accountId: number, cancelledLots: number,
    remainingLots: number, reason: CancelReason,
  ): void {
    this.events.push({ type: EventType.OrderCancelled, seq, instrumentId, orderId, accountId, cancelledLots, remainingLots, reason });
  } // prettier-ignore
  orderAmended(
    seq: number, instrumentId: number, orderId: number, accountId: number, priceTicks: number,
    remainingLots: number, stopPriceTicks: number, priorityKept: boolean,
  ): void {
    this.events.push({
      type: EventType.OrderAmended, seq, instrumentId, orderId, accountId, priceTicks, remainingLots, stopPriceTicks, priorityKept,
    });
  } // prettier-ignore
  orderExpired(
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    expiredLots: number,
  ): void {
    this.events.push({ type: EventType.OrderExpired, seq, instrumentId, orderId, accountId, expiredLots });
  }
  orderTriggered(
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    triggerPriceTicks: number,
  ): void {
    this.events.push({
      type: EventType.OrderTriggered,
      seq,
      instrumentId,
      orderId,
      accountId,
      triggerPriceTicks,
    });
  }
  bookDelta(
    seq: number,
    instrumentId: number,
    side: Side,
    priceTicks: number,
    qtyLots: number,
    orderCount: number,
  ): void {
    this.events.push({ type: EventType.BookDelta, seq, instrumentId, side, priceTicks, qtyLots, orderCount });
  }
  ledgerTransfer(
    seq: number, instrumentId: number, debitAccountId: number, creditAccountId: number, asset: string,
    amountMinor: bigint, reason: TransferReason, leaseId: string,
  ): void {
    this.events.push({ type: EventType.LedgerTransfer, seq, instrumentId, debitAccountId, creditAccountId, asset, amountMinor, reason, leaseId });
  } // prettier-ignore
  positionChanged(
    seq: number,
    instrumentId: number,
    accountId: number,
    qtyLots: number,
    costMinor: bigint,
  ): void {
    this.events.push({ type: EventType.PositionChanged, seq, instrumentId, accountId, qtyLots, costMinor });
  }
  liquidation(
    seq: number, instrumentId: number, accountId: number, phase: LiquidationPhase, equityMinor: bigint,
    maintenanceMinor: bigint, insuranceMinor: bigint,
  ): void {
    this.events.push({ type: EventType.Liquidation, seq, instrumentId, accountId, phase, equityMinor, maintenanceMinor, insuranceMinor });
  } // prettier-ignore
  leaseStateChanged(
    seq: number, instrumentId: number, leaseId: string, providerAccountId: number, lesseeAccountId: number,
    state: number, failure: number, gpuCount: number, deliveryStartMs: number, deliveryEndMs: number,
    releasedHours: number, paidMinor: bigint, releasedMinor: bigint, refundedMinor: bigint, collateralMinor: bigint,
  ): void {
    this.events.push({
      type: EventType.LeaseStateChanged, seq, instrumentId, leaseId, providerAccountId, lesseeAccountId, state, failure,
      gpuCount, deliveryStartMs, deliveryEndMs, releasedHours, paidMinor, releasedMinor, refundedMinor, collateralMinor,
    });
  } // prettier-ignore
  instrumentSettled(
    seq: number, instrumentId: number, kind: SettlementKind, key: string, priceTicks: number, intrinsicTicks: number,
    leases: number,
  ): void {
    this.events.push({ type: EventType.InstrumentSettled, seq, instrumentId, kind, key, priceTicks, intrinsicTicks, leases });
  } // prettier-ignore
  stakeChanged(
    seq: number, accountId: number, change: StakeChange, amountMinor: bigint, stakeMinor: bigint, leaseId: string,
    failedAtMs: number,
  ): void {
    this.events.push({ type: EventType.StakeChanged, seq, instrumentId: 0, accountId, change, amountMinor, stakeMinor, leaseId, failedAtMs }); // prettier-ignore
  } // prettier-ignore
}

/** Writes events with the binary codec into a reusable buffer (journals, logs, benchmarks). */
export class BinaryEventSink implements ExchangeEventSink {
  constructor(readonly writer: ByteWriter = new ByteWriter(1 << 20)) {}

  instrumentListed(seq: number, instrumentId: number, symbol: string): void {
    writeEvent.instrumentListed(this.writer, seq, instrumentId, symbol);
  }
  instrumentStatusChanged(seq: number, instrumentId: number, status: InstrumentStatus): void {
    writeEvent.instrumentStatusChanged(this.writer, seq, instrumentId, status);
  }
  orderAccepted(
    seq: number, instrumentId: number, orderId: number, accountId: number, clientOrderId: string, side: Side,
    orderType: OrderType, timeInForce: TimeInForce, flags: number, priceTicks: number, qtyLots: number,
    displayLots: number, stopPriceTicks: number, expireAtMs: number,
  ): void {
    writeEvent.orderAccepted(
      this.writer, seq, instrumentId, orderId, accountId, clientOrderId, side, orderType, timeInForce, flags,
      priceTicks, qtyLots, displayLots, stopPriceTicks, expireAtMs,
    );
  } // prettier-ignore
  orderRejected(
    seq: number, commandType: CommandType, instrumentId: number, accountId: number, orderId: number,
    clientOrderId: string, code: RejectCode,
  ): void {
    writeEvent.orderRejected(this.writer, seq, commandType, instrumentId, accountId, orderId, clientOrderId, code);
  } // prettier-ignore
  trade(
    seq: number, instrumentId: number, tradeId: number, priceTicks: number, qtyLots: number, aggressorSide: Side,
    makerOrderId: number, makerAccountId: number, takerOrderId: number, takerAccountId: number,
    makerRemainingLots: number, takerRemainingLots: number,
  ): void {
    writeEvent.trade(
      this.writer, seq, instrumentId, tradeId, priceTicks, qtyLots, aggressorSide, makerOrderId, makerAccountId,
      takerOrderId, takerAccountId, makerRemainingLots, takerRemainingLots,
    );
  } // prettier-ignore
  orderCancelled(
    seq: number, instrumentId: number, orderId: number, accountId: number, cancelledLots: number,
    remainingLots: number, reason: CancelReason,
  ): void {
    writeEvent.orderCancelled(this.writer, seq, instrumentId, orderId, accountId, cancelledLots, remainingLots, reason);
  } // prettier-ignore
  orderAmended(
    seq: number, instrumentId: number, orderId: number, accountId: number, priceTicks: number,
    remainingLots: number, stopPriceTicks: number, priorityKept: boolean,
  ): void {
    writeEvent.orderAmended(this.writer, seq, instrumentId, orderId, accountId, priceTicks, remainingLots, stopPriceTicks, priorityKept);
  } // prettier-ignore
  orderExpired(
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    expiredLots: number,
  ): void {
    writeEvent.orderExpired(this.writer, seq, instrumentId, orderId, accountId, expiredLots);
  }
  orderTriggered(
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    triggerPriceTicks: number,
  ): void {
    writeEvent.orderTriggered(this.writer, seq, instrumentId, orderId, accountId, triggerPriceTicks);
  }
  bookDelta(
    seq: number,
    instrumentId: number,
    side: Side,
    priceTicks: number,
    qtyLots: number,
    orderCount: number,
  ): void {
    writeEvent.bookDelta(this.writer, seq, instrumentId, side, priceTicks, qtyLots, orderCount);
  }
  ledgerTransfer(
    seq: number, instrumentId: number, debitAccountId: number, creditAccountId: number, asset: string,
    amountMinor: bigint, reason: TransferReason, leaseId: string,
  ): void {
    writeAccountEvent.ledgerTransfer(this.writer, seq, instrumentId, debitAccountId, creditAccountId, asset, amountMinor, reason, leaseId);
  } // prettier-ignore
  positionChanged(
    seq: number,
    instrumentId: number,
    accountId: number,
    qtyLots: number,
    costMinor: bigint,
  ): void {
    writeAccountEvent.positionChanged(this.writer, seq, instrumentId, accountId, qtyLots, costMinor);
  }
  liquidation(
    seq: number, instrumentId: number, accountId: number, phase: LiquidationPhase, equityMinor: bigint,
    maintenanceMinor: bigint, insuranceMinor: bigint,
  ): void {
    writeAccountEvent.liquidation(this.writer, seq, instrumentId, accountId, phase, equityMinor, maintenanceMinor, insuranceMinor);
  } // prettier-ignore
  leaseStateChanged(
    seq: number, instrumentId: number, leaseId: string, providerAccountId: number, lesseeAccountId: number,
    state: number, failure: number, gpuCount: number, deliveryStartMs: number, deliveryEndMs: number,
    releasedHours: number, paidMinor: bigint, releasedMinor: bigint, refundedMinor: bigint, collateralMinor: bigint,
  ): void {
    writeAccountEvent.leaseStateChanged(
      this.writer, seq, instrumentId, leaseId, providerAccountId, lesseeAccountId, state, failure, gpuCount,
      deliveryStartMs, deliveryEndMs, releasedHours, paidMinor, releasedMinor, refundedMinor, collateralMinor,
    );
  } // prettier-ignore
  instrumentSettled(
    seq: number, instrumentId: number, kind: SettlementKind, key: string, priceTicks: number, intrinsicTicks: number,
    leases: number,
  ): void {
    writeAccountEvent.instrumentSettled(this.writer, seq, instrumentId, kind, key, priceTicks, intrinsicTicks, leases);
  } // prettier-ignore
  stakeChanged(
    seq: number, accountId: number, change: StakeChange, amountMinor: bigint, stakeMinor: bigint, leaseId: string,
    failedAtMs: number,
  ): void {
    writeAccountEvent.stakeChanged(this.writer, seq, accountId, change, amountMinor, stakeMinor, leaseId, failedAtMs);
  } // prettier-ignore
}
