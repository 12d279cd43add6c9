import * as os from 'node:os';
import type { Credentials, WsClient } from '@exchange/client';
import { statsBetween, syncQuantile, type SyncStats } from '@exchange/journal';
import { exchangeNodeFlags, startExchange, startTransportPeer, type RunningServer } from './exchange-process';
import {
  connectWs,
  fanout,
  restOrders,
  signupAccounts,
  wsBatchOrders,
  wsMassQuotes,
  wsOrders,
  wsOrdersAtRate,
  type FanoutRound,
  type OfferedRound,
  type OrderRound,
  type RestTransport,
} from './workload';

/**
 * npm run bench:api [-- --quick]
 * The whole exchange (dist/apps/main.js) runs as its own process on loopback with its data in a
 * temporary folder; this process is the clients, on libs/client:
 *  (a) WebSocket order entry: WS_CONNECTIONS authenticated connections, WS_IN_FLIGHT orders in flight
 *      on each (private/buy and private/sell of resting limit orders on H100-USDC);
 *  (a+) the same connections open-loop: orders fall due at each rate of WS_RATES (default 10,000,
 *      20,000 and 30,000 orders/s; none in --quick, WS_RATES= for none), dealt to the connections in
 *      turn and sent as they fall due whatever the answers do; latency from each order's due time,
 *      so a stall counts against every order due during it (no coordinated omission); at most 512
 *      unanswered per connection (below an account's 1,000 open orders). One round per rate;
 *  (a') market-maker requotes: the same connections, MASS_QUOTE_IN_FLIGHT private/mass_quote requests
 *      in flight on each, each replacing the client's quotes with MASS_QUOTES resting orders (counted
 *      as orders; latency per request);
 *  (a'') JSON-RPC batches: the same connections, BATCH_IN_FLIGHT batches in flight on each, each one
 *      message of BATCH_ORDERS private/buy and private/sell calls answered by one message (counted as
 *      orders; latency per batch);
 *  (b) REST order entry: REST_CLIENTS keys, each with a number of signed POST /v1/orders in flight
 *      (RestClient over undici's keep-alive pool; REST_TRANSPORT=http uses node:http with a keep-alive
 *      agent, REST_TRANSPORT=fetch Node's fetch). REST_IN_FLIGHT lists the numbers to try (default
 *      16 and 32): each is a scenario of its own, and the figure is the one with the most orders/s,
 *      for the exchange and the peer each (a throughput is the rate at the load that saturates the
 *      server; below it, requests wait on each other's round trips);
 *  (c) market-data fan-out: FANOUT_SUBSCRIBERS WsClient subscribers to book.H100-USDC, a publisher
 *      moving the book FANOUT_RATE times a second, latency from the order's send to each delivery;
 *      then the same with raw WebSocket subscribers that parse each message and keep no book
 *      (fanout_raw_*): the subscribers run on the server's two cores, so their cost is in the figure.
 *      Both again against the peer, whose book changes cost it nothing but their framing and writes.
 * Orders per second count acknowledged placements (each client cancels its open orders in one
 * request every 200 orders: not counted, but inside the elapsed time). Acknowledgement latency is
 * from send to answer, at that load. The peer is the same client workload against a bare server on
 * the same transport (node:http and ws, fixed answers, no auth, no validation, no engine).
 * Server CPU per order (per delivery for the fan-out): user + system CPU of the server process and
 * its descendants (the exchange's embedded PostgreSQL) over the round, from /proc (Linux; n/a
 * elsewhere), cancels included. Unlike the rates, it hardly moves with what else the machine runs.
 * The exchange's order rounds also give its command journal over the round (GET /v1/engine/journal
 * before and after, the final cancels included): group commits a second, orders per commit, the
 * syncs' p50, p99 and longest, and the share of the round the engine's thread spent in them.
 * Last line: one JSON object.
 */
const quick = process.argv.includes('--quick');
const envInt = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
/** A comma-separated list of positive integers, e.g. "16,32". */
const envList = (name: string, fallback: number[]) => {
  const v = (process.env[name] ?? '').split(',').map(Number);
  return v.length > 0 && v.every((n) => Number.isInteger(n) && n > 0) ? v : fallback;
};
const rounds = envInt('BENCH_ROUNDS', quick ? 2 : 3);
// quick: ten scenarios (five on the exchange, five on the peer) of a warm-up and two rounds, and
// four fan-out rounds, within a minute with the exchange's start and stop on a slow day
const roundS = envInt('BENCH_ROUND_S', quick ? 1.5 : 8);
const restTransport: RestTransport =
  process.env.REST_TRANSPORT === 'http' || process.env.REST_TRANSPORT === 'fetch'
    ? process.env.REST_TRANSPORT
    : 'undici';
const wsConnections = envInt('WS_CONNECTIONS', 4);
const wsInFlight = envInt('WS_IN_FLIGHT', 32);
const restClients = envInt('REST_CLIENTS', 4);
const restInFlight = envList('REST_IN_FLIGHT', [16, 32]);
const quotesPerRequest = envInt('MASS_QUOTES', 20);
const quoteInFlight = envInt('MASS_QUOTE_IN_FLIGHT', 4);
const batchOrders = envInt('BATCH_ORDERS', 10);
const batchInFlight = envInt('BATCH_IN_FLIGHT', 4);
const wsRates = process.env.WS_RATES === '' ? [] : envList('WS_RATES', quick ? [] : [10_000, 20_000, 30_000]);
const fanoutSubscribers = envInt('FANOUT_SUBSCRIBERS', 1000);
const fanoutRate = envInt('FANOUT_RATE', 20);
const fanoutS = envInt('FANOUT_S', quick ? 2 : 15);

const log = (line: string) => process.stdout.write(`${line}\n`);
const startedMs = performance.now();
const at = () => `${((performance.now() - startedMs) / 1000).toFixed(1)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/**
 * The exchange's command journal over a round: group commits a second, orders acknowledged per
 * commit, its syncs' p50, p99 and longest, and the share of the round the engine's thread spent in them.
 */
interface JournalRound {
  syncsPerS: number;
  ordersPerSync: number;
  syncP50Ms: number;
  syncP99Ms: number;
  /** The longest sync, to the upper bound of its histogram bucket. */
  syncMaxMs: number;
  syncBusyPct: number;
}

/** A round with the server's CPU per order (undefined off Linux) and, for the exchange, its journal. */
type Measured<R extends OrderRound> = R & { serverUs: number | undefined; journal?: JournalRound };
type MeasuredRound = Measured<OrderRound>;

function journalRound(before: SyncStats, after: SyncStats, r: OrderRound): JournalRound {
  const w = statsBetween(before, after);
  return {
    syncsPerS: w.syncs / r.seconds,
    ordersPerSync: w.syncs === 0 ? 0 : r.orders / w.syncs,
    syncP50Ms: syncQuantile(w, 0.5) / 1000,
    syncP99Ms: syncQuantile(w, 0.99) / 1000,
    syncMaxMs: w.maxMicros / 1000,
    syncBusyPct: w.totalMicros / (r.seconds * 1e4),
  };
}

const journalText = (j: JournalRound | undefined) =>
  j === undefined
    ? ''
    : `; journal ${Math.round(j.syncsPerS)} syncs/s, ${f1(j.ordersPerSync)} orders/sync, sync p50 ${f2(j.syncP50Ms)} p99 ${f2(j.syncP99Ms)} max ${f2(j.syncMaxMs)} ms, ${f1(j.syncBusyPct)}% of the time`;
/** The REST figure at one number of requests in flight per key. */
type RestLevel = MeasuredRound & { inFlight: number };

const cpuText = (us: number | undefined) => (us === undefined ? 'n/a' : f1(us));

function logRound(label: string, r: MeasuredRound) {
  log(
    `  ${label.padEnd(22)} ${String(Math.round(r.ordersPerS)).padStart(8)} orders/s  p50 ${f2(r.p50Ms).padStart(7)} ms  p99 ${f2(r.p99Ms).padStart(7)} ms  server CPU ${cpuText(r.serverUs).padStart(6)} µs/order  (${r.orders} orders in ${f1(r.seconds)} s${r.errors ? `, ${r.errors} errors: ${r.firstError}` : ''}${journalText(r.journal)})`,
  );
}

/** `run` with the server's CPU (its process tree's) over the run, per order or per delivery. */
async function measured<T>(server: RunningServer, run: () => Promise<T>, count: (r: T) => number) {
  const c0 = server.cpuUs();
  const r = await run();
  const c1 = server.cpuUs();
  return {
    r,
    serverUs: c0 === undefined || c1 === undefined ? undefined : (c1 - c0) / Math.max(1, count(r)),
  };
}

/** One round of `run` with the server's CPU per order and, for the exchange, its journal over the round. */
async function orderRound<R extends OrderRound>(
  server: RunningServer,
  run: () => Promise<R>,
): Promise<Measured<R>> {
  const before = await server.journal?.();
  const { r, serverUs } = await measured(server, run, (x) => x.orders);
  const after = await server.journal?.();
  const journal = before && after ? journalRound(before, after, r) : undefined;
  return { ...r, serverUs, ...(journal ? { journal } : {}) };
}

/** Rounds of one order-entry scenario; the figure is the median round by orders/s (of two, the lower). */
async function orderRounds(
  server: RunningServer,
  label: string,
  run: (seconds: number) => Promise<OrderRound>,
): Promise<MeasuredRound> {
  await run(quick ? 0.5 : 1); // warm-up: connections, JIT
  const all: MeasuredRound[] = [];
  for (let i = 0; i < rounds; i++) {
    all.push(await orderRound(server, () => run(roundS)));
    logRound(`${label} round ${i + 1}`, all[i]!);
  }
  const mid = median(all.map((r) => r.ordersPerS));
  return all.find((r) => r.ordersPerS === mid)!;
}

/** An open-loop WebSocket round at one offered rate, with the server's CPU and journal as in order rounds. */
type OfferedLevel = Measured<OfferedRound>;

async function offeredRound(
  server: RunningServer,
  ws: WsClient[],
  rate: number,
  label: string,
): Promise<OfferedLevel> {
  const level = await orderRound(server, () => wsOrdersAtRate(ws, rate, roundS));
  logRound(label, level);
  if (level.notSent > 0)
    log(
      `    ${level.notSent} orders fell due while their connection had 512 unanswered: not sent (the server did not keep up)`,
    );
  return level;
}

/** A fan-out round with the server's and the subscribers' (this process's) CPU per delivery. */
type MeasuredFanout = FanoutRound & { serverUs: number | undefined; clientUs: number };

async function fanoutRound(
  server: RunningServer,
  publisher: Credentials,
  kind: 'sdk' | 'raw',
  label: string,
): Promise<MeasuredFanout> {
  const cpu0 = process.cpuUsage();
  const { r, serverUs } = await measured(
    server,
    () => fanout(server.wsUrl, publisher, fanoutSubscribers, fanoutS, fanoutRate, kind),
    (x) => x.deliveries,
  );
  const cpu = process.cpuUsage(cpu0);
  const clientUs = (cpu.user + cpu.system) / Math.max(1, r.deliveries);
  log(
    `  ${`${label} fan-out, ${kind}`.padEnd(22)} ${r.subscribers} subscribers  p50 ${f2(r.p50Ms)} ms  p99 ${f2(r.p99Ms)} ms  max ${f2(r.maxMs)} ms  ` +
      `(${r.deliveries} of ${r.expected} deliveries, ${f1(r.changesPerS)} changes/s, ${r.resyncs} resyncs; ` +
      `subscribers' CPU ${f1(clientUs)} µs, server CPU ${cpuText(serverUs)} µs per delivery)`,
  );
  return { ...r, serverUs, clientUs };
}

async function entryScenarios(server: RunningServer, accounts: Credentials[], label: string) {
  const ws = await connectWs(server.wsUrl, accounts.slice(0, wsConnections));
  const wsRound = await orderRounds(server, `${label} ws`, (s) => wsOrders(ws, wsInFlight, s));
  const offered: OfferedLevel[] = [];
  for (const rate of wsRates) offered.push(await offeredRound(server, ws, rate, `${label} ws at ${rate}/s`));
  const quoteRound = await orderRounds(server, `${label} ws mass quote`, (s) =>
    wsMassQuotes(ws, quoteInFlight, s, quotesPerRequest),
  );
  const batchRound = await orderRounds(server, `${label} ws batch`, (s) =>
    wsBatchOrders(ws, batchInFlight, s, batchOrders),
  );
  for (const c of ws) c.close();
  const restLevels: RestLevel[] = [];
  for (const inFlight of restInFlight) {
    const r = await orderRounds(server, `${label} rest x${inFlight}`, (s) =>
      restOrders(server.baseUrl, accounts.slice(0, restClients), inFlight, s, restTransport),
    );
    restLevels.push({ ...r, inFlight });
  }
  const rest = restLevels.reduce((best, r) => (r.ordersPerS > best.ordersPerS ? r : best));
  return { ws: wsRound, offered, quotes: quoteRound, batch: batchRound, rest, restLevels };
}

async function main() {
  log(
    `bench:api${quick ? ' --quick' : ''}: node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), ` +
      `${rounds} rounds of ${roundS} s; journal fsync ${process.env.JOURNAL_FSYNC || 'batch'}; exchange node flags: ${exchangeNodeFlags().join(' ') || 'none'}`,
  );
  log(
    `  ws: ${wsConnections} connections x ${wsInFlight} in flight; mass quotes: ${quoteInFlight} in flight x ${quotesPerRequest} quotes; batches: ${batchInFlight} in flight x ${batchOrders} orders; rest: ${restClients} keys x ${restInFlight.join(' or ')} in flight (${restTransport}); ` +
      `ws open-loop: ${wsRates.length > 0 ? wsRates.map((r) => `${r}/s`).join(', ') : 'none'}; ` +
      `fan-out: ${fanoutSubscribers} subscribers, ${fanoutRate} changes/s for ${fanoutS} s`,
  );
  const exchange = await startExchange();
  log(`  exchange ready (${at()})`);
  let api: Awaited<ReturnType<typeof entryScenarios>>;
  let fan: MeasuredFanout;
  let raw: MeasuredFanout;
  try {
    const accounts = await signupAccounts(
      exchange.baseUrl,
      Math.max(wsConnections, restClients) + 1,
      'bench',
    );
    api = await entryScenarios(exchange, accounts, 'api');
    log(`  order entry done (${at()})`);
    fan = await fanoutRound(exchange, accounts[accounts.length - 1]!, 'sdk', 'api');
    log(`  fan-out done (${at()})`);
    // the same server work to subscribers that only parse each message: what the server's fan-out
    // costs when the 1,000 clients sharing its two cores do less
    raw = await fanoutRound(exchange, accounts[accounts.length - 1]!, 'raw', 'api');
  } finally {
    await exchange.stop();
  }
  log(`  exchange stopped (${at()})`);
  const peerServer = await startTransportPeer();
  let peer: Awaited<ReturnType<typeof entryScenarios>>;
  let peerFan: MeasuredFanout;
  let peerRaw: MeasuredFanout;
  try {
    const dummy = Array.from({ length: Math.max(wsConnections, restClients) }, (_, i) => ({
      keyId: `peer-${i}`,
      secret: 'peer',
    }));
    peer = await entryScenarios(peerServer, dummy, 'peer');
    peerFan = await fanoutRound(peerServer, dummy[0]!, 'sdk', 'peer');
    peerRaw = await fanoutRound(peerServer, dummy[0]!, 'raw', 'peer');
  } finally {
    await peerServer.stop();
  }

  const row = (name: string, api: MeasuredRound, peer: MeasuredRound) =>
    `| ${name.padEnd(9)} | ${String(Math.round(api.ordersPerS)).padStart(8)} | ${f2(api.p50Ms).padStart(7)} | ${f2(api.p99Ms).padStart(7)} | ${cpuText(api.serverUs).padStart(8)} | ${String(Math.round(peer.ordersPerS)).padStart(8)} | ${f2(peer.p99Ms).padStart(8)} | ${cpuText(peer.serverUs).padStart(8)} | ${f2(api.ordersPerS / peer.ordersPerS).padStart(5)} |`;
  const fanRow = (name: string, api: MeasuredFanout, peer: MeasuredFanout) =>
    `| ${name.padEnd(11)} | ${f2(api.p50Ms).padStart(7)} | ${f2(api.p99Ms).padStart(7)} | ${cpuText(api.serverUs).padStart(8)} | ${f2(peer.p50Ms).padStart(8)} | ${f2(peer.p99Ms).padStart(8)} | ${cpuText(peer.serverUs).padStart(8)} | ${f2(api.p99Ms / peer.p99Ms).padStart(9)} |`;
  log(`  done (${at()})`);
  log('');
  log('| transport | orders/s | p50 ms  | p99 ms  | srv µs/o | peer o/s | peer p99 | peer µs  | ratio |');
  log('| --------- | -------- | ------- | ------- | -------- | -------- | -------- | -------- | ----- |');
  log(row('WebSocket', api.ws, peer.ws));
  log(row('WS quotes', api.quotes, peer.quotes));
  log(row('WS batch', api.batch, peer.batch));
  log(row('REST', api.rest, peer.rest));
  if (wsRates.length > 0) {
    log('');
    log('| WS offered | orders/s | p50 ms  | p99 ms  | srv µs/o | peer o/s | peer p99 |');
    log('| ---------- | -------- | ------- | ------- | -------- | -------- | -------- |');
    for (let i = 0; i < wsRates.length; i++) {
      const a = api.offered[i]!;
      const p = peer.offered[i]!;
      log(
        `| ${String(a.offeredPerS).padStart(10)} | ${String(Math.round(a.ordersPerS)).padStart(8)} | ${f2(a.p50Ms).padStart(7)} | ${f2(a.p99Ms).padStart(7)} | ${cpuText(a.serverUs).padStart(8)} | ${String(Math.round(p.ordersPerS)).padStart(8)} | ${f2(p.p99Ms).padStart(8)} |`,
      );
    }
  }
  log(
    `REST in flight per key: ${api.rest.inFlight} (exchange), ${peer.rest.inFlight} (peer); by level, exchange / peer orders/s: ${api.restLevels.map((r, i) => `${r.inFlight}: ${Math.round(r.ordersPerS)} / ${Math.round(peer.restLevels[i]!.ordersPerS)}`).join(', ')}`,
  );
  log('');
  log('| fan-out     | p50 ms  | p99 ms  | srv µs/d | peer p50 | peer p99 | peer µs  | p99 ratio |');
  log('| ----------- | ------- | ------- | -------- | -------- | -------- | -------- | --------- |');
  log(fanRow('SDK clients', fan, peerFan));
  log(fanRow('raw clients', raw, peerRaw));
  log(
    'targets (issue 6): ws >= 50,000 orders/s with p99 < 5 ms; rest >= 10,000 orders/s; fan-out to 1,000 p99 < 20 ms',
  );
  const serverCpu = (us: number | undefined) => (us === undefined ? null : +f1(us));
  const journalFigure = (j: JournalRound | undefined, figure: (j: JournalRound) => number) =>
    j === undefined ? null : figure(j);
  log(
    JSON.stringify({
      bench: 'api',
      quick,
      node: process.version,
      journal_fsync: process.env.JOURNAL_FSYNC || 'batch',
      journal_sync_thread: process.env.JOURNAL_SYNC_THREAD || 'caller',
      exchange_node_flags: exchangeNodeFlags().join(' '),
      rest_transport: restTransport,
      ws_orders_per_s: Math.round(api.ws.ordersPerS),
      ws_ack_p50_ms: +f2(api.ws.p50Ms),
      ws_ack_p99_ms: +f2(api.ws.p99Ms),
      ws_offered: Object.fromEntries(
        api.offered.map((r) => [
          r.offeredPerS,
          {
            orders_per_s: Math.round(r.ordersPerS),
            p50_ms: +f2(r.p50Ms),
            p99_ms: +f2(r.p99Ms),
            not_sent: r.notSent,
          },
        ]),
      ),
      peer_ws_offered_p99_ms: Object.fromEntries(peer.offered.map((r) => [r.offeredPerS, +f2(r.p99Ms)])),
      ws_mass_quote_orders_per_s: Math.round(api.quotes.ordersPerS),
      ws_mass_quote_p99_ms: +f2(api.quotes.p99Ms),
      quotes_per_request: quotesPerRequest,
      ws_batch_orders_per_s: Math.round(api.batch.ordersPerS),
      ws_batch_p99_ms: +f2(api.batch.p99Ms),
      orders_per_batch: batchOrders,
      rest_orders_per_s: Math.round(api.rest.ordersPerS),
      rest_ack_p50_ms: +f2(api.rest.p50Ms),
      rest_ack_p99_ms: +f2(api.rest.p99Ms),
      rest_in_flight_per_key: api.rest.inFlight,
      rest_by_in_flight: Object.fromEntries(
        api.restLevels.map((r) => [r.inFlight, Math.round(r.ordersPerS)]),
      ),
      fanout_subscribers: fan.subscribers,
      fanout_changes_per_s: +f1(fan.changesPerS),
      fanout_p50_ms: +f2(fan.p50Ms),
      fanout_p99_ms: +f2(fan.p99Ms),
      fanout_delivered: fan.deliveries / fan.expected,
      fanout_client_cpu_us_per_delivery: +f1(fan.clientUs),
      fanout_raw_p50_ms: +f2(raw.p50Ms),
      fanout_raw_p99_ms: +f2(raw.p99Ms),
      fanout_raw_delivered: raw.deliveries / raw.expected,
      fanout_raw_client_cpu_us_per_delivery: +f1(raw.clientUs),
      fanout_server_cpu_us_per_delivery: serverCpu(fan.serverUs),
      fanout_raw_server_cpu_us_per_delivery: serverCpu(raw.serverUs),
      peer_fanout_p50_ms: +f2(peerFan.p50Ms),
      peer_fanout_p99_ms: +f2(peerFan.p99Ms),
      peer_fanout_raw_p99_ms: +f2(peerRaw.p99Ms),
      peer_fanout_server_cpu_us_per_delivery: serverCpu(peerFan.serverUs),
      peer_fanout_raw_server_cpu_us_per_delivery: serverCpu(peerRaw.serverUs),
      ws_server_cpu_us_per_order: serverCpu(api.ws.serverUs),
      ws_mass_quote_server_cpu_us_per_order: serverCpu(api.quotes.serverUs),
      ws_batch_server_cpu_us_per_order: serverCpu(api.batch.serverUs),
      rest_server_cpu_us_per_order: serverCpu(api.rest.serverUs),
      ws_journal_syncs_per_s: journalFigure(api.ws.journal, (j) => Math.round(j.syncsPerS)),
      ws_journal_sync_p50_ms: journalFigure(api.ws.journal, (j) => +f2(j.syncP50Ms)),
      ws_journal_sync_p99_ms: journalFigure(api.ws.journal, (j) => +f2(j.syncP99Ms)),
      ws_journal_sync_busy_pct: journalFigure(api.ws.journal, (j) => +f1(j.syncBusyPct)),
      rest_journal_syncs_per_s: journalFigure(api.rest.journal, (j) => Math.round(j.syncsPerS)),
      rest_journal_sync_p99_ms: journalFigure(api.rest.journal, (j) => +f2(j.syncP99Ms)),
      rest_journal_sync_busy_pct: journalFigure(api.rest.journal, (j) => +f1(j.syncBusyPct)),
      peer_ws_server_cpu_us_per_order: serverCpu(peer.ws.serverUs),
      peer_rest_server_cpu_us_per_order: serverCpu(peer.rest.serverUs),
      peer_ws_orders_per_s: Math.round(peer.ws.ordersPerS),
      peer_ws_mass_quote_orders_per_s: Math.round(peer.quotes.ordersPerS),
      peer_ws_batch_orders_per_s: Math.round(peer.batch.ordersPerS),
      peer_rest_orders_per_s: Math.round(peer.rest.ordersPerS),
      peer_rest_in_flight_per_key: peer.rest.inFlight,
      peer_rest_by_in_flight: Object.fromEntries(
        peer.restLevels.map((r) => [r.inFlight, Math.round(r.ordersPerS)]),
      ),
      ws_vs_peer: +f2(api.ws.ordersPerS / peer.ws.ordersPerS),
      rest_vs_peer: +f2(api.rest.ordersPerS / peer.rest.ordersPerS),
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:api failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
