import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { build as buildHistogram } from 'hdr-histogram-js';
import {
  ByteWriter,
  CommandCursor,
  CommandType,
  Side,
  TimeInForce,
  encodeCommand,
  placeOrder,
  type Command,
  type EngineEvent,
} from '@exchange/domain';
import { encodeFrame, scanFrame } from '@exchange/journal';
import { KafkaLog } from '@exchange/messaging';
import { BinaryEventSink, EventCollector, MatchingEngine } from '@exchange/order-book';
import { RiskStage } from '@exchange/risk';
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

async function throughKafka(commands: readonly Command[], prefill: readonly Command[]) {
  const brokers = kafkaBrokers();
  const run = Date.now().toString(36);
  const cmdTopic = `bench.${run}.commands`;
  const evTopic = `bench.${run}.events`;
  const report = (level: string, message: string) => process.stderr.write(`kafka ${level}: ${message}\n`);
  const producerSide = new KafkaLog({ brokers, clientId: 'bench-producer', log: report });
  const engineSide = new KafkaLog({ brokers, clientId: 'bench-engine', log: report });
  await producerSide.connect();
  await engineSide.connect();
  await producerSide.ensureTopics([
    { name: cmdTopic, partitions: 1 },
    { name: evTopic, partitions: 1 },
  ]);
  // the engine: consume commands, apply them, produce each command's events
  const sink = new BinaryEventSink(new ByteWriter(1 << 20));
  const shard = new RiskStage(sink);
  const cursor = new CommandCursor();
  const engineSub = await engineSide.consume({
    topic: cmdTopic,
    groupId: `${run}-engine`,
    handle: async (records) => {
      // one event message per 500 commands: a journal frame of the events of commands [first, last]
      const frames = [];
      for (let i = 0; i < records.length; i += 500) {
        const chunk = records.slice(i, i + 500);
        sink.writer.reset();
        for (const r of chunk) {
          cursor.reset(r.value);
          const c = cursor.next();
          c.seq = r.offset + 1; // the partition offset sequences the shard's commands
          shard.process(c);
        }
        const first = chunk[0]!.offset + 1;
        const last = chunk[chunk.length - 1]!.offset + 1;
        frames.push({ key: 'BENCH', value: encodeFrame(first, last, sink.writer.bytes()) });
      }
      await engineSide.append(evTopic, frames);
    },
  });
  let received = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const all = prefill.length + commands.length;
  const consumer = new KafkaLog({ brokers, clientId: 'bench-consumer', log: report });
  await consumer.connect();
  const evSub = await consumer.consume({
    topic: evTopic,
    groupId: `${run}-reader`,
    handle: async (records) => {
      for (const r of records) {
        const frame = scanFrame(r.value, 0);
        if (frame.kind === 'frame') received = frame.lastSeq;
      }
      if (received >= all) done();
    },
  });
  const w = new ByteWriter(256);
  const encode = (c: Command) => {
    w.reset();
    encodeCommand(w, c);
    return { key: 'BENCH', value: w.bytes().slice() };
  };
  await producerSide.append(cmdTopic, prefill.map(encode));
  const t0 = performance.now();
  for (let i = 0; i < commands.length; i += 2000)
    await producerSide.append(cmdTopic, commands.slice(i, i + 2000).map(encode));
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await evSub.stop();
  await engineSub.stop();
  await Promise.all([producerSide.close(), engineSide.close(), consumer.close()]);
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
  const projection = new EngineEventsProjection(db.dataSource);
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
