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
