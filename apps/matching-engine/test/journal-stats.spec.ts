import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { EngineController } from '../src/engine/engine.controller';
import { closeEngine, openEngine } from './engine-fixture';
import { syntheticFlow } from './synthetic-flow';

Logger.overrideLogger(false);

it("reports the command journal's group commits: one per turn's batch, with the durations' histogram", async () => {
  const engine = openEngine(fs.mkdtempSync(path.join(os.tmpdir(), 'engine-journal-')));
  const controller = new EngineController(engine.service);
  const next = syntheticFlow(11);
  expect(controller.journal()).toMatchObject({
    fsync: 'batch',
    syncThread: 'caller',
    syncs: 0,
    frames: 0,
    bytes: 0,
    buckets: [],
    p99Micros: 0,
  });

  // three submissions awaited one after another: three batches, three syncs
  for (let i = 0; i < 3; i++) await engine.service.submit([next(), next()]);
  const three = controller.journal();
  expect(three).toMatchObject({ syncs: 3, frames: 3 });
  // submissions of one turn share a batch, and so a sync
  await Promise.all([engine.service.submit([next()]), engine.service.submit([next(), next()])]);
  const s = controller.journal();
  expect(s).toMatchObject({ syncs: 4, frames: 4 });
  expect(s.bytes).toBeGreaterThan(three.bytes);
  expect(s.buckets.reduce((n, [, c]) => n + c, 0)).toBe(4);
  expect(s.p50Micros).toBeLessThanOrEqual(s.p90Micros);
  expect(s.p90Micros).toBeLessThanOrEqual(s.p99Micros);
  expect(s.p99Micros).toBe(s.buckets.at(-1)![0]);
  expect(s.maxMicros).toBeLessThanOrEqual(s.p99Micros);
  expect(s.totalMicros).toBeLessThanOrEqual(4 * s.maxMicros);
  await closeEngine(engine);
});
