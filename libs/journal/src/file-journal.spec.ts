import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileJournal, JournalCorruptError, type SyncIo } from './file-journal';
import { syncQuantile } from './sync-stats';
import { FRAME_HEADER_BYTES } from './frame';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'));
}

const payload = (seq: number, bytes = 20) => new Uint8Array(bytes).fill(seq & 0xff);

async function writeFrames(dir: string, n: number, fsync: 'batch' | 'none' = 'batch'): Promise<FileJournal> {
  const j = new FileJournal({ dir, name: 'cmd', fsync });
  const done: Promise<void>[] = [];
  for (let s = 1; s <= n; s++) done.push(j.append(s, s, payload(s)));
  await Promise.all(done);
  return j;
}

function segmentFile(dir: string): string {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.journal'))
    .sort();
  return path.join(dir, files[files.length - 1]!);
}

describe('FileJournal', () => {
  it('reads back what it wrote after reopening, and skips frames before a seq', async () => {
    const dir = tmpDir();
    await (await writeFrames(dir, 10)).close();
    const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect(j.lastSeq).toBe(10);
    expect(j.recovery).toMatchObject({ frames: 10, lastSeq: 10 });
    expect(j.recovery.truncated).toBeUndefined();
    expect([...j.frames(6)].map((f) => [f.firstSeq, f.payload[0]])).toEqual([
      [7, 7],
      [8, 8],
      [9, 9],
      [10, 10],
    ]);
    await j.close();
  });

  it('group commit resolves every append, in order', async () => {
    const dir = tmpDir();
    const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    const order: number[] = [];
    const all = Array.from({ length: 200 }, (_, i) =>
      j.append(i + 1, i + 1, payload(i)).then(() => order.push(i + 1)),
    );
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await j.flush();
    await j.close();
  });

  it('refuses a frame that does not follow the last seq', async () => {
    const dir = tmpDir();
    const j = await writeFrames(dir, 3);
    expect(() => j.append(3, 3, payload(3))).toThrow(RangeError);
    await j.close();
  });

  it.each([
    ['a frame cut short', 4, (file: string) => fs.truncateSync(file, fs.statSync(file).size - 7)],
    ['a partial header', 5, (file: string) => fs.appendFileSync(file, Buffer.from([0x45, 0x58, 0x4a]))],
    [
      'a partial header before zeros',
      5,
      (file: string) =>
        fs.appendFileSync(file, Buffer.concat([Buffer.from([0x45, 0x58]), Buffer.alloc(4096)])),
    ],
    [
      'a checksum mismatch in the last frame',
      4,
      (file: string) => {
        const b = fs.readFileSync(file);
        b[b.length - 1] ^= 0xff;
        fs.writeFileSync(file, b);
      },
    ],
  ] as const)('cuts off a torn tail: %s', async (_name, intact, damage) => {
    const dir = tmpDir();
    await (await writeFrames(dir, 5)).close();
    const file = segmentFile(dir);
    damage(file);
    const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect(j.recovery.truncated).toBeDefined();
    expect(j.lastSeq).toBe(intact);
    expect([...j.frames()].map((f) => f.firstSeq)).toEqual(Array.from({ length: intact }, (_, i) => i + 1));
    await j.append(intact + 1, intact + 1, payload(99));
    await j.close();
    const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect(again.lastSeq).toBe(intact + 1);
    expect(again.recovery.truncated).toBeUndefined();
    await again.close();
  });

  it('takes a zeroed tail for the end: nothing is cut or reported, and appends go after the last frame', async () => {
    const dir = tmpDir();
    await (await writeFrames(dir, 5)).close();
    const file = segmentFile(dir);
    fs.appendFileSync(file, Buffer.alloc(4096));
    const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect(j.recovery.truncated).toBeUndefined();
    expect(j.lastSeq).toBe(5);
    await j.append(6, 6, payload(6));
    await j.close();
    const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect([...again.frames()].map((f) => f.firstSeq)).toEqual([1, 2, 3, 4, 5, 6]);
    await again.close();
  });

  describe('preallocateBytes', () => {
    const slice = 64 * 1024;

    it('keeps zeros ahead of the frames, a slice at a time, and reopens after the last frame', async () => {
      const dir = tmpDir();
      const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', preallocateBytes: 100_000 });
      const file = segmentFile(dir);
      await j.append(1, 1, payload(1, 1000));
      // one append grows the file by one slice only, however far it is from the wanted lead
      expect(fs.statSync(file).size).toBe(1000 + FRAME_HEADER_BYTES + slice);
      await j.append(2, 2, payload(2, 1000));
      expect(fs.statSync(file).size).toBe(1000 + FRAME_HEADER_BYTES + 2 * slice);
      await j.append(3, 3, payload(3, 1000));
      expect(fs.statSync(file).size).toBe(1000 + FRAME_HEADER_BYTES + 2 * slice); // 100,000 ahead already
      await j.close();

      const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch', preallocateBytes: 100_000 });
      expect(again.recovery).toMatchObject({ frames: 3, lastSeq: 3 });
      expect(again.recovery.truncated).toBeUndefined();
      await again.append(4, 4, payload(4, 1000));
      await again.close();
      const third = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
      const frames = [...third.frames()];
      expect(frames.map((f) => f.firstSeq)).toEqual([1, 2, 3, 4]);
      expect(frames.map((f) => f.payload[0])).toEqual([1, 2, 3, 4]);
      await third.close();
    });

    it('reads frames across rotated segments with zeroed tails', async () => {
      const dir = tmpDir();
      const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', preallocateBytes: 10_000 });
      await j.append(1, 2, payload(1));
      j.rotate();
      await j.append(3, 3, payload(3));
      j.rotate();
      await j.append(4, 6, payload(4));
      await j.close();
      const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch', preallocateBytes: 10_000 });
      expect(again.recovery).toMatchObject({ segments: 3, frames: 3, lastSeq: 6 });
      expect([...again.frames(2)].map((f) => f.firstSeq)).toEqual([3, 4]);
      await again.close();
    });

    it('cuts a torn last frame inside the zero-filled space', async () => {
      const dir = tmpDir();
      const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', preallocateBytes: 10_000 });
      for (let s = 1; s <= 3; s++) await j.append(s, s, payload(s, 100));
      await j.close();
      const file = segmentFile(dir);
      const b = fs.readFileSync(file);
      b[2 * (FRAME_HEADER_BYTES + 100) + FRAME_HEADER_BYTES + 50] ^= 0xff; // the third frame's payload
      fs.writeFileSync(file, b);
      const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch', preallocateBytes: 10_000 });
      expect(again.recovery.truncated).toMatchObject({ offset: 2 * (FRAME_HEADER_BYTES + 100) });
      expect(again.lastSeq).toBe(2);
      await again.append(3, 3, payload(33, 100));
      await again.close();
      const third = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
      expect([...third.frames()].map((f) => f.payload[0])).toEqual([1, 2, 33]);
      await third.close();
    });
  });

  it('refuses to open a journal damaged before its end', async () => {
    const dir = tmpDir();
    await (await writeFrames(dir, 5)).close();
    const file = segmentFile(dir);
    const b = fs.readFileSync(file);
    b[FRAME_HEADER_BYTES + 2] ^= 0xff; // payload of the first frame
    fs.writeFileSync(file, b);
    expect(() => new FileJournal({ dir, name: 'cmd', fsync: 'batch' })).toThrow(JournalCorruptError);
    expect(fs.readFileSync(file).equals(b)).toBe(true); // nothing was cut
  });

  it('keeps its sequence across rotation and pruning', async () => {
    const dir = tmpDir();
    const j = await writeFrames(dir, 4);
    j.rotate();
    await j.append(5, 6, payload(5));
    expect(j.prune(4)).toBe(1);
    await j.close();
    const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect(again.lastSeq).toBe(6);
    expect([...again.frames()].map((f) => [f.firstSeq, f.lastSeq])).toEqual([[5, 6]]);
    again.rotate();
    again.prune(6);
    await again.close();
    const empty = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect(empty.lastSeq).toBe(6);
    await empty.close();
  });

  it('rotates while a sync is running: the old segment stays open until a sync covers what was written to it', async () => {
    const dir = tmpDir();
    // the asynchronous syncs are held, as on a slow disk; closes are recorded
    const held: { fd: number; done: (err: NodeJS.ErrnoException | null) => void }[] = [];
    const closed: number[] = [];
    const syncIo: SyncIo = {
      fdatasync: (fd, done) => {
        held.push({ fd, done });
      },
      fdatasyncSync: fs.fdatasyncSync,
      closeSync: (fd: number) => {
        closed.push(fd);
        fs.closeSync(fd);
      },
    };
    // lets the held syncs run; resolves once each has returned to the journal (which may start the next)
    const releaseAll = () =>
      Promise.all(
        held.splice(0).map(
          (h) =>
            new Promise<void>((returned) =>
              fs.fdatasync(h.fd, (err) => {
                h.done(err);
                returned();
              }),
            ),
        ),
      );
    const durable: number[] = [];
    const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', syncIo });
    const append = (seq: number) => j.append(seq, seq, payload(seq)).then(() => durable.push(seq));
    const p1 = append(1); // a sync of the first segment starts and is held...
    expect(held).toHaveLength(1);
    const oldFd = held[0]!.fd;
    const p2 = append(2); // ...frame 2 lands in the first segment after that sync began
    j.rotate();
    const p3 = append(3); // frame 3 is in the second segment
    // the first segment is not closed while the held sync runs on it
    expect(closed).not.toContain(oldFd);
    await releaseAll();
    // the held sync covered frame 1 only; frame 2 needs the first segment synced again, with frame 3's
    expect(durable).toEqual([1]);
    expect(closed).not.toContain(oldFd);
    expect(held).toHaveLength(2);
    expect(held.filter((h) => h.fd === oldFd)).toHaveLength(1);
    await releaseAll();
    await Promise.all([p1, p2, p3]);
    expect(durable).toEqual([1, 2, 3]);
    expect(closed).toContain(oldFd);
    await j.close();
    const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
    expect([...again.frames()].map((f) => f.firstSeq)).toEqual([1, 2, 3]);
    await again.close();
  });

  it('fails every append after a failed sync', async () => {
    const dir = tmpDir();
    const eio = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    const syncIo: SyncIo = {
      fdatasync: (_fd, done) => {
        setImmediate(() => done(eio));
      },
      fdatasyncSync: fs.fdatasyncSync,
      closeSync: fs.closeSync,
    };
    const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', syncIo });
    await expect(j.append(1, 1, payload(1))).rejects.toThrow('fdatasync failed: EIO');
    await expect(j.append(2, 2, payload(2))).rejects.toThrow('fdatasync failed: EIO');
    // closing a failed journal closes its file without waiting for a sync that cannot come
    await j.close();
  });

  describe("syncThread 'caller'", () => {
    /** Real file calls, counted; a sync on the pool fails the test. */
    function countingIo(failWith?: Error) {
      const synced: number[] = [];
      const closed: number[] = [];
      const io: SyncIo = {
        fdatasync: () => {
          throw new Error('no sync on the pool in caller mode');
        },
        fdatasyncSync: (fd) => {
          if (failWith) throw failWith;
          synced.push(fd);
          fs.fdatasyncSync(fd);
        },
        closeSync: (fd) => {
          closed.push(fd);
          fs.closeSync(fd);
        },
      };
      return { io, synced, closed };
    }

    it('syncs the appends of one run of code once, on the caller, and resolves them after it', async () => {
      const dir = tmpDir();
      const { io, synced } = countingIo();
      const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', syncThread: 'caller', syncIo: io });
      const durable: number[] = [];
      const append = (seq: number) => j.append(seq, seq, payload(seq)).then(() => durable.push(seq));
      const first = [append(1), append(2), append(3)];
      // nothing is synced or resolved before the run of code that appended ends
      expect(synced).toEqual([]);
      await Promise.resolve();
      expect(synced).toHaveLength(1);
      await Promise.all(first);
      expect(durable).toEqual([1, 2, 3]);
      await append(4);
      expect(synced).toHaveLength(2);
      expect(durable).toEqual([1, 2, 3, 4]);
      // a flush with nothing new to sync does not sync again
      await j.flush();
      expect(synced).toHaveLength(2);
      await j.close();
      const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
      expect([...again.frames()].map((f) => f.firstSeq)).toEqual([1, 2, 3, 4]);
      await again.close();
    });

    it('syncs a segment rotated away with the current one, then closes it', async () => {
      const dir = tmpDir();
      const { io, synced, closed } = countingIo();
      const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', syncThread: 'caller', syncIo: io });
      const p1 = j.append(1, 1, payload(1));
      j.rotate(); // frame 1 is not durable yet: its segment stays open for the sync
      const p2 = j.append(2, 2, payload(2));
      expect(closed).toEqual([]);
      await Promise.all([p1, p2]);
      expect(synced).toHaveLength(2);
      expect(new Set(synced).size).toBe(2);
      expect(closed).toEqual([synced[0]]);
      await j.close();
      const again = new FileJournal({ dir, name: 'cmd', fsync: 'batch' });
      expect([...again.frames()].map((f) => f.firstSeq)).toEqual([1, 2]);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.journal'))).toHaveLength(2);
      await again.close();
    });

    it('close makes what was appended durable without waiting for the queued sync', async () => {
      const dir = tmpDir();
      const { io, synced } = countingIo();
      const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', syncThread: 'caller', syncIo: io });
      const p = j.append(1, 1, payload(1));
      await j.close();
      await p;
      expect(synced).toHaveLength(1);
    });

    it('fails the appends of a failed sync and every one after', async () => {
      const dir = tmpDir();
      const eio = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      const { io } = countingIo(eio);
      const j = new FileJournal({ dir, name: 'cmd', fsync: 'batch', syncThread: 'caller', syncIo: io });
      const both = [j.append(1, 1, payload(1)), j.append(2, 2, payload(2))];
      await expect(both[0]).rejects.toThrow('fdatasync failed: EIO');
      await expect(both[1]).rejects.toThrow('fdatasync failed: EIO');
      await expect(j.append(3, 3, payload(3))).rejects.toThrow('fdatasync failed: EIO');
      await j.close();
    });
  });

  it('with fsync none, appends resolve at once', async () => {
    const dir = tmpDir();
    const j = new FileJournal({ dir, name: 'cmd', fsync: 'none' });
    await expect(j.append(1, 1, payload(1))).resolves.toBeUndefined();
    expect(j.syncStats()).toMatchObject({ syncs: 0, frames: 0, bytes: 0, buckets: [] });
    await j.close();
  });

  describe('writeBehindBytes', () => {
    /** A pool sync that waits to be released by the test; descriptors closed are noted. */
    function heldIo() {
      const running: { fd: number; release: () => void }[] = [];
      const closed: number[] = [];
      const io: SyncIo = {
        fdatasync: (fd, done) =>
          running.push({
            fd,
            release: () => fs.fdatasync(fd, done),
          }),
        fdatasyncSync: () => {
          throw new Error('no sync on the caller');
        },
        closeSync: (fd) => {
          closed.push(fd);
          fs.closeSync(fd);
        },
      };
      return { io, running, closed };
    }
    const settle = () => new Promise((r) => setTimeout(r, 20));

    it('syncs in the background once that many bytes are written, one sync at a time, without holding appends', async () => {
      const { io, running } = heldIo();
      const dir = tmpDir();
      const j = new FileJournal({
        dir,
        name: 'ev',
        fsync: 'none',
        writeBehindBytes: 100,
        syncIo: io,
      });
      await j.append(1, 1, payload(1, 40)); // 68 bytes with the header
      expect(running).toHaveLength(0);
      await j.append(2, 2, payload(2, 40)); // 136: a sync starts
      expect(running).toHaveLength(1);
      // appends resolve at once while it runs, and start no second one
      await j.append(3, 3, payload(3, 200));
      expect(running).toHaveLength(1);
      running[0]!.release();
      await settle();
      // bytes written while it ran count towards the next one
      await j.append(4, 4, payload(4, 1));
      expect(running).toHaveLength(2);
      running[1]!.release();
      await j.close();
      const again = new FileJournal({ dir, name: 'ev', fsync: 'none' });
      expect([...again.frames()].map((f) => f.firstSeq)).toEqual([1, 2, 3, 4]);
      await again.close();
    });

    it('closes a segment rotated away under a running sync only when that sync returns, and close waits for it', async () => {
      const { io, running, closed } = heldIo();
      const j = new FileJournal({
        dir: tmpDir(),
        name: 'ev',
        fsync: 'none',
        writeBehindBytes: 10,
        syncIo: io,
      });
      await j.append(1, 1, payload(1));
      expect(running).toHaveLength(1);
      const first = running[0]!.fd;
      j.rotate();
      expect(closed).toEqual([]);
      running[0]!.release();
      await settle();
      expect(closed).toEqual([first]);
      await j.append(2, 2, payload(2));
      expect(running).toHaveLength(2);
      let isClosed = false;
      const closing = j.close().then(() => (isClosed = true));
      await settle();
      expect(isClosed).toBe(false);
      running[1]!.release();
      await closing;
      expect(closed).toEqual([first, running[1]!.fd]);
    });

    it('does nothing when the journal syncs its batches', async () => {
      const { io, running } = heldIo();
      const j = new FileJournal({
        dir: tmpDir(),
        name: 'cmd',
        fsync: 'batch',
        syncThread: 'pool',
        writeBehindBytes: 10,
        syncIo: io,
      });
      const appended = j.append(1, 1, payload(1));
      expect(running).toHaveLength(1); // the group commit itself
      running[0]!.release();
      await appended;
      await j.close();
      expect(running).toHaveLength(1);
    });
  });

  describe('syncStats', () => {
    /** A clock that only the syncs move: each takes the next of `micros`. */
    function timedIo(micros: number[]) {
      let nowMs = 1_000;
      const take = () => (nowMs += micros.shift()! / 1000);
      const io: SyncIo = {
        fdatasync: (fd, done) =>
          fs.fdatasync(fd, (err) => {
            take();
            done(err);
          }),
        fdatasyncSync: (fd) => {
          fs.fdatasyncSync(fd);
          take();
        },
        closeSync: (fd) => fs.closeSync(fd),
      };
      return { io, nowMs: () => nowMs };
    }
    const frameBytes = (payloadBytes: number) => FRAME_HEADER_BYTES + payloadBytes;
    /** A synced journal whose syncs take `micros` in turn, by its clock. */
    function timedJournal(syncThread: 'caller' | 'pool', micros: number[]): FileJournal {
      const { io, nowMs } = timedIo(micros);
      return new FileJournal({ dir: tmpDir(), name: 'cmd', fsync: 'batch', syncThread, syncIo: io, nowMs });
    }

    it('counts each group commit on the caller with the frames and bytes it made durable and how long it took', async () => {
      const j = timedJournal('caller', [250, 4_000]);
      await Promise.all([j.append(1, 1, payload(1, 10)), j.append(2, 3, payload(2, 30))]);
      expect(j.syncStats()).toEqual({
        syncs: 1,
        frames: 2,
        bytes: frameBytes(10) + frameBytes(30),
        totalMicros: 250,
        maxMicros: 250,
        buckets: [[255, 1]],
      });
      await j.append(4, 4, payload(4, 5));
      // a flush with nothing new to sync is no sync
      await j.flush();
      const s = j.syncStats();
      expect(s).toMatchObject({ syncs: 2, frames: 3, totalMicros: 4_250, maxMicros: 4_000 });
      expect(s.bytes).toBe(frameBytes(10) + frameBytes(30) + frameBytes(5));
      expect(syncQuantile(s, 0.5)).toBe(255);
      expect(syncQuantile(s, 0.99)).toBe(4_095);
      await j.close();
    });

    it('counts group commits on the pool the same way', async () => {
      const j = timedJournal('pool', [900, 900, 900]);
      // the first sync starts with the first append; the two after it wait and share the next
      await Promise.all([j.append(1, 1, payload(1)), j.append(2, 2, payload(2)), j.append(3, 3, payload(3))]);
      const s = j.syncStats();
      expect(s).toMatchObject({ syncs: 2, frames: 3, bytes: 3 * frameBytes(20), totalMicros: 1_800 });
      expect(s.buckets).toEqual([[927, 2]]);
      await j.close();
    });

    it('does not count a failed sync', async () => {
      const io: SyncIo = {
        fdatasync: () => undefined,
        fdatasyncSync: () => {
          throw new Error('EIO: i/o error');
        },
        closeSync: (fd) => fs.closeSync(fd),
      };
      const j = new FileJournal({
        dir: tmpDir(),
        name: 'cmd',
        fsync: 'batch',
        syncThread: 'caller',
        syncIo: io,
      });
      await expect(j.append(1, 1, payload(1))).rejects.toThrow('fdatasync failed');
      expect(j.syncStats().syncs).toBe(0);
      await j.close();
    });
  });
});
