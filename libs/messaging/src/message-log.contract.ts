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

  it('reports the end offset of each partition (the offset the next record gets)', async () => {
    const log = await subject.open();
    const topic = subject.topic('ends');
    await log.ensureTopics([{ name: topic, partitions: 3 }]);
    expect(await log.endOffsets(topic)).toEqual([0, 0, 0]);
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k-${i % 7}`, value: value(`e${i}`) }));
    await log.append(topic, messages);
    const expected = [0, 1, 2].map((p) => messages.filter((m) => partitionOf(m.key, 3) === p).length);
    expect(await log.endOffsets(topic)).toEqual(expected);
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

  it('lets a stateful owner replay a partition from an offset it chooses on assignment', async () => {
    const topic = subject.topic('replay');
    const groupId = `${topic}-g`;
    let log = await subject.open();
    await log.ensureTopics([{ name: topic, partitions: 2 }]);
    const key = [0, 1, 2, 3, 4, 5].map((i) => `k${i}`).find((k) => partitionOf(k, 2) === 1)!;
    await log.append(
      topic,
      [0, 1, 2, 3].map((i) => ({ key, value: value(`r${i}`) })),
    );
    const first = collect();
    let sub = await log.consume({ topic, groupId, handle: async (rs) => void first.records.push(...rs) });
    await first.until(4);
    await sub.stop();
    await log.close();

    // the group has committed all four; the owner's snapshot only reaches offset 1, so it replays 2 and 3
    log = await subject.open();
    const assigned: [number, number | undefined][] = [];
    const revoked: number[] = [];
    const second = collect();
    sub = await log.consume({
      topic,
      groupId,
      handle: async (rs) => void second.records.push(...rs),
      onAssign: async (partition, committed) => {
        assigned.push([partition, committed]);
        return partition === 1 ? 2 : undefined;
      },
      onRevoke: (partition) => void revoked.push(partition),
    });
    await second.until(2);
    await log.append(topic, [{ key, value: value('r4') }]);
    await second.until(3);
    expect(second.records.map((r) => [r.partition, r.offset, text(r.value)])).toEqual([
      [1, 2, 'r2'],
      [1, 3, 'r3'],
      [1, 4, 'r4'],
    ]);
    expect(assigned.find(([p]) => p === 1)).toEqual([1, 4]);
    await sub.stop();
    expect(revoked.sort()).toEqual([0, 1]);
    await log.close();
  });
}
