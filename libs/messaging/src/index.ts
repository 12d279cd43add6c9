export {
  TOPICS,
  type ConsumeOptions,
  type LogMessage,
  type LogRecord,
  type MessageLog,
  type Subscription,
  type TopicSpec,
} from './message-log';
export { KafkaLog, type KafkaLogOptions } from './kafka-log.adapter';
export { InProcessLog, type InProcessLogOptions } from './in-process-log.adapter';
export { murmur2, partitionOf } from './partitioner';
export { messageLogFromEnv, type MessageLogFromEnvOptions } from './message-log-from-env';
export {
  MAX_COMMANDS_PER_MESSAGE,
  encodeOrderMessage,
  forEachOrderCommand,
  marginDomain,
  shardSeq,
  shardTopics,
} from './orders-topic';
