import { Side } from '@exchange/domain';
import { InstrumentKind, type RiskInstrument } from './risk-instrument';

export interface PositionState {
  /** Signed lots: + long, - short. */
  qtyLots: number;
  /**
   * What the open position cost at entry prices (or at the last daily settlement price once marked),
   * minor units, signed like qtyLots.
   */
  costMinor: bigint;
  /** The seq at which the position was opened (or flipped side): its FIFO rank for delivery. */
  openedSeq: number;
}

/** An open order as the risk stage sees it: its worst price and what it holds back. */
export interface OpenOrder {
  readonly orderId: number;
  readonly instrumentId: number;
  readonly side: Side;
  /** The worst price it can trade at: the limit, or a market order's protection price. */
  priceTicks: number;
  openLots: number;
  /**
   * Spot buys: quote currency reserved (notional plus fee at the worst price), in minor units. A
   * whole number below 2^53 held exactly in a float64 (the risk stage refuses larger reservations),
   * so holding and releasing allocates nothing; balances themselves stay bigint in the ledger.
   */
  reservedMinor: number;
  /** A limit or stop-limit order (an amendment may change its price); else market-like. */
  readonly limit: boolean;
  readonly reduceOnly: boolean;
}

/** Open derivatives orders of one account on one instrument, summed per side. */
export interface Exposure {
  buyLots: number;
  sellLots: number;
  /** Sum of lots x worst price, per side (for the worst-case fill's cost). */
  buyTicksLots: number;
  sellTicksLots: number;
}

export class RiskAccount {
  readonly positions = new Map<number, PositionState>();
  readonly orders = new Map<number, OpenOrder>();
  readonly exposure = new Map<number, Exposure>();
  /** Sum of the spot buys' reservations (a whole number below 2^53, see OpenOrder.reservedMinor). */
  lockedQuoteMinor = 0;
  /** Spot sells' tokens held back, per asset (whole tokens, below 2^53: exact in a float64). */
  readonly lockedTokens = new Map<string, number>();
  inLiquidation = false;
  /**
   * The provider's on-chain stake as the engine counts it (ChainStake less releases and slashes),
   * USDC minor units, a whole number below 2^53. It is part of the USDC balance, but only as
   * provider collateral: what backs no locked collateral is kept out of margin and withdrawals.
   */
  stakeMinor = 0;

  constructor(readonly accountId: number) {}

  get hasDerivatives(): boolean {
    return this.positions.size > 0 || this.exposure.size > 0;
  }

  lockedToken(asset: string): number {
    return this.lockedTokens.get(asset) ?? 0;
  }

  /** Adds (sign 1) or removes (sign -1) an open order's hold on the account. */
  hold(o: OpenOrder, ins: RiskInstrument, sign: 1 | -1): void {
    if (ins.kind === InstrumentKind.Spot) {
      if (o.side === Side.Buy) this.lockedQuoteMinor += sign === 1 ? o.reservedMinor : -o.reservedMinor;
      else {
        const tokens = o.openLots * ins.tokensPerLotNumber;
        const next = this.lockedToken(ins.asset) + (sign === 1 ? tokens : -tokens);
        if (next === 0) this.lockedTokens.delete(ins.asset);
        else this.lockedTokens.set(ins.asset, next);
      }
      return;
    }
    let e = this.exposure.get(o.instrumentId);
    if (e === undefined) {
      e = { buyLots: 0, sellLots: 0, buyTicksLots: 0, sellTicksLots: 0 };
      this.exposure.set(o.instrumentId, e);
    }
    if (o.side === Side.Buy) {
      e.buyLots += sign * o.openLots;
      e.buyTicksLots += sign * o.openLots * o.priceTicks;
    } else {
      e.sellLots += sign * o.openLots;
      e.sellTicksLots += sign * o.openLots * o.priceTicks;
    }
    if (e.buyLots === 0 && e.sellLots === 0) this.exposure.delete(o.instrumentId);
  }
}
