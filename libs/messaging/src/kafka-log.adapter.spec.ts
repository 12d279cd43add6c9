import { KafkaLog } from './kafka-log.adapter';
import { messageLogContract } from './message-log.contract';

/**
 * Against a real broker: KAFKA_BROKERS, or the one infra/kafka starts in Jest's global setup when
 * Java and Maven are present. Without Kafka this suite is skipped and the setup prints why; CI sets
 * REQUIRE_KAFKA=1, so there it always runs.
 */
const brokers = process.env.KAFKA_BROKERS;
const describeWithKafka = brokers ? describe : describe.skip;
const run = Date.now().toString(36);

describeWithKafka('KafkaLog (real broker)', () => {
  let n = 0;
  messageLogContract({
    open: async () => {
      const log = new KafkaLog({ brokers: brokers!.split(','), clientId: 'contract-test' });
      await log.connect();
      return log;
    },
    topic: (name) => `test.${run}.${++n}.${name}`,
  });

  it('fails clearly when the brokers cannot be reached', async () => {
    const log = new KafkaLog({ brokers: ['127.0.0.1:1'], clientId: 'unreachable', connectTimeoutMs: 500 });
    await expect(log.connect()).rejects.toThrow(/Kafka at 127\.0\.0\.1:1 is unreachable/);
    await log.close();
  });
});
