/**
 * REST order entry: each virtual user signs up, takes faucet money, then places a resting limit
 * order on H100-USDC and cancels it, again and again, with signed requests.
 *
 *   k6 run -e API_URL=http://127.0.0.1:3000 -e VUS=10 -e DURATION=30s infra/k6/rest-orders.ts
 *
 * Settings (-e): API_URL, VUS (10), DURATION (30s), INSTRUMENT (H100-USDC), P95_MS (50), P99_MS (200).
 * The exchange's per-key rate limit (API_RATE_LIMIT_BURST, API_RATE_LIMIT_PER_S) must allow the
 * load: a 429 counts as an error.
 */
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
// @ts-expect-error -- k6 resolves local imports by their exact file name
import { envNumber, envString, errorCode, fundedAccount, restingOrder, signed, type Account } from './lib.ts';

const p95Ms = envNumber('P95_MS', 50);
const p99Ms = envNumber('P99_MS', 200);

export const options = {
  scenarios: {
    rest_orders: {
      executor: 'constant-vus',
      vus: envNumber('VUS', 10),
      duration: envString('DURATION', '30s'),
      gracefulStop: '10s',
    },
  },
  thresholds: {
    order_errors: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_failed{name:place}': ['rate<0.01'],
    'http_req_failed{name:cancel}': ['rate<0.01'],
    'http_req_duration{name:place}': [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`],
    'http_req_duration{name:cancel}': [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`],
    orders_placed: ['count>0'],
  },
};

const orderErrors = new Rate('order_errors');
const ordersPlaced = new Counter('orders_placed');
const rejected = new Counter('order_rejects');
const ackMs = new Trend('rest_order_ack_ms', true);

let account: Account | undefined;

export default function (): void {
  account ??= fundedAccount(`k6-rest-${__VU}-${Date.now()}`);
  const order = restingOrder(`k6r-${__VU}-${__ITER}`);
  const placed = signed(account, 'POST', '/v1/orders', order, 'place');
  const body =
    placed.status === 201 ? (placed.json() as { order?: { orderId?: number; status?: string } }) : {};
  const ok = check(placed, {
    'place 201': (r) => r.status === 201,
    'placed order rests': () => body.order?.status === 'open',
  });
  orderErrors.add(!ok);
  if (!ok || body.order?.orderId === undefined) {
    rejected.add(1, { code: errorCode(placed) });
    return;
  }
  ordersPlaced.add(1);
  ackMs.add(placed.timings.duration, { op: 'place' });
  const cancelled = signed(account, 'DELETE', `/v1/orders/${body.order.orderId}`, undefined, 'cancel');
  const cancelOk = check(cancelled, { 'cancel 200': (r) => r.status === 200 });
  orderErrors.add(!cancelOk);
  if (!cancelOk) rejected.add(1, { code: errorCode(cancelled) });
  else ackMs.add(cancelled.timings.duration, { op: 'cancel' });
}
