import { SyncRecorder, statsBetween, syncQuantile } from './sync-stats';

describe('SyncRecorder', () => {
  it('counts syncs, frames and bytes, and keeps each duration within 1/16 of its bucket', () => {
    const r = new SyncRecorder();
    const durations = [3, 15, 16, 17, 250, 251, 1_000, 12_345, 9_999_999];
    for (const d of durations) r.record(d, 2, 100);
    const s = r.stats();
    expect(s).toMatchObject({ syncs: 9, frames: 18, bytes: 900, maxMicros: 9_999_999 });
    expect(s.totalMicros).toBe(durations.reduce((a, b) => a + b, 0));
    expect(s.buckets.reduce((n, [, c]) => n + c, 0)).toBe(9);
    // ascending upper bounds; below 16 µs every duration has its own bucket
    expect(s.buckets.map(([u]) => u)).toEqual([...s.buckets.map(([u]) => u)].sort((a, b) => a - b));
    expect(s.buckets.slice(0, 3)).toEqual([
      [3, 1],
      [15, 1],
      [16, 1],
    ]);
    for (const d of durations) {
      const [upper] = s.buckets.find(([u]) => u >= d)!;
      expect(upper - d).toBeLessThanOrEqual(d / 16);
    }
    // 250 and 251 share a bucket (248..255)
    expect(s.buckets).toContainEqual([255, 2]);
  });

  it('rounds to whole microseconds and caps what it cannot hold', () => {
    const r = new SyncRecorder();
    r.record(0.4, 1, 1);
    r.record(-5, 1, 1);
    r.record(2 ** 40, 1, 1);
    const s = r.stats();
    expect(s.buckets[0]).toEqual([0, 2]);
    expect(s.maxMicros).toBe(2 ** 30 - 1);
    expect(s.buckets[1]![0]).toBe(2 ** 30 - 1);
  });
});

describe('syncQuantile', () => {
  it('is the upper bound of the bucket holding the sync of that rank', () => {
    const r = new SyncRecorder();
    for (let i = 0; i < 98; i++) r.record(200, 1, 10);
    r.record(3_000, 1, 10);
    r.record(40_000, 1, 10);
    const s = r.stats();
    expect(syncQuantile(s, 0.5)).toBe(207); // 200 lies in 200..207
    expect(syncQuantile(s, 0.98)).toBe(207);
    expect(syncQuantile(s, 0.99)).toBe(3_071); // 3000 lies in 2944..3071
    expect(syncQuantile(s, 1)).toBe(40_959);
  });

  it('is 0 with no syncs and refuses a fraction outside (0, 1]', () => {
    const s = new SyncRecorder().stats();
    expect(syncQuantile(s, 0.99)).toBe(0);
    expect(() => syncQuantile(s, 0)).toThrow(RangeError);
    expect(() => syncQuantile(s, 1.5)).toThrow(RangeError);
  });
});

describe('statsBetween', () => {
  it('is the window between two readings', () => {
    const r = new SyncRecorder();
    r.record(100, 1, 50);
    r.record(5_000, 3, 150);
    const before = r.stats();
    r.record(100, 2, 80);
    r.record(700, 4, 400);
    const w = statsBetween(before, r.stats());
    expect(w).toEqual({
      syncs: 2,
      frames: 6,
      bytes: 480,
      totalMicros: 800,
      maxMicros: 703, // the window's longest sync, to its bucket (688..703); not the 5 ms before it
      buckets: [
        [103, 1], // 100..103
        [703, 1],
      ],
    });
    expect(syncQuantile(w, 0.5)).toBe(103);
    expect(statsBetween(r.stats(), r.stats())).toMatchObject({ syncs: 0, maxMicros: 0, buckets: [] });
    expect(() => statsBetween(r.stats(), before)).toThrow(RangeError);
  });
});
