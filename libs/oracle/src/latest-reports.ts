import { COMPUTE_CLASSES } from '@exchange/domain';
import type { ProviderReport } from './report';

const CLASS_IDS: readonly string[] = COMPUTE_CLASSES.map((c) => c.id);
const CLASS_SUITES = COMPUTE_CLASSES.map((c) => c.benchmarkSuite);
/** Distinct provider ids remembered between calls before the numbering starts afresh. */
const MAX_REMEMBERED_PROVIDERS = 1 << 16;

/** Index of a compute class in COMPUTE_CLASSES, or -1 (a scan of a few ids beats hashing). */
export function classIndexOf(id: string): number {
  for (let k = 0; k < CLASS_IDS.length; k++) if (CLASS_IDS[k] === id) return k;
  return -1;
}

/**
 * The latest report per provider/cluster among accepted reports, for two windows at once: fresh
 * (observed within `freshnessMs`, by observation time) and benchmark (measured within the window
 * with the class's suite, by measurement time); later in the list wins ties. One pass and one
 * provider lookup per report; the buffers and the providers' numbering are reused from call to
 * call (the core is synchronous, so one instance per thread serves every computation).
 *
 * Order, as a per-provider map of per-cluster lists would give it: providers in order of their
 * first accepted report, and a provider's clusters in order of their first accepted report, each
 * window on its own. Read it as: for a = 0..freshProviderCount-1, p = freshProviders[a], for
 * s = freshHead[p], then freshNext[s] until -1: freshReport[s] (likewise bench*).
 */
export class LatestReports {
  /** Provider number -> id; numbers stay valid across calls until the numbering restarts. */
  providerIds: string[] = [];
  /** Numbers in use: every provider number is below it. */
  providerCount = 0;
  /** Compute class index of freshReport[s] / benchReport[s]. */
  freshClass = new Int32Array(0);
  benchClass = new Int32Array(0);
  freshProviders = new Int32Array(0);
  freshProviderCount = 0;
  freshHead = new Int32Array(0);
  freshNext = new Int32Array(0);
  freshReport: (ProviderReport | undefined)[] = [];
  benchProviders = new Int32Array(0);
  benchProviderCount = 0;
  benchHead = new Int32Array(0);
  benchNext = new Int32Array(0);
  benchReport: (ProviderReport | undefined)[] = [];
  private freshTail = new Int32Array(0);
  private benchTail = new Int32Array(0);
  private slotHead = new Int32Array(0);
  private slotNext = new Int32Array(0);
  private slotCluster: string[] = [];
  private slotCount = 0;
  private capacity = 0;
  private readonly providerNumbers = new Map<string, number>();
  /** A provider's per-call state is valid when its stamp equals the call's. */
  private providerStamp = new Int32Array(0);
  private stamp = 0;

  /** Collects `reports`; a window of -1 ms is skipped. Call release() when done with the result. */
  collect(
    reports: readonly ProviderReport[],
    nowMs: number,
    freshnessMs: number,
    benchmarkWindowMs: number,
  ): void {
    this.startCall(reports.length);
    this.slotCount = 0;
    this.freshProviderCount = 0;
    this.benchProviderCount = 0;
    for (const r of reports) {
      const observedAtMs = r.observedAtMs;
      const fresh = freshnessMs >= 0 && observedAtMs <= nowMs && nowMs - observedAtMs <= freshnessMs;
      const measuredAtMs = r.benchmarkMeasuredAtMs;
      const k = classIndexOf(r.computeClass);
      const bench =
        benchmarkWindowMs >= 0 &&
        !(nowMs - measuredAtMs > benchmarkWindowMs || measuredAtMs > nowMs) &&
        k >= 0 &&
        r.benchmarkSuite === CLASS_SUITES[k];
      if (!fresh && !bench) continue;
      const p = this.providerOf(r.providerId);
      const s = this.slotOf(p, r.clusterId);
      if (fresh) {
        const current = this.freshReport[s];
        if (current === undefined || observedAtMs >= current.observedAtMs) {
          if (current === undefined) this.appendFresh(p, s);
          this.freshReport[s] = r;
          this.freshClass[s] = k;
        }
      }
      if (bench) {
        const current = this.benchReport[s];
        if (current === undefined || measuredAtMs >= current.benchmarkMeasuredAtMs) {
          if (current === undefined) this.appendBench(p, s);
          this.benchReport[s] = r;
          this.benchClass[s] = k;
        }
      }
    }
  }

  /** Drops the references to the last call's reports. */
  release(): void {
    this.freshReport.fill(undefined, 0, this.slotCount);
    this.benchReport.fill(undefined, 0, this.slotCount);
  }

  private startCall(reports: number): void {
    if (this.providerNumbers.size > MAX_REMEMBERED_PROVIDERS) {
      this.providerNumbers.clear();
      this.providerCount = 0;
    }
    if (++this.stamp > 0x3fffffff) {
      this.providerStamp.fill(0);
      this.stamp = 1;
    }
    if (reports <= this.capacity) return;
    // per slot and per-call provider lists: at most one entry per report
    const n = Math.max(reports, 2 * this.capacity, 64);
    this.capacity = n;
    for (const key of [
      'freshProviders',
      'freshNext',
      'freshClass',
      'benchProviders',
      'benchNext',
      'benchClass',
    ] as const)
      this[key] = new Int32Array(n);
    this.slotNext = new Int32Array(n);
  }

  /** Per-provider buffers sized for provider numbers below n, contents kept. */
  private growProviders(n: number): void {
    if (n <= this.slotHead.length) return;
    const size = Math.max(n, 2 * this.slotHead.length, 64);
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.slotHead = grow(this.slotHead);
    this.freshHead = grow(this.freshHead);
    this.benchHead = grow(this.benchHead);
    this.freshTail = grow(this.freshTail);
    this.benchTail = grow(this.benchTail);
    this.providerStamp = grow(this.providerStamp);
  }

  /** The provider's number, its per-call state reset on its first report of the call. */
  private providerOf(providerId: string): number {
    let p = this.providerNumbers.get(providerId);
    if (p === undefined) {
      p = this.providerCount++;
      this.growProviders(this.providerCount);
      this.providerNumbers.set(providerId, p);
      this.providerIds[p] = providerId;
    }
    if (this.providerStamp[p] !== this.stamp) {
      this.providerStamp[p] = this.stamp;
      this.slotHead[p] = -1;
      this.freshHead[p] = -1;
      this.benchHead[p] = -1;
    }
    return p;
  }

  /** The provider's slot for a cluster, added at the end of its list when new. */
  private slotOf(p: number, clusterId: string): number {
    let s = this.slotHead[p]!;
    let previous = -1;
    while (s >= 0 && this.slotCluster[s] !== clusterId) {
      previous = s;
      s = this.slotNext[s]!;
    }
    if (s >= 0) return s;
    s = this.slotCount++;
    this.slotCluster[s] = clusterId;
    this.slotNext[s] = -1;
    this.freshReport[s] = undefined;
    this.benchReport[s] = undefined;
    if (previous < 0) this.slotHead[p] = s;
    else this.slotNext[previous] = s;
    return s;
  }

  private appendFresh(p: number, s: number): void {
    this.freshNext[s] = -1;
    if (this.freshHead[p]! < 0) {
      this.freshHead[p] = s;
      this.freshProviders[this.freshProviderCount++] = p;
    } else this.freshNext[this.freshTail[p]!] = s;
    this.freshTail[p] = s;
  }

  private appendBench(p: number, s: number): void {
    this.benchNext[s] = -1;
    if (this.benchHead[p]! < 0) {
      this.benchHead[p] = s;
      this.benchProviders[this.benchProviderCount++] = p;
    } else this.benchNext[this.benchTail[p]!] = s;
    this.benchTail[p] = s;
  }
}
