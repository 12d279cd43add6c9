import { Worker } from 'node:worker_threads';
import { decodeEvents, type EngineEvent } from '@exchange/domain';
import { EngineEventsProjection } from '@exchange/persistence';
import type { DataSource } from 'typeorm';

/**
 * Where the projection's transactions run. `events` is the engine's binary event codec: the payloads
 * of consecutive batches joined end to end (a payload is a run of whole event records, so the join
 * is one too).
 */
export interface ProjectionWriter {
  /** The last command seq the read models hold (the stored offset). */
  lastSeq(): Promise<number>;
  /** One transaction: the events (those at or below the stored offset are skipped), offset to `lastSeq`. */
  apply(events: Uint8Array, lastSeq: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * On the calling thread: decodes the events and writes them through EngineEventsProjection. It
 * re-reads the event log from the stored offset at every start, so asynchronous commit is safe.
 */
export class InThreadProjectionWriter implements ProjectionWriter {
  private readonly projection: EngineEventsProjection;

  constructor(dataSource: DataSource, name: string = EngineEventsProjection.NAME) {
    this.projection = new EngineEventsProjection(dataSource, name, { synchronousCommit: false });
  }

  lastSeq(): Promise<number> {
    return this.projection.lastSeq();
  }

  async apply(events: Uint8Array, lastSeq: number): Promise<void> {
    const decoded: EngineEvent[] = decodeEvents(events);
    await this.projection.apply(decoded, lastSeq);
  }

  async close(): Promise<void> {}
}

/** A request to the projection worker, answered by `ProjectionWorkerAnswer` with the same id. */
export type ProjectionWorkerRequest =
  | { id: number; op: 'lastSeq' }
  | { id: number; op: 'apply'; events: Uint8Array; lastSeq: number }
  | { id: number; op: 'close' };

export type ProjectionWorkerAnswer =
  { id: number; ok: true; value?: number } | { id: number; ok: false; error: string };

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** What the worker is started with. */
export interface ProjectionWorkerData {
  url: string;
  name: string;
}

/** The compiled worker entry beside this module (dist/); TypeScript sources have none. */
export const PROJECTION_WORKER_FILE = new URL('./projection-worker.js', import.meta.url);

/**
 * In a worker thread with its own PostgreSQL connection: decoding, the rows, the COPY encoding and
 * the database protocol all leave the engine's thread, which only hands over the event bytes (moved,
 * not copied). Requests run one at a time in order. If the worker dies, every pending and later
 * request fails with the reason.
 */
export class WorkerProjectionWriter implements ProjectionWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v?: number) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  constructor(url: string, name: string = EngineEventsProjection.NAME, file: URL = PROJECTION_WORKER_FILE) {
    const data: ProjectionWorkerData = { url, name };
    this.worker = new Worker(file, { workerData: data });
    this.worker.on('message', (a: ProjectionWorkerAnswer) => {
      const p = this.pending.get(a.id);
      if (p === undefined) return;
      this.pending.delete(a.id);
      if (a.ok) p.resolve(a.value);
      else p.reject(new Error(a.error));
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`projection worker exited with code ${code}`)));
  }

  private request(
    r: DistributiveOmit<ProjectionWorkerRequest, 'id'>,
    transfer: ArrayBuffer[] = [],
  ): Promise<number | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...r, id }, transfer);
    });
  }

  async lastSeq(): Promise<number> {
    return (await this.request({ op: 'lastSeq' }))!;
  }

  async apply(events: Uint8Array, lastSeq: number): Promise<void> {
    // moved to the worker when `events` owns its whole buffer, copied otherwise
    const owns = events.byteOffset === 0 && events.byteLength === events.buffer.byteLength;
    await this.request({ op: 'apply', events, lastSeq }, owns ? [events.buffer as ArrayBuffer] : []);
  }

  async close(): Promise<void> {
    if (this.failure === undefined) await this.request({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}
