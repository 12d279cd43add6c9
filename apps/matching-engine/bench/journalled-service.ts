import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command, UnsequencedCommand } from '@exchange/domain';
import { SnapshotStore } from '@exchange/journal';
import { FileCommandLog } from '../src/embedded/file-command-log';
import { FileEventLog } from '../src/embedded/file-event-log';
import { EngineService } from '../src/engine/engine.service';

/**
 * The engine service as the benchmarks drive it: embedded adapters in a fresh temporary folder,
 * the command journal on (group-committed fdatasync), a fixed clock, no snapshots.
 */
export function openJournalledService() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-bench-'));
  const commands = new FileCommandLog(path.join(dir, 'journal'), 'batch', { nowMs: () => 1_700_000_000_000 });
  const events = new FileEventLog(path.join(dir, 'events'));
  const service = new EngineService(
    {
      dataDir: dir,
      fsync: 'batch',
      journalSyncThread: 'caller',
      snapshotEvery: 1_000_000_000,
      httpPort: 0,
      demo: false,
      orderPartitions: 1,
      topicPrefix: '',
      projection: true,
      projectionThread: 'main',
    },
    commands,
    events,
    new SnapshotStore(path.join(dir, 'snapshots'), 'engine'),
  );
  service.recover();
  return {
    service,
    close: async () => {
      await commands.close();
      await events.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Commands as a client submits them (the sequencer gives seq and time). */
export function unsequenced(commands: readonly Command[]): UnsequencedCommand[] {
  return commands.map(({ seq: _s, timeMs: _t, ...rest }) => rest as UnsequencedCommand);
}
