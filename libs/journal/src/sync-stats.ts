/**
 * How a journal's group commits went: how many, what they covered and how long each took, as a
 * histogram of durations. Counts only grow, so the difference of two readings (`statsBetween`) is
 * the window between them: that is how a benchmark or a monitor gets the figures of one period.
 */
export interface SyncStats {
  /** Group commits that returned having made frames durable (a failed one is not counted). */
  syncs: number;
  /** Frames the syncs made durable. */
  frames: number;
  /** Bytes of those frames. */
  bytes: number;
  /** Time spent in the syncs, summed (µs). */
  totalMicros: number;
  /** The longest sync (µs); in a window, the upper bound of its longest sync's bucket. */
  maxMicros: number;
  /**
   * The non-empty buckets, ascending: [upper bound in µs (inclusive), syncs]. A bucket is at most
   * 1/16 as wide as its lower bound, so a quantile read from them is within about 6%.
   */
  buckets: [number, number][];
}

/** Sub-buckets per power of two, and the durations below the first power that get a bucket each. */
const SUB = 16;
const LOG2_SUB = 4;
/** Durations are capped at 2^30 µs (about 18 minutes). */
const MAX_MICROS = 2 ** 30 - 1;
const BUCKETS = SUB + (30 - LOG2_SUB) * SUB;

/** A duration as the histogram takes it: whole µs, 0 to MAX_MICROS. */
const clamp = (micros: number) => Math.min(MAX_MICROS, Math.max(0, Math.round(micros)));

function bucketOf(v: number): number {
  if (v < SUB) return v;
  const e = 31 - Math.clz32(v) - LOG2_SUB; // v >> e is in [SUB, 2 * SUB)
  return SUB + e * SUB + ((v >>> e) - SUB);
}

/** The largest duration (µs) that falls in bucket `i`. */
function upperOf(i: number): number {
  if (i < SUB) return i;
  const e = Math.floor((i - SUB) / SUB);
  const sub = (i - SUB) % SUB;
  return (SUB + sub + 1) * 2 ** e - 1;
}

/** The running counts a journal keeps. */
export class SyncRecorder {
  private readonly counts: number[] = new Array<number>(BUCKETS).fill(0);
  private syncs = 0;
  private frames = 0;
  private bytes = 0;
  private totalMicros = 0;
  private maxMicros = 0;

  record(micros: number, frames: number, bytes: number): void {
    const v = clamp(micros);
    this.counts[bucketOf(v)]!++;
    this.syncs++;
    this.frames += frames;
    this.bytes += bytes;
    this.totalMicros += v;
    this.maxMicros = Math.max(this.maxMicros, v);
  }

  stats(): SyncStats {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) buckets.push([upperOf(i), this.counts[i]!]);
    return {
      syncs: this.syncs,
      frames: this.frames,
      bytes: this.bytes,
      totalMicros: this.totalMicros,
      maxMicros: this.maxMicros,
      buckets,
    };
  }
}

/**
 * The duration (µs) that a fraction `q` (0 < q <= 1) of the syncs took at most: the upper bound of
 * the bucket that holds the sync of that rank. 0 when there were none.
 */
export function syncQuantile(stats: SyncStats, q: number): number {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in (0, 1]`);
  if (stats.syncs === 0) return 0;
  const rank = Math.ceil(q * stats.syncs);
  let seen = 0;
  for (const [upper, n] of stats.buckets) {
    seen += n;
    if (seen >= rank) return upper;
  }
  return stats.buckets[stats.buckets.length - 1]![0];
}

/** What happened between two readings of one journal (`before` taken first). */
export function statsBetween(before: SyncStats, after: SyncStats): SyncStats {
  if (after.syncs < before.syncs) throw new RangeError('the readings are not of one journal, in order');
  const earlier = new Map(before.buckets);
  const buckets: [number, number][] = [];
  for (const [upper, n] of after.buckets) {
    const d = n - (earlier.get(upper) ?? 0);
    if (d > 0) buckets.push([upper, d]);
  }
  return {
    syncs: after.syncs - before.syncs,
    frames: after.frames - before.frames,
    bytes: after.bytes - before.bytes,
    totalMicros: after.totalMicros - before.totalMicros,
    maxMicros: buckets.length === 0 ? 0 : buckets[buckets.length - 1]![0],
    buckets,
  };
}
