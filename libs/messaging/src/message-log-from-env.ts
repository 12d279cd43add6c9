import * as path from 'node:path';
import type { FsyncPolicy } from '@exchange/journal';
import { InProcessLog } from './in-process-log.adapter';
import { KafkaLog } from './kafka-log.adapter';
import type { MessageLog } from './message-log';

export interface MessageLogFromEnvOptions {
  /** Kafka client id (names the app in the broker's logs). */
  clientId?: string;
  /** How long to keep trying to reach the brokers before failing the start. */
  connectTimeoutMs?: number;
  /** fsync policy of the in-process log's journals. */
  fsync?: FsyncPolicy;
  log?: (level: 'error' | 'warn', message: string) => void;
}

/**
 * The log an app uses, chosen by the environment: Kafka when KAFKA_BROKERS is set (comma-separated
 * host:port list), connected before this resolves, so an unreachable broker fails the start with a
 * clear message (never a silent switch to the embedded log); otherwise the in-process log on file
 * journals in `dataDir`.
 */
export async function messageLogFromEnv(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  options: MessageLogFromEnvOptions = {},
): Promise<MessageLog> {
  const raw = env.KAFKA_BROKERS?.trim();
  if (raw) {
    const brokers = raw
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
    for (const b of brokers)
      if (!/^[^\s:]+:\d{1,5}$/.test(b))
        throw new Error(`KAFKA_BROKERS must be a comma-separated list of host:port, got "${raw}"`);
    const log = new KafkaLog({
      brokers,
      clientId: options.clientId ?? 'exchange',
      connectTimeoutMs: options.connectTimeoutMs,
      log: options.log,
    });
    try {
      await log.connect();
    } catch (err) {
      await log.close().catch(() => undefined);
      throw err;
    }
    return log;
  }
  return new InProcessLog({ dir: path.resolve(dataDir), fsync: options.fsync ?? 'batch' });
}
