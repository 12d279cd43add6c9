import { Kafka, logLevel, type Admin, type Consumer, type ICustomPartitioner, type Producer } from 'kafkajs';
import type { ConsumeOptions, LogMessage, MessageLog, Subscription, TopicSpec } from './message-log';
import { partitionOf } from './partitioner';

export interface KafkaLogOptions {
  /** Broker addresses, e.g. ["127.0.0.1:9092"] (from KAFKA_BROKERS). */
  brokers: string[];
  clientId: string;
  /** How long to keep retrying to reach the brokers at start before failing. */
  connectTimeoutMs?: number;
  log?: (level: 'error' | 'warn', message: string) => void;
}

/** Kafka's default limit for one produce request is 1 MiB; sends are cut well below it. */
const MAX_REQUEST_BYTES = 768 * 1024;

/** The partitioner both adapters share (Kafka's murmur2 placement), in kafkajs's shape. */
const sharedPartitioner: ICustomPartitioner =
  () =>
  ({ partitionMetadata, message }) =>
    partitionOf(
      message.key === null || message.key === undefined ? '' : message.key.toString(),
      partitionMetadata.length,
    );

/**
 * The log on Apache Kafka through kafkajs: an idempotent producer (acks from all in-sync replicas,
 * one request in flight, so retries neither duplicate nor reorder), topics created at start with
 * their partition counts, and consumer groups that commit a batch's offsets only after its handler
 * has resolved (its effect is durable). Redelivery after a crash is possible; consumers dedupe by
 * sequence number, so effects are exactly-once in outcome.
 */
export class KafkaLog implements MessageLog {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private admin?: Admin;
  private readonly consumers = new Set<Consumer>();
  private readonly partitionCounts = new Map<string, number>();

  constructor(private readonly options: KafkaLogOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const level = entry.level === logLevel.ERROR ? 'error' : 'warn';
        options.log?.(level, `${entry.namespace}: ${entry.log.message}`);
      },
    });
  }

  /** Connects the producer and admin; fails with a clear error if the brokers cannot be reached. */
  async connect(): Promise<void> {
    const deadline = Date.now() + (this.options.connectTimeoutMs ?? 15_000);
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: sharedPartitioner,
      // an idempotent producer retries without limit (kafkajs warns otherwise), backing off to 2 s
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    for (;;) {
      try {
        await this.admin.connect();
        await this.producer.connect();
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(
            `Kafka at ${this.options.brokers.join(',')} is unreachable: ${(err as Error).message}`,
            { cause: err },
          );
        }
        await sleep(250);
      }
    }
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    const admin = this.requireAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1 })),
      });
    }
    // right after creation (or a broker start) partitions may still be without a leader: wait for them
    for (let attempt = 0; ; attempt++) {
      const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
      const ready = meta.topics.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      );
      if (ready) return;
      if (attempt > 100)
        throw new Error(`Kafka topics ${topics.map((t) => t.name).join(',')} have no partition leaders`);
      await sleep(100);
    }
  }

  async append(
    topic: string,
    messages: readonly LogMessage[],
  ): Promise<{ partition: number; offset: number }[]> {
    const producer = this.requireProducer();
    const partitions = await this.partitionCount(topic);
    const next = new Map<number, number>();
    // each send stays under the broker's request size limit (1 MiB by default)
    for (let from = 0; from < messages.length;) {
      let to = from;
      let bytes = 0;
      while (
        to < messages.length &&
        (to === from || bytes + messages[to]!.value.length < MAX_REQUEST_BYTES)
      ) {
        bytes += messages[to]!.value.length + messages[to]!.key.length + 64;
        to++;
      }
      const meta = await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(from, to).map((m) => ({
          key: m.key,
          value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength),
        })),
      });
      // a partition's count starts at the base offset of its first send; later sends continue it in order
      for (const m of meta) if (!next.has(m.partition)) next.set(m.partition, Number(m.baseOffset));
      from = to;
    }
    return messages.map((m) => {
      const partition = partitionOf(m.key, partitions);
      const offset = next.get(partition)!;
      next.set(partition, offset + 1);
      return { partition, offset };
    });
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({ groupId: options.groupId, retry: { retries: 8 } });
    this.consumers.add(consumer);
    const topic = options.topic;
    // per assigned partition: the next offset to deliver, once its owner is ready
    const next = new Map<number, Promise<number | undefined>>();
    const expected = new Map<number, number>();
    await consumer.connect();
    if (options.onAssign !== undefined || options.onRevoke !== undefined) {
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const assigned = new Set(e.payload.memberAssignment[topic] ?? []);
        for (const p of [...next.keys()]) {
          if (assigned.has(p)) continue;
          next.delete(p);
          expected.delete(p);
          options.onRevoke?.(p);
        }
        for (const p of assigned) {
          if (next.has(p)) continue;
          next.set(p, this.assign(consumer, options, p));
        }
      });
    }
    await consumer.subscribe({ topic, fromBeginning: (options.from ?? 'earliest') === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        let records = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: Number(m.offset),
          key: m.key === null ? '' : m.key.toString(),
          value: new Uint8Array(m.value ?? Buffer.alloc(0)),
        }));
        if (next.has(batch.partition)) {
          // a stateful owner: deliver only the contiguous run from the offset it asked for
          const start = await next.get(batch.partition)!;
          let want = expected.get(batch.partition) ?? start;
          if (want === undefined) want = records[0]!.offset;
          records = records.filter((r) => r.offset >= want!);
          if (records.length === 0 || records[0]!.offset !== want) return; // fetched before the seek
          expected.set(batch.partition, records[records.length - 1]!.offset + 1);
        }
        await options.handle(records);
        const last = batch.lastOffset();
        resolveOffset(last);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
        await heartbeat();
      },
    });
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
        for (const p of next.keys()) options.onRevoke?.(p);
        next.clear();
      },
    };
  } // prettier-ignore

  /** Asks the owner where to start a newly assigned partition, and seeks there. */
  private async assign(
    consumer: Consumer,
    options: ConsumeOptions,
    partition: number,
  ): Promise<number | undefined> {
    const offsets = await this.requireAdmin().fetchOffsets({
      groupId: options.groupId,
      topics: [options.topic],
    });
    const found = offsets[0]?.partitions.find((x) => x.partition === partition);
    const committed = found === undefined || Number(found.offset) < 0 ? undefined : Number(found.offset);
    const start = options.onAssign === undefined ? committed : await options.onAssign(partition, committed);
    if (start !== undefined) consumer.seek({ topic: options.topic, partition, offset: String(start) });
    return start;
  }

  async endOffsets(topic: string): Promise<number[]> {
    const offsets = await this.requireAdmin().fetchTopicOffsets(topic);
    const out = new Array<number>(offsets.length).fill(0);
    for (const o of offsets) out[o.partition] = Number(o.high);
    return out;
  }

  private async partitionCount(topic: string): Promise<number> {
    let n = this.partitionCounts.get(topic);
    if (n === undefined) {
      n = (await this.requireAdmin().fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
      this.partitionCounts.set(topic, n);
    }
    return n;
  }

  async close(): Promise<void> {
    for (const c of [...this.consumers]) await c.disconnect();
    this.consumers.clear();
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  private requireProducer(): Producer {
    if (this.producer === undefined) throw new Error('KafkaLog.connect() was not called');
    return this.producer;
  }

  private requireAdmin(): Admin {
    if (this.admin === undefined) throw new Error('KafkaLog.connect() was not called');
    return this.admin;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
