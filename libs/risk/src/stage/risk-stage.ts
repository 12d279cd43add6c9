import {
  CancelReason,
  CommandType,
  COMPUTE_CLASSES,
  LiquidationPhase,
  OrderFlags,
  OrderType,
  QUOTE_CURRENCY,
  Side,
  SystemAccount,
  StakeChange,
  TimeInForce,
  TransferReason,
  TriggerSource,
  isUserAccountId,
  placeOrder,
  type AmendOrder,
  type ChainDeposit,
  type ChainStake,
  type ChainWithdraw,
  type Command,
  type Deposit,
  type InstrumentDefinition,
  type Liquidate,
  type PlaceOrder,
  type RejectCode,
  type ReleaseStake,
  type Withdraw,
} from '@exchange/domain';
import { Ledger } from '@exchange/ledger';
import { MatchingEngine, type ExchangeEventSink, type OrderBook } from '@exchange/order-book';
import { maxLoss, scenarioGrid, type ScenarioGrid } from '../scenario-grid';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from './risk-config';
import { RiskAccount, type OpenOrder, type PositionState } from './risk-account';
import { InstrumentKind, RiskInstrument } from './risk-instrument';
import { restoreRiskStage, riskStateHash, snapshotRiskStage } from './risk-snapshot';
import { RiskSettlement } from './risk-settlement';
import { RiskTee } from './risk-tee';

const BPS = 10_000n;
const ASSETS = new Set<string>([QUOTE_CURRENCY, ...COMPUTE_CLASSES.map((c) => c.id)]);
const MAX_AMOUNT_MINOR = 10n ** 30n;

/** An account's margin figures, minor units (floats of whole-unit magnitude; see marginOf). */
export interface MarginFigures {
  /**
   * Cash (less spot reservations and stake that backs no collateral) plus futures P&L at the
   * reference price plus options' value.
   */
  equity: number;
  maintenance: number;
  /** Initial margin if every open buy (or sell) order filled at its worst price. */
  initialBuy: number;
  initialSell: number;
  /** What those fills would gain or lose against the reference value. */
  edgeBuy: number;
  edgeSell: number;
}

/** A possible new order added to an account's worst case. */
interface ExtraOrder {
  instrumentId: number;
  side: Side;
  lots: number;
  priceTicks: number;
}

interface Scratch {
  stamp: number;
  forward: number;
  unitsPerLot: number;
  accN: Float64Array;
  accB: Float64Array;
  accS: Float64Array;
  shortN: number;
  shortB: number;
  shortS: number;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return a <= 0n ? 0n : (a + b - 1n) / b;
}

/**
 * The risk stage and the matching engine of one shard, sequenced together: each command is checked
 * against the accounts' collateral, then matched, then its trades are settled into the double-entry
 * ledger, all on one thread in seq order, so two orders can never both pass a check that only one
 * fits, and a replay of the same commands reaches the same state (hashed).
 *
 * - Spot is fully collateralised: a buy reserves notional plus taker fee at its worst price, a sell
 *   reserves its tokens; a trade moves the quote currency and the tokens, and fees go to Fees.
 * - Futures and options: portfolio margin from the scenario grid (libs/risk scenario-grid), per
 *   underlying future. An order is accepted only if, with every open order on its side (and it)
 *   filled at its worst price, the equity after those fills covers the initial margin; otherwise
 *   INSUFFICIENT_MARGIN and nothing changes. Reduce-only orders always pass (they cannot add risk).
 *   Options premium moves at the trade; futures P&L is realised against Clearing when a position is
 *   reduced (daily variation margin is the settlement stage's).
 * - Liquidation: when a mark moves, every holder of that underlying is checked; below maintenance its
 *   orders are cancelled and it is flagged. Each Liquidate command then closes part of its largest
 *   position with a reduce-only IOC; when it is flat with a negative balance the insurance fund
 *   covers what it can. Every step is an event.
 *
 * Margin arithmetic is float64 on whole minor units (values far below 2^53), rounded up to the minor
 * unit where a requirement is formed; balances and transfers are exact bigint.
 */
export class RiskStage {
  lastSeq = 0;
  nowMs = 0;
  engine: MatchingEngine;
  ledger = new Ledger();
  readonly grid: ScenarioGrid;
  private readonly tee: RiskTee;
  private readonly instruments: (RiskInstrument | undefined)[] = [];
  private readonly bySymbol = new Map<string, RiskInstrument>();
  private readonly accounts = new Map<number, RiskAccount>();
  /** underlying future id -> accounts with a position on it or on its options */
  private readonly holders = new Map<number, Set<number>>();
  private readonly liquidating = new Set<number>();
  private pendingDefinition: InstrumentDefinition | undefined;
  private pendingOrderId = 0;
  private pendingPriceTicks = 0;
  private readonly scratch = new Map<number, Scratch>();
  private scratchStamp = 0;
  /** Daily marks, expiries and leases (risk-settlement.ts). */
  settlement: RiskSettlement;
  /** References of the chain deposits credited (ChainDeposit): each is credited once. */
  readonly chainDeposits = new Set<string>();

  constructor(
    readonly out: ExchangeEventSink,
    readonly config: RiskConfig = DEFAULT_RISK_CONFIG,
  ) {
    this.grid = scenarioGrid(config.margin);
    this.tee = new RiskTee(out, this);
    this.engine = new MatchingEngine(this.tee);
    this.settlement = new RiskSettlement(this);
  }

  /** Applies a command; false if it was already applied (seq not above the last). */
  process(c: Command): boolean {
    if (!Number.isSafeInteger(c.seq) || c.seq <= 0)
      throw new RangeError(`command sequence number ${c.seq} is not a positive integer`);
    if (c.seq <= this.lastSeq) return false;
    this.lastSeq = c.seq;
    if (Number.isFinite(c.timeMs) && c.timeMs > this.nowMs) this.nowMs = c.timeMs;
    switch (c.type) {
      case CommandType.PlaceOrder: {
        const code = this.checkPlace(c);
        if (code !== null) this.reject(c.seq, c.type, c.instrumentId, c.accountId, 0, c.clientOrderId, code);
        else this.engine.process(c);
        this.pendingOrderId = 0;
        break;
      }
      case CommandType.AmendOrder: {
        const code = this.checkAmend(c);
        if (code !== null)
          this.reject(c.seq, c.type, c.instrumentId, c.accountId, c.orderId, c.clientOrderId, code);
        else this.engine.process(c);
        break;
      }
      case CommandType.SetReferencePrice:
        this.engine.process(c);
        this.onReferencePrice(c.seq, c.instrumentId, c.source, c.priceTicks);
        break;
      case CommandType.ListInstrument:
        this.pendingDefinition = c.definition;
        this.engine.process(c);
        this.pendingDefinition = undefined;
        break;
      case CommandType.Deposit:
      case CommandType.ChainDeposit:
        this.deposit(c);
        break;
      case CommandType.Withdraw:
      case CommandType.ChainWithdraw:
        this.withdraw(c);
        break;
      case CommandType.ChainStake:
        this.stake(c);
        break;
      case CommandType.ReleaseStake:
        this.releaseStake(c);
        break;
      case CommandType.Liquidate:
        this.liquidateStep(c);
        break;
      case CommandType.DailySettle:
      case CommandType.ExpireInstrument:
      case CommandType.SettleExpiry:
      case CommandType.ProvisionLease:
      case CommandType.AttestLease:
      case CommandType.LeaseHeartbeat:
      case CommandType.LeaseTick:
      case CommandType.DisputeLease:
      case CommandType.ResolveLeaseDispute:
      case CommandType.CommitCapacity:
      case CommandType.RedeemTokens:
        this.settlement.process(c);
        break;
      default:
        this.engine.process(c);
    }
    return true;
  }

  /* --------------------------------------------------------------- views --------------------------------------------------------------- */

  book(instrumentId: number): OrderBook | undefined {
    return this.engine.book(instrumentId);
  }

  instrumentIds(): number[] {
    return this.engine.instrumentIds();
  }

  /** The canonical snapshot of the whole shard (engine and risk state). */
  snapshot(): Uint8Array {
    return snapshotRiskStage(this);
  }

  /** SHA-256 of the snapshot, hex: equal states, equal hashes. */
  stateHash(): string {
    return riskStateHash(this);
  }

  static restore(
    bytes: Uint8Array,
    out: ExchangeEventSink,
    config: RiskConfig = DEFAULT_RISK_CONFIG,
  ): RiskStage {
    return restoreRiskStage(bytes, out, config);
  }

  instrument(instrumentId: number): RiskInstrument | undefined {
    return Number.isInteger(instrumentId) ? this.instruments[instrumentId] : undefined;
  }

  account(accountId: number): RiskAccount | undefined {
    return this.accounts.get(accountId);
  }

  accountIds(): number[] {
    return [...this.accounts.keys()].sort((a, b) => a - b);
  }

  /** Accounts being liquidated, ascending (the liquidation keeper sends them Liquidate commands). */
  liquidatingAccounts(): number[] {
    if (this.liquidating.size === 0) return [];
    return [...this.liquidating].sort((x, y) => x - y);
  }

  private setLiquidating(a: RiskAccount, on: boolean): void {
    a.inLiquidation = on;
    if (on) this.liquidating.add(a.accountId);
    else this.liquidating.delete(a.accountId);
  }

  /** Margin figures of an account (all zero for an unknown one). */
  margin(accountId: number): MarginFigures {
    const a = this.accounts.get(accountId);
    if (a === undefined)
      return { equity: 0, maintenance: 0, initialBuy: 0, initialSell: 0, edgeBuy: 0, edgeSell: 0 };
    return this.marginOf(a, null);
  }

  /* ---------------------------------------------------------- instrument events ---------------------------------------------------------- */

  /** The engine listed an instrument: register it if its command carried a definition. */
  onListed(instrumentId: number): void {
    const d = this.pendingDefinition;
    if (d === undefined) return;
    const book = this.engine.book(instrumentId);
    if (book === undefined) return;
    this.register(new RiskInstrument(instrumentId, d, book.spec, this.config));
  }

  private register(ins: RiskInstrument): void {
    this.instruments[ins.instrumentId] = ins;
    this.bySymbol.set(ins.definition.symbol, ins);
    if (ins.kind === InstrumentKind.Option) {
      ins.underlyingId = this.bySymbol.get(ins.underlyingSymbol)?.instrumentId ?? 0;
    } else if (ins.kind === InstrumentKind.Future) {
      for (const other of this.instruments)
        if (other?.kind === InstrumentKind.Option && other.underlyingSymbol === ins.definition.symbol)
          other.underlyingId = ins.instrumentId;
    }
  }

  private onReferencePrice(seq: number, instrumentId: number, source: number, priceTicks: number): void {
    const ins = this.instrument(instrumentId);
    const book = this.engine.book(instrumentId);
    if (ins === undefined || book === undefined) return;
    if (source === TriggerSource.IndexPrice) return this.settlement.redemption.noteIndex(ins, priceTicks);
    if (source !== TriggerSource.MarkPrice) return;
    if (!Number.isSafeInteger(priceTicks) || priceTicks <= 0) return; // the engine rejected it
    if (ins.markTicks === priceTicks) return;
    ins.markTicks = priceTicks;
    ins.markTimeMs = this.nowMs;
    ins.version++;
    if (ins.isDerivative && ins.underlyingId > 0) this.checkHolders(seq, ins.underlyingId);
  }

  /* --------------------------------------------------------------- orders --------------------------------------------------------------- */

  private reject(
    seq: number,
    type: CommandType,
    instrumentId: number,
    accountId: number,
    orderId: number,
    clientOrderId: string,
    code: RejectCode,
  ): void {
    const echo = typeof clientOrderId === 'string' && clientOrderId.length <= 64 ? clientOrderId : '';
    const id = Number.isFinite(instrumentId) ? instrumentId : 0;
    this.out.orderRejected(seq, type, id, Number.isFinite(accountId) ? accountId : 0, orderId, echo, code);
  }

  /** Null to pass the order to the engine (which may still reject it), or the risk stage's reject code. */
  private checkPlace(c: PlaceOrder): RejectCode | null {
    const ins = this.instrument(c.instrumentId);
    if (ins === undefined)
      return this.engine.book(c.instrumentId) === undefined ? null : 'UNKNOWN_INSTRUMENT';
    if (!isUserAccountId(c.accountId) || !(Number.isSafeInteger(c.qtyLots) && c.qtyLots > 0)) return null;
    if (c.side !== Side.Buy && c.side !== Side.Sell) return null;
    if (ins.expiryMs > 0 && (c.timeMs >= ins.expiryMs || this.settlement.expired.has(ins.instrumentId)))
      return 'INSTRUMENT_EXPIRED';
    const a = this.accounts.get(c.accountId);
    const reduceOnly = (c.flags & OrderFlags.ReduceOnly) !== 0;
    if (a?.inLiquidation && !reduceOnly) return 'ACCOUNT_IN_LIQUIDATION';
    const price = this.worstPrice(c, ins);
    if (price <= 0) return null; // bad price or no liquidity: the engine says which
    if (reduceOnly) c.positionLots = a?.positions.get(c.instrumentId)?.qtyLots ?? 0;
    this.pendingOrderId = c.seq;
    this.pendingPriceTicks = price;
    if (ins.kind === InstrumentKind.Spot) return this.spotFits(a, ins, c.side, c.qtyLots, price);
    if (reduceOnly) return null;
    const underlying = this.instrument(ins.underlyingId);
    if (underlying === undefined || underlying.referenceTicks <= 0) return 'NO_MARK_PRICE';
    if (a === undefined)
      return this.derivativeFits(new RiskAccount(c.accountId), ins, c.side, c.qtyLots, price);
    return this.derivativeFits(a, ins, c.side, c.qtyLots, price);
  }

  /**
   * The worst price an order can trade at: its limit; for market and stop-market orders the
   * protection price, which the stage fixes on the command (so the engine can never fill beyond
   * what was reserved). 0 when there is none (the engine then rejects the order).
   */
  private worstPrice(c: PlaceOrder, ins: RiskInstrument): number {
    if (c.orderType === OrderType.Limit || c.orderType === OrderType.StopLimit)
      return Number.isSafeInteger(c.priceTicks) && c.priceTicks > 0 ? c.priceTicks : 0;
    if (!(Number.isSafeInteger(c.protectionPriceTicks) && c.protectionPriceTicks >= 0)) return 0;
    const book = this.engine.book(c.instrumentId)!;
    if (c.orderType === OrderType.Market) {
      const p = book.marketProtectionPrice(c.side, c.protectionPriceTicks);
      if (p > 0) c.protectionPriceTicks = p;
      return p;
    }
    if (c.orderType !== OrderType.StopMarket) return 0;
    if (c.protectionPriceTicks > 0) return c.protectionPriceTicks;
    if (!(Number.isSafeInteger(c.stopPriceTicks) && c.stopPriceTicks > 0)) return 0;
    const away = Math.floor((c.stopPriceTicks * ins.spec.marketProtectionBps) / 10_000);
    const p =
      c.side === Side.Buy
        ? Math.min(c.stopPriceTicks + away, ins.spec.maxPriceTicks)
        : Math.max(c.stopPriceTicks - away, ins.spec.minPriceTicks);
    c.protectionPriceTicks = p;
    return p;
  }

  /**
   * Notional plus the larger of the two fees, rounded up to the minor unit: exact integer arithmetic
   * in float64 while every intermediate is a safe integer (the division corrected to the exact
   * floor); Infinity when it is not, which no account can cover.
   */
  private spotReserve(ins: RiskInstrument, lots: number, priceTicks: number): number {
    const bps = Math.max(ins.fees.takerBps, ins.fees.makerBps);
    const notional = priceTicks * lots * ins.tickValue;
    const scaled = notional * bps + 9_999;
    if (!(scaled <= Number.MAX_SAFE_INTEGER && notional * 2 <= Number.MAX_SAFE_INTEGER)) return Infinity;
    let fee = Math.floor(scaled / 10_000);
    if (fee * 10_000 > scaled) fee--;
    else if ((fee + 1) * 10_000 <= scaled) fee++;
    return notional + fee;
  }

  private spotFits(
    a: RiskAccount | undefined,
    ins: RiskInstrument,
    side: Side,
    lots: number,
    priceTicks: number,
  ): RejectCode | null {
    if (side === Side.Sell) {
      const free =
        a === undefined ? 0 : Number(this.ledger.balance(a.accountId, ins.asset)) - a.lockedToken(ins.asset);
      return lots * ins.tokensPerLotNumber <= free ? null : 'INSUFFICIENT_MARGIN';
    }
    if (a === undefined) return 'INSUFFICIENT_MARGIN';
    return Number(this.spotReserve(ins, lots, priceTicks)) <= this.freeQuote(a)
      ? null
      : 'INSUFFICIENT_MARGIN';
  }

  /** Quote currency free for spot buys and withdrawals: cash less reservations and derivatives' needs. */
  private freeQuote(a: RiskAccount): number {
    const cash =
      Number(this.ledger.balance(a.accountId, QUOTE_CURRENCY)) - a.lockedQuoteMinor - this.idleStake(a);
    if (!a.hasDerivatives) return cash;
    const m = this.marginOf(a, null);
    return Math.min(cash, m.equity + m.edgeBuy - m.initialBuy, m.equity + m.edgeSell - m.initialSell);
  }

  private derivativeFits(
    a: RiskAccount,
    ins: RiskInstrument,
    side: Side,
    lots: number,
    priceTicks: number,
  ): RejectCode | null {
    const m = this.marginOf(a, { instrumentId: ins.instrumentId, side, lots, priceTicks });
    const fits =
      side === Side.Buy ? m.equity + m.edgeBuy >= m.initialBuy : m.equity + m.edgeSell >= m.initialSell;
    if (!fits) return 'INSUFFICIENT_MARGIN';
    if (side === Side.Sell && ins.physical) {
      // a provider's collateral for its worst-case shorts comes on top of the margin
      const need = this.settlement.providerCollateralMinor(a, ins.instrumentId, lots);
      if (need > 0 && m.equity + m.edgeSell - m.initialSell + this.idleStake(a) < need)
        return 'INSUFFICIENT_PROVIDER_COLLATERAL';
    }
    return null;
  }

  /** An amendment that raises what an order can cost is checked like a new order in its place. */
  private checkAmend(c: AmendOrder): RejectCode | null {
    const a = this.accounts.get(c.accountId);
    if (a === undefined) return null;
    let o: OpenOrder | undefined;
    if (c.orderId !== 0) o = a.orders.get(c.orderId);
    else {
      const bookOrder = this.engine.book(c.instrumentId)?.ownOrder(c.accountId, 0, c.clientOrderId);
      if (bookOrder !== undefined) o = a.orders.get(bookOrder.orderId);
    }
    if (o === undefined || o.instrumentId !== c.instrumentId || o.reduceOnly) return null;
    const lots = Number.isSafeInteger(c.qtyLots) && c.qtyLots > 0 ? c.qtyLots : o.openLots;
    const price =
      o.limit && Number.isSafeInteger(c.priceTicks) && c.priceTicks > 0 ? c.priceTicks : o.priceTicks;
    const riskier = lots > o.openLots || (o.side === Side.Buy ? price > o.priceTicks : price < o.priceTicks);
    if (!riskier) return null;
    const ins = this.instruments[c.instrumentId]!;
    a.hold(o, ins, -1);
    const code =
      ins.kind === InstrumentKind.Spot
        ? this.spotFits(a, ins, o.side, lots, price)
        : this.derivativeFits(a, ins, o.side, lots, price);
    a.hold(o, ins, 1);
    return code;
  }

  /* ------------------------------------------------------------ engine hooks ------------------------------------------------------------ */

  onAccepted(
    orderId: number, instrumentId: number, accountId: number, side: Side, orderType: OrderType, flags: number,
    priceTicks: number, lots: number,
  ): void {
    const ins = this.instrument(instrumentId);
    if (ins === undefined) return;
    const price = orderId === this.pendingOrderId ? this.pendingPriceTicks : priceTicks;
    const a = this.accountFor(accountId);
    const o: OpenOrder = {
      orderId, instrumentId, side, priceTicks: price, openLots: lots, reservedMinor: 0,
      limit: orderType === OrderType.Limit || orderType === OrderType.StopLimit,
      reduceOnly: (flags & OrderFlags.ReduceOnly) !== 0,
    };
    if (ins.kind === InstrumentKind.Spot && side === Side.Buy) o.reservedMinor = this.spotReserve(ins, lots, price);
    a.orders.set(orderId, o);
    a.hold(o, ins, 1);
  } // prettier-ignore

  /** An order's open quantity (and, after an amendment, its price) changed; 0 removes it. */
  onOpenChanged(accountId: number, orderId: number, openLots: number, priceTicks = 0): void {
    const a = this.accounts.get(accountId);
    const o = a?.orders.get(orderId);
    if (a === undefined || o === undefined) return;
    const ins = this.instruments[o.instrumentId]!;
    a.hold(o, ins, -1);
    if (openLots <= 0) {
      a.orders.delete(orderId);
      return;
    }
    o.openLots = openLots;
    if (priceTicks > 0) o.priceTicks = priceTicks;
    if (ins.kind === InstrumentKind.Spot && o.side === Side.Buy)
      o.reservedMinor = this.spotReserve(ins, openLots, o.priceTicks);
    a.hold(o, ins, 1);
  }

  /** Amended orders keep their worst price unless they are limit orders with a new limit. */
  onAmended(accountId: number, orderId: number, priceTicks: number, remainingLots: number): void {
    const o = this.accounts.get(accountId)?.orders.get(orderId);
    if (o === undefined) return;
    this.onOpenChanged(accountId, orderId, remainingLots, o.limit ? priceTicks : 0);
  }

  onTrade(
    seq: number,
    instrumentId: number,
    priceTicks: number,
    lots: number,
    aggressorSide: Side,
    makerOrderId: number,
    makerAccountId: number,
    takerOrderId: number,
    takerAccountId: number,
    makerRemainingLots: number,
    takerRemainingLots: number,
  ): void {
    const ins = this.instrument(instrumentId);
    if (ins === undefined) return;
    this.onOpenChanged(makerAccountId, makerOrderId, makerRemainingLots);
    this.onOpenChanged(takerAccountId, takerOrderId, takerRemainingLots);
    const buyer = aggressorSide === Side.Buy ? takerAccountId : makerAccountId;
    const seller = aggressorSide === Side.Buy ? makerAccountId : takerAccountId;
    const notional = BigInt(priceTicks) * BigInt(lots) * ins.tickValueMinor;
    if (ins.kind === InstrumentKind.Spot) {
      this.move(seq, instrumentId, buyer, seller, QUOTE_CURRENCY, notional, TransferReason.SpotSettlement);
      const tokens = BigInt(lots) * ins.tokensPerLot;
      this.move(seq, instrumentId, seller, buyer, ins.asset, tokens, TransferReason.SpotSettlement);
    } else {
      if (ins.kind === InstrumentKind.Option)
        this.move(seq, instrumentId, buyer, seller, QUOTE_CURRENCY, notional, TransferReason.OptionPremium);
      else if (ins.lastTicks !== priceTicks && ins.markTicks === 0) ins.version++;
      this.fill(seq, ins, buyer, lots, priceTicks);
      this.fill(seq, ins, seller, -lots, priceTicks);
    }
    ins.lastTicks = priceTicks;
    const makerFee = ceilDiv(notional * BigInt(ins.fees.makerBps), BPS);
    const takerFee = ceilDiv(notional * BigInt(ins.fees.takerBps), BPS);
    this.move(
      seq,
      instrumentId,
      makerAccountId,
      SystemAccount.Fees,
      QUOTE_CURRENCY,
      makerFee,
      TransferReason.Fee,
    );
    this.move(
      seq,
      instrumentId,
      takerAccountId,
      SystemAccount.Fees,
      QUOTE_CURRENCY,
      takerFee,
      TransferReason.Fee,
    );
  }

  /** A derivatives fill of `dq` signed lots at `priceTicks` for one account. */
  private fill(seq: number, ins: RiskInstrument, accountId: number, dq: number, priceTicks: number): void {
    const a = this.accountFor(accountId);
    let p = a.positions.get(ins.instrumentId);
    if (p === undefined) {
      p = { qtyLots: 0, costMinor: 0n, openedSeq: seq };
      a.positions.set(ins.instrumentId, p);
    }
    const lotValue = BigInt(priceTicks) * ins.tickValueMinor;
    if (p.qtyLots === 0 || Math.sign(p.qtyLots) === Math.sign(dq)) {
      p.qtyLots += dq;
      p.costMinor += BigInt(dq) * lotValue;
    } else {
      const closed = Math.min(Math.abs(p.qtyLots), Math.abs(dq));
      const costClosed = (p.costMinor * BigInt(closed)) / BigInt(Math.abs(p.qtyLots));
      const realised = BigInt(Math.sign(p.qtyLots) * closed) * lotValue - costClosed;
      p.costMinor -= costClosed;
      p.qtyLots += Math.sign(dq) * closed;
      const rest = Math.abs(dq) - closed;
      if (rest > 0) {
        p.openedSeq = seq; // the position flipped side: a new position
        p.qtyLots += Math.sign(dq) * rest;
        p.costMinor += BigInt(Math.sign(dq) * rest) * lotValue;
      }
      if (ins.kind === InstrumentKind.Future) {
        const iid = ins.instrumentId;
        if (realised > 0n) this.move(seq, iid, SystemAccount.Clearing, accountId, QUOTE_CURRENCY, realised, TransferReason.RealisedPnl);
        else if (realised < 0n) this.move(seq, iid, accountId, SystemAccount.Clearing, QUOTE_CURRENCY, -realised, TransferReason.RealisedPnl);
      } // prettier-ignore
    }
    this.out.positionChanged(seq, ins.instrumentId, accountId, p.qtyLots, p.costMinor);
    if (p.qtyLots === 0) a.positions.delete(ins.instrumentId);
    this.trackHolder(a, ins.underlyingId);
  }

  private trackHolder(a: RiskAccount, underlyingId: number): void {
    if (underlyingId <= 0) return;
    let holds = false;
    for (const id of a.positions.keys())
      if (this.instruments[id]!.underlyingId === underlyingId) holds = true;
    let set = this.holders.get(underlyingId);
    if (holds) {
      if (set === undefined) this.holders.set(underlyingId, (set = new Set()));
      set.add(a.accountId);
    } else set?.delete(a.accountId);
  }

  private move(
    seq: number,
    instrumentId: number,
    from: number,
    to: number,
    asset: string,
    amountMinor: bigint,
    reason: TransferReason,
    leaseId = '',
  ): void {
    if (amountMinor <= 0n || from === to) return;
    this.ledger.transfer(from, to, asset, amountMinor);
    this.out.ledgerTransfer(seq, instrumentId, from, to, asset, amountMinor, reason, leaseId);
  }

  private accountFor(accountId: number): RiskAccount {
    let a = this.accounts.get(accountId);
    if (a === undefined) this.accounts.set(accountId, (a = new RiskAccount(accountId)));
    return a;
  }

  /* ---------------------------------------------------------------- margin ---------------------------------------------------------------- */

  /**
   * Equity, maintenance and the two worst-case initial margins of an account, optionally with one more
   * order. Per underlying future: the scenario P&L of the positions (maintenance), of the positions plus
   * every open buy (case buy) and minus every open sell (case sell) is summed from the instruments'
   * cached vectors; the scan risk is the worst weighted loss, the short-option minimum applies per case;
   * maintenance = ceil(max(scan, minimum)); initial = ceil(maintenance x initialMultipleBps / 10,000).
   */
  marginOf(a: RiskAccount, extra: ExtraOrder | null): MarginFigures {
    const stamp = ++this.scratchStamp;
    const n = this.grid.count;
    let equity =
      Number(this.ledger.balance(a.accountId, QUOTE_CURRENCY)) - a.lockedQuoteMinor - this.idleStake(a);
    let edgeBuy = 0;
    let edgeSell = 0;
    const visit = (instrumentId: number, pos: number, buyLots: number, sellLots: number, buyTL: number, sellTL: number, cost: bigint) => {
      const ins = this.instruments[instrumentId]!;
      const u = this.instruments[ins.underlyingId];
      const vector = u === undefined ? null : ins.scenarioVector(u, this.grid, this.config);
      if (u === undefined || vector === null) return; // no reference price yet: valued at cost, no scenario
      const lotValue = ins.lotValue(u, this.grid, this.config);
      if (pos !== 0) equity += ins.kind === InstrumentKind.Future ? pos * lotValue - Number(cost) : pos * lotValue;
      edgeBuy += buyLots * lotValue - buyTL * ins.tickValue;
      edgeSell += sellTL * ins.tickValue - sellLots * lotValue;
      let s = this.scratch.get(u.instrumentId);
      if (s === undefined) {
        s = { stamp: 0, forward: 0, unitsPerLot: 0, accN: new Float64Array(n), accB: new Float64Array(n), accS: new Float64Array(n), shortN: 0, shortB: 0, shortS: 0 };
        this.scratch.set(u.instrumentId, s);
      }
      if (s.stamp !== stamp) {
        s.stamp = stamp;
        s.forward = u.referenceTicks * u.tickSize;
        s.unitsPerLot = u.unitsPerLot;
        s.accN.fill(0); s.accB.fill(0); s.accS.fill(0);
        s.shortN = s.shortB = s.shortS = 0;
      }
      const qb = pos + buyLots;
      const qs = pos - sellLots;
      const accN = s.accN, accB = s.accB, accS = s.accS;
      for (let k = 0; k < n; k++) {
        const v = vector[k]!;
        accN[k] += pos * v;
        accB[k] += qb * v;
        accS[k] += qs * v;
      }
      if (ins.kind === InstrumentKind.Option) {
        if (pos < 0) s.shortN -= pos * ins.unitsPerLot;
        if (qb < 0) s.shortB -= qb * ins.unitsPerLot;
        if (qs < 0) s.shortS -= qs * ins.unitsPerLot;
      }
    }; // prettier-ignore
    for (const [id, p] of a.positions) {
      const e = a.exposure.get(id);
      const x = extra !== null && extra.instrumentId === id ? extra : null;
      visit(id, p.qtyLots, (e?.buyLots ?? 0) + (x?.side === Side.Buy ? x.lots : 0), (e?.sellLots ?? 0) + (x?.side === Side.Sell ? x.lots : 0),
        (e?.buyTicksLots ?? 0) + (x?.side === Side.Buy ? x.lots * x.priceTicks : 0), (e?.sellTicksLots ?? 0) + (x?.side === Side.Sell ? x.lots * x.priceTicks : 0), p.costMinor);
    } // prettier-ignore
    for (const [id, e] of a.exposure) {
      if (a.positions.has(id)) continue;
      const x = extra !== null && extra.instrumentId === id ? extra : null;
      visit(id, 0, e.buyLots + (x?.side === Side.Buy ? x.lots : 0), e.sellLots + (x?.side === Side.Sell ? x.lots : 0),
        e.buyTicksLots + (x?.side === Side.Buy ? x.lots * x.priceTicks : 0), e.sellTicksLots + (x?.side === Side.Sell ? x.lots * x.priceTicks : 0), 0n);
    } // prettier-ignore
    if (extra !== null && !a.positions.has(extra.instrumentId) && !a.exposure.has(extra.instrumentId)) {
      const buy = extra.side === Side.Buy;
      visit(extra.instrumentId, 0, buy ? extra.lots : 0, buy ? 0 : extra.lots, buy ? extra.lots * extra.priceTicks : 0, buy ? 0 : extra.lots * extra.priceTicks, 0n);
    } // prettier-ignore
    let maintenance = 0;
    let initialBuy = 0;
    let initialSell = 0;
    const q = this.config.margin;
    for (const s of this.scratch.values()) {
      if (s.stamp !== stamp) continue;
      const som = q.shortOptionMinimum * s.forward;
      const mN = Math.ceil(Math.max(maxLoss(s.accN, n), som * s.shortN));
      const mB = Math.ceil(Math.max(maxLoss(s.accB, n), som * s.shortB));
      const mS = Math.ceil(Math.max(maxLoss(s.accS, n), som * s.shortS));
      maintenance += mN;
      initialBuy += Math.ceil((mB * q.initialMultipleBps) / 10_000);
      initialSell += Math.ceil((mS * q.initialMultipleBps) / 10_000);
    }
    return { equity: Math.round(equity), maintenance, initialBuy, initialSell, edgeBuy, edgeSell };
  }

  /* ------------------------------------------------------------- liquidation ------------------------------------------------------------- */

  private checkHolders(seq: number, underlyingId: number): void {
    const set = this.holders.get(underlyingId);
    if (set === undefined || set.size === 0) return;
    for (const accountId of [...set].sort((x, y) => x - y)) {
      const a = this.accounts.get(accountId)!;
      if (a.inLiquidation) continue;
      const m = this.marginOf(a, null);
      if (m.equity >= m.maintenance) continue;
      this.setLiquidating(a, true);
      const books = new Set<number>();
      for (const o of a.orders.values()) books.add(o.instrumentId);
      for (const id of [...books].sort((x, y) => x - y))
        this.engine.book(id)?.cancelAccount(seq, accountId, CancelReason.Liquidation);
      this.out.liquidation(
        seq,
        0,
        accountId,
        LiquidationPhase.Started,
        BigInt(m.equity),
        BigInt(m.maintenance),
        0n,
      );
    }
  }

  private liquidateStep(c: Liquidate): void {
    const a = this.accounts.get(c.accountId);
    if (a === undefined || !a.inLiquidation) {
      this.reject(c.seq, c.type, 0, c.accountId, 0, '', 'NOT_IN_LIQUIDATION');
      return;
    }
    const m = this.marginOf(a, null);
    if (m.equity >= m.maintenance || a.positions.size === 0) {
      this.finishLiquidation(c.seq, a, m);
      return;
    }
    // the largest position by value (ties: lower instrument id)
    let pick: [number, PositionState, number] | undefined;
    for (const id of [...a.positions.keys()].sort((x, y) => x - y)) {
      const p = a.positions.get(id)!;
      const ins = this.instruments[id]!;
      const u = this.instruments[ins.underlyingId];
      const value = u === undefined ? 0 : Math.abs(p.qtyLots * ins.lotValue(u, this.grid, this.config));
      if (pick === undefined || value > pick[2]) pick = [id, p, value];
    }
    const [id, p] = pick!;
    const ins = this.instruments[id]!;
    const u = this.instruments[ins.underlyingId];
    const fairTicks = Math.max(
      1,
      Math.round((u === undefined ? 0 : ins.lotValue(u, this.grid, this.config)) / ins.tickValue),
    );
    const slip = Math.max(1, Math.ceil((fairTicks * this.config.liquidation.slippageBps) / 10_000));
    const side = p.qtyLots > 0 ? Side.Sell : Side.Buy;
    const priceTicks =
      side === Side.Sell
        ? Math.max(fairTicks - slip, ins.spec.minPriceTicks)
        : Math.min(fairTicks + slip, ins.spec.maxPriceTicks);
    const lots = Math.min(
      Math.abs(p.qtyLots),
      Math.max(1, Math.ceil(Math.abs(p.qtyLots) * this.config.liquidation.stepFraction)),
    );
    this.out.liquidation(
      c.seq,
      id,
      a.accountId,
      LiquidationPhase.Step,
      BigInt(m.equity),
      BigInt(m.maintenance),
      0n,
    );
    this.pendingOrderId = c.seq;
    this.pendingPriceTicks = priceTicks;
    this.engine.process(
      placeOrder({
        seq: c.seq, timeMs: c.timeMs, instrumentId: id, accountId: a.accountId, side, orderType: OrderType.Limit,
        timeInForce: TimeInForce.IOC, flags: OrderFlags.ReduceOnly, priceTicks, qtyLots: lots, positionLots: p.qtyLots,
      }),
    ); // prettier-ignore
    this.pendingOrderId = 0;
    if (a.positions.size === 0) this.finishLiquidation(c.seq, a, this.marginOf(a, null));
  }

  private finishLiquidation(seq: number, a: RiskAccount, m: MarginFigures): void {
    let cover = 0n;
    const balance = this.ledger.balance(a.accountId, QUOTE_CURRENCY);
    if (a.positions.size === 0 && balance < 0n) {
      const fund = this.ledger.balance(SystemAccount.InsuranceFund, QUOTE_CURRENCY);
      cover = -balance < fund ? -balance : fund > 0n ? fund : 0n;
      this.move(seq, 0, SystemAccount.InsuranceFund, a.accountId, QUOTE_CURRENCY, cover, TransferReason.InsuranceCover);
    }
    this.setLiquidating(a, false);
    const after = cover > 0n ? this.marginOf(a, null) : m;
    this.out.liquidation(seq, 0, a.accountId, LiquidationPhase.Finished, BigInt(after.equity), BigInt(after.maintenance), cover);
  } // prettier-ignore

  /* ------------------------------------------------------------ money in and out ------------------------------------------------------------ */

  private amountProblem(c: { readonly asset: string; readonly amountMinor: bigint }): RejectCode | null {
    if (typeof c.amountMinor !== 'bigint' || c.amountMinor <= 0n || c.amountMinor > MAX_AMOUNT_MINOR)
      return 'INVALID_AMOUNT';
    if (!ASSETS.has(c.asset)) return 'UNKNOWN_ASSET';
    return null;
  }

  private deposit(c: Deposit | ChainDeposit): void {
    // the insurance fund is the one system account that takes deposits (the operator funds it)
    const valid = isUserAccountId(c.accountId) || c.accountId === SystemAccount.InsuranceFund;
    let code = valid ? this.amountProblem(c) : 'INVALID_ACCOUNT';
    if (code === null && c.type === CommandType.ChainDeposit) {
      if (typeof c.reference !== 'string' || c.reference.length === 0 || c.reference.length > 200)
        code = 'INVALID_COMMAND';
      else if (this.chainDeposits.has(c.reference)) code = 'DUPLICATE_DEPOSIT';
      else this.chainDeposits.add(c.reference);
    }
    if (code !== null) return this.reject(c.seq, c.type, 0, c.accountId, 0, '', code);
    if (c.accountId > 0) this.accountFor(c.accountId);
    this.move(c.seq, 0, SystemAccount.External, c.accountId, c.asset, c.amountMinor, TransferReason.Deposit);
    if (c.type === CommandType.ChainDeposit && (c.redeemGpus !== 0 || c.redeemHours !== 0)) {
      // tokens burnt by the token's redeem: the redemption follows the credit (refused: they stay credited)
      const refused = this.settlement.redemption.redeem({ type: CommandType.RedeemTokens, seq: c.seq, timeMs: c.timeMs, accountId: c.accountId, computeClass: c.asset, gpuCount: c.redeemGpus, hours: c.redeemHours }); // prettier-ignore
      if (refused !== null) this.reject(c.seq, c.type, 0, c.accountId, 0, '', refused);
    }
  }

  private withdraw(c: Withdraw | ChainWithdraw): void {
    let code = isUserAccountId(c.accountId) ? this.amountProblem(c) : 'INVALID_ACCOUNT';
    const a = this.accounts.get(c.accountId);
    if (code === null && a?.inLiquidation) code = 'ACCOUNT_IN_LIQUIDATION';
    if (code === null) {
      let free = 0;
      if (a !== undefined && c.asset === QUOTE_CURRENCY) free = this.freeQuote(a);
      else if (a !== undefined)
        free = Number(this.ledger.balance(a.accountId, c.asset)) - a.lockedToken(c.asset);
      if (a === undefined || Number(c.amountMinor) > free) code = 'INSUFFICIENT_BALANCE';
    }
    if (code !== null) return this.reject(c.seq, c.type, 0, c.accountId, 0, '', code);
    this.move(
      c.seq,
      0,
      c.accountId,
      SystemAccount.External,
      c.asset,
      c.amountMinor,
      c.type === CommandType.ChainWithdraw ? TransferReason.ChainWithdrawal : TransferReason.Withdrawal,
    );
  }

  /* ------------------------------------------------------------ provider stake ------------------------------------------------------------ */

  /**
   * Stake that backs no locked collateral: the account's stake less the provider collateral it has
   * locked (leases, capacity commitments), never below 0. Stake backs locked collateral first; the
   * rest sits in the balance but is kept out of margin, withdrawals and spot buys, and counts only
   * toward provider collateral (physically settled shorts, commitments, redemption leases).
   */
  idleStake(a: RiskAccount): number {
    if (a.stakeMinor === 0) return 0;
    return Math.max(0, a.stakeMinor - this.settlement.collateralLockedMinor(a.accountId));
  }

  /** What an account can put up as provider collateral: free USDC plus idle stake. */
  collateralFunds(a: RiskAccount): number {
    return this.freeQuote(a) + this.idleStake(a);
  }

  private stake(c: ChainStake): void {
    let code = isUserAccountId(c.accountId) ? this.amountProblem({ ...c, asset: QUOTE_CURRENCY }) : 'INVALID_ACCOUNT';
    const staked = this.accounts.get(c.accountId)?.stakeMinor ?? 0;
    if (code === null && !Number.isSafeInteger(staked + Number(c.amountMinor))) code = 'INVALID_AMOUNT';
    if (code === null) {
      if (typeof c.reference !== 'string' || c.reference.length === 0 || c.reference.length > 200) code = 'INVALID_COMMAND';
      else if (this.chainDeposits.has(c.reference)) code = 'DUPLICATE_DEPOSIT';
    }
    // a refusal changes nothing, so the account is opened only once the stake is taken
    if (code !== null) return this.reject(c.seq, c.type, 0, c.accountId, 0, '', code);
    const a = this.accountFor(c.accountId);
    this.chainDeposits.add(c.reference);
    this.move(c.seq, 0, SystemAccount.External, c.accountId, QUOTE_CURRENCY, c.amountMinor, TransferReason.ChainStake);
    a.stakeMinor += Number(c.amountMinor);
    this.out.stakeChanged(c.seq, c.accountId, StakeChange.Credit, c.amountMinor, BigInt(a.stakeMinor), '', 0);
  } // prettier-ignore

  /**
   * Stake back to the provider: at most its idle stake, and what stays must still cover the
   * provider collateral of its physically settled shorts (on top of their margin).
   */
  private releaseStake(c: ReleaseStake): void {
    let code = isUserAccountId(c.accountId) ? this.amountProblem({ ...c, asset: QUOTE_CURRENCY }) : 'INVALID_ACCOUNT';
    const a = this.accounts.get(c.accountId);
    if (code === null && a?.inLiquidation) code = 'ACCOUNT_IN_LIQUIDATION';
    if (code === null) {
      const idle = a === undefined ? 0 : this.idleStake(a);
      if (a === undefined || Number(c.amountMinor) > idle) code = 'INSUFFICIENT_STAKE';
      else {
        const need = this.settlement.providerCollateralMinor(a, 0, 0);
        const m = a.hasDerivatives ? this.marginOf(a, null) : null;
        const headroom = m === null ? this.freeQuote(a) : m.equity + m.edgeSell - m.initialSell;
        if (need > 0 && headroom + idle - Number(c.amountMinor) < need) code = 'INSUFFICIENT_PROVIDER_COLLATERAL';
      }
    }
    if (code !== null || a === undefined) return this.reject(c.seq, c.type, 0, c.accountId, 0, '', code ?? 'INSUFFICIENT_STAKE');
    this.move(c.seq, 0, c.accountId, SystemAccount.External, QUOTE_CURRENCY, c.amountMinor, TransferReason.StakeRelease);
    a.stakeMinor -= Number(c.amountMinor);
    this.out.stakeChanged(c.seq, c.accountId, StakeChange.Release, c.amountMinor, BigInt(a.stakeMinor), '', 0);
  } // prettier-ignore

  /**
   * A lease's collateral was slashed (`slashedMinor` out of SettlementAccount.ProviderCollateral):
   * the provider's stake pays first, so up to that much of it is now owed to the vault from the
   * stake contract (StakeChanged slash; the chain bridge executes it on chain).
   */
  stakeSlashed(seq: number, accountId: number, slashedMinor: bigint, leaseId: string, failedAtMs: number): void {
    const a = this.accounts.get(accountId);
    if (a === undefined || a.stakeMinor === 0 || slashedMinor <= 0n) return;
    const cut = Math.min(a.stakeMinor, Number(slashedMinor));
    a.stakeMinor -= cut;
    this.out.stakeChanged(seq, accountId, StakeChange.Slash, BigInt(cut), BigInt(a.stakeMinor), leaseId, failedAtMs);
  } // prettier-ignore

  /* --------------------------------------------------------------- snapshot --------------------------------------------------------------- */

  /** Internal state for the snapshot codec (risk-snapshot.ts). */
  get state() {
    return {
      instruments: this.instruments,
      accounts: this.accounts,
      register: (ins: RiskInstrument) => this.register(ins),
      trackHolder: (a: RiskAccount, underlyingId: number) => this.trackHolder(a, underlyingId),
      accountFor: (id: number) => this.accountFor(id),
      setLiquidating: (a: RiskAccount, on: boolean) => this.setLiquidating(a, on),
      holders: this.holders,
      move: (seq: number, instrumentId: number, from: number, to: number, asset: string, amountMinor: bigint, reason: TransferReason, leaseId: string) =>
        this.move(seq, instrumentId, from, to, asset, amountMinor, reason, leaseId),
      reject: (seq: number, type: CommandType, instrumentId: number, code: RejectCode, accountId = 0) =>
        this.reject(seq, type, instrumentId, accountId, 0, '', code),
      collateralFunds: (a: RiskAccount) => this.collateralFunds(a),
    }; // prettier-ignore
  }

  get teeSink(): RiskTee {
    return this.tee;
  }
}
