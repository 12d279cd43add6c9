import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { SnapshotStore } from '@exchange/journal';
import { FileCommandLog } from '../src/embedded/file-command-log';
import { FileEventLog } from '../src/embedded/file-event-log';
import { EngineService } from '../src/engine/engine.service';
import { syntheticFlow } from './synthetic-flow';

/**
 * Child process for the crash test: streams a seeded order flow into the engine service on a data
 * folder, in batches, and prints "ack <seq>" once each batch is durable and applied. The test kills
 * it with SIGKILL at some point and checks what a restart recovers.
 *   node crash-child.js <dataDir> <seed> <batchSize> <snapshotEvery> <fixedTimeMs>
 */
async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const [dir, seed, batchSize, snapshotEvery, timeMs] = process.argv.slice(2);
  const clock = { nowMs: () => Number(timeMs) };
  const commands = new FileCommandLog(path.join(dir!, 'journal'), 'batch', clock);
  const events = new FileEventLog(path.join(dir!, 'events'));
  const service = new EngineService(
    {
      dataDir: dir!,
      fsync: 'batch',
      journalSyncThread: 'caller',
      snapshotEvery: Number(snapshotEvery),
      httpPort: 0,
      demo: false,
      orderPartitions: 1,
      topicPrefix: '',
      projection: true,
      projectionThread: 'main',
    },
    commands,
    events,
    new SnapshotStore(path.join(dir!, 'snapshots'), 'engine'),
  );
  service.recover();
  if (service.state.lastSeq !== 0) throw new Error('crash child expects an empty data folder');
  const next = syntheticFlow(Number(seed));
  const size = Number(batchSize);
  for (;;) {
    const batch = Array.from({ length: size }, next);
    const bytes = await service.submitRaw(batch);
    process.stdout.write(`ack ${service.state.lastSeq} ${bytes.length}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
