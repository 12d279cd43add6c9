import { LocalBook, type BookApplyResult } from './book';
import { ApiError, errorBody, type ErrorBody } from './errors';
import type {
  BalanceView,
  BookMessage,
  FillView,
  IndexPriceView,
  MarginUpdate,
  MarkPriceView,
  OrderView,
  PositionView,
  PositionsUpdate,
} from './messages';
import type { Credentials, PlaceOrderParams } from './rest-client';
import { WS_AUTH_METHOD, WS_AUTH_PATH, signRequest } from './signing';

/** The part of the WebSocket API (browsers, Node 22+, the `ws` package) the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsClientOptions {
  /** e.g. ws://127.0.0.1:3000/ws */
  url: string;
  credentials?: Credentials;
  /** Defaults to the global WebSocket (browsers, Node 22+); pass one from the `ws` package on Node 20. */
  createSocket?: WebSocketFactory;
  /** Reconnect after an unexpected close (re-authenticating and resubscribing). Default true. */
  reconnect?: boolean;
  reconnectDelayMs?: number;
  nowMs?: () => number;
}

/** What happened to a local book: every message's result, plus 'resync' when a new snapshot is asked for. */
export type BookEvent = BookApplyResult | 'resync';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

type Handler = (data: unknown, channel: string) => void;

/** A message from the server: an answer (with the id of its call) or a notification. */
interface Incoming {
  id?: number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: ErrorBody };
  method?: string;
  params?: { channel?: string; data?: unknown; type?: string };
}

/** One call of a batch. */
export interface BatchCall {
  method: string;
  params?: Record<string, unknown>;
}

/** What one call of a batch came to: its result, or the API's error for it. */
export type BatchOutcome = { ok: true; result: unknown } | { ok: false; error: ApiError };

/**
 * JSON-RPC 2.0 client of the WebSocket API (Deribit style). It keeps local copies of the books it
 * follows: a change that does not link to the previous one (a gap) or whose checksum disagrees
 * resets the copy and resubscribes, which brings a fresh snapshot. After an unexpected close it
 * reconnects, logs in again, restores its subscriptions, heartbeat and cancel-on-disconnect.
 */
export class WsClient {
  private socket?: WebSocketLike;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Batches in flight by their first id: how to fail one the server refuses whole. */
  private readonly batchRefusals = new Map<number, (e: Error) => void>();
  private readonly channels = new Set<string>();
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly books = new Map<string, LocalBook>();
  private readonly resyncing = new Set<string>();
  private bookListeners: ((instrument: string, event: BookEvent) => void)[] = [];
  private closeListeners: ((code: number, reason: string) => void)[] = [];
  private closedByUser = false;
  private authenticated = false;
  private heartbeatS?: number;
  private cancelOnDisconnect = false;
  private nonce = 0;

  constructor(private readonly options: WsClientOptions) {}

  get connected(): boolean {
    return this.socket?.readyState === 1;
  }

  async connect(): Promise<void> {
    this.closedByUser = false;
    const create =
      this.options.createSocket ??
      ((url: string) => {
        const Ctor = (globalThis as { WebSocket?: new (u: string) => WebSocketLike }).WebSocket;
        if (Ctor === undefined)
          throw new Error('no global WebSocket: pass createSocket (e.g. from the ws package)');
        return new Ctor(url);
      });
    const socket = create(this.options.url);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = (e) =>
        reject(new Error(`WebSocket error: ${String((e as { message?: string }).message ?? e)}`));
      socket.onclose = (e) => reject(new Error(`WebSocket closed before open: ${e.code} ${e.reason}`));
    });
    socket.onmessage = (ev) => this.onMessage(String(ev.data));
    socket.onerror = () => undefined;
    socket.onclose = (ev) => this.onClose(socket, ev.code, ev.reason);
    if (this.options.credentials && this.authenticated) await this.auth();
    if (this.heartbeatS !== undefined) await this.setHeartbeat(this.heartbeatS);
    if (this.cancelOnDisconnect) await this.enableCancelOnDisconnect();
    if (this.channels.size > 0) {
      for (const b of this.books.values()) b.reset();
      await this.call('public/subscribe', { channels: [...this.channels] });
    }
  }

  close(): void {
    this.closedByUser = true;
    this.socket?.close(1000, 'bye');
  }

  onDisconnect(listener: (code: number, reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  /** Listens to changes of the local books (snapshots, gaps, checksum failures, resyncs). */
  onBookEvent(listener: (instrument: string, event: BookEvent) => void): void {
    this.bookListeners.push(listener);
  }

  /** The local copy of a book (subscribe to `book.<symbol>` to fill it). */
  book(instrument: string): LocalBook {
    let b = this.books.get(instrument);
    if (b === undefined) {
      b = new LocalBook(instrument);
      this.books.set(instrument, b);
    }
    return b;
  }

  /** Calls `handler` for every notification on `channel`. */
  on(channel: string, handler: Handler): () => void {
    let set = this.handlers.get(channel);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Typed handlers of the mark, index and account channels (subscribe to the channel as well). */
  onMark(symbol: string, handler: (mark: MarkPriceView) => void): () => void {
    return this.on(`mark.${symbol}`, (d) => handler(d as MarkPriceView));
  }

  onIndex(indexId: string, handler: (round: IndexPriceView) => void): () => void {
    return this.on(`index.${indexId}`, (d) => handler(d as IndexPriceView));
  }

  onPositions(handler: (update: PositionsUpdate) => void): () => void {
    return this.on('user.positions', (d) => handler(d as PositionsUpdate));
  }

  onMargin(handler: (update: MarginUpdate) => void): () => void {
    return this.on('user.margin', (d) => handler(d as MarginUpdate));
  }

  /** A JSON-RPC call; rejects with ApiError carrying the server's `{ code, message, field }`. */
  call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== 1) return Promise.reject(new Error('not connected'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /**
   * Several calls in one message (a JSON-RPC batch): the server dispatches them in order in one turn
   * (orders among them reach the engine in that order) and answers them together. Each call's
   * outcome comes back in call order; a failed call does not fail the others. A batch of more than
   * the server's API_WS_MAX_BATCH (100 by default) is refused whole (the promise rejects).
   */
  batch(calls: readonly BatchCall[]): Promise<BatchOutcome[]> {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== 1) return Promise.reject(new Error('not connected'));
    if (calls.length === 0) return Promise.resolve([]);
    const firstId = this.nextId;
    this.nextId += calls.length;
    const outcomes = calls.map(
      (_, i) =>
        new Promise<BatchOutcome>((resolve, reject) =>
          this.pending.set(firstId + i, {
            resolve: (result) => resolve({ ok: true, result }),
            reject: (error) => (error instanceof ApiError ? resolve({ ok: false, error }) : reject(error)),
          }),
        ),
    );
    const whole = new Promise<never>((_, reject) => this.batchRefusals.set(firstId, reject));
    socket.send(
      JSON.stringify(
        calls.map((c, i) => ({ jsonrpc: '2.0', id: firstId + i, method: c.method, params: c.params ?? {} })),
      ),
    );
    return Promise.race([Promise.all(outcomes), whole]).finally(() => {
      this.batchRefusals.delete(firstId);
      for (let i = 0; i < calls.length; i++) this.pending.delete(firstId + i);
    });
  }

  /** Sends a raw text frame (for tests of malformed input). */
  sendRaw(text: string): void {
    this.socket?.send(text);
  }

  /** Logs in with the key: HMAC-SHA256 over timestamp + 'WS' + '/ws' + nonce. */
  async auth(): Promise<{ accountId: number; scopes: string[] }> {
    const c = this.options.credentials;
    if (c === undefined) throw new Error('no credentials');
    const timestampMs = (this.options.nowMs ?? Date.now)();
    const nonce = `${timestampMs.toString(36)}-${(this.nonce++).toString(36)}-${Math.random().toString(36).slice(2)}`;
    const signature = signRequest(c.secret, timestampMs, WS_AUTH_METHOD, WS_AUTH_PATH, nonce);
    const result = await this.call<{ accountId: number; scopes: string[] }>('public/auth', {
      key: c.keyId,
      timestampMs,
      nonce,
      signature,
    });
    this.authenticated = true;
    return result;
  }

  async subscribe(...channels: string[]): Promise<string[]> {
    for (const ch of channels) {
      this.channels.add(ch);
      if (ch.startsWith('book.')) this.book(ch.slice(5)).reset();
    }
    return this.call<string[]>('public/subscribe', { channels });
  }

  async unsubscribe(...channels: string[]): Promise<string[]> {
    for (const ch of channels) this.channels.delete(ch);
    return this.call<string[]>('public/unsubscribe', { channels });
  }

  async setHeartbeat(intervalS: number): Promise<void> {
    this.heartbeatS = intervalS;
    await this.call('public/set_heartbeat', { interval: intervalS });
  }

  async enableCancelOnDisconnect(): Promise<void> {
    this.cancelOnDisconnect = true;
    await this.call('private/enable_cancel_on_disconnect', {});
  }

  buy(params: Omit<PlaceOrderParams, 'side'>): Promise<unknown> {
    return this.call('private/buy', { ...params });
  }

  sell(params: Omit<PlaceOrderParams, 'side'>): Promise<unknown> {
    return this.call('private/sell', { ...params });
  }

  edit(params: {
    orderId?: number;
    clientOrderId?: string;
    price?: string;
    quantity?: string;
    stopPrice?: string;
  }) {
    return this.call('private/edit', { ...params });
  }

  cancel(params: { orderId?: number; clientOrderId?: string }) {
    return this.call('private/cancel', { ...params });
  }

  /** The account's open orders (all, or one instrument's), as the read models hold them after its last command. */
  openOrders(instrument?: string): Promise<OrderView[]> {
    return this.call<OrderView[]>('private/get_open_orders', instrument ? { instrument } : {});
  }

  /** One of the account's orders (GET /v1/orders/{orderId}). */
  order(orderId: number): Promise<OrderView> {
    return this.call<OrderView>('private/get_order', { orderId });
  }

  /** The account's orders, newest first, paged by beforeOrderId (GET /v1/orders/history). */
  orderHistory(
    params: { instrument?: string; limit?: number; beforeOrderId?: number } = {},
  ): Promise<OrderView[]> {
    return this.call<OrderView[]>('private/get_order_history', { ...params });
  }

  /** The account's newest fills (GET /v1/fills). */
  fills(params: { instrument?: string; limit?: number } = {}): Promise<FillView[]> {
    return this.call<FillView[]>('private/get_fills', { ...params });
  }

  positions(): Promise<PositionView[]> {
    return this.call<PositionView[]>('private/get_positions');
  }

  balances(): Promise<BalanceView[]> {
    return this.call<BalanceView[]>('private/get_balances');
  }

  /** Balances, positions and margin from the risk stage (GET /v1/account). */
  account(): Promise<Record<string, unknown>> {
    return this.call<Record<string, unknown>>('private/get_account');
  }

  cancelAll(instrument?: string) {
    return this.call<{ cancelled: number[] }>('private/cancel_all', instrument ? { instrument } : {});
  }

  massQuote(params: {
    quotes: {
      instrument: string;
      side: 'buy' | 'sell';
      price: string;
      quantity: string;
      clientOrderId?: string;
      postOnly?: boolean;
    }[];
    replace?: boolean;
  }) {
    return this.call('private/mass_quote', { ...params });
  }

  private onMessage(text: string): void {
    let parsed: Incoming | Incoming[];
    try {
      parsed = JSON.parse(text) as Incoming | Incoming[];
    } catch {
      return;
    }
    if (Array.isArray(parsed)) {
      for (const m of parsed) if (m !== null && typeof m === 'object') this.onIncoming(m);
      return;
    }
    if (parsed === null || typeof parsed !== 'object') return;
    if (parsed.id === null && parsed.error !== undefined && this.batchRefusals.size > 0) {
      // a batch refused whole is answered by one error without an id: the oldest batch in flight
      const [firstId, reject] = this.batchRefusals.entries().next().value as [number, (e: Error) => void];
      this.batchRefusals.delete(firstId);
      reject(
        new ApiError(parsed.error.code, parsed.error.data ?? errorBody('INTERNAL', parsed.error.message)),
      );
      return;
    }
    this.onIncoming(parsed);
  }

  private onIncoming(msg: Incoming): void {
    if (typeof msg.id === 'number' && (msg.result !== undefined || msg.error !== undefined)) {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (msg.error !== undefined) {
        const body = msg.error.data ?? errorBody('INTERNAL', msg.error.message);
        p.reject(new ApiError(msg.error.code, body));
      } else p.resolve(msg.result);
      return;
    }
    if (msg.method === 'heartbeat') {
      if (msg.params?.type === 'test_request') void this.call('public/test', {}).catch(() => undefined);
      return;
    }
    if (msg.method === 'subscription' && typeof msg.params?.channel === 'string') {
      const channel = msg.params.channel;
      if (channel.startsWith('book.')) this.onBook(channel, msg.params.data as BookMessage);
      for (const h of this.handlers.get(channel) ?? []) h(msg.params.data, channel);
    }
  }

  private onBook(channel: string, msg: BookMessage): void {
    const instrument = channel.slice(5);
    const book = this.book(instrument);
    if (msg.type === 'snapshot') this.resyncing.delete(instrument);
    else if (this.resyncing.has(instrument)) return; // waiting for the snapshot asked for
    const result = book.apply(msg);
    for (const l of this.bookListeners) l(instrument, result);
    if (result !== 'ok' && !this.resyncing.has(instrument)) {
      this.resyncing.add(instrument);
      for (const l of this.bookListeners) l(instrument, 'resync');
      void this.call('public/subscribe', { channels: [channel] }).catch(() => undefined);
    }
  }

  private onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    for (const p of this.pending.values()) p.reject(new Error(`connection closed: ${code} ${reason}`));
    this.pending.clear();
    for (const l of this.closeListeners) l(code, reason);
    if (this.closedByUser || this.options.reconnect === false) return;
    const retry = () => {
      if (this.closedByUser) return;
      this.connect().catch(() => setTimeout(retry, this.options.reconnectDelayMs ?? 500));
    };
    setTimeout(retry, this.options.reconnectDelayMs ?? 500);
  }
}
