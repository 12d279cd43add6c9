import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { SnapshotStore } from '@exchange/journal';
import { FileCommandLog } from '../src/embedded/file-command-log';
import { FileEventLog } from '../src/embedded/file-event-log';
import { EngineController } from '../src/engine/engine.controller';
import { EngineService } from '../src/engine/engine.service';
import type { CommandLog } from '../src/ports/command-log';
import { FIXED_TIME_MS } from './engine-fixture';
import { syntheticFlow } from './synthetic-flow';

Logger.overrideLogger(false);

/**
 * A command log that fails (as a journal whose sync failed does): the engine stops taking commands,
 * says why on /health (503) and applies nothing more.
 */
it('stops taking commands once its command log fails, and its health check says so', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-fault-'));
  const file = new FileCommandLog(path.join(dir, 'journal'), 'batch', { nowMs: () => FIXED_TIME_MS });
  let broken = false;
  const commands: CommandLog = {
    get lastSeq() {
      return file.lastSeq;
    },
    get firstSeq() {
      return file.firstSeq;
    },
    append: (c) =>
      broken
        ? Promise.reject(new Error('journal commands: fdatasync failed: EIO: i/o error'))
        : file.append(c),
    replay: (afterSeq, visit) => file.replay(afterSeq, visit),
    compact: (snapshotSeq, oldestKeptSeq) => file.compact(snapshotSeq, oldestKeptSeq),
    close: () => file.close(),
  };
  const events = new FileEventLog(path.join(dir, 'events'));
  const service = new EngineService(
    {
      dataDir: dir,
      fsync: 'batch',
      snapshotEvery: 1_000_000,
      httpPort: 0,
      demo: false,
      orderPartitions: 1,
      topicPrefix: '',
      projection: false,
      projectionThread: 'main',
    },
    commands,
    events,
    new SnapshotStore(path.join(dir, 'snapshots'), 'engine'),
  );
  service.recover();
  const controller = new EngineController(service);
  const next = syntheticFlow(5);
  await service.submit([next(), next()]);
  expect(controller.health()).toMatchObject({ status: 'ok', lastSeq: 2 });

  broken = true;
  await expect(service.submit([next()])).rejects.toThrow('fdatasync failed');
  expect(service.fault?.message).toContain('fdatasync failed');
  let health: unknown;
  try {
    controller.health();
  } catch (err) {
    health = err;
  }
  expect(health).toBeInstanceOf(ServiceUnavailableException);
  expect((health as ServiceUnavailableException).getResponse()).toMatchObject({
    status: 'failed',
    lastSeq: 2,
    error: 'journal commands: fdatasync failed: EIO: i/o error',
  });
  // the first fault is the one reported; nothing more is applied
  await expect(service.submit([next()])).rejects.toThrow();
  expect(service.state.lastSeq).toBe(2);
  await service.settle();
  await commands.close();
  await events.close();
});
