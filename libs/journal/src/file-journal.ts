import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeFrame, scanFrame } from './frame';
import { SyncRecorder, type SyncStats } from './sync-stats';

export type FsyncPolicy = 'batch' | 'none';

/**
 * Which thread waits for a group commit's fdatasync.
 * - 'pool': libuv's thread pool; the caller's thread goes on meanwhile, and the sync's end comes back
 *   to it as an event. At most one runs at a time; it covers every frame written before it began.
 * - 'caller': the appending thread itself, once its current run of code has finished (a microtask):
 *   the frames appended in that run share one fdatasync, and their promises resolve right after it.
 *   No hand-off to another thread and back, at the price of the thread being blocked for the sync.
 *   Meant for a caller that groups its appends per turn of the event loop, as the engine does.
 */
export type SyncThread = 'pool' | 'caller';

export interface FileJournalOptions {
  /** Folder of the journal's segment files (created if missing). */
  dir: string;
  /** File name prefix, e.g. "commands". */
  name: string;
  /** 'batch': group commit, one fdatasync covers every frame written before it; 'none': leave it to the OS. */
  fsync: FsyncPolicy;
  /** Which thread waits for the fdatasync of a group commit ('pool' by default). */
  syncThread?: SyncThread;
  /**
   * Keep this many bytes of the current segment zero-filled ahead of the frames (0, the default:
   * frames are appended and grow the file). A frame written over allocated zeros changes no file
   * metadata, so its fdatasync flushes only data; the file grows by a 64 KiB slice at a time, on an
   * append that finds less than this ahead, so only one sync in many pays for a growth.
   */
  preallocateBytes?: number;
  /**
   * fsync 'none' only: each time this many bytes have been written since the last one, start an
   * fdatasync on libuv's pool in the background (at most one at a time; appends never wait for it).
   * The file's pages then go to disk a little at a time, instead of being left to the kernel, which
   * writes them out in bursts once they are 30 s old: a burst of a busy log's pages fills the disk's
   * queue, and another journal's group commit (the command journal's) waits behind it.
   */
  writeBehindBytes?: number;
  /** Start a new segment once the current one is this large. */
  segmentBytes?: number;
  /** The sync and close calls (node:fs by default): a seam for simulating a slow or failing disk. */
  syncIo?: SyncIo;
  /** A monotonic clock in milliseconds that times the syncs for `syncStats` (performance.now by default). */
  nowMs?: () => number;
}

/** The file calls group commit depends on for ordering and durability. */
export interface SyncIo {
  fdatasync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  closeSync(fd: number): void;
}

export class JournalCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`journal ${file} is corrupt at byte ${offset}: ${reason}`);
  }
}

export interface RecoveryReport {
  segments: number;
  frames: number;
  lastSeq: number;
  /** A torn last frame that was cut off, if any. */
  truncated?: { file: string; offset: number; bytes: number; reason: string };
}

interface Segment {
  file: string;
  firstSeq: number;
  /** Where its frames ended when the journal was opened (zeros may follow); unset for new segments. */
  framesEnd?: number;
}

const SEGMENT_RE = /^(.+)-(\d{16})\.journal$/;
/** How much a preallocating journal grows its segment at a time. */
const PREALLOCATE_SLICE = 64 * 1024;
const ZEROS = new Uint8Array(PREALLOCATE_SLICE);

/**
 * An append-only journal of frames in segment files. Appends are written at once (to the page
 * cache) and made durable by group commit: at most one fdatasync runs at a time, and it covers
 * every frame written before it started, so throughput does not pay one sync per frame. The sync
 * runs on libuv's pool or on the appending thread (`syncThread`).
 * Opening a journal verifies every frame; a torn last frame is cut off and reported, a damaged
 * frame anywhere else stops the open with JournalCorruptError.
 */
export class FileJournal {
  lastSeq = 0;
  readonly recovery: RecoveryReport;
  private segments: Segment[] = [];
  private fd = -1;
  /** Bytes of frames in the current segment: where the next frame goes. */
  private size = 0;
  /** Length of the current segment's file (frames, then zeros when preallocating). */
  private allocated = 0;
  private readonly segmentBytes: number;
  private written = 0; // frames written
  private synced = 0; // frames known durable
  private writtenBytes = 0; // bytes of the frames written
  private syncedBytes = 0; // bytes of the frames known durable
  private readonly syncs = new SyncRecorder();
  private readonly nowMs: () => number;
  private syncing = false;
  private waiters: { frame: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Descriptors of rotated segments that the next sync covers and then closes. */
  private retired: number[] = [];
  /** Settles when the running sync (if any) has returned. */
  private syncRunning: Promise<void> = Promise.resolve();
  /** writeBehindBytes: bytes written since the last background sync began, and that sync while it runs. */
  private behindBytes = 0;
  private behind: { fd: number; closeAfter: boolean; done: Promise<void> } | undefined;
  /** syncThread 'caller': a sync is queued for the end of the current run of code. */
  private syncQueued = false;
  private readonly io: SyncIo;
  private failure: Error | null = null;

  constructor(private readonly options: FileJournalOptions) {
    this.segmentBytes = options.segmentBytes ?? 256 * 1024 * 1024;
    this.io = options.syncIo ?? fs;
    this.nowMs = options.nowMs ?? (() => performance.now());
    fs.mkdirSync(options.dir, { recursive: true });
    this.recovery = this.recover();
    if (this.segments.length === 0) this.startSegment(this.lastSeq + 1);
    else this.openForAppend(this.segments[this.segments.length - 1]!);
  }

  /** Appends a frame of records covering [firstSeq, lastSeq]; returns a promise that resolves when it is durable. */
  append(firstSeq: number, lastSeq: number, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.fd < 0) throw new Error(`journal ${this.options.name} is closed`);
    if (!(firstSeq > this.lastSeq && lastSeq >= firstSeq)) {
      throw new RangeError(
        `journal ${this.options.name}: frame [${firstSeq}, ${lastSeq}] does not follow seq ${this.lastSeq}`,
      );
    }
    if (this.size >= this.segmentBytes) this.rotate(firstSeq);
    const frame = encodeFrame(firstSeq, lastSeq, payload);
    let off = 0;
    while (off < frame.length) off += fs.writeSync(this.fd, frame, off, frame.length - off, this.size + off);
    this.size += frame.length;
    this.writtenBytes += frame.length;
    this.allocated = Math.max(this.allocated, this.size);
    this.preallocate();
    this.lastSeq = lastSeq;
    const n = ++this.written;
    if (this.options.fsync === 'none') {
      this.behindBytes += frame.length;
      this.writeBehind();
      return Promise.resolve();
    }
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ frame: n, resolve, reject }));
    this.kickSync();
    return p;
  }

  /**
   * The group commits so far: how many, the frames and bytes they made durable, and a histogram of
   * how long each took (from its start to its return on the thread that waits for it).
   */
  syncStats(): SyncStats {
    return this.syncs.stats();
  }

  /** Whether appends are synced on the appending thread ('caller') rather than libuv's pool. */
  private get onCaller(): boolean {
    return this.options.syncThread === 'caller';
  }

  /** Resolves when everything written so far is durable. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.options.fsync === 'none' || this.synced === this.written) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) =>
      this.waiters.push({ frame: this.written, resolve, reject }),
    );
    if (this.onCaller) this.syncOnCaller();
    else this.kickSync();
    return p;
  }

  /** Visits the frames that hold seqs above `afterSeq`, oldest first. */
  *frames(afterSeq = 0): Generator<{ firstSeq: number; lastSeq: number; payload: Uint8Array }> {
    for (let i = 0; i < this.segments.length; i++) {
      const next = this.segments[i + 1];
      if (next !== undefined && next.firstSeq <= afterSeq + 1) continue;
      const bytes = fs.readFileSync(this.segments[i]!.file);
      for (let off = 0; ;) {
        const s = scanFrame(bytes, off);
        if (s.kind !== 'frame') break;
        if (s.lastSeq > afterSeq) yield s;
        off = s.end;
      }
    }
  }

  /** Starts a new segment (e.g. after a snapshot), so older segments can later be deleted whole. */
  rotate(nextSeq = this.lastSeq + 1): void {
    if (this.fd < 0) throw new Error(`journal ${this.options.name} is closed`);
    if (this.size === 0) return;
    this.retire();
    this.startSegment(nextSeq);
  }

  /** Deletes segments whose every seq is at or below `seq` (covered by a snapshot). */
  prune(seq: number): number {
    let removed = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstSeq <= seq + 1) {
      fs.rmSync(this.segments.shift()!.file, { force: true });
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    try {
      // a journal that failed has nothing more to make durable (the failure was reported)
      if (this.failure === null) await this.flush();
    } finally {
      // a sync may start another as it returns (for a rotated segment): close only once none runs
      while (this.syncing) await this.syncRunning;
      if (this.behind !== undefined) await this.behind.done;
      for (const fd of this.retired.splice(0)) this.io.closeSync(fd);
      if (this.fd >= 0) this.io.closeSync(this.fd);
      this.fd = -1;
    }
  }

  /**
   * Lets go of the current segment's file. Its descriptor closes now if nothing written to it waits
   * for a sync and no sync runs on it; otherwise the next sync covers it with the new segment and
   * closes it when it returns (closing it under a running fdatasync could fail that sync or, once
   * the number is reused, sync another file). The engine's thread never waits for the disk here.
   */
  private retire(): void {
    if (this.behind?.fd === this.fd) this.behind.closeAfter = true;
    else if (this.options.fsync === 'none' || (this.synced === this.written && !this.syncing))
      this.io.closeSync(this.fd);
    else this.retired.push(this.fd);
  }

  /**
   * writeBehindBytes: starts a background fdatasync of the current segment once that many bytes
   * were written since the last one began, unless one still runs. Its outcome is not reported: with
   * fsync 'none' the journal promises nothing about durability. A segment rotated away while it
   * runs is closed when it returns.
   */
  private writeBehind(): void {
    const every = this.options.writeBehindBytes ?? 0;
    if (every <= 0 || this.behindBytes < every || this.behind !== undefined) return;
    this.behindBytes = 0;
    const behind = { fd: this.fd, closeAfter: false, done: Promise.resolve() };
    this.behind = behind;
    behind.done = new Promise((resolve) =>
      this.io.fdatasync(behind.fd, () => {
        if (behind.closeAfter) this.io.closeSync(behind.fd);
        this.behind = undefined;
        resolve();
      }),
    );
  }

  /** Starts a group commit of what was written: on the pool now, or on this thread once its current run of code ends. */
  private kickSync(): void {
    if (!this.onCaller) return this.syncOnPool();
    if (this.syncQueued || this.failure !== null) return;
    this.syncQueued = true;
    queueMicrotask(() => this.syncOnCaller());
  }

  /**
   * One group commit on libuv's pool: fdatasync of the current segment and of every segment rotated
   * away since the last one (each may hold frames written after the last sync began), all at once;
   * the frames written before it began are durable when all have returned, and those rotated
   * segments close.
   */
  private syncOnPool(): void {
    if (this.syncing || this.failure) return;
    this.syncing = true;
    const target = this.written;
    const targetBytes = this.writtenBytes;
    const started = this.nowMs();
    const retired = this.retired.splice(0);
    const fds = [...retired, this.fd];
    let left = fds.length;
    let error: Error | null = null;
    this.syncRunning = new Promise((done) => {
      for (const fd of fds) {
        this.io.fdatasync(fd, (err) => {
          error ??= err;
          if (--left > 0) return;
          this.syncing = false;
          for (const r of retired) this.io.closeSync(r);
          done();
          if (error !== null) return this.fail(error);
          this.settled(target, targetBytes, started);
          if (this.waiters.length > 0 || this.retired.length > 0) this.kickSync();
        });
      }
    });
  }

  /**
   * syncThread 'caller': one group commit on this thread, blocking it for the fdatasync of the
   * current segment and of any rotated away since the last one (then closed).
   */
  private syncOnCaller(): void {
    this.syncQueued = false;
    if (this.failure !== null || this.synced === this.written) return;
    const target = this.written;
    const targetBytes = this.writtenBytes;
    const started = this.nowMs();
    try {
      for (const fd of this.retired) this.io.fdatasyncSync(fd);
      if (this.fd >= 0) this.io.fdatasyncSync(this.fd);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const fd of this.retired.splice(0)) this.io.closeSync(fd);
    this.settled(target, targetBytes, started);
  }

  /**
   * A sync that began at `started` returned: it is counted, and the frames up to `frame` (`bytes`
   * written in all) are durable, so their appends resolve.
   */
  private settled(frame: number, bytes: number, started: number): void {
    if (frame > this.synced) {
      this.syncs.record((this.nowMs() - started) * 1000, frame - this.synced, bytes - this.syncedBytes);
      this.syncedBytes = bytes;
      this.synced = frame;
    }
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.frame <= this.synced) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** A failed sync: nothing written since the last good one is known durable, so every append from now on fails. */
  private fail(err: Error): void {
    this.failure ??= new Error(`journal ${this.options.name}: fdatasync failed: ${err.message}`);
    for (const w of this.waiters) w.reject(this.failure);
    this.waiters = [];
  }

  /** Zero-fills one more slice past the frames when less than preallocateBytes is left ahead. */
  private preallocate(): void {
    const ahead = this.options.preallocateBytes ?? 0;
    if (ahead <= 0 || this.allocated - this.size >= ahead) return;
    let off = 0;
    while (off < PREALLOCATE_SLICE)
      off += fs.writeSync(this.fd, ZEROS, off, PREALLOCATE_SLICE - off, this.allocated + off);
    this.allocated += PREALLOCATE_SLICE;
  }

  private startSegment(firstSeq: number): void {
    const file = path.join(
      this.options.dir,
      `${this.options.name}-${String(firstSeq).padStart(16, '0')}.journal`,
    );
    this.fd = fs.openSync(file, 'wx+');
    this.size = 0;
    this.allocated = 0;
    this.segments.push({ file, firstSeq });
    syncDir(this.options.dir);
  }

  /** Opens the newest segment to write after its last intact frame (the recovery scan found where). */
  private openForAppend(segment: Segment): void {
    this.fd = fs.openSync(segment.file, 'r+');
    this.size = segment.framesEnd!;
    this.allocated = fs.fstatSync(this.fd).size;
  }

  private recover(): RecoveryReport {
    const report: RecoveryReport = { segments: 0, frames: 0, lastSeq: 0 };
    const files = fs
      .readdirSync(this.options.dir)
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === this.options.name)
      .map((m) => ({ file: path.join(this.options.dir, m[0]), firstSeq: Number(m[2]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
    for (let i = 0; i < files.length; i++) {
      const seg = files[i]!;
      // a segment named for seq N follows seq N-1, even when earlier segments were pruned
      this.lastSeq = Math.max(this.lastSeq, seg.firstSeq - 1);
      const bytes = fs.readFileSync(seg.file);
      let off = 0;
      for (;;) {
        const s = scanFrame(bytes, off);
        if (s.kind === 'end') break;
        if (s.kind === 'frame') {
          if (s.firstSeq <= this.lastSeq)
            throw new JournalCorruptError(seg.file, off, `seq ${s.firstSeq} does not follow ${this.lastSeq}`);
          this.lastSeq = s.lastSeq;
          report.frames++;
          off = s.end;
          continue;
        }
        if (s.kind === 'torn' && i === files.length - 1) {
          fs.truncateSync(seg.file, off);
          report.truncated = { file: seg.file, offset: off, bytes: bytes.length - off, reason: s.reason };
          break;
        }
        throw new JournalCorruptError(seg.file, off, s.reason);
      }
      this.segments.push({ ...seg, framesEnd: off });
    }
    report.segments = this.segments.length;
    report.lastSeq = this.lastSeq;
    return report;
  }
}

export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
