/**
 * The JSON shapes of the API, shared by the server and the SDK. Prices and quantities are decimal
 * strings (exact: ticks x tick size, lots x lot size); ids and sequence numbers are integers.
 */
export type Scope = 'read' | 'trade' | 'withdraw';
export const SCOPES: readonly Scope[] = ['read', 'trade', 'withdraw'];

export type SideName = 'buy' | 'sell';
export type OrderTypeName = 'limit' | 'market' | 'stop_limit' | 'stop_market';
export type TimeInForceName = 'GTC' | 'IOC' | 'FOK' | 'GTD';
export type OrderStatus = 'open' | 'untriggered' | 'filled' | 'cancelled' | 'expired' | 'rejected';

export interface InstrumentView {
  instrumentId: number;
  symbol: string;
  kind: 'spot' | 'future' | 'option';
  computeClass: string;
  quoteCurrency: string;
  status: 'trading' | 'halted' | 'closed';
  tickSize: string;
  lotSize: string;
  multiplier: string;
  minPrice: string;
  maxPrice: string;
  minQuantity: string;
  maxQuantity: string;
  priceBandBps: number;
  marketProtectionBps: number;
  maxOpenOrders: number;
  future?: {
    cadence: string;
    settlement: string;
    expiryMs: number;
    settlementWindowMs: number;
    deliveryStartMs: number;
    deliveryEndMs: number;
  };
  option?: {
    underlying: string;
    right: 'call' | 'put';
    strike: string;
    expiryMs: number;
    settlement: 'cash';
  };
}

/** A price level: [price, quantity, orderCount]; quantity "0" in a change removes the level. */
export type BookLevel = [price: string, quantity: string, orderCount: number];

export interface BookView {
  instrument: string;
  /** The seq of the last command that changed this book (as seen by the server). */
  changeId: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

/** A book channel message: a snapshot first, then changes; prevChangeId links each to the one before. */
export interface BookMessage {
  type: 'snapshot' | 'change';
  instrument: string;
  changeId: number;
  prevChangeId?: number;
  bids: BookLevel[];
  asks: BookLevel[];
  /** CRC32 of the top CHECKSUM_DEPTH levels after this message (see bookChecksum). */
  checksum: number;
  timestampMs: number;
}

export interface TradeView {
  instrument: string;
  tradeId: number;
  price: string;
  quantity: string;
  /** The taker's side. */
  side: SideName;
  seq: number;
  timestampMs?: number;
}

export interface TickerView {
  instrument: string;
  bestBidPrice: string | null;
  bestBidQuantity: string | null;
  bestAskPrice: string | null;
  bestAskQuantity: string | null;
  lastPrice: string | null;
  changeId: number;
  timestampMs: number;
}

export interface OrderView {
  orderId: number;
  clientOrderId: string;
  instrument: string;
  side: SideName;
  type: OrderTypeName;
  timeInForce: TimeInForceName;
  price: string | null;
  stopPrice: string | null;
  quantity: string;
  filledQuantity: string;
  remainingQuantity: string;
  status: OrderStatus;
  postOnly: boolean;
  reduceOnly: boolean;
  /** Seq of the command that placed it, and of the last change. */
  createdSeq: number;
  updatedSeq: number;
}

export interface FillView {
  tradeId: number;
  orderId: number;
  instrument: string;
  side: SideName;
  price: string;
  quantity: string;
  liquidity: 'maker' | 'taker';
  seq: number;
}

/** Answer to placing an order: the order as the engine left it and the fills it took at once. */
export interface PlaceResult {
  order: OrderView;
  fills: FillView[];
}

export interface PositionView {
  instrument: string;
  /** Signed: positive long, negative short. */
  quantity: string;
  updatedSeq: number;
}

export interface BalanceView {
  asset: string;
  /** Decimal amount in the asset's units. */
  balance: string;
  available?: string;
  reserved?: string;
}

export interface SignupResult {
  accountId: number;
  keyId: string;
  secret: string;
  scopes: Scope[];
}

export interface KeyView {
  keyId: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
}

/** An update on the private orders channel. */
export interface OrderUpdate {
  event: 'accepted' | 'trade' | 'cancelled' | 'amended' | 'expired' | 'triggered';
  orderId: number;
  instrument: string;
  clientOrderId?: string;
  side?: SideName;
  price?: string;
  remainingQuantity: string;
  reason?: string;
  seq: number;
}

/* ------------------------------------------------------------ market and account resources ------------------------------------------------------------ */

export type CandleResolution = '1m' | '5m' | '15m' | '1h' | '4h' | '1d';
export const CANDLE_RESOLUTIONS: readonly CandleResolution[] = ['1m', '5m', '15m', '1h', '4h', '1d'];

/** OHLCV of the trades whose engine time falls in [startMs, startMs + resolution). */
export interface CandleView {
  startMs: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  trades: number;
}

export interface CandlesView {
  instrument: string;
  resolution: CandleResolution;
  candles: CandleView[];
}

/** One published round of an index (a compute class, or the composite CU): USDC per GPU-hour. */
export interface IndexPriceView {
  index: string;
  price: string;
  /** The confidence band of the round. */
  low: string;
  high: string;
  utilisationBps: number;
  providers: number;
  roundId: number;
  publishedAtMs: number;
  /** The oracle's EIP-712 signature of the round. */
  signature: string | null;
}

/** An instrument's mark price (and, for a future, its index price) as the engine holds them. */
export interface MarkPriceView {
  instrument: string;
  kind: 'spot' | 'future' | 'option';
  /** null until the first mark (spot instruments have none). */
  markPrice: string | null;
  /** Futures: the class index in the future's ticks; null otherwise or before the first round. */
  indexPrice: string | null;
  /** Engine time of the last mark change. */
  markTimeMs: number | null;
}

/** A daily or final settlement price the engine applied (InstrumentSettled). */
export interface SettlementPriceView {
  instrument: string;
  kind: 'daily' | 'expiry';
  /** Daily settlements: the business date (UTC). */
  businessDate: string | null;
  /** The settlement price; for an option, its future's final settlement price. */
  price: string;
  /** Options at expiry: the intrinsic value paid per unit (0 when it expired worthless). */
  intrinsicValue: string | null;
  /** Leases opened by physical delivery. */
  leases: number;
  seq: number;
}

export interface SviParamsView {
  a: number;
  b: number;
  rho: number;
  m: number;
  sigma: number;
}

/** One expiry of a volatility surface: the SVI fit to the option books' mid implied vols. */
export interface VolSliceView {
  /** The future the options are on. */
  underlying: string;
  expiryMs: number;
  /** The future's mark price (the forward). */
  forward: string;
  timeYears: number;
  /** Option books with a two-sided quote whose implied vol was found. */
  quotes: number;
  status: 'OK' | 'REPAIRED' | 'ARBITRAGE_REMAINS' | 'INSUFFICIENT_DATA';
  /** Raw SVI parameters of total variance (null when the slice has too few quotes). */
  params: SviParamsView | null;
  rmseTotalVariance: number | null;
  /** The surface's implied vol at each listed strike of the expiry (null without any fitted slice). */
  grid: { strike: string; logMoneyness: number; vol: number | null }[];
}

export interface VolSurfaceView {
  computeClass: string;
  asOfMs: number;
  slices: VolSliceView[];
}

/** A settlement cash flow of the account: variation margin, final settlement, exercise, lease money. */
export interface AccountSettlementView {
  seq: number;
  reason: string;
  instrument: string | null;
  asset: string;
  /** Signed: positive in, negative out of the account. */
  amount: string;
  leaseId: string | null;
  /** The settlement of the same command (daily mark or expiry) and its price, when there is one. */
  settlementKind: 'daily' | 'expiry' | null;
  price: string | null;
}

/** An entry of the account's ledger: one side of a transfer (deposit, withdrawal, settlement, fee, ...). */
export interface LedgerEntryView {
  /** Increases with every entry written: the cursor of `beforeEntryId`. */
  entryId: number;
  /** The transfer this entry is one side of: `<seq>:<index within the command>`. */
  txId: string;
  asset: string;
  /** Signed: positive in, negative out of the account. */
  amount: string;
  /** deposit, withdrawal, spot_settlement, fee, option_premium, realised_pnl, variation_margin, ... */
  kind: string;
  /** The command that made it. */
  seq: number;
}

/** A compute lease the account is the lessee or the provider of, after its latest change. */
/** POST /v1/capacity: the provider's commitment to token redemptions. */
export interface CapacityResult {
  computeClass: string;
  gpus: number;
  seq: number;
}

/** POST /v1/stake/releases: stake released from provider collateral; it unbonds on chain. */
export interface StakeReleaseResult {
  amount: string;
  seq: number;
}

/** POST /v1/redemptions: the tokens redeemed and the leases opened for them. */
export interface RedemptionResult {
  computeClass: string;
  gpus: number;
  hours: number;
  /** Tokens moved into escrow: gpus x hours, burnt hour by hour as service is verified. */
  tokens: string;
  /** Seq of the command; the leases are `<class>-RDM-<seq>-<n>`. */
  seq: number;
  leases: {
    leaseId: string;
    providerAccountId: number;
    gpus: number;
    deliveryStartMs: number;
    deliveryEndMs: number;
  }[];
}

export interface LeaseView {
  leaseId: string;
  instrument: string | null;
  role: 'lessee' | 'provider';
  providerAccountId: number;
  lesseeAccountId: number;
  state: string;
  failureReason: string | null;
  gpuCount: number;
  deliveryStartMs: number;
  deliveryEndMs: number;
  releasedHours: number;
  /** USDC: paid into escrow, released to the provider, refunded to the lessee, provider collateral. */
  paid: string;
  released: string;
  refunded: string;
  collateral: string;
  updatedSeq: number;
}

/** The account's margin as GET /v1/account shows it (also the user.margin channel's message). */
export interface MarginView {
  equity: string;
  maintenance: string;
  initial: string;
}

/** A futures or options position from the risk stage, with its instrument's mark. */
export interface AccountPositionView {
  instrument: string;
  quantity: string;
  cost: string;
  markPrice: string | null;
}

/** user.margin channel message. */
export interface MarginUpdate {
  margin: MarginView | null;
  inLiquidation: boolean;
  seq: number;
}

/** user.positions channel message: every open position of the account. */
export interface PositionsUpdate {
  positions: AccountPositionView[];
  seq: number;
}
