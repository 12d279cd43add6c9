import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InProcessLog } from './in-process-log.adapter';
import { messageLogContract } from './message-log.contract';
import { murmur2, partitionOf } from './partitioner';

describe('InProcessLog (file journals)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inproc-log-'));
  let n = 0;
  messageLogContract({
    open: async () => new InProcessLog({ dir, fsync: 'batch' }),
    topic: (name) => `t${++n}-${name}`,
  });
});

describe('partitioner', () => {
  it("matches Kafka's murmur2 test vectors", () => {
    // vectors from the Java client's UtilsTest.testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [key, hash] of cases) expect(murmur2(new TextEncoder().encode(key))).toBe(hash);
    expect(partitionOf('21', 7)).toBe((-973932308 & 0x7fffffff) % 7);
  });
});
