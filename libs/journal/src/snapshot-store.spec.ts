import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotStore } from './snapshot-store';

describe('SnapshotStore', () => {
  it('loads the newest snapshot and keeps only the newest two', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snap-'));
    const store = new SnapshotStore(dir, 'engine');
    expect(store.loadLatest()).toEqual({ skipped: [] });
    expect(await store.save(10, new Uint8Array([1, 2, 3]))).toBe(10);
    expect(await store.save(20, new Uint8Array([4, 5]))).toBe(10);
    expect(await store.save(30, new Uint8Array([6]))).toBe(20);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'engine-0000000000000020.snapshot',
      'engine-0000000000000030.snapshot',
    ]);
    const loaded = store.loadLatest();
    expect(loaded.snapshot?.seq).toBe(30);
    expect([...loaded.snapshot!.body]).toEqual([6]);
  });

  it('passes over a damaged snapshot to the previous one and says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snap-'));
    const store = new SnapshotStore(dir, 'engine');
    await store.save(10, new Uint8Array([1, 2, 3]));
    await store.save(20, new Uint8Array([4, 5]));
    const newest = path.join(dir, 'engine-0000000000000020.snapshot');
    const b = fs.readFileSync(newest);
    b[b.length - 1] ^= 1;
    fs.writeFileSync(newest, b);
    const loaded = store.loadLatest();
    expect(loaded.snapshot?.seq).toBe(10);
    expect(loaded.skipped).toEqual([{ file: newest, reason: 'checksum or seq mismatch' }]);
  });
});
