import { parentPort, workerData } from 'node:worker_threads';
import { postgresDataSource } from '@exchange/persistence';
import {
  InThreadProjectionWriter,
  type ProjectionWorkerAnswer,
  type ProjectionWorkerData,
  type ProjectionWorkerRequest,
} from './projection-writer';

/**
 * The projection worker (WorkerProjectionWriter's thread): one PostgreSQL connection, requests
 * answered one at a time in the order they came.
 */
const port = parentPort!;
const { url, name } = workerData as ProjectionWorkerData;
const dataSource = postgresDataSource(url, 1);
const ready = dataSource.initialize().then(() => new InThreadProjectionWriter(dataSource, name));
ready.catch(() => undefined); // reported to each request

let queue: Promise<void> = Promise.resolve();
port.on('message', (r: ProjectionWorkerRequest) => {
  queue = queue.then(async () => {
    let answer: ProjectionWorkerAnswer;
    try {
      const writer = await ready;
      if (r.op === 'lastSeq') answer = { id: r.id, ok: true, value: await writer.lastSeq() };
      else if (r.op === 'apply') {
        await writer.apply(r.events, r.lastSeq);
        answer = { id: r.id, ok: true };
      } else {
        await dataSource.destroy();
        answer = { id: r.id, ok: true };
      }
    } catch (err) {
      answer = { id: r.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer);
  });
});
