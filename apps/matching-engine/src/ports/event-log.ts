/**
 * Output port of the engine: its events in the binary codec, appended in command order. Each batch
 * says the last command seq it covers, so after a restart the engine re-emits exactly the events
 * of commands past `lastSeq` (events are a function of the commands, so none is lost or doubled).
 */
export interface EventLog {
  readonly lastSeq: number;
  append(events: Uint8Array, firstSeq: number, lastSeq: number): Promise<void>;
  /** The logged batches covering commands above `afterSeq`, oldest first (readers catching up). */
  frames(afterSeq: number): Iterable<{ firstSeq: number; lastSeq: number; payload: Uint8Array }>;
  close(): Promise<void>;
}

export const EVENT_LOG = Symbol('EVENT_LOG');
