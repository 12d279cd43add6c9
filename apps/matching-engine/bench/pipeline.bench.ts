import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { build as buildHistogram } from 'hdr-histogram-js';
import { CommandType, Side, TimeInForce, placeOrder, type Command, type EngineEvent } from '@exchange/domain';
import { scanFrame } from '@exchange/journal';
import { KafkaLog, MAX_COMMANDS_PER_MESSAGE, encodeOrderMessage } from '@exchange/messaging';
import { EventCollector, MatchingEngine } from '@exchange/order-book';
import { EngineEventsProjection, openDatabase } from '@exchange/persistence';
import { openJournalledService, unsequenced } from './journalled-service';
import { BENCH_SPEC, generateWorkload } from './workload';

/**
 * npm run bench:pipeline [-- --quick]
 * (a) commands in to events out through the engine service with the command journal on
 *     (group-committed fdatasync) and the event journal: throughput and per-batch ack latency;
 * (b) the same through Kafka on one partition: commands produced one per message, consumed by an
 *     engine that produces its events back to Kafka, until the last event is consumed;
 * (c) projection rows per second into PostgreSQL (orders, trades, positions) from engine events.
 * Starts what it needs: the broker of infra/kafka (unless KAFKA_BROKERS is set) and an embedded
 * PostgreSQL (unless DATABASE_URL is set). Last line: one JSON object.
 */
const quick = process.argv.includes('--quick');
/** The repository root: the nearest folder above this file that holds infra/kafka (works from src and dist). */
function repositoryRoot(): string {
  for (
    let dir = path.dirname(fileURLToPath(import.meta.url));
    dir !== path.dirname(dir);
    dir = path.dirname(dir)
  ) {
    if (fs.existsSync(path.join(dir, 'infra', 'kafka', 'kafka.sh'))) return dir;
  }
  throw new Error('cannot find the repository root (infra/kafka/kafka.sh)');
}
const root = repositoryRoot();
const log = (line: string) => process.stdout.write(`${line}\n`);

async function inProcess(commands: readonly Command[], prefill: readonly Command[]) {
  const { service, close } = openJournalledService();
  await service.submitRaw(unsequenced(prefill));
  const body = unsequenced(commands);
  const h = buildHistogram({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const inFlight: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < body.length; i += 512) {
    const sent = performance.now();
    inFlight.push(
      service
        .submitRaw(body.slice(i, i + 512))
        .then(() => h.recordValue(Math.round((performance.now() - sent) * 1000))),
    );
    if (inFlight.length >= 32) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - t0) / 1000;
  await close();
  return {
    cmdsPerS: body.length / seconds,
    p50Ms: h.getValueAtPercentile(50) / 1000,
    p99Ms: h.getValueAtPercentile(99) / 1000,
  };
}

const kafkaScript = path.join(root, 'infra', 'kafka', 'kafka.sh');
/** Whether this run started the broker (and so stops it at the end). */
let startedKafka = false;

function kafkaBrokers(): string[] {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(',');
  startedKafka = execFileSync(kafkaScript, ['status'], { encoding: 'utf8' }).trim() === 'stopped';
  execFileSync(kafkaScript, ['start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return [`127.0.0.1:${process.env.KAFKA_PORT || 9092}`];
}

/**
 * (b) through Kafka as deployed: the matching engine runs as its own process (dist main.js in
 * distributed mode, one partition = one shard, projection off), this process produces the commands
 * to the orders topic and reads the events topic until the last command's events have arrived.
 */
async function throughKafka(commands: readonly Command[], prefill: readonly Command[]) {
  const brokers = kafkaBrokers();
  const prefix = `bench.${Date.now().toString(36)}.`;
  const ordersTopic = `${prefix}exchange.orders`;
  const eventsTopic = `${prefix}exchange.events`;
  const report = (level: string, message: string) => process.stderr.write(`kafka ${level}: ${message}\n`);
  const producer = new KafkaLog({ brokers, clientId: 'bench-producer', log: report });
  await producer.connect();
  await producer.ensureTopics([
    { name: ordersTopic, partitions: 1 },
    { name: eventsTopic, partitions: 1 },
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-engine-'));
  fs.chmodSync(dir, 0o755);
  const engine = spawn(process.execPath, [path.join(repositoryRoot(), 'dist', 'apps', 'matching-engine', 'src', 'main.js')], {
    env: {
      ...process.env, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, ORDER_PARTITIONS: '1',
      ENGINE_PROJECTION: 'off', SNAPSHOT_EVERY: '1000000000', ENGINE_HTTP_PORT: '0', DATABASE_URL: '',
      EMBEDDED_PG_DIR: path.join(dir, 'pg'), EMBEDDED_PG_PORT: String(47_900 + (process.pid % 90)),
      ENGINE_DATA_DIR: path.join(dir, 'engine'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  }); // prettier-ignore
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    engine.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('shard assigned')) resolve();
    });
    engine.on('exit', (code) => reject(new Error(`engine process exited with ${code}`)));
  });
  // the last command's seq: message index x 1024 + index in it, + 1 (one partition)
  const lastMessage = Math.ceil(prefill.length / 100) + Math.ceil(commands.length / 100) - 1;
  const all = lastMessage * MAX_COMMANDS_PER_MESSAGE + ((commands.length - 1) % 100) + 1;
  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const reader = new KafkaLog({ brokers, clientId: 'bench-reader', log: report });
  await reader.connect();
  const sub = await reader.consume({
    topic: eventsTopic,
    groupId: `${prefix}reader`,
    handle: async (records) => {
      for (const r of records) {
        const frame = scanFrame(r.value, 0);
        if (frame.kind === 'frame') received = frame.lastSeq;
      }
      if (received >= all) done();
    },
  });
  // the producer batches 100 commands per message, stamped with the command's time
  const messages = (cs: readonly Command[]) => {
    const out = [];
    for (let i = 0; i < cs.length; i += 100) {
      const batch = cs.slice(i, i + 100);
      out.push({ key: 'BENCH', value: encodeOrderMessage(unsequenced(batch), batch[0]!.timeMs) });
    }
    return out;
  };
  await ready;
  await producer.append(ordersTopic, messages(prefill));
  const t0 = performance.now();
  const chunks: Promise<unknown>[] = [];
  for (let i = 0; i < commands.length; i += 2000) {
    chunks.push(producer.append(ordersTopic, messages(commands.slice(i, i + 2000))));
    if (chunks.length >= 4) await chunks.shift(); // four appends in flight (the producer keeps them in order)
  }
  await Promise.all(chunks);
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await sub.stop();
  engine.kill('SIGTERM');
  await new Promise((r) => engine.once('exit', r));
  await Promise.all([producer.close(), reader.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
  if (startedKafka) execFileSync(kafkaScript, ['stop'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { cmdsPerS: commands.length / seconds };
}

/**
 * Trade-heavy commands: makers rest one-lot sells on a ladder and every tenth command a taker buys
 * ten lots IOC through it, so about as many trades as commands.
 */
function tradeHeavyStream(count: number): Command[] {
  const out: Command[] = [
    { type: CommandType.ListInstrument, seq: 1, timeMs: 1, instrumentId: 1, symbol: 'PG', spec: BENCH_SPEC },
  ];
  for (let i = 2; out.length < count; i++) {
    const taker = i % 11 === 0;
    out.push({
      ...placeOrder({
        instrumentId: 1,
        accountId: taker ? 1 + (i % 97) : 100 + (i % 997),
        side: taker ? Side.Buy : Side.Sell,
        priceTicks: taker ? 2000 : 1000 + (i % 50),
        qtyLots: taker ? 10 : 1,
        timeInForce: taker ? TimeInForce.IOC : TimeInForce.GTC,
      }),
      seq: i,
      timeMs: 1,
    });
  }
  return out;
}

async function intoPostgres(commands: readonly Command[]) {
  const sink = new EventCollector();
  const engine = new MatchingEngine(sink);
  const batches: { events: EngineEvent[]; lastSeq: number }[] = [];
  for (let i = 0; i < commands.length; i += 5000) {
    const slice = commands.slice(i, i + 5000);
    for (const c of slice) engine.process(c);
    batches.push({ events: sink.take(), lastSeq: slice[slice.length - 1]!.seq });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-pg-'));
  fs.chmodSync(dir, 0o755);
  const db = await openDatabase({
    url: process.env.DATABASE_URL,
    embeddedDir: path.join(dir, 'data'),
    embeddedPort: 57000 + (process.pid % 1000),
  });
  // as the embedded engine's projection runs it (it replays its event log from the stored offset)
  const projection = new EngineEventsProjection(db.dataSource, EngineEventsProjection.NAME, {
    synchronousCommit: false,
  });
  let rows = 0;
  const t0 = performance.now();
  for (const b of batches) rows += (await projection.apply(b.events, b.lastSeq)).rows;
  const seconds = (performance.now() - t0) / 1000;
  const trades = Number(
    ((await db.dataSource.query('SELECT count(*) AS n FROM trades')) as { n: string }[])[0]!.n,
  );
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { rowsPerS: rows / seconds, tradeRowsPerS: trades / seconds, tradeRows: trades, rows };
}

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  log(
    `# pipeline benchmark (${quick ? 'quick' : 'full'}) — node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`,
  );
  const w = generateWorkload({
    targetOrders: 1000,
    spreadTicks: 800,
    operations: quick ? 300_000 : 1_000_000,
    accounts: 1000,
    seed: 42,
  });
  const a = await inProcess(w.commands, w.prefill);
  log(
    `(a) in-process, journal on: ${Math.round(a.cmdsPerS).toLocaleString('en')} commands/s, batch ack p50 ${a.p50Ms.toFixed(2)} ms, p99 ${a.p99Ms.toFixed(2)} ms`,
  );
  const kafkaCommands = w.commands.slice(0, quick ? 100_000 : 300_000);
  const b = await throughKafka(kafkaCommands, w.prefill);
  log(`(b) through Kafka (1 partition each way): ${Math.round(b.cmdsPerS).toLocaleString('en')} commands/s`);
  const c = await intoPostgres(tradeHeavyStream(quick ? 100_000 : 300_000));
  log(
    `(c) projection into PostgreSQL: ${Math.round(c.tradeRowsPerS).toLocaleString('en')} trade rows/s, ` +
      `${Math.round(c.rowsPerS).toLocaleString('en')} rows/s of all kinds (${c.tradeRows} trades, ${c.rows} rows)`,
  );
  log(
    JSON.stringify({
      inproc_cmds_per_s: Math.round(a.cmdsPerS),
      inproc_ack_p50_ms: Math.round(a.p50Ms * 100) / 100,
      inproc_ack_p99_ms: Math.round(a.p99Ms * 100) / 100,
      kafka_cmds_per_s: Math.round(b.cmdsPerS),
      pg_rows_per_s: Math.round(c.tradeRowsPerS),
      pg_all_rows_per_s: Math.round(c.rowsPerS),
      node: process.version,
      quick,
    }),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
