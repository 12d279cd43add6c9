import * as path from 'node:path';
import { ConfigError, loadEngineConfig } from './engine-config';

describe('loadEngineConfig', () => {
  it('defaults to group commit with the sync on the engine thread', () => {
    const c = loadEngineConfig({});
    expect(c).toMatchObject({
      fsync: 'batch',
      journalSyncThread: 'caller',
      snapshotEvery: 100_000,
      projectionThread: 'worker',
    });
    expect(c.dataDir).toBe(path.resolve('.data', 'matching-engine'));
  });

  it('takes the sync thread and fsync policy from the environment', () => {
    const c = loadEngineConfig({ JOURNAL_SYNC_THREAD: 'pool', JOURNAL_FSYNC: 'none' });
    expect(c.journalSyncThread).toBe('pool');
    expect(c.fsync).toBe('none');
  });

  it('refuses values it does not know, naming the variable', () => {
    expect(() => loadEngineConfig({ JOURNAL_SYNC_THREAD: 'main' })).toThrow(ConfigError);
    expect(() => loadEngineConfig({ JOURNAL_SYNC_THREAD: 'main' })).toThrow(
      'JOURNAL_SYNC_THREAD must be one of caller, pool, got "main"',
    );
    expect(() => loadEngineConfig({ JOURNAL_FSYNC: 'always' })).toThrow('JOURNAL_FSYNC must be one of');
    expect(() => loadEngineConfig({ SNAPSHOT_EVERY: '0' })).toThrow('SNAPSHOT_EVERY must be an integer');
  });
});
