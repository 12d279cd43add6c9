/**
 * Market-data subscribers: SUBSCRIBERS connections subscribe to `book.H100-USDC` and check the feed:
 * a snapshot first, then changes whose prevChangeId is the changeId before (a break is a gap), for
 * SESSION_S seconds per connection. A driver (one VU placing and cancelling resting orders over REST
 * at DRIVER_RATE per second) keeps the book moving, so the subscribers always have changes to check.
 *
 *   k6 run -e API_URL=http://127.0.0.1:3000 -e SUBSCRIBERS=50 -e DURATION=30s infra/k6/market-data.ts
 *
 * Settings (-e): API_URL, SUBSCRIBERS (50), DURATION (30s), SESSION_S (10), DRIVER_RATE (20),
 * INSTRUMENT, DELAY_P99_MS (500). book_delay_ms is the receipt time minus the message's engine time
 * (meaningful on the exchange's own host only).
 */
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import {
  INSTRUMENT,
  WS_URL,
  envNumber,
  envString,
  fundedAccount,
  restingOrder,
  signed,
  type Account,
  // @ts-expect-error -- k6 resolves local imports by their exact file name
} from './lib.ts';

const duration = envString('DURATION', '30s');
const sessionMs = envNumber('SESSION_S', 10) * 1000;
const channel = `book.${INSTRUMENT}`;

export const options = {
  scenarios: {
    subscribers: {
      executor: 'constant-vus',
      exec: 'subscriber',
      vus: envNumber('SUBSCRIBERS', 50),
      duration,
      gracefulStop: '15s',
    },
    driver: {
      executor: 'constant-arrival-rate',
      exec: 'driver',
      rate: envNumber('DRIVER_RATE', 20),
      timeUnit: '1s',
      duration,
      preAllocatedVUs: 2,
      maxVUs: 4,
    },
  },
  thresholds: {
    book_gaps: ['count==0'],
    book_changes: ['count>0'],
    book_snapshot_first: ['rate==1'],
    book_errors: ['rate<0.01'],
    checks: ['rate>0.99'],
    book_delay_ms: [`p(99)<${envNumber('DELAY_P99_MS', 500)}`],
    'http_req_failed{name:place}': ['rate<0.01'],
  },
};

const gaps = new Counter('book_gaps');
const changes = new Counter('book_changes');
const snapshotFirst = new Rate('book_snapshot_first');
const errors = new Rate('book_errors');
const delayMs = new Trend('book_delay_ms', true);

interface BookMessage {
  type: 'snapshot' | 'change';
  changeId: number;
  prevChangeId?: number;
  timestampMs: number;
}

export function subscriber(): void {
  const ws = new WebSocket(WS_URL);
  let lastChangeId: number | undefined;
  ws.onopen = () =>
    ws.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'public/subscribe', params: { channels: [channel] } }),
    );
  ws.onerror = () => errors.add(true);
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data) as {
      id?: number;
      error?: unknown;
      method?: string;
      params?: { channel?: string; data?: BookMessage };
    };
    if (msg.id === 1) {
      errors.add(!check(msg, { subscribed: () => msg.error === undefined }));
      return;
    }
    if (msg.method !== 'subscription' || msg.params?.channel !== channel || msg.params.data === undefined)
      return;
    const book = msg.params.data;
    if (lastChangeId === undefined) {
      snapshotFirst.add(book.type === 'snapshot');
    } else {
      const linked = book.type === 'change' && book.prevChangeId === lastChangeId;
      if (!linked) gaps.add(1);
      check(book, { 'change links to the one before': () => linked });
      changes.add(1);
      delayMs.add(Math.max(0, Date.now() - book.timestampMs));
    }
    lastChangeId = book.changeId;
  };
  setTimeout(() => ws.close(), sessionMs);
}

let account: Account | undefined;
const orderIds: number[] = [];

/** Places a resting order, and cancels the older ones so that the book stays small. */
export function driver(): void {
  account ??= fundedAccount(`k6-md-driver-${__VU}-${Date.now()}`);
  const res = signed(account, 'POST', '/v1/orders', restingOrder(`k6d-${__VU}-${__ITER}`), 'place');
  if (res.status === 201) orderIds.push((res.json() as { order: { orderId: number } }).order.orderId);
  while (orderIds.length > 20)
    signed(account, 'DELETE', `/v1/orders/${orderIds.shift()}`, undefined, 'cancel');
}
