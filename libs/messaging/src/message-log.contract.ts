import type { LogRecord, MessageLog } from './message-log';
import { partitionOf } from './partitioner';

/**
 * The behaviour every MessageLog adapter must show. Each adapter's spec calls this with a factory
 * that opens a log on fresh or existing storage and a unique topic prefix.
 */
export interface ContractSubject {
  open(): Promise<MessageLog>;
  /** A topic name not used before in this storage. */
  topic(name: string): string;
}

function collect(): { records: LogRecord[]; until: (n: number, ms?: number) => Promise<void> } {
  const records: LogRecord[] = [];
  return {
    records,
    until: async (n, ms = 20_000) => {
      const deadline = Date.now() + ms;
      while (records.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${records.length} of ${n} records arrived`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

const value = (s: string) => new TextEncoder().encode(s);
const text = (v: Uint8Array) => new TextDecoder().decode(v);

export function messageLogContract(subject: ContractSubject): void {
  it('appends keyed records to the partition of their key, in order, with gapless offsets', async () => {
    const log = await subject.open();
    const topic = subject.topic('order');
    await log.ensureTopics([{ name: topic, partitions: 3 }]);
    await log.ensureTopics([{ name: topic, partitions: 3 }]); // idempotent
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `acct-${i % 5}`, value: value(`m${i}`) }));
    const positions = await log.append(topic, messages);
    positions.forEach((p, i) => expect(p.partition).toBe(partitionOf(messages[i]!.key, 3)));
    const got = collect();
    const sub = await log.consume({
      topic,
      groupId: `${topic}-g`,
      handle: async (rs) => void got.records.push(...rs),
    });
    await got.until(30);
    for (let p = 0; p < 3; p++) {
      const part = got.records.filter((r) => r.partition === p);
      expect(part.map((r) => r.offset)).toEqual(part.map((_, i) => i));
      const sent = messages.filter((m) => partitionOf(m.key, 3) === p).map((m) => text(m.value));
      expect(part.map((r) => text(r.value))).toEqual(sent);
    }
    await sub.stop();
    await log.close();
  });

  it('resumes a consumer group after its committed offsets, across a restart', async () => {
    const topic = subject.topic('resume');
    const groupId = `${topic}-g`;
    let log = await subject.open();
    await log.ensureTopics([{ name: topic, partitions: 1 }]);
    await log.append(
      topic,
      [1, 2, 3].map((i) => ({ key: 'k', value: value(`a${i}`) })),
    );
    const first = collect();
    let sub = await log.consume({ topic, groupId, handle: async (rs) => void first.records.push(...rs) });
    await first.until(3);
    await sub.stop();
    await log.close();

    log = await subject.open();
    await log.append(
      topic,
      [4, 5].map((i) => ({ key: 'k', value: value(`a${i}`) })),
    );
    const second = collect();
    sub = await log.consume({ topic, groupId, handle: async (rs) => void second.records.push(...rs) });
    await second.until(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(second.records.map((r) => [r.offset, text(r.value)])).toEqual([
      [3, 'a4'],
      [4, 'a5'],
    ]);
    await sub.stop();
    await log.close();
  });

  it('redelivers a batch whose handler failed (offsets are committed only after the effect)', async () => {
    const log = await subject.open();
    const topic = subject.topic('retry');
    await log.ensureTopics([{ name: topic, partitions: 1 }]);
    await log.append(topic, [{ key: 'k', value: value('x') }]);
    let calls = 0;
    const got = collect();
    const sub = await log.consume({
      topic,
      groupId: `${topic}-g`,
      handle: async (rs) => {
        if (++calls === 1) throw new Error('effect failed');
        got.records.push(...rs);
      },
    });
    await got.until(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(got.records[0]!.offset).toBe(0);
    await sub.stop();
    await log.close();
  });
}
