import { ApiError, errorBody, type ErrorBody } from './errors';
import type {
  AccountSettlementView,
  BalanceView,
  BookView,
  CandleResolution,
  CandlesView,
  IndexPriceView,
  CapacityResult,
  LeaseView,
  LedgerEntryView,
  RedemptionResult,
  StakeReleaseResult,
  MarkPriceView,
  SettlementPriceView,
  VolSurfaceView,
  FillView,
  InstrumentView,
  KeyView,
  OrderView,
  PlaceResult,
  PositionView,
  Scope,
  SignupResult,
  TickerView,
  TradeView,
} from './messages';
import type { PayoutAddressView } from './payout-address';
import { signedHeaders } from './signing';

export interface Credentials {
  keyId: string;
  secret: string;
}

export interface RestClientOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  credentials?: Credentials;
  /** Receive window sent with signed requests (the server's default applies when unset). */
  recvWindowMs?: number;
  /** The clock used for timestamps (ms since the epoch). */
  nowMs?: () => number;
  fetch?: typeof fetch;
}

/** A raw HTTP answer (for callers that want to look at errors without exceptions). */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface PlaceOrderParams {
  instrument: string;
  side: 'buy' | 'sell';
  quantity: string;
  price?: string;
  type?: 'limit' | 'market' | 'stop_limit' | 'stop_market';
  timeInForce?: 'GTC' | 'IOC' | 'FOK' | 'GTD';
  expireAtMs?: number;
  stopPrice?: string;
  triggerSource?: 'last_price' | 'mark_price' | 'index_price';
  postOnly?: boolean;
  reduceOnly?: boolean;
  displayQuantity?: string;
  stpMode?: 'none' | 'cancel_newest' | 'cancel_oldest' | 'cancel_both' | 'decrement';
  protectionPrice?: string;
  clientOrderId?: string;
}

export interface AmendParams {
  instrument?: string;
  price?: string;
  quantity?: string;
  stopPrice?: string;
}

export interface AmendResultView {
  orderId: number;
  price: string | null;
  stopPrice: string | null;
  remainingQuantity: string;
  priorityKept: boolean;
  fills: FillView[];
}

function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/**
 * Typed client of the REST API. Signed calls carry x-api-key, x-api-timestamp and x-api-signature
 * (HMAC-SHA256 over timestamp + method + path + body). Errors are thrown as ApiError with the
 * server's `{ code, message, field }`.
 */
export class RestClient {
  private credentials?: Credentials;
  private readonly nowMs: () => number;
  private readonly fetchFn: typeof fetch;
  private lastTimestampMs = 0;
  private lastPayload = '';

  constructor(private readonly options: RestClientOptions) {
    this.credentials = options.credentials;
    this.nowMs = options.nowMs ?? (() => Date.now());
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
  }

  setCredentials(credentials: Credentials | undefined): void {
    this.credentials = credentials;
  }

  /**
   * A timestamp for a signed request. Two identical requests in the same millisecond would carry
   * the same signature, which the server refuses as a replay: the second one gets the next ms.
   */
  private timestamp(payload: string): number {
    let ts = this.nowMs();
    if (ts <= this.lastTimestampMs && payload === this.lastPayload) ts = this.lastTimestampMs + 1;
    this.lastTimestampMs = Math.max(ts, this.lastTimestampMs);
    this.lastPayload = payload;
    return ts;
  }

  /** Sends a request and returns whatever came back. `body` is sent as-is when it is a string. */
  async send(
    method: string,
    path: string,
    options: {
      body?: unknown;
      signed?: boolean;
      headers?: Record<string, string>;
      timestampMs?: number;
    } = {},
  ): Promise<RawResponse> {
    const body =
      options.body === undefined
        ? ''
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== '') headers['content-type'] = 'application/json';
    if (options.signed) {
      const c = this.credentials;
      if (c === undefined) throw new Error('this call needs API credentials');
      const ts = options.timestampMs ?? this.timestamp(`${method}${path}${body}`);
      Object.assign(
        headers,
        signedHeaders(c.keyId, c.secret, ts, method, path, body, this.options.recvWindowMs),
      );
    }
    Object.assign(headers, options.headers);
    const res = await this.fetchFn(`${this.options.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== '' ? { body } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON (e.g. the docs page): keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async call<T>(method: string, path: string, body?: unknown, signed = true): Promise<T> {
    const res = await this.send(method, path, { body, signed });
    if (res.status >= 400) {
      const b = res.body as Partial<ErrorBody> | undefined;
      const retry = res.headers.get('retry-after');
      throw new ApiError(
        res.status,
        b && typeof b.code === 'string' ? (b as ErrorBody) : errorBody('INTERNAL', `HTTP ${res.status}`),
        retry === null ? undefined : Number(retry),
      );
    }
    return res.body as T;
  }

  /* ---------------------------------------------------------------- public ---------------------------------------------------------------- */

  time(): Promise<{ serverTimeMs: number }> {
    return this.call('GET', '/v1/time', undefined, false);
  }

  instruments(filter: { kind?: string; computeClass?: string } = {}): Promise<InstrumentView[]> {
    return this.call('GET', `/v1/instruments${query(filter)}`, undefined, false);
  }

  instrument(symbol: string): Promise<InstrumentView> {
    return this.call('GET', `/v1/instruments/${encodeURIComponent(symbol)}`, undefined, false);
  }

  book(symbol: string, depth?: number): Promise<BookView> {
    return this.call('GET', `/v1/book/${encodeURIComponent(symbol)}${query({ depth })}`, undefined, false);
  }

  trades(symbol: string, limit?: number): Promise<TradeView[]> {
    return this.call('GET', `/v1/trades/${encodeURIComponent(symbol)}${query({ limit })}`, undefined, false);
  }

  ticker(symbol: string): Promise<TickerView> {
    return this.call('GET', `/v1/ticker/${encodeURIComponent(symbol)}`, undefined, false);
  }

  /** OHLCV candles of the trades in [fromMs, toMs), the newest `limit` buckets, oldest first. */
  candles(
    symbol: string,
    resolution: CandleResolution,
    range: { fromMs?: number; toMs?: number; limit?: number } = {},
  ): Promise<CandlesView> {
    const q = query({ resolution, from: range.fromMs, to: range.toMs, limit: range.limit });
    return this.call('GET', `/v1/candles/${encodeURIComponent(symbol)}${q}`, undefined, false);
  }

  /** The newest round of every index (compute classes and CU). */
  indices(): Promise<IndexPriceView[]> {
    return this.call('GET', '/v1/index', undefined, false);
  }

  /** The newest round of one index. */
  index(indexId: string): Promise<IndexPriceView> {
    return this.call('GET', `/v1/index/${encodeURIComponent(indexId)}`, undefined, false);
  }

  /** An index's rounds published in [fromMs, toMs), the newest `limit`, oldest first. */
  indexHistory(
    indexId: string,
    range: { fromMs?: number; toMs?: number; limit?: number } = {},
  ): Promise<IndexPriceView[]> {
    const q = query({ from: range.fromMs, to: range.toMs, limit: range.limit });
    return this.call('GET', `/v1/index/${encodeURIComponent(indexId)}/history${q}`, undefined, false);
  }

  mark(symbol: string): Promise<MarkPriceView> {
    return this.call('GET', `/v1/mark/${encodeURIComponent(symbol)}`, undefined, false);
  }

  /** A compute class's volatility surface: SVI parameters per expiry and vols by strike. */
  volSurface(computeClass: string): Promise<VolSurfaceView> {
    return this.call('GET', `/v1/surface/${encodeURIComponent(computeClass)}`, undefined, false);
  }

  /** Daily and final settlement prices, newest first. */
  settlementPrices(
    filter: { instrument?: string; kind?: 'daily' | 'expiry'; limit?: number } = {},
  ): Promise<SettlementPriceView[]> {
    return this.call('GET', `/v1/settlement-prices${query(filter)}`, undefined, false);
  }

  /** Development sign-up: creates an account and a key with every scope, and uses that key from now on. */
  async signup(name: string): Promise<SignupResult> {
    const result = await this.call<SignupResult>('POST', '/v1/signup', { name }, false);
    this.credentials = { keyId: result.keyId, secret: result.secret };
    return result;
  }

  /* ---------------------------------------------------------------- orders ---------------------------------------------------------------- */

  placeOrder(params: PlaceOrderParams): Promise<PlaceResult> {
    return this.call('POST', '/v1/orders', params);
  }

  amendOrder(orderId: number, params: AmendParams): Promise<AmendResultView> {
    return this.call('PATCH', `/v1/orders/${orderId}`, params);
  }

  amendByClientOrderId(clientOrderId: string, params: AmendParams): Promise<AmendResultView> {
    return this.call('PATCH', `/v1/orders/by-client-id/${encodeURIComponent(clientOrderId)}`, params);
  }

  cancelOrder(orderId: number): Promise<{ orderId: number; cancelledQuantity: string }> {
    return this.call('DELETE', `/v1/orders/${orderId}`);
  }

  cancelByClientOrderId(clientOrderId: string): Promise<{ orderId: number; cancelledQuantity: string }> {
    return this.call('DELETE', `/v1/orders/by-client-id/${encodeURIComponent(clientOrderId)}`);
  }

  /** Cancels every open order of the account, or those on one instrument. */
  cancelAll(instrument?: string): Promise<{ cancelled: number[] }> {
    return this.call('DELETE', `/v1/orders${query({ instrument })}`);
  }

  order(orderId: number): Promise<OrderView> {
    return this.call('GET', `/v1/orders/${orderId}`);
  }

  openOrders(instrument?: string): Promise<OrderView[]> {
    return this.call('GET', `/v1/orders/open${query({ instrument })}`);
  }

  orderHistory(
    params: { instrument?: string; limit?: number; beforeOrderId?: number } = {},
  ): Promise<OrderView[]> {
    return this.call('GET', `/v1/orders/history${query(params)}`);
  }

  fills(params: { instrument?: string; limit?: number } = {}): Promise<FillView[]> {
    return this.call('GET', `/v1/fills${query(params)}`);
  }

  /* ---------------------------------------------------------------- account --------------------------------------------------------------- */

  positions(): Promise<PositionView[]> {
    return this.call('GET', '/v1/positions');
  }

  balances(): Promise<BalanceView[]> {
    return this.call('GET', '/v1/balances');
  }

  account(): Promise<Record<string, unknown>> {
    return this.call('GET', '/v1/account');
  }

  /** The account's settlement cash flows, newest first. */
  accountSettlements(params: { instrument?: string; limit?: number } = {}): Promise<AccountSettlementView[]> {
    return this.call('GET', `/v1/account/settlements${query(params)}`);
  }

  /** The account's ledger entries, newest first (`beforeEntryId` pages back). */
  ledger(
    params: { asset?: string; kind?: string; limit?: number; beforeEntryId?: number } = {},
  ): Promise<LedgerEntryView[]> {
    return this.call('GET', `/v1/account/ledger${query(params)}`);
  }

  /** The compute leases the account takes or delivers. */
  leases(): Promise<LeaseView[]> {
    return this.call('GET', '/v1/account/leases');
  }

  /** Development faucet (embedded mode): credits the account. */
  faucet(asset: string, amount: string): Promise<{ asset: string; amount: string; seq: number }> {
    return this.call('POST', '/v1/faucet', { asset, amount });
  }

  withdraw(asset: string, amount: string): Promise<{ asset: string; amount: string; seq: number }> {
    return this.call('POST', '/v1/withdrawals', { asset, amount });
  }

  /** A provider commits GPUs of a class to token redemptions (replaces its commitment; 0 withdraws). */
  commitCapacity(computeClass: string, gpus: number): Promise<CapacityResult> {
    return this.call('POST', '/v1/capacity', { computeClass, gpus });
  }

  /** Releases stake (USDC, e.g. "250.5") that backs no collateral; it unbonds on chain. */
  releaseStake(amount: string): Promise<StakeReleaseResult> {
    return this.call('POST', '/v1/stake/releases', { amount });
  }

  /** Redeems gpus x hours GPU-hour tokens for compute from now. */
  redeem(computeClass: string, gpus: number, hours: number): Promise<RedemptionResult> {
    return this.call('POST', '/v1/redemptions', { computeClass, gpus, hours });
  }

  /** The account's payout address (on-chain payouts, minted GPU-hour tokens). */
  payoutAddress(): Promise<PayoutAddressView> {
    return this.call('GET', '/v1/account/payout-address');
  }

  /** Sets it: `signature` is the wallet's personal_sign of payoutAddressMessage(accountId, address). */
  setPayoutAddress(address: string, signature: string): Promise<PayoutAddressView> {
    return this.call('PUT', '/v1/account/payout-address', { address, signature });
  }

  keys(): Promise<KeyView[]> {
    return this.call('GET', '/v1/keys');
  }

  createKey(scopes: Scope[]): Promise<{ keyId: string; secret: string; scopes: Scope[] }> {
    return this.call('POST', '/v1/keys', { scopes });
  }

  revokeKey(keyId: string): Promise<{ keyId: string; revokedAt: string }> {
    return this.call('DELETE', `/v1/keys/${encodeURIComponent(keyId)}`);
  }
}
