import * as os from 'node:os';
import { Logger } from '@nestjs/common';
import { build as buildHistogram, type Histogram } from 'hdr-histogram-js';
import {
  ByteReader,
  ByteWriter,
  CommandType,
  decodeCommand,
  encodeCommands,
  type Command,
} from '@exchange/domain';
import { BinaryEventSink, MatchingEngine } from '@exchange/order-book';
import { openJournalledService, unsequenced } from './journalled-service';
import { newPeerBook, runPeer, toPeerStream } from './peer';
import { generateWorkload, type Workload as GeneratedWorkload } from './workload';

/** A generated workload with its measured commands held encoded. */
interface Workload {
  prefill: Command[];
  stream: Uint8Array;
  count: number;
}

function encoded(w: GeneratedWorkload, limit = w.commands.length): Workload {
  const commands = w.commands.slice(0, limit);
  return { prefill: w.prefill, stream: encodeCommands(commands), count: commands.length };
}

/**
 * npm run bench:engine [-- --quick]
 * Scenario 1: exchange-core's single-book mix (~82% move, 9% new GTC, 6% cancel, 3% IOC) on ~1,000
 * resting orders over ~750 levels; ours and nodejs-order-book on the same stream.
 * Scenario 2: the same mix on a 100,000-order book. Scenario 3: scenario 1 through the engine
 * service with the command journal on (group-committed fdatasync) and the event journal.
 * Prints a table, then one JSON line with the figures.
 */
const quick = process.argv.includes('--quick');
const OPS = quick ? 1_000_000 : 3_000_000;
const DEEP_OPS = quick ? 300_000 : 1_000_000;
const JOURNAL_OPS = quick ? 500_000 : 2_000_000;
const ROUNDS = quick ? 3 : 5;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapMb(): number {
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10;
}

function ourEngine(prefill: readonly Command[]): { engine: MatchingEngine; sink: BinaryEventSink } {
  const sink = new BinaryEventSink(new ByteWriter(1 << 22));
  const engine = new MatchingEngine(sink);
  for (const c of prefill) engine.process(c);
  sink.writer.reset();
  return { engine, sink };
}

/**
 * The measured stream is kept encoded and turned into command objects 65,536 at a time outside the
 * timed region, so that millions of pre-built objects do not sit in the heap (and in every GC) while
 * the engine runs; only processing is timed. The peer gets its stream the same way.
 */
const CHUNK = 65_536;
/** Heap in use with an engine holding the scenario's final book (set by ourThroughput). */
let engineHeapMb = 0;

function* chunks(stream: Uint8Array): Generator<Command[]> {
  const r = new ByteReader(stream);
  while (r.remaining > 0) {
    const out: Command[] = [];
    while (r.remaining > 0 && out.length < CHUNK) out.push(decodeCommand(r));
    yield out;
  }
}

/** Throughput: the stream through a fresh engine, the output buffer drained every 1,024 commands. */
function ourThroughput(w: Workload): number {
  const { engine, sink } = ourEngine(w.prefill);
  let ns = 0;
  let count = 0;
  for (const cs of chunks(w.stream)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < cs.length; i++) {
      engine.process(cs[i]!);
      if ((i & 1023) === 1023) sink.writer.reset();
    }
    ns += Number(process.hrtime.bigint() - t0);
    count += cs.length;
  }
  gc();
  engineHeapMb = heapMb(); // the engine is still live here; the stream is off-heap bytes
  return (count / ns) * 1e9;
}

function histogram(): Histogram {
  return buildHistogram({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10_000_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** Latency: each command timed on its own (service time, back to back), in nanoseconds. */
function ourLatency(w: Workload): Histogram {
  const { engine, sink } = ourEngine(w.prefill);
  const h = histogram();
  for (const cs of chunks(w.stream)) {
    for (let i = 0; i < cs.length; i++) {
      const t0 = process.hrtime.bigint();
      engine.process(cs[i]!);
      h.recordValue(Number(process.hrtime.bigint() - t0));
      if ((i & 1023) === 1023) sink.writer.reset();
    }
  }
  return h;
}

function prefilledPeer(w: Workload) {
  const book = newPeerBook();
  // the peer has no listing and no accounts: it takes the prefill's orders only
  const pre = toPeerStream(w.prefill.filter((c) => c.type === CommandType.PlaceOrder));
  runPeer(book, pre, 0, pre.ops.length);
  return book;
}

function peerThroughput(w: Workload): number {
  const book = prefilledPeer(w);
  let ns = 0;
  let count = 0;
  for (const cs of chunks(w.stream)) {
    const s = toPeerStream(cs);
    const t0 = process.hrtime.bigint();
    runPeer(book, s, 0, s.ops.length);
    ns += Number(process.hrtime.bigint() - t0);
    count += cs.length;
  }
  return (count / ns) * 1e9;
}

function peerLatency(w: Workload): Histogram {
  const book = prefilledPeer(w);
  const h = histogram();
  for (const cs of chunks(w.stream)) {
    const s = toPeerStream(cs);
    for (let i = 0; i < s.ops.length; i++) {
      const t0 = process.hrtime.bigint();
      runPeer(book, s, i, i + 1);
      h.recordValue(Number(process.hrtime.bigint() - t0));
    }
  }
  return h;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function best(fn: () => number): { median: number; all: number[] } {
  fn(); // warm-up
  const all: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc();
    all.push(fn());
  }
  return { median: median(all), all };
}

const us = (h: Histogram, p: number) => Math.round(h.getValueAtPercentile(p) / 10) / 100;

/** Scenario 3: the stream through the engine service, command journal on (batches of 1,024). */
async function journalThroughput(w: {
  prefill: Command[];
  commands: Command[];
}): Promise<{ opsPerS: number; fsyncs: number }> {
  const { service, close } = openJournalledService();
  await service.submitRaw(unsequenced(w.prefill));
  const body = unsequenced(w.commands);
  const BATCH = 1024;
  const inFlight: Promise<unknown>[] = [];
  let batches = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < body.length; i += BATCH) {
    inFlight.push(service.submitRaw(body.slice(i, i + BATCH)));
    batches++;
    if (inFlight.length >= 64) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const ns = Number(process.hrtime.bigint() - t0);
  await close();
  return { opsPerS: (body.length / ns) * 1e9, fsyncs: batches };
}

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  log(
    `# matching engine benchmark (${quick ? 'quick' : 'full'}) — node ${process.version}, ${os.cpus().length} x ${cpu}`,
  );

  const g1 = generateWorkload({
    targetOrders: 1000,
    spreadTicks: 800,
    operations: OPS,
    accounts: 1000,
    seed: 42,
  });
  log(
    `scenario 1 stream: ${g1.commands.length} ops, mix ${JSON.stringify(g1.mix)}, ${g1.restingOrders} resting orders on ${g1.levels} levels at the end`,
  );
  const w1 = encoded(g1);
  const journalStream = { prefill: g1.prefill, commands: g1.commands.slice(0, JOURNAL_OPS) };
  g1.commands.length = 0;
  const ours = best(() => ourThroughput(w1));
  const heap1 = engineHeapMb;
  const ourLat = ourLatency(w1);
  const peer = best(() => peerThroughput(w1));
  const peerLat = peerLatency(w1);
  gc();

  const g2 = generateWorkload({
    targetOrders: 100_000,
    spreadTicks: 40_000,
    operations: DEEP_OPS,
    accounts: 10_000,
    seed: 7,
  });
  log(
    `scenario 2 stream: ${g2.commands.length} ops on ${g2.restingOrders} resting orders over ${g2.levels} levels`,
  );
  const w2 = encoded(g2);
  g2.commands.length = 0;
  const deep = best(() => ourThroughput(w2));
  const heap2 = engineHeapMb;
  const deepLat = ourLatency(w2);
  gc();

  await journalThroughput({
    prefill: journalStream.prefill,
    commands: journalStream.commands.slice(0, 100_000),
  }); // warm-up
  const journal = await journalThroughput(journalStream);

  const ratio = ours.median / peer.median;
  const rows: [string, string, string, string, string, string][] = [
    ['scenario', 'ops/s', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs'],
    [
      '1 ours (exchange-core mix)',
      Math.round(ours.median).toLocaleString('en'),
      String(us(ourLat, 50)),
      String(us(ourLat, 99)),
      String(us(ourLat, 99.9)),
      String(us(ourLat, 100)),
    ],
    [
      '1 nodejs-order-book',
      Math.round(peer.median).toLocaleString('en'),
      String(us(peerLat, 50)),
      String(us(peerLat, 99)),
      String(us(peerLat, 99.9)),
      String(us(peerLat, 100)),
    ],
    [
      '2 ours (100k orders)',
      Math.round(deep.median).toLocaleString('en'),
      String(us(deepLat, 50)),
      String(us(deepLat, 99)),
      String(us(deepLat, 99.9)),
      String(us(deepLat, 100)),
    ],
    ['3 ours + journal (fdatasync)', Math.round(journal.opsPerS).toLocaleString('en'), '-', '-', '-', '-'],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  log(
    `ours/nodejs-order-book: ${ratio.toFixed(1)}x; heap used with the engine live ${heap1} MB (scenario 1), ${heap2} MB (scenario 2); journal batches ${journal.fsyncs}`,
  );
  log(
    `throughput rounds (ops/s): ours ${ours.all.map(Math.round).join(', ')}; peer ${peer.all.map(Math.round).join(', ')}; deep ${deep.all.map(Math.round).join(', ')}`,
  );
  log(
    JSON.stringify({
      ops_per_s: Math.round(ours.median),
      p50_us: us(ourLat, 50),
      p99_us: us(ourLat, 99),
      p999_us: us(ourLat, 99.9),
      max_us: us(ourLat, 100),
      deep_ops_per_s: Math.round(deep.median),
      deep_p99_us: us(deepLat, 99),
      journal_ops_per_s: Math.round(journal.opsPerS),
      peer_ops_per_s: Math.round(peer.median),
      peer_p99_us: us(peerLat, 99),
      peer_ratio: Math.round(ratio * 10) / 10,
      heap_mb: heap1,
      deep_heap_mb: heap2,
      node: process.version,
      quick,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
