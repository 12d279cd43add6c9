import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileJournal, syncDir, writeFileAtomically, type FsyncPolicy } from '@exchange/journal';
import type {
  ConsumeOptions,
  LogMessage,
  LogRecord,
  MessageLog,
  Subscription,
  TopicSpec,
} from './message-log';
import { partitionOf } from './partitioner';

export interface InProcessLogOptions {
  /** Folder of the topics' journals and the groups' committed offsets. */
  dir: string;
  fsync: FsyncPolicy;
  /** Most records handed to a handler at once. */
  maxBatch?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Partition {
  /** Durable records, by offset. */
  readonly records: LogMessage[] = [];
  /** Offset the next append gets (records still being synced are counted). */
  nextOffset = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly journal: FileJournal) {}

  publish(messages: LogMessage[]): void {
    this.records.push(...messages);
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  /** Resolves when a record at `offset` exists (or right away if it does). */
  waitFor(offset: number): Promise<void> {
    if (this.records.length > offset) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function encodeRecords(messages: readonly LogMessage[]): Uint8Array {
  const keys = messages.map((m) => encoder.encode(m.key));
  const size = messages.reduce((n, m, i) => n + 6 + keys[i]!.length + m.value.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  messages.forEach((m, i) => {
    view.setUint16(at, keys[i]!.length, true);
    out.set(keys[i]!, at + 2);
    at += 2 + keys[i]!.length;
    view.setUint32(at, m.value.length, true);
    out.set(m.value, at + 4);
    at += 4 + m.value.length;
  });
  return out;
}

function decodeRecords(payload: Uint8Array): LogMessage[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out: LogMessage[] = [];
  for (let at = 0; at < payload.length;) {
    const keyLength = view.getUint16(at, true);
    const key = decoder.decode(payload.subarray(at + 2, at + 2 + keyLength));
    at += 2 + keyLength;
    const valueLength = view.getUint32(at, true);
    out.push({ key, value: payload.slice(at + 4, at + 4 + valueLength) });
    at += 4 + valueLength;
  }
  return out;
}

/**
 * The embedded log: each topic partition is a file journal (offset n is journal seq n + 1), kept in
 * memory for delivery; consumer groups keep their committed offsets in small files written after
 * the handler resolves. Records reach consumers only once durable. One consumer per group (no
 * rebalancing: in one process there is nothing to balance).
 */
export class InProcessLog implements MessageLog {
  private readonly topics = new Map<string, Partition[]>();
  private readonly active = new Set<{ stop: () => Promise<void> }>();
  private readonly groups = new Set<string>();
  private readonly maxBatch: number;

  constructor(private readonly options: InProcessLogOptions) {
    this.maxBatch = options.maxBatch ?? 1000;
    fs.mkdirSync(options.dir, { recursive: true });
    for (const name of fs.readdirSync(options.dir)) {
      const meta = path.join(options.dir, name, 'topic.json');
      if (fs.existsSync(meta))
        this.openTopic(name, (JSON.parse(fs.readFileSync(meta, 'utf8')) as TopicSpec).partitions);
    }
  }

  private openTopic(name: string, partitions: number): void {
    const parts: Partition[] = [];
    for (let p = 0; p < partitions; p++) {
      const journal = new FileJournal({
        dir: path.join(this.options.dir, name, String(p)),
        name: 'records',
        fsync: this.options.fsync,
      });
      const part = new Partition(journal);
      for (const frame of journal.frames(0)) part.records.push(...decodeRecords(frame.payload));
      part.nextOffset = part.records.length;
      parts.push(part);
    }
    this.topics.set(name, parts);
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const t of topics) {
      if (this.topics.has(t.name)) continue;
      const dir = path.join(this.options.dir, t.name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'topic.json'),
        JSON.stringify({ name: t.name, partitions: t.partitions }),
      );
      syncDir(dir);
      this.openTopic(t.name, t.partitions);
    }
  }

  async append(
    topic: string,
    messages: readonly LogMessage[],
  ): Promise<{ partition: number; offset: number }[]> {
    const parts = this.partitions(topic);
    const byPartition = new Map<number, LogMessage[]>();
    const positions = messages.map((m) => {
      const partition = partitionOf(m.key, parts.length);
      const list = byPartition.get(partition) ?? [];
      byPartition.set(partition, list);
      list.push(m);
      return { partition, offset: parts[partition]!.nextOffset++ };
    });
    await Promise.all(
      [...byPartition].map(async ([p, list]) => {
        const part = parts[p]!;
        const first = part.nextOffset - list.length;
        await part.journal.append(first + 1, first + list.length, encodeRecords(list));
        part.publish(list);
      }),
    );
    return positions;
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    const parts = this.partitions(options.topic);
    const groupKey = `${options.groupId}\u0000${options.topic}`;
    if (this.groups.has(groupKey))
      throw new Error(`group ${options.groupId} already consumes ${options.topic} in this process`);
    this.groups.add(groupKey);
    const offsetsFile = path.join(
      this.options.dir,
      '_groups',
      encodeURIComponent(options.groupId),
      `${options.topic}.json`,
    );
    const committed = fs.existsSync(offsetsFile)
      ? (JSON.parse(fs.readFileSync(offsetsFile, 'utf8')) as number[])
      : undefined;
    const positions = parts.map(
      (p, i) => committed?.[i] ?? ((options.from ?? 'earliest') === 'earliest' ? 0 : p.records.length),
    );
    // one consumer per group here: it owns every partition from the start
    for (let i = 0; i < parts.length; i++) {
      const start = await options.onAssign?.(i, committed?.[i]);
      if (start !== undefined) positions[i] = start;
    }
    let running = true;
    // one writer per group: partitions commit through a chain, each write carrying all positions
    let commits = Promise.resolve();
    const commit = () =>
      (commits = commits.then(() => writeFileAtomically(offsetsFile, JSON.stringify(positions))));
    const loops = parts.map((part, i) => this.deliver(part, i, options, positions, commit, () => running));
    const sub = {
      stop: async () => {
        running = false;
        for (const p of parts) p.wakeAll();
        await Promise.all(loops);
        for (let i = 0; i < parts.length; i++) options.onRevoke?.(i);
        this.groups.delete(groupKey);
        this.active.delete(sub);
      },
    };
    this.active.add(sub);
    return sub;
  }

  private async deliver(
    part: Partition,
    partition: number,
    options: ConsumeOptions,
    positions: number[],
    commit: () => Promise<void>,
    running: () => boolean,
  ): Promise<void> {
    while (running()) {
      const from = positions[partition]!;
      await part.waitFor(from);
      if (!running()) return;
      const to = Math.min(part.records.length, from + this.maxBatch);
      const records: LogRecord[] = [];
      for (let o = from; o < to; o++)
        records.push({ topic: options.topic, partition, offset: o, ...part.records[o]! });
      try {
        await options.handle(records);
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // not committed: the same records come again
        continue;
      }
      positions[partition] = to;
      await commit();
    }
  }

  async endOffsets(topic: string): Promise<number[]> {
    return this.partitions(topic).map((p) => p.records.length);
  }

  private partitions(topic: string): Partition[] {
    const parts = this.topics.get(topic);
    if (parts === undefined) throw new Error(`unknown topic ${topic}: call ensureTopics first`);
    return parts;
  }

  async close(): Promise<void> {
    for (const sub of [...this.active]) await sub.stop();
    for (const parts of this.topics.values()) for (const p of parts) await p.journal.close();
  }
}
