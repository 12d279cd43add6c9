import { ByteReader, ByteWriter, CodecError } from './bytes';
import {
  CommandType,
  placeOrder,
  type AmendOrder,
  type CancelOrder,
  type Command,
  type ListInstrument,
  type PlaceOrder,
  type UnsequencedCommand,
} from './commands';
import type {
  CancelReason,
  InstrumentStatus,
  OrderType,
  Side,
  StpMode,
  TimeInForce,
  TriggerSource,
} from './enums';
import {
  EventType,
  isLeaseTransferReason,
  type EngineEvent,
  type LiquidationPhase,
  type SettlementKind,
  type StakeChange,
  type TransferReason,
} from './events';
import type { BookSpec, InstrumentDefinition } from './instrument';
import { rejectCodeAt, rejectCodeIndex, type RejectCode } from './reject-code';

/**
 * The one binary codec for commands and events, used by the journal, the logs and the tests.
 * A record is a version tag, a type byte and the type's fields in a fixed order. Numbers are
 * float64 (so a command's numbers arrive exactly as sent), enums and flags are bytes, strings are
 * length-prefixed UTF-8. A new version gets a new tag; decoders refuse tags they do not know.
 */
export const COMMAND_TAG_V1 = 0xc1;
export const EVENT_TAG_V1 = 0xe1;

export function writeBookSpec(w: ByteWriter, s: BookSpec): void {
  w.f64(s.minPriceTicks);
  w.f64(s.maxPriceTicks);
  w.f64(s.minSizeLots);
  w.f64(s.maxSizeLots);
  w.f64(s.priceBandBps);
  w.f64(s.priceBandMinTicks);
  w.f64(s.marketProtectionBps);
  w.f64(s.maxOpenOrders);
}

export function readBookSpec(r: ByteReader): BookSpec {
  return {
    minPriceTicks: r.f64(),
    maxPriceTicks: r.f64(),
    minSizeLots: r.f64(),
    maxSizeLots: r.f64(),
    priceBandBps: r.f64(),
    priceBandMinTicks: r.f64(),
    marketProtectionBps: r.f64(),
    maxOpenOrders: r.f64(),
  };
}

/** Encodes a command; `seq` and `timeMs` may be given to sequence it while encoding. */
export function encodeCommand(
  w: ByteWriter,
  cmd: Command | UnsequencedCommand,
  seq?: number,
  timeMs?: number,
): void {
  const c = cmd as Command;
  let at = w.reserve(18);
  w.buf[at] = COMMAND_TAG_V1;
  w.buf[at + 1] = byte(c.type);
  w.view.setFloat64(at + 2, seq ?? c.seq, true);
  w.view.setFloat64(at + 10, timeMs ?? c.timeMs, true);
  switch (c.type) {
    case CommandType.PlaceOrder: {
      at = w.reserve(16);
      w.view.setFloat64(at, c.instrumentId, true);
      w.view.setFloat64(at + 8, c.accountId, true);
      w.str(c.clientOrderId);
      at = w.reserve(62);
      const b = w.buf;
      const v = w.view;
      b[at] = byte(c.side);
      b[at + 1] = byte(c.orderType);
      b[at + 2] = byte(c.timeInForce);
      b[at + 3] = byte(c.flags);
      b[at + 4] = byte(c.stpMode);
      b[at + 5] = byte(c.triggerSource);
      v.setFloat64(at + 6, c.priceTicks, true);
      v.setFloat64(at + 14, c.qtyLots, true);
      v.setFloat64(at + 22, c.displayLots, true);
      v.setFloat64(at + 30, c.stopPriceTicks, true);
      v.setFloat64(at + 38, c.expireAtMs, true);
      v.setFloat64(at + 46, c.positionLots, true);
      v.setFloat64(at + 54, c.protectionPriceTicks, true);
      return;
    }
    case CommandType.CancelOrder:
      at = w.reserve(24);
      w.view.setFloat64(at, c.instrumentId, true);
      w.view.setFloat64(at + 8, c.accountId, true);
      w.view.setFloat64(at + 16, c.orderId, true);
      w.str(c.clientOrderId);
      return;
    case CommandType.AmendOrder:
      at = w.reserve(24);
      w.view.setFloat64(at, c.instrumentId, true);
      w.view.setFloat64(at + 8, c.accountId, true);
      w.view.setFloat64(at + 16, c.orderId, true);
      w.str(c.clientOrderId);
      at = w.reserve(24);
      w.view.setFloat64(at, c.priceTicks, true);
      w.view.setFloat64(at + 8, c.qtyLots, true);
      w.view.setFloat64(at + 16, c.stopPriceTicks, true);
      return;
    case CommandType.MassCancel:
      w.f64(c.accountId);
      w.f64(c.instrumentId);
      return;
    case CommandType.SetReferencePrice:
      w.f64(c.instrumentId);
      w.u8(c.source);
      w.f64(c.priceTicks);
      return;
    case CommandType.ListInstrument:
      w.f64(c.instrumentId);
      w.str(c.symbol);
      writeBookSpec(w, c.spec);
      w.text(c.definition === undefined ? '' : JSON.stringify(c.definition));
      return;
    case CommandType.SetInstrumentStatus:
      w.f64(c.instrumentId);
      w.u8(c.status);
      return;
    case CommandType.AdvanceTime:
      return;
    case CommandType.Deposit:
    case CommandType.Withdraw:
    case CommandType.ChainWithdraw:
      w.f64(c.accountId);
      w.str(c.asset);
      w.bigint(c.amountMinor);
      return;
    case CommandType.Liquidate:
      w.f64(c.accountId);
      return;
    case CommandType.DailySettle:
      w.f64(c.instrumentId);
      w.str(c.businessDate);
      w.f64(c.priceTicks);
      return;
    case CommandType.ExpireInstrument:
      w.f64(c.instrumentId);
      return;
    case CommandType.SettleExpiry:
      w.f64(c.instrumentId);
      w.f64(c.finalPriceTicks);
      return;
    case CommandType.ProvisionLease:
      w.str(c.leaseId);
      w.str(c.endpoint);
      w.str(c.credentialHash);
      return;
    case CommandType.AttestLease:
      w.str(c.leaseId);
      w.str(c.suite);
      w.f64(c.scorePerGpu);
      return;
    case CommandType.LeaseHeartbeat:
    case CommandType.DisputeLease:
      w.str(c.leaseId);
      return;
    case CommandType.LeaseTick:
      w.str(c.computeClass);
      w.bigint(c.indexMinorPerGpuHour);
      return;
    case CommandType.ResolveLeaseDispute:
      w.str(c.leaseId);
      w.bool(c.upheld);
      w.bigint(c.indexMinorPerGpuHour);
      return;
    case CommandType.CommitCapacity:
      w.f64(c.accountId);
      w.str(c.computeClass);
      w.f64(c.gpuCount);
      return;
    case CommandType.RedeemTokens:
      w.f64(c.accountId);
      w.str(c.computeClass);
      w.f64(c.gpuCount);
      w.f64(c.hours);
      return;
    case CommandType.ChainDeposit:
      w.f64(c.accountId);
      w.str(c.asset);
      w.bigint(c.amountMinor);
      w.str(c.reference);
      w.f64(c.redeemGpus);
      w.f64(c.redeemHours);
      return;
    case CommandType.ChainStake:
      w.f64(c.accountId);
      w.bigint(c.amountMinor);
      w.str(c.reference);
      return;
    case CommandType.ReleaseStake:
      w.f64(c.accountId);
      w.bigint(c.amountMinor);
      return;
    default:
      throw new CodecError(`unknown command type ${(c as { type: unknown }).type}`);
  }
}

/** Empty commands of the three hot types, in the field order the decoders fill them. */
function emptyPlace(): PlaceOrder {
  return placeOrder({ instrumentId: 0, accountId: 0, side: 0, qtyLots: 0 });
}

function emptyCancel(): CancelOrder {
  return {
    type: CommandType.CancelOrder,
    seq: 0,
    timeMs: 0,
    instrumentId: 0,
    accountId: 0,
    orderId: 0,
    clientOrderId: '',
  };
}

function emptyAmend(): AmendOrder {
  return {
    type: CommandType.AmendOrder, seq: 0, timeMs: 0, instrumentId: 0, accountId: 0, orderId: 0, clientOrderId: '',
    priceTicks: 0, qtyLots: 0, stopPriceTicks: 0,
  }; // prettier-ignore
}

/** Reads a place-order body into `c` (after the header); the decoders share these fillers. */
function fillPlace(r: ByteReader, c: PlaceOrder, seq: number, timeMs: number): PlaceOrder {
  c.seq = seq;
  c.timeMs = timeMs;
  c.instrumentId = r.f64();
  c.accountId = r.f64();
  c.clientOrderId = r.str();
  c.side = r.u8() as Side;
  c.orderType = r.u8() as OrderType;
  c.timeInForce = r.u8() as TimeInForce;
  c.flags = r.u8();
  c.stpMode = r.u8() as StpMode;
  c.triggerSource = r.u8() as TriggerSource;
  c.priceTicks = r.f64();
  c.qtyLots = r.f64();
  c.displayLots = r.f64();
  c.stopPriceTicks = r.f64();
  c.expireAtMs = r.f64();
  c.positionLots = r.f64();
  c.protectionPriceTicks = r.f64();
  return c;
}

function fillCancel(r: ByteReader, c: CancelOrder, seq: number, timeMs: number): CancelOrder {
  c.seq = seq;
  c.timeMs = timeMs;
  c.instrumentId = r.f64();
  c.accountId = r.f64();
  c.orderId = r.f64();
  c.clientOrderId = r.str();
  return c;
}

function fillAmend(r: ByteReader, c: AmendOrder, seq: number, timeMs: number): AmendOrder {
  fillCancel(r, c as unknown as CancelOrder, seq, timeMs);
  c.priceTicks = r.f64();
  c.qtyLots = r.f64();
  c.stopPriceTicks = r.f64();
  return c;
}

export function decodeCommand(r: ByteReader): Command {
  const tag = r.u8();
  if (tag !== COMMAND_TAG_V1) throw new CodecError(`unknown command codec tag 0x${tag.toString(16)}`);
  const type = r.u8();
  const seq = r.f64();
  const timeMs = r.f64();
  switch (type) {
    case CommandType.PlaceOrder:
      return fillPlace(r, emptyPlace(), seq, timeMs);
    case CommandType.CancelOrder:
      return fillCancel(r, emptyCancel(), seq, timeMs);
    case CommandType.AmendOrder:
      return fillAmend(r, emptyAmend(), seq, timeMs);
    case CommandType.MassCancel:
      return { type, seq, timeMs, accountId: r.f64(), instrumentId: r.f64() };
    case CommandType.SetReferencePrice:
      return {
        type,
        seq,
        timeMs,
        instrumentId: r.f64(),
        source: r.u8() as TriggerSource,
        priceTicks: r.f64(),
      };
    case CommandType.ListInstrument:
      return readListInstrument(r, seq, timeMs);
    case CommandType.SetInstrumentStatus:
      return { type, seq, timeMs, instrumentId: r.f64(), status: r.u8() as InstrumentStatus };
    case CommandType.AdvanceTime:
      return { type, seq, timeMs };
    case CommandType.Deposit:
    case CommandType.Withdraw:
    case CommandType.ChainWithdraw:
      return { type, seq, timeMs, accountId: r.f64(), asset: r.str(), amountMinor: r.bigint() };
    case CommandType.Liquidate:
      return { type, seq, timeMs, accountId: r.f64() };
    case CommandType.DailySettle:
      return { type, seq, timeMs, instrumentId: r.f64(), businessDate: r.str(), priceTicks: r.f64() };
    case CommandType.ExpireInstrument:
      return { type, seq, timeMs, instrumentId: r.f64() };
    case CommandType.SettleExpiry:
      return { type, seq, timeMs, instrumentId: r.f64(), finalPriceTicks: r.f64() };
    case CommandType.ProvisionLease:
      return { type, seq, timeMs, leaseId: r.str(), endpoint: r.str(), credentialHash: r.str() };
    case CommandType.AttestLease:
      return { type, seq, timeMs, leaseId: r.str(), suite: r.str(), scorePerGpu: r.f64() };
    case CommandType.LeaseHeartbeat:
    case CommandType.DisputeLease:
      return { type, seq, timeMs, leaseId: r.str() };
    case CommandType.LeaseTick:
      return { type, seq, timeMs, computeClass: r.str(), indexMinorPerGpuHour: r.bigint() };
    case CommandType.ResolveLeaseDispute:
      return { type, seq, timeMs, leaseId: r.str(), upheld: r.bool(), indexMinorPerGpuHour: r.bigint() };
    case CommandType.CommitCapacity:
      return { type, seq, timeMs, accountId: r.f64(), computeClass: r.str(), gpuCount: r.f64() };
    case CommandType.RedeemTokens:
      return {
        type,
        seq,
        timeMs,
        accountId: r.f64(),
        computeClass: r.str(),
        gpuCount: r.f64(),
        hours: r.f64(),
      };
    case CommandType.ChainDeposit:
      return {
        type,
        seq,
        timeMs,
        accountId: r.f64(),
        asset: r.str(),
        amountMinor: r.bigint(),
        reference: r.str(),
        redeemGpus: r.f64(),
        redeemHours: r.f64(),
      };
    case CommandType.ChainStake:
      return { type, seq, timeMs, accountId: r.f64(), amountMinor: r.bigint(), reference: r.str() };
    case CommandType.ReleaseStake:
      return { type, seq, timeMs, accountId: r.f64(), amountMinor: r.bigint() };
    default:
      throw new CodecError(`unknown command type ${type}`);
  }
}

function readListInstrument(r: ByteReader, seq: number, timeMs: number): ListInstrument {
  const instrumentId = r.f64();
  const symbol = r.str();
  const spec = readBookSpec(r);
  const json = r.text();
  if (json === '') return { type: CommandType.ListInstrument, seq, timeMs, instrumentId, symbol, spec };
  let definition: InstrumentDefinition;
  try {
    definition = JSON.parse(json) as InstrumentDefinition;
  } catch {
    throw new CodecError(`instrument ${instrumentId}: definition is not JSON`);
  }
  return { type: CommandType.ListInstrument, seq, timeMs, instrumentId, symbol, spec, definition };
}

/**
 * Decodes a stream of commands into reused objects, one per command type, so that applying a journal
 * allocates nothing per command and every command of a type has the same shape. The object returned
 * by `next` is valid until the following call; the engine copies what it keeps.
 */
export class CommandCursor {
  private readonly place = emptyPlace();
  private readonly cancelCmd = emptyCancel();
  private readonly amendCmd = emptyAmend();
  private r = new ByteReader(new Uint8Array(0));

  reset(bytes: Uint8Array): void {
    this.r = new ByteReader(bytes);
  }

  get remaining(): number {
    return this.r.remaining;
  }

  next(): Command {
    const r = this.r;
    const start = r.pos;
    if (r.u8() !== COMMAND_TAG_V1) throw new CodecError(`unknown command codec tag at byte ${start}`);
    const type = r.u8();
    if (type === CommandType.PlaceOrder) return fillPlace(r, this.place, r.f64(), r.f64());
    if (type === CommandType.CancelOrder) return fillCancel(r, this.cancelCmd, r.f64(), r.f64());
    if (type === CommandType.AmendOrder) return fillAmend(r, this.amendCmd, r.f64(), r.f64());
    r.pos = start;
    return decodeCommand(r);
  }
}

/* ---------------------------------------------------------------- events ---------------------------------------------------------------- */

/** Header of every event record: tag, type, seq, instrument id (18 bytes). */
const HEAD = 18;

function head(w: ByteWriter, type: EventType, seq: number, instrumentId: number, bodyBytes: number): number {
  const at = w.reserve(HEAD + bodyBytes);
  w.buf[at] = EVENT_TAG_V1;
  w.buf[at + 1] = type;
  w.view.setFloat64(at + 2, seq, true);
  w.view.setFloat64(at + 10, instrumentId, true);
  return at + HEAD;
}

function byte(value: number): number {
  if ((value & 0xff) !== value) throw new RangeError(`not a byte: ${value}`);
  return value;
}

/**
 * Event writers take fields as arguments, so the engine can encode without building objects. Each
 * reserves its record once and writes the fields in place (the hot path of the engine's output).
 */
export const writeEvent = {
  instrumentListed(w: ByteWriter, seq: number, instrumentId: number, symbol: string): void {
    head(w, EventType.InstrumentListed, seq, instrumentId, 0);
    w.str(symbol);
  },
  instrumentStatusChanged(w: ByteWriter, seq: number, instrumentId: number, status: InstrumentStatus): void {
    const at = head(w, EventType.InstrumentStatusChanged, seq, instrumentId, 1);
    w.buf[at] = byte(status);
  },
  orderAccepted(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    clientOrderId: string,
    side: Side,
    orderType: OrderType,
    timeInForce: TimeInForce,
    flags: number,
    priceTicks: number,
    qtyLots: number,
    displayLots: number,
    stopPriceTicks: number,
    expireAtMs: number,
  ): void {
    let at = head(w, EventType.OrderAccepted, seq, instrumentId, 16);
    w.view.setFloat64(at, orderId, true);
    w.view.setFloat64(at + 8, accountId, true);
    w.str(clientOrderId);
    at = w.reserve(44);
    const b = w.buf;
    const v = w.view;
    b[at] = byte(side);
    b[at + 1] = byte(orderType);
    b[at + 2] = byte(timeInForce);
    b[at + 3] = byte(flags);
    v.setFloat64(at + 4, priceTicks, true);
    v.setFloat64(at + 12, qtyLots, true);
    v.setFloat64(at + 20, displayLots, true);
    v.setFloat64(at + 28, stopPriceTicks, true);
    v.setFloat64(at + 36, expireAtMs, true);
  },
  orderRejected(
    w: ByteWriter,
    seq: number,
    commandType: CommandType,
    instrumentId: number,
    accountId: number,
    orderId: number,
    clientOrderId: string,
    code: RejectCode,
  ): void {
    const at = head(w, EventType.OrderRejected, seq, instrumentId, 17);
    w.buf[at] = byte(commandType);
    w.view.setFloat64(at + 1, accountId, true);
    w.view.setFloat64(at + 9, orderId, true);
    w.str(clientOrderId);
    w.u8(rejectCodeIndex(code));
  },
  trade(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    tradeId: number,
    priceTicks: number,
    qtyLots: number,
    aggressorSide: Side,
    makerOrderId: number,
    makerAccountId: number,
    takerOrderId: number,
    takerAccountId: number,
    makerRemainingLots: number,
    takerRemainingLots: number,
  ): void {
    const at = head(w, EventType.Trade, seq, instrumentId, 73);
    const v = w.view;
    v.setFloat64(at, tradeId, true);
    v.setFloat64(at + 8, priceTicks, true);
    v.setFloat64(at + 16, qtyLots, true);
    w.buf[at + 24] = byte(aggressorSide);
    v.setFloat64(at + 25, makerOrderId, true);
    v.setFloat64(at + 33, makerAccountId, true);
    v.setFloat64(at + 41, takerOrderId, true);
    v.setFloat64(at + 49, takerAccountId, true);
    v.setFloat64(at + 57, makerRemainingLots, true);
    v.setFloat64(at + 65, takerRemainingLots, true);
  },
  orderCancelled(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    cancelledLots: number,
    remainingLots: number,
    reason: CancelReason,
  ): void {
    const at = head(w, EventType.OrderCancelled, seq, instrumentId, 33);
    const v = w.view;
    v.setFloat64(at, orderId, true);
    v.setFloat64(at + 8, accountId, true);
    v.setFloat64(at + 16, cancelledLots, true);
    v.setFloat64(at + 24, remainingLots, true);
    w.buf[at + 32] = byte(reason);
  },
  orderAmended(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    priceTicks: number,
    remainingLots: number,
    stopPriceTicks: number,
    priorityKept: boolean,
  ): void {
    const at = head(w, EventType.OrderAmended, seq, instrumentId, 41);
    const v = w.view;
    v.setFloat64(at, orderId, true);
    v.setFloat64(at + 8, accountId, true);
    v.setFloat64(at + 16, priceTicks, true);
    v.setFloat64(at + 24, remainingLots, true);
    v.setFloat64(at + 32, stopPriceTicks, true);
    w.buf[at + 40] = priorityKept ? 1 : 0;
  },
  orderExpired(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    expiredLots: number,
  ): void {
    const at = head(w, EventType.OrderExpired, seq, instrumentId, 24);
    w.view.setFloat64(at, orderId, true);
    w.view.setFloat64(at + 8, accountId, true);
    w.view.setFloat64(at + 16, expiredLots, true);
  },
  orderTriggered(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    orderId: number,
    accountId: number,
    triggerPriceTicks: number,
  ): void {
    const at = head(w, EventType.OrderTriggered, seq, instrumentId, 24);
    w.view.setFloat64(at, orderId, true);
    w.view.setFloat64(at + 8, accountId, true);
    w.view.setFloat64(at + 16, triggerPriceTicks, true);
  },
  bookDelta(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    side: Side,
    priceTicks: number,
    qtyLots: number,
    orderCount: number,
  ): void {
    const at = head(w, EventType.BookDelta, seq, instrumentId, 25);
    w.buf[at] = byte(side);
    w.view.setFloat64(at + 1, priceTicks, true);
    w.view.setFloat64(at + 9, qtyLots, true);
    w.view.setFloat64(at + 17, orderCount, true);
  },
};

/** Writers of the risk stage's events (ledger, positions, liquidation), as `writeEvent` for the book's. */
export const writeAccountEvent = {
  ledgerTransfer(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    debitAccountId: number,
    creditAccountId: number,
    asset: string,
    amountMinor: bigint,
    reason: TransferReason,
    leaseId: string,
  ): void {
    const at = head(w, EventType.LedgerTransfer, seq, instrumentId, 17);
    w.view.setFloat64(at, debitAccountId, true);
    w.view.setFloat64(at + 8, creditAccountId, true);
    w.buf[at + 16] = byte(reason);
    w.str(asset);
    w.bigint(amountMinor);
    // only lease reasons carry the lease id (older records of the other reasons stay readable)
    if (isLeaseTransferReason(reason)) w.str(leaseId);
  },
  positionChanged(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    accountId: number,
    qtyLots: number,
    costMinor: bigint,
  ): void {
    const at = head(w, EventType.PositionChanged, seq, instrumentId, 16);
    w.view.setFloat64(at, accountId, true);
    w.view.setFloat64(at + 8, qtyLots, true);
    w.bigint(costMinor);
  },
  liquidation(
    w: ByteWriter,
    seq: number,
    instrumentId: number,
    accountId: number,
    phase: LiquidationPhase,
    equityMinor: bigint,
    maintenanceMinor: bigint,
    insuranceMinor: bigint,
  ): void {
    const at = head(w, EventType.Liquidation, seq, instrumentId, 9);
    w.view.setFloat64(at, accountId, true);
    w.buf[at + 8] = byte(phase);
    w.bigint(equityMinor);
    w.bigint(maintenanceMinor);
    w.bigint(insuranceMinor);
  },
  leaseStateChanged(
    w: ByteWriter, seq: number, instrumentId: number, leaseId: string, providerAccountId: number,
    lesseeAccountId: number, state: number, failure: number, gpuCount: number, deliveryStartMs: number,
    deliveryEndMs: number, releasedHours: number, paidMinor: bigint, releasedMinor: bigint, refundedMinor: bigint,
    collateralMinor: bigint,
  ): void {
    head(w, EventType.LeaseStateChanged, seq, instrumentId, 0);
    w.str(leaseId);
    w.f64(providerAccountId);
    w.f64(lesseeAccountId);
    w.u8(byte(state));
    w.u8(byte(failure));
    w.f64(gpuCount);
    w.f64(deliveryStartMs);
    w.f64(deliveryEndMs);
    w.f64(releasedHours);
    w.bigint(paidMinor);
    w.bigint(releasedMinor);
    w.bigint(refundedMinor);
    w.bigint(collateralMinor);
  }, // prettier-ignore
  instrumentSettled(
    w: ByteWriter, seq: number, instrumentId: number, kind: SettlementKind, key: string, priceTicks: number,
    intrinsicTicks: number, leases: number,
  ): void {
    head(w, EventType.InstrumentSettled, seq, instrumentId, 0);
    w.u8(byte(kind));
    w.str(key);
    w.f64(priceTicks);
    w.f64(intrinsicTicks);
    w.f64(leases);
  }, // prettier-ignore
  stakeChanged(
    w: ByteWriter, seq: number, accountId: number, change: StakeChange, amountMinor: bigint, stakeMinor: bigint,
    leaseId: string, failedAtMs: number,
  ): void {
    head(w, EventType.StakeChanged, seq, 0, 0);
    w.f64(accountId);
    w.u8(byte(change));
    w.bigint(amountMinor);
    w.bigint(stakeMinor);
    w.str(leaseId);
    w.f64(failedAtMs);
  }, // prettier-ignore
};

export function encodeEvent(w: ByteWriter, e: EngineEvent): void {
  switch (e.type) {
    case EventType.InstrumentListed:
      return writeEvent.instrumentListed(w, e.seq, e.instrumentId, e.symbol);
    case EventType.InstrumentStatusChanged:
      return writeEvent.instrumentStatusChanged(w, e.seq, e.instrumentId, e.status);
    case EventType.OrderAccepted:
      return writeEvent.orderAccepted(
        w, e.seq, e.instrumentId, e.orderId, e.accountId, e.clientOrderId, e.side, e.orderType, e.timeInForce,
        e.flags, e.priceTicks, e.qtyLots, e.displayLots, e.stopPriceTicks, e.expireAtMs,
      ); // prettier-ignore
    case EventType.OrderRejected:
      return writeEvent.orderRejected(
        w,
        e.seq,
        e.commandType,
        e.instrumentId,
        e.accountId,
        e.orderId,
        e.clientOrderId,
        e.code,
      );
    case EventType.Trade:
      return writeEvent.trade(
        w, e.seq, e.instrumentId, e.tradeId, e.priceTicks, e.qtyLots, e.aggressorSide, e.makerOrderId,
        e.makerAccountId, e.takerOrderId, e.takerAccountId, e.makerRemainingLots, e.takerRemainingLots,
      ); // prettier-ignore
    case EventType.OrderCancelled:
      return writeEvent.orderCancelled(
        w,
        e.seq,
        e.instrumentId,
        e.orderId,
        e.accountId,
        e.cancelledLots,
        e.remainingLots,
        e.reason,
      );
    case EventType.OrderAmended:
      return writeEvent.orderAmended(
        w, e.seq, e.instrumentId, e.orderId, e.accountId, e.priceTicks, e.remainingLots, e.stopPriceTicks, e.priorityKept,
      ); // prettier-ignore
    case EventType.OrderExpired:
      return writeEvent.orderExpired(w, e.seq, e.instrumentId, e.orderId, e.accountId, e.expiredLots);
    case EventType.OrderTriggered:
      return writeEvent.orderTriggered(w, e.seq, e.instrumentId, e.orderId, e.accountId, e.triggerPriceTicks);
    case EventType.BookDelta:
      return writeEvent.bookDelta(w, e.seq, e.instrumentId, e.side, e.priceTicks, e.qtyLots, e.orderCount);
    case EventType.LedgerTransfer:
      return writeAccountEvent.ledgerTransfer(
        w, e.seq, e.instrumentId, e.debitAccountId, e.creditAccountId, e.asset, e.amountMinor, e.reason, e.leaseId,
      ); // prettier-ignore
    case EventType.PositionChanged:
      return writeAccountEvent.positionChanged(w, e.seq, e.instrumentId, e.accountId, e.qtyLots, e.costMinor);
    case EventType.Liquidation:
      return writeAccountEvent.liquidation(
        w, e.seq, e.instrumentId, e.accountId, e.phase, e.equityMinor, e.maintenanceMinor, e.insuranceMinor,
      ); // prettier-ignore
    case EventType.LeaseStateChanged:
      return writeAccountEvent.leaseStateChanged(
        w, e.seq, e.instrumentId, e.leaseId, e.providerAccountId, e.lesseeAccountId, e.state, e.failure, e.gpuCount,
        e.deliveryStartMs, e.deliveryEndMs, e.releasedHours, e.paidMinor, e.releasedMinor, e.refundedMinor, e.collateralMinor,
      ); // prettier-ignore
    case EventType.InstrumentSettled:
      return writeAccountEvent.instrumentSettled(
        w, e.seq, e.instrumentId, e.kind, e.key, e.priceTicks, e.intrinsicTicks, e.leases,
      ); // prettier-ignore
    case EventType.StakeChanged:
      return writeAccountEvent.stakeChanged(w, e.seq, e.accountId, e.change, e.amountMinor, e.stakeMinor, e.leaseId, e.failedAtMs); // prettier-ignore
    default:
      throw new CodecError(`unknown event type ${(e as { type: unknown }).type}`);
  }
}

export function decodeEvent(r: ByteReader): EngineEvent {
  const tag = r.u8();
  if (tag !== EVENT_TAG_V1) throw new CodecError(`unknown event codec tag 0x${tag.toString(16)}`);
  const type = r.u8();
  const seq = r.f64();
  const instrumentId = r.f64();
  switch (type) {
    case EventType.InstrumentListed:
      return { type, seq, instrumentId, symbol: r.str() };
    case EventType.InstrumentStatusChanged:
      return { type, seq, instrumentId, status: r.u8() as InstrumentStatus };
    case EventType.OrderAccepted:
      return {
        type, seq, instrumentId, orderId: r.f64(), accountId: r.f64(), clientOrderId: r.str(), side: r.u8() as Side,
        orderType: r.u8() as OrderType, timeInForce: r.u8() as TimeInForce, flags: r.u8(), priceTicks: r.f64(),
        qtyLots: r.f64(), displayLots: r.f64(), stopPriceTicks: r.f64(), expireAtMs: r.f64(),
      }; // prettier-ignore
    case EventType.OrderRejected: {
      const commandType = r.u8() as CommandType;
      return {
        type, seq, instrumentId, commandType, accountId: r.f64(), orderId: r.f64(), clientOrderId: r.str(),
        code: rejectCodeAt(r.u8()),
      }; // prettier-ignore
    }
    case EventType.Trade:
      return {
        type, seq, instrumentId, tradeId: r.f64(), priceTicks: r.f64(), qtyLots: r.f64(), aggressorSide: r.u8() as Side,
        makerOrderId: r.f64(), makerAccountId: r.f64(), takerOrderId: r.f64(), takerAccountId: r.f64(),
        makerRemainingLots: r.f64(), takerRemainingLots: r.f64(),
      }; // prettier-ignore
    case EventType.OrderCancelled:
      return {
        type, seq, instrumentId, orderId: r.f64(), accountId: r.f64(), cancelledLots: r.f64(), remainingLots: r.f64(),
        reason: r.u8() as CancelReason,
      }; // prettier-ignore
    case EventType.OrderAmended:
      return {
        type, seq, instrumentId, orderId: r.f64(), accountId: r.f64(), priceTicks: r.f64(), remainingLots: r.f64(),
        stopPriceTicks: r.f64(), priorityKept: r.bool(),
      }; // prettier-ignore
    case EventType.OrderExpired:
      return { type, seq, instrumentId, orderId: r.f64(), accountId: r.f64(), expiredLots: r.f64() };
    case EventType.OrderTriggered:
      return { type, seq, instrumentId, orderId: r.f64(), accountId: r.f64(), triggerPriceTicks: r.f64() };
    case EventType.BookDelta:
      return {
        type,
        seq,
        instrumentId,
        side: r.u8() as Side,
        priceTicks: r.f64(),
        qtyLots: r.f64(),
        orderCount: r.f64(),
      };
    case EventType.LedgerTransfer: {
      const debitAccountId = r.f64();
      const creditAccountId = r.f64();
      const reason = r.u8() as TransferReason;
      const asset = r.str();
      const amountMinor = r.bigint();
      const leaseId = isLeaseTransferReason(reason) ? r.str() : '';
      return {
        type,
        seq,
        instrumentId,
        debitAccountId,
        creditAccountId,
        reason,
        asset,
        amountMinor,
        leaseId,
      };
    }
    case EventType.PositionChanged:
      return { type, seq, instrumentId, accountId: r.f64(), qtyLots: r.f64(), costMinor: r.bigint() };
    case EventType.Liquidation:
      return {
        type, seq, instrumentId, accountId: r.f64(), phase: r.u8() as LiquidationPhase, equityMinor: r.bigint(),
        maintenanceMinor: r.bigint(), insuranceMinor: r.bigint(),
      }; // prettier-ignore
    case EventType.LeaseStateChanged:
      return {
        type, seq, instrumentId, leaseId: r.str(), providerAccountId: r.f64(), lesseeAccountId: r.f64(), state: r.u8(),
        failure: r.u8(), gpuCount: r.f64(), deliveryStartMs: r.f64(), deliveryEndMs: r.f64(), releasedHours: r.f64(),
        paidMinor: r.bigint(), releasedMinor: r.bigint(), refundedMinor: r.bigint(), collateralMinor: r.bigint(),
      }; // prettier-ignore
    case EventType.InstrumentSettled:
      return {
        type, seq, instrumentId, kind: r.u8() as SettlementKind, key: r.str(), priceTicks: r.f64(),
        intrinsicTicks: r.f64(), leases: r.f64(),
      }; // prettier-ignore
    case EventType.StakeChanged:
      return {
        type, seq, instrumentId, accountId: r.f64(), change: r.u8() as StakeChange, amountMinor: r.bigint(),
        stakeMinor: r.bigint(), leaseId: r.str(), failedAtMs: r.f64(),
      }; // prettier-ignore
    default:
      throw new CodecError(`unknown event type ${type}`);
  }
}

/** Encodes a list of commands (or events) into one fresh byte array. */
export function encodeCommands(commands: readonly Command[]): Uint8Array {
  const w = new ByteWriter(64 * commands.length + 64);
  for (const c of commands) encodeCommand(w, c);
  return w.bytes().slice();
}

export function decodeCommands(bytes: Uint8Array): Command[] {
  const r = new ByteReader(bytes);
  const out: Command[] = [];
  while (r.remaining > 0) out.push(decodeCommand(r));
  return out;
}

export function encodeEvents(events: readonly EngineEvent[]): Uint8Array {
  const w = new ByteWriter(64 * events.length + 64);
  for (const e of events) encodeEvent(w, e);
  return w.bytes().slice();
}

export function decodeEvents(bytes: Uint8Array): EngineEvent[] {
  const r = new ByteReader(bytes);
  const out: EngineEvent[] = [];
  while (r.remaining > 0) out.push(decodeEvent(r));
  return out;
}
