import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { EngineController } from '../src/engine/engine.controller';
import { closeEngine, openEngine } from './engine-fixture';
import { syntheticFlow } from './synthetic-flow';

Logger.overrideLogger(false);

/**
 * A command log that fails (as a journal whose sync failed does): the engine stops taking commands,
 * says why on /health (503) and applies nothing more.
 */
it('stops taking commands once its command log fails, and its health check says so', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-fault-'));
  let broken = false;
  const engine = openEngine(dir, 1_000_000, (file) => ({
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
    syncStats: () => file.syncStats(),
    compact: (snapshotSeq, oldestKeptSeq) => file.compact(snapshotSeq, oldestKeptSeq),
    close: () => file.close(),
  }));
  const { service } = engine;
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
  await closeEngine(engine);
});
