/**
 * WebSocket order entry (JSON-RPC 2.0): each virtual user signs up and takes faucet money over
 * REST, then opens a connection, logs in with `public/auth` (signature over timestamp + 'WS' +
 * '/ws' + nonce) and keeps WINDOW requests in flight: `private/buy` or `private/sell` of a resting
 * limit order on H100-USDC, then `private/cancel` of it when the placement is acknowledged. A
 * connection lasts SESSION_S seconds, then the VU opens the next one.
 *
 *   k6 run -e API_URL=http://127.0.0.1:3000 -e VUS=10 -e DURATION=30s infra/k6/ws-orders.ts
 *
 * Settings (-e): API_URL (WS_URL defaults to its /ws), VUS (10), DURATION (30s), WINDOW (4),
 * SESSION_S (10), INSTRUMENT, P95_MS (50), P99_MS (200). Raise the exchange's per-key rate limit
 * for heavy runs: RATE_LIMITED answers count as errors.
 */
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import {
  WS_URL,
  envNumber,
  envString,
  fundedAccount,
  restingOrder,
  wsAuthParams,
  type Account,
  // @ts-expect-error -- k6 resolves local imports by their exact file name
} from './lib.ts';

const p95Ms = envNumber('P95_MS', 50);
const p99Ms = envNumber('P99_MS', 200);
const inFlight = Math.max(1, envNumber('WINDOW', 4));
const sessionMs = envNumber('SESSION_S', 10) * 1000;

export const options = {
  scenarios: {
    ws_orders: {
      executor: 'constant-vus',
      vus: envNumber('VUS', 10),
      duration: envString('DURATION', '30s'),
      gracefulStop: '15s',
    },
  },
  thresholds: {
    ws_order_errors: ['rate<0.01'],
    checks: ['rate>0.99'],
    'ws_ack_ms{method:place}': [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`],
    'ws_ack_ms{method:cancel}': [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`],
    ws_orders_placed: ['count>0'],
    ws_auth_ms: ['p(95)<1000'],
  },
};

const orderErrors = new Rate('ws_order_errors');
const ordersPlaced = new Counter('ws_orders_placed');
const rejected = new Counter('ws_order_rejects');
const ackMs = new Trend('ws_ack_ms', true);
const authMs = new Trend('ws_auth_ms', true);

interface RpcAnswer {
  id?: number;
  result?: { order?: { orderId?: number; status?: string } } & Record<string, unknown>;
  error?: { code: number; message: string; data?: { code?: string } };
  method?: string;
}

interface Sent {
  method: 'auth' | 'place' | 'cancel';
  atMs: number;
}

let account: Account | undefined;

export default function (): void {
  account ??= fundedAccount(`k6-ws-${__VU}-${Date.now()}`);
  const me = account;
  const ws = new WebSocket(WS_URL);
  const sent = new Map<number, Sent>();
  let nextId = 1;
  let placed = 0;
  let closing = false;

  const send = (method: string, kind: Sent['method'], params: Record<string, unknown>) => {
    const id = nextId++;
    sent.set(id, { method: kind, atMs: Date.now() });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  };
  const place = () => {
    if (closing) {
      if (sent.size === 0) ws.close();
      return;
    }
    const { side, ...order } = restingOrder(`k6w-${__VU}-${__ITER}-${placed++}`);
    send(side === 'buy' ? 'private/buy' : 'private/sell', 'place', order);
  };

  ws.onopen = () => send('public/auth', 'auth', wsAuthParams(me));
  ws.onerror = (e) => {
    orderErrors.add(true);
    rejected.add(1, { code: `socket: ${e.error}` });
  };
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data) as RpcAnswer;
    if (msg.id === undefined) return; // notifications (heartbeats) are not answers
    const request = sent.get(msg.id);
    if (request === undefined) return;
    sent.delete(msg.id);
    const elapsedMs = Date.now() - request.atMs;
    const ok = msg.error === undefined;
    if (!ok) rejected.add(1, { code: msg.error?.data?.code ?? String(msg.error?.code) });
    if (request.method === 'auth') {
      authMs.add(elapsedMs);
      if (!check(msg, { 'ws auth ok': () => ok })) {
        orderErrors.add(true);
        ws.close();
        return;
      }
      for (let i = 0; i < inFlight; i++) place();
      return;
    }
    ackMs.add(elapsedMs, { method: request.method });
    orderErrors.add(!ok);
    if (request.method === 'place') {
      const orderId = msg.result?.order?.orderId;
      const rests = check(msg, {
        'ws place ok': () => ok,
        'ws placed order rests': () => msg.result?.order?.status === 'open',
      });
      if (rests && orderId !== undefined) {
        ordersPlaced.add(1);
        send('private/cancel', 'cancel', { orderId });
        return;
      }
    } else check(msg, { 'ws cancel ok': () => ok });
    place();
  };
  ws.onclose = () => {
    closing = true;
  };
  setTimeout(() => {
    closing = true;
    if (sent.size === 0) ws.close();
  }, sessionMs);
}
