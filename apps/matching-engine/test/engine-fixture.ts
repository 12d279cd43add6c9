import * as path from 'node:path';
import { decodeEvents, type Command, type EngineEvent } from '@exchange/domain';
import { SnapshotStore } from '@exchange/journal';
import { EventCollector } from '@exchange/order-book';
import { RiskStage } from '@exchange/risk';
import { FileCommandLog } from '../src/embedded/file-command-log';
import { FileEventLog } from '../src/embedded/file-event-log';
import { EngineService } from '../src/engine/engine.service';
import type { CommandLog } from '../src/ports/command-log';
import { sequencedFlow, syntheticFlow } from './synthetic-flow';

/** The engine service on a data folder with the embedded adapters and a fixed clock. */
export const FIXED_TIME_MS = 1_700_000_000_000;
export const FLOW_SEED = 11;

export function openEngine(
  dir: string,
  snapshotEvery = 1_000_000,
  /** What the service gets in front of the command journal (a fault, say); the journal itself by default. */
  wrapCommands?: (journal: FileCommandLog) => CommandLog,
) {
  const commands = new FileCommandLog(path.join(dir, 'journal'), 'batch', { nowMs: () => FIXED_TIME_MS });
  const events = new FileEventLog(path.join(dir, 'events'));
  const snapshots = new SnapshotStore(path.join(dir, 'snapshots'), 'engine');
  const service = new EngineService(
    {
      dataDir: dir,
      fsync: 'batch',
      journalSyncThread: 'caller',
      snapshotEvery,
      httpPort: 0,
      demo: false,
      orderPartitions: 1,
      topicPrefix: '',
      projection: true,
      projectionThread: 'main',
    },
    wrapCommands?.(commands) ?? commands,
    events,
    snapshots,
  );
  return { service, commands, events, recovery: service.recover() };
}

export type OpenEngine = ReturnType<typeof openEngine>;

export async function closeEngine(s: OpenEngine): Promise<void> {
  await s.service.settle();
  await s.commands.close();
  await s.events.close();
}

/** Feeds the next `count` commands of the seeded flow, continuing after what the engine holds. */
export async function feed(s: OpenEngine, count: number, batch = 100, seed = FLOW_SEED): Promise<void> {
  const next = syntheticFlow(seed);
  for (let i = 0; i < s.service.state.lastSeq; i++) next();
  for (let done = 0; done < count; done += batch) {
    await s.service.submitRaw(Array.from({ length: Math.min(batch, count - done) }, next));
    // a running engine writes the snapshots it schedules (and compacts its journal behind them)
    // while it waits for I/O; an awaited submission whose journal sync runs on the engine's thread
    // never waits for I/O, so the feed lets each scheduled snapshot finish before going on
    await s.service.settle();
  }
}

/** What a fresh engine makes of the first n commands of the flow. */
export function cleanReplay(n: number, seed = FLOW_SEED): { hash: string; events: EngineEvent[] } {
  const sink = new EventCollector();
  const engine = new RiskStage(sink);
  for (const c of sequencedFlow(seed, n, FIXED_TIME_MS)) engine.process(c as Command);
  return { hash: engine.stateHash(), events: sink.events };
}

/** Every event in a data folder's event log, in order. */
export async function loggedEvents(dir: string): Promise<EngineEvent[]> {
  const log = new FileEventLog(path.join(dir, 'events'));
  const out = [...log.frames()].flatMap((f) => decodeEvents(f.payload));
  await log.close();
  return out;
}

/**
 * Polls `probe` every `pollMs` until it gives something other than undefined or false (a probe that
 * throws has not got there yet); fails after `timeoutMs` naming `what`.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  pollMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
