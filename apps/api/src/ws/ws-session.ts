import { Logger } from '@nestjs/common';
import type { RawData, WebSocket } from 'ws';
import {
  WS_AUTH_METHOD,
  WS_AUTH_PATH,
  corkUntilTick,
  errorBody,
  httpStatusOf,
  socketOf,
  type ErrorBody,
  type Scope,
} from '@exchange/client';
import {
  AMEND_ORDER_SCHEMA,
  MASS_QUOTE_SCHEMA,
  SIDELESS_ORDER_SCHEMA,
  instrumentView,
  type MassQuoteRequest,
  type ObjectSchema,
  type PlaceOrderRequest,
} from '@exchange/gateway';
import type { Authenticator } from '../auth/authenticator';
import type { ApiConfig } from '../config/api-config';
import { ApiException, validated } from '../http/api-exception';
import type { InstrumentsService } from '../trading/instruments.service';
import { DEFAULT_PAGE, MAX_PAGE, type ReadService } from '../trading/read.service';
import type { TradingService } from '../trading/trading.service';
import { PRIVATE_CHANNELS, type MarketHub, type Subscriber } from './market-hub';
import { writeFrame } from './text-frame';

export interface SessionDeps {
  hub: MarketHub;
  trading: TradingService;
  reads: ReadService;
  instruments: InstrumentsService;
  auth: Authenticator;
  config: ApiConfig;
}

/** Close codes: the client was too slow to read, or did not answer a test request. */
export const CLOSE_SLOW_CONSUMER = 4008;
/** How long a dropped client has to read up to the close frame before the socket is cut. */
export const CLOSE_GRACE_MS = 10_000;
export const CLOSE_HEARTBEAT_TIMEOUT = 4000;

/** JSON-RPC's own codes; the API's errors use the HTTP status of their code. */
const RPC_PARSE_ERROR = -32700;
const RPC_INVALID_REQUEST = -32600;
const RPC_METHOD_NOT_FOUND = -32601;
const RPC_INVALID_PARAMS = -32602;

const AUTH_SCHEMA: ObjectSchema = {
  fields: {
    key: { kind: 'string', maxLength: 64, required: true, description: 'API key id.' },
    timestampMs: {
      kind: 'integer',
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      required: true,
      description: 'Client time, ms.',
    },
    nonce: {
      kind: 'string',
      minLength: 1,
      maxLength: 64,
      required: true,
      description: 'Any string, new each login.',
    },
    signature: {
      kind: 'string',
      maxLength: 128,
      required: true,
      description: "HMAC-SHA256(secret, timestamp + 'WS' + '/ws' + nonce), hex.",
    },
  },
};
const EMPTY: ObjectSchema = { fields: {} };
const HEARTBEAT_SCHEMA: ObjectSchema = {
  fields: { interval: { kind: 'integer', min: 1, max: 3600, required: true, description: 'Seconds.' } },
};
const INSTRUMENT_SCHEMA: ObjectSchema = {
  fields: { instrument: { kind: 'string', minLength: 1, maxLength: 64, description: 'Symbol.' } },
};
const BOOK_SCHEMA: ObjectSchema = {
  fields: {
    instrument: { kind: 'string', minLength: 1, maxLength: 64, required: true, description: 'Symbol.' },
    depth: { kind: 'integer', min: 1, max: 1000, description: 'Levels per side.' },
  },
};
const REF_FIELDS = {
  orderId: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, description: 'Order id.' },
  clientOrderId: { kind: 'string', minLength: 1, maxLength: 64, description: 'Client order id.' },
} as const;
/** `limit` of a list read: the newest this many, as REST's `limit` query. */
const PAGE_LIMIT_FIELD = {
  kind: 'integer',
  min: 1,
  max: MAX_PAGE,
  description: `The newest this many, at most (${DEFAULT_PAGE} by default).`,
} as const;
const ORDER_ID_SCHEMA: ObjectSchema = { fields: { orderId: { ...REF_FIELDS.orderId, required: true } } };
const FILLS_SCHEMA: ObjectSchema = {
  fields: { instrument: INSTRUMENT_SCHEMA.fields.instrument!, limit: PAGE_LIMIT_FIELD },
};
const HISTORY_SCHEMA: ObjectSchema = {
  fields: {
    ...FILLS_SCHEMA.fields,
    beforeOrderId: { ...REF_FIELDS.orderId, description: 'Orders placed before this one (the next page).' },
  },
};
const CANCEL_SCHEMA: ObjectSchema = { fields: REF_FIELDS };
const EDIT_SCHEMA: ObjectSchema = { fields: { ...REF_FIELDS, ...AMEND_ORDER_SCHEMA.fields } };
const MAX_CHANNELS = 200;

type RpcResponse =
  | { jsonrpc: '2.0'; id: unknown; result: unknown }
  | { jsonrpc: '2.0'; id: unknown; error: { code: number; message: string; data: ErrorBody } };

function rpcError(id: unknown, rpcCode: number, body: ErrorBody): RpcResponse {
  return { jsonrpc: '2.0', id: id ?? null, error: { code: rpcCode, message: body.message, data: body } };
}

function params<T>(schema: ObjectSchema, p: unknown): T {
  return validated<T>(schema, p ?? {}, 'params');
}

function orderRef(p: { orderId?: number; clientOrderId?: string }) {
  if ((p.orderId === undefined) === (p.clientOrderId === undefined))
    throw ApiException.of(
      'VALIDATION_FAILED',
      'give exactly one of orderId and clientOrderId',
      'params.orderId',
    );
  return p.orderId !== undefined ? { orderId: p.orderId } : { clientOrderId: p.clientOrderId! };
}

function channelsOf(p: unknown): string[] {
  const list = (p as { channels?: unknown } | undefined)?.channels;
  const keys = p !== null && typeof p === 'object' ? Object.keys(p) : [];
  const unknown = keys.find((k) => k !== 'channels');
  if (unknown !== undefined)
    throw ApiException.of('UNKNOWN_FIELD', `unknown field params.${unknown}`, `params.${unknown}`);
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.length > MAX_CHANNELS ||
    !list.every((c) => typeof c === 'string')
  )
    throw ApiException.of(
      'VALIDATION_FAILED',
      `channels must be 1 to ${MAX_CHANNELS} strings`,
      'params.channels',
    );
  return list as string[];
}

/**
 * One WebSocket connection: JSON-RPC 2.0 requests in, answers and channel notifications out.
 * Public methods need nothing; private ones need `public/auth` first and the key's scope. A client
 * whose unsent bytes pass the bound is told (close code 4008, SLOW_CONSUMER) and dropped.
 */
export class WsSession implements Subscriber {
  private static readonly logger = new Logger('WebSocket');
  accountId: number | undefined;
  private keyId: string | undefined;
  private scopes: Scope[] = [];
  private readonly channels = new Set<string>();
  private cancelOnDisconnect = false;
  private heartbeat?: NodeJS.Timeout;
  private heard = true;
  private testPending = false;
  private closed = false;
  private corked = false;
  private readonly uncorked = () => (this.corked = false);

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SessionDeps,
    private readonly address: string,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', () => undefined);
  }

  deliver(text: string): void {
    if (!this.admits()) return;
    this.ws.send(text);
  }

  deliverFrame(frame: Buffer): void {
    if (this.admits()) writeFrame(this.ws, frame);
  }

  /**
   * Whether a message may go out now: not when closed; a client whose unsent bytes passed the
   * bound is dropped instead. Corks the socket until the tick's callbacks have run, so the answers
   * to a grouped engine batch and the notifications it causes leave in one write.
   */
  private admits(): boolean {
    if (this.closed) return false;
    if (this.ws.bufferedAmount > this.deps.config.wsMaxBufferedBytes) {
      this.drop(CLOSE_SLOW_CONSUMER, 'SLOW_CONSUMER');
      return false;
    }
    if (!this.corked) {
      const socket = socketOf(this.ws);
      if (socket !== undefined) {
        this.corked = true;
        corkUntilTick(socket, this.uncorked);
      }
    }
    return true;
  }

  /**
   * Tells the client why and closes. The close frame queues behind what is already buffered, so a
   * client still draining gets CLOSE_GRACE_MS to reach it before the connection is cut.
   */
  private drop(closeCode: number, code: 'SLOW_CONSUMER' | 'HEARTBEAT_TIMEOUT'): void {
    if (this.closed) return;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'disconnect', params: errorBody(code) }));
    this.ws.close(closeCode, code);
    this.release();
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  private send(response: RpcResponse): void {
    this.deliver(JSON.stringify(response));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.heard = true;
    this.testPending = false;
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary frames are not JSON-RPC');
      msg = JSON.parse(data.toString());
    } catch (err) {
      this.send(
        rpcError(
          null,
          RPC_PARSE_ERROR,
          errorBody('MALFORMED_JSON', `not valid JSON: ${(err as Error).message}`),
        ),
      );
      return;
    }
    if (Array.isArray(msg)) this.batch(msg);
    else this.handle(msg, (response) => this.send(response));
  }

  /**
   * A JSON-RPC batch: its requests are dispatched in order in the same turn (orders among them reach
   * the engine in that order, in one journal frame), without waiting for each other, and their
   * answers leave together as one array in request order once all are in. Notifications (no id)
   * get no entry; a batch of notifications only gets no answer.
   */
  private batch(requests: unknown[]): void {
    const max = this.deps.config.wsMaxBatch;
    if (requests.length === 0 || requests.length > max) {
      this.send(
        rpcError(
          null,
          RPC_INVALID_REQUEST,
          errorBody('VALIDATION_FAILED', `a batch holds 1 to ${max} requests`),
        ),
      );
      return;
    }
    const responses: (RpcResponse | undefined)[] = new Array<RpcResponse | undefined>(requests.length);
    let waiting = requests.length;
    const done = () => {
      if (--waiting > 0) return;
      const answered = responses.filter((r) => r !== undefined);
      if (answered.length > 0) this.deliver(JSON.stringify(answered));
    };
    for (let i = 0; i < requests.length; i++) {
      this.handle(
        requests[i],
        (response) => {
          responses[i] = response;
          done();
        },
        done,
      );
    }
  }

  /**
   * One request object: `answer` gets its response, or `quiet` is called for a notification (no id)
   * once it has run.
   */
  private handle(msg: unknown, answer: (response: RpcResponse) => void, quiet?: () => void): void {
    const req = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const id = req?.id;
    const idOk = id === undefined || typeof id === 'number' || typeof id === 'string';
    if (
      typeof msg !== 'object' ||
      msg === null ||
      Array.isArray(msg) ||
      req.jsonrpc !== '2.0' ||
      typeof req.method !== 'string' ||
      !idOk
    ) {
      answer(
        rpcError(
          idOk ? id : null,
          RPC_INVALID_REQUEST,
          errorBody('VALIDATION_FAILED', 'not a JSON-RPC 2.0 request object'),
        ),
      );
      return;
    }
    this.dispatch(req.method, req.params).then(
      (result) => (id === undefined ? quiet?.() : answer({ jsonrpc: '2.0', id, result })),
      (err: unknown) => {
        if (id === undefined) {
          quiet?.();
          return;
        }
        if (err instanceof ApiException) {
          const c = err.body.code;
          const rpc =
            c === 'METHOD_NOT_FOUND'
              ? RPC_METHOD_NOT_FOUND
              : c === 'VALIDATION_FAILED' || c === 'UNKNOWN_FIELD'
                ? RPC_INVALID_PARAMS
                : httpStatusOf(c);
          answer(rpcError(id, rpc, err.body));
          return;
        }
        WsSession.logger.error({
          msg: 'request failed',
          error: err instanceof Error ? err.stack : String(err),
        });
        answer(rpcError(id, 500, errorBody('INTERNAL')));
      },
    );
  }

  private need(scope: Scope): number {
    if (this.accountId === undefined || this.keyId === undefined) throw ApiException.of('NOT_AUTHENTICATED');
    this.deps.auth.requireScope({ accountId: this.accountId, keyId: this.keyId, scopes: this.scopes }, scope);
    this.deps.auth.limit('key', this.keyId);
    return this.accountId;
  }

  private async dispatch(method: string, p: unknown): Promise<unknown> {
    const { trading, instruments, auth } = this.deps;
    if (method.startsWith('public/')) auth.limit('public', `ws:${this.address}`);
    switch (method) {
      case 'public/auth':
        return this.login(params(AUTH_SCHEMA, p));
      case 'public/subscribe':
      case 'private/subscribe':
        return this.subscribe(channelsOf(p));
      case 'public/unsubscribe':
      case 'private/unsubscribe':
        return channelsOf(p).filter((c) => this.channels.delete(c) && this.deps.hub.unsubscribe(c, this));
      case 'public/set_heartbeat':
        this.setHeartbeat(params<{ interval: number }>(HEARTBEAT_SCHEMA, p).interval);
        return 'ok';
      case 'public/disable_heartbeat':
        params(EMPTY, p);
        this.setHeartbeat(0);
        return 'ok';
      case 'public/test':
        params(EMPTY, p);
        return { version: '1' };
      case 'public/get_time':
        params(EMPTY, p);
        return Date.now();
      case 'public/get_instruments':
        params(EMPTY, p);
        return instruments.directory.all().map(instrumentView);
      case 'public/get_order_book': {
        const q = params<{ instrument: string; depth?: number }>(BOOK_SCHEMA, p);
        const snap = this.deps.hub.feed.snapshot(instruments.get(q.instrument).instrumentId, Date.now())!;
        const depth = q.depth ?? 20;
        return {
          instrument: snap.instrument,
          changeId: snap.changeId,
          bids: snap.bids.slice(0, depth),
          asks: snap.asks.slice(0, depth),
        };
      }
      case 'private/buy':
      case 'private/sell': {
        const accountId = this.need('trade');
        // the side goes on the parsed params themselves: a copy made by spreading them is an object
        // V8 reads several times slower (toPlaceOrder: about 4 instead of 0.6 µs an order)
        const order = params<PlaceOrderRequest>(SIDELESS_ORDER_SCHEMA, p);
        order.side = method === 'private/buy' ? 'buy' : 'sell';
        return trading.place(accountId, order);
      }
      case 'private/edit': {
        const accountId = this.need('trade');
        const { orderId, clientOrderId, ...amend } = params<{ orderId?: number; clientOrderId?: string }>(
          EDIT_SCHEMA,
          p,
        );
        return trading.amend(accountId, orderRef({ orderId, clientOrderId }), amend);
      }
      case 'private/cancel':
        return trading.cancel(this.need('trade'), orderRef(params(CANCEL_SCHEMA, p)));
      case 'private/cancel_all':
        return trading.cancelAll(
          this.need('trade'),
          params<{ instrument?: string }>(INSTRUMENT_SCHEMA, p).instrument,
        );
      // the account's reads, as their REST resources answer them (after the same wait for the read
      // models): what a market maker reconnecting without cancel-on-disconnect still has in the
      // books, and its fills, positions and margin, without a second, REST connection
      case 'private/get_open_orders':
        return this.deps.reads.openOrders(
          this.need('read'),
          params<{ instrument?: string }>(INSTRUMENT_SCHEMA, p).instrument,
        );
      case 'private/get_order':
        return this.deps.reads.order(
          this.need('read'),
          params<{ orderId: number }>(ORDER_ID_SCHEMA, p).orderId,
        );
      case 'private/get_order_history': {
        const q = params<{ instrument?: string; limit?: number; beforeOrderId?: number }>(HISTORY_SCHEMA, p);
        return this.deps.reads.orderHistory(this.need('read'), { ...q, limit: q.limit ?? DEFAULT_PAGE });
      }
      case 'private/get_fills': {
        const q = params<{ instrument?: string; limit?: number }>(FILLS_SCHEMA, p);
        return this.deps.reads.fills(this.need('read'), { ...q, limit: q.limit ?? DEFAULT_PAGE });
      }
      case 'private/get_positions':
        params(EMPTY, p);
        return this.deps.reads.positions(this.need('read'));
      case 'private/get_balances':
        params(EMPTY, p);
        return this.deps.reads.balances(this.need('read'));
      case 'private/get_account':
        params(EMPTY, p);
        return this.deps.reads.account(this.need('read'));
      case 'private/mass_quote':
        return trading.massQuote(this.need('trade'), params<MassQuoteRequest>(MASS_QUOTE_SCHEMA, p));
      case 'private/enable_cancel_on_disconnect':
        params(EMPTY, p);
        this.need('trade');
        this.cancelOnDisconnect = true;
        return 'ok';
      case 'private/disable_cancel_on_disconnect':
        params(EMPTY, p);
        this.need('trade');
        this.cancelOnDisconnect = false;
        return 'ok';
      default:
        throw ApiException.of('METHOD_NOT_FOUND', `no method ${method}`);
    }
  }

  private async login(p: { key: string; timestampMs: number; nonce: string; signature: string }) {
    const principal = await this.deps.auth.authenticate({
      keyId: p.key,
      timestamp: String(p.timestampMs),
      signature: p.signature,
      method: WS_AUTH_METHOD,
      path: WS_AUTH_PATH,
      body: p.nonce,
    });
    if (this.accountId !== undefined && this.accountId !== principal.accountId)
      throw ApiException.of(
        'VALIDATION_FAILED',
        'this connection is logged in to another account',
        'params.key',
      );
    this.accountId = principal.accountId;
    this.keyId = principal.keyId;
    this.scopes = principal.scopes;
    return { accountId: principal.accountId, scopes: principal.scopes };
  }

  private async subscribe(channels: string[]): Promise<string[]> {
    // check every channel first: a bad one refuses the whole request
    for (const c of channels) {
      if ((PRIVATE_CHANNELS as readonly string[]).includes(c)) this.need('read');
      this.deps.hub.check(c);
    }
    const reading = this.deps.hub.prepare(channels);
    if (reading !== undefined) await reading;
    const now = Date.now();
    for (const c of channels) {
      this.channels.add(c);
      this.deps.hub.subscribe(c, this, now);
    }
    return channels;
  }

  /** Every interval: a heartbeat, or a test request when nothing came in; no answer by the next one closes. */
  private setHeartbeat(intervalS: number): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (intervalS <= 0) return;
    this.heard = true;
    this.testPending = false;
    this.heartbeat = setInterval(() => {
      if (this.testPending) {
        this.drop(CLOSE_HEARTBEAT_TIMEOUT, 'HEARTBEAT_TIMEOUT');
        return;
      }
      const type = this.heard ? 'heartbeat' : 'test_request';
      this.testPending = !this.heard;
      this.heard = false;
      this.deliver(JSON.stringify({ jsonrpc: '2.0', method: 'heartbeat', params: { type } }));
    }, intervalS * 1000);
    this.heartbeat.unref();
  }

  private release(): void {
    this.closed = true;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    for (const c of this.channels) this.deps.hub.unsubscribe(c, this);
    this.channels.clear();
  }

  private onClose(): void {
    const wasClosed = this.closed;
    if (!wasClosed) this.release();
    if (this.cancelOnDisconnect && this.accountId !== undefined) {
      const accountId = this.accountId;
      this.cancelOnDisconnect = false;
      this.deps.trading.cancelAll(accountId).then(
        (r) =>
          WsSession.logger.log({ msg: 'cancel on disconnect', accountId, cancelled: r.cancelled.length }),
        (err: unknown) =>
          WsSession.logger.error({ msg: 'cancel on disconnect failed', accountId, error: String(err) }),
      );
    }
  }

  /** Closes from the server side (shutdown). */
  shutdown(): void {
    this.release();
    this.ws.close(1001, 'server shutting down');
  }
}
