/**
 * Market-data subscribers: SUBSCRIBERS connections subscribe to `book.H100-USDC` and check the feed:
 * a snapshot first, then changes whose prevChangeId is the changeId before (a break is a gap), and
 * every message's checksum: each subscriber keeps a copy of the book from the snapshot and the
 * changes, and the CRC32 of its top 10 levels per side must equal the message's `checksum` (the
 * SDK's rule, libs/client book.ts: `price:quantity` of each bid best first joined by ',', then '|',
 * then the asks the same way, as the messages write them). After a gap or a mismatch it subscribes
 * again for a fresh snapshot. For SESSION_S seconds per connection. A driver (one VU placing and cancelling resting orders over REST
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
    'checks{check:checksum matches the top levels}': ['rate==1'],
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

type Level = [price: string, quantity: string, orders: number];

interface BookMessage {
  type: 'snapshot' | 'change';
  changeId: number;
  prevChangeId?: number;
  bids: Level[];
  asks: Level[];
  checksum: number;
  timestampMs: number;
}

const CHECKSUM_DEPTH = 10;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE, as zlib) of an ASCII string (prices, quantities and separators are ASCII). */
function crc32(text: string): number {
  let crc = -1;
  for (let i = 0, n = text.length; i < n; i++)
    crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** Orders two non-negative decimal strings exactly: longer integer part first, then digit by digit. */
function compareDecimal(a: string, b: string): number {
  const ia = a.indexOf('.') < 0 ? a.length : a.indexOf('.');
  const ib = b.indexOf('.') < 0 ? b.length : b.indexOf('.');
  if (ia !== ib) return ia - ib;
  const len = Math.max(a.length - ia, b.length - ib) + ia;
  for (let i = 0; i < len; i++) {
    const ca = i < a.length && i !== ia ? a.charCodeAt(i) : 48;
    const cb = i < b.length && i !== ib ? b.charCodeAt(i) : 48;
    if (ca !== cb) return ca - cb;
  }
  return 0;
}

/** A copy of the book: levels best first (bids descending, asks ascending); quantity zero removes one. */
class LocalBook {
  bids: Level[] = [];
  asks: Level[] = [];

  apply(msg: BookMessage): void {
    if (msg.type === 'snapshot') {
      // a snapshot's levels come best first: taken as they are
      this.bids = msg.bids.slice();
      this.asks = msg.asks.slice();
      return;
    }
    for (const l of msg.bids) set(this.bids, l, -1);
    for (const l of msg.asks) set(this.asks, l, 1);
  }

  checksum(): number {
    const side = (levels: Level[]) => {
      let out = '';
      for (let i = 0; i < levels.length && i < CHECKSUM_DEPTH; i++)
        out += `${i > 0 ? ',' : ''}${levels[i]![0]}:${levels[i]![1]}`;
      return out;
    };
    return crc32(`${side(this.bids)}|${side(this.asks)}`);
  }
}

/** Sets one level in place (binary search on the price: a few steps, whatever the depth). */
function set(levels: Level[], level: Level, direction: 1 | -1): void {
  let lo = 0;
  let hi = levels.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = direction * compareDecimal(levels[mid]![0], level[0]);
    if (c === 0) {
      if (/^0*(\.0*)?$/.test(level[1])) levels.splice(mid, 1);
      else levels[mid] = level;
      return;
    }
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  if (!/^0*(\.0*)?$/.test(level[1])) levels.splice(lo, 0, level);
}

export function subscriber(): void {
  const ws = new WebSocket(WS_URL);
  const subscribe = (id: number) =>
    ws.send(
      JSON.stringify({ jsonrpc: '2.0', id, method: 'public/subscribe', params: { channels: [channel] } }),
    );
  let lastChangeId: number | undefined;
  let resyncing = false;
  const book = new LocalBook();
  ws.onopen = () => subscribe(1);
  ws.onerror = () => errors.add(true);
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data) as {
      id?: number;
      error?: unknown;
      method?: string;
      params?: { channel?: string; data?: BookMessage };
    };
    if (msg.id !== undefined) {
      errors.add(!check(msg, { subscribed: () => msg.error === undefined }));
      return;
    }
    if (msg.method !== 'subscription' || msg.params?.channel !== channel || msg.params.data === undefined)
      return;
    const data = msg.params.data;
    let linked = true;
    if (lastChangeId === undefined) {
      snapshotFirst.add(data.type === 'snapshot');
    } else if (resyncing) {
      if (data.type !== 'snapshot') return; // changes still in flight before the fresh snapshot
      resyncing = false;
    } else {
      linked = data.type === 'change' && data.prevChangeId === lastChangeId;
      if (!linked) gaps.add(1);
      check(data, { 'change links to the one before': () => linked });
      changes.add(1);
      delayMs.add(Math.max(0, Date.now() - data.timestampMs));
    }
    book.apply(data);
    const matches = book.checksum() === data.checksum;
    check(data, { 'checksum matches the top levels': () => matches });
    lastChangeId = data.changeId;
    if (!matches || !linked) {
      resyncing = true; // the copy is unusable: a fresh snapshot replaces it
      subscribe(2);
    }
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
