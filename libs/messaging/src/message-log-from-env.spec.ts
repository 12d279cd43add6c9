import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InProcessLog } from './in-process-log.adapter';
import { KafkaLog } from './kafka-log.adapter';
import { messageLogFromEnv } from './message-log-from-env';

describe('messageLogFromEnv', () => {
  it('opens the in-process log in the data folder when KAFKA_BROKERS is unset', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'log-env-')), 'oracle');
    const log = await messageLogFromEnv({}, dir);
    expect(log).toBeInstanceOf(InProcessLog);
    await log.ensureTopics([{ name: 't', partitions: 1 }]);
    await log.append('t', [{ key: 'k', value: new Uint8Array([1]) }]);
    expect(fs.existsSync(path.join(dir, 't', 'topic.json'))).toBe(true);
    await log.close();
  });

  it('fails clearly when KAFKA_BROKERS is set but unreachable, instead of falling back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-env-'));
    await expect(
      messageLogFromEnv({ KAFKA_BROKERS: '127.0.0.1:1' }, dir, { connectTimeoutMs: 300 }),
    ).rejects.toThrow(/Kafka at 127\.0\.0\.1:1 is unreachable/);
    expect(fs.readdirSync(dir)).toEqual([]); // no embedded log was opened instead
  });

  it('rejects a malformed broker list', async () => {
    await expect(messageLogFromEnv({ KAFKA_BROKERS: 'localhost' }, '/nonexistent')).rejects.toThrow(
      /KAFKA_BROKERS must be a comma-separated list of host:port/,
    );
  });

  const brokers = process.env.KAFKA_BROKERS;
  (brokers ? it : it.skip)('connects to Kafka when KAFKA_BROKERS is set (real broker)', async () => {
    const log = await messageLogFromEnv({ KAFKA_BROKERS: brokers }, '/nonexistent', { clientId: 'env-test' });
    expect(log).toBeInstanceOf(KafkaLog);
    await log.close();
  });
});
