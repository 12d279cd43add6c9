import type { IndexConfig, ProviderReport } from '@exchange/oracle';

/**
 * The accepted reports the index is computed from, in log order, with two bookkeeping rules that
 * never change what computeIndex returns at any time from the last prune on:
 * - a report whose nonce is not above its provider's last applied nonce is a redelivery or a replay
 *   and is not added (the same rule the validator applies at ingestion);
 * - prune(nowMs) drops a report that no later selection can choose: computeIndex takes, per
 *   provider/cluster, the latest fresh report and the latest benchmark within the window; a report
 *   is dropped when it is outside both windows, or when a later report of the same cluster, class and
 *   suite, not in the future, is at least as recent in both times (it wins every selection the older
 *   one could win). A property test checks the equality against computeIndex on the full stream.
 */
export class ReportWindow {
  private readonly clusters = new Map<string, ProviderReport[]>();
  private readonly nonces = new Map<string, number>();
  private held = 0;

  /** Adds an accepted report; false (and nothing changes) when its nonce is not new. */
  add(report: ProviderReport): boolean {
    const last = this.nonces.get(report.providerId);
    if (last !== undefined && report.nonce <= last) return false;
    this.nonces.set(report.providerId, report.nonce);
    const key = `${report.providerId}\u0000${report.clusterId}`;
    const list = this.clusters.get(key);
    if (list === undefined) this.clusters.set(key, [report]);
    else list.push(report);
    this.held++;
    return true;
  }

  lastNonce(providerId: string): number | undefined {
    return this.nonces.get(providerId);
  }

  /** Every held report; a cluster's reports in log order. */
  reports(): ProviderReport[] {
    const out: ProviderReport[] = [];
    for (const list of this.clusters.values()) for (const r of list) out.push(r);
    return out;
  }

  get size(): number {
    return this.held;
  }

  /** Drops reports that cannot matter at nowMs or later; returns how many. */
  prune(nowMs: number, config: IndexConfig): number {
    let dropped = 0;
    for (const [key, list] of this.clusters) {
      const kept = list.filter((r, i) => {
        const outside =
          nowMs - r.observedAtMs > config.freshnessMs &&
          nowMs - r.benchmarkMeasuredAtMs > config.benchmarkWindowMs;
        return !outside && !dominatedLater(list, i, nowMs);
      });
      dropped += list.length - kept.length;
      if (kept.length === 0) this.clusters.delete(key);
      else if (kept.length < list.length) this.clusters.set(key, kept);
    }
    this.held -= dropped;
    return dropped;
  }
}

function dominatedLater(list: readonly ProviderReport[], i: number, nowMs: number): boolean {
  const r = list[i]!;
  for (let j = i + 1; j < list.length; j++) {
    const s = list[j]!;
    if (
      s.observedAtMs >= r.observedAtMs &&
      s.benchmarkMeasuredAtMs >= r.benchmarkMeasuredAtMs &&
      s.observedAtMs <= nowMs &&
      s.benchmarkMeasuredAtMs <= nowMs &&
      s.computeClass === r.computeClass &&
      s.benchmarkSuite === r.benchmarkSuite
    )
      return true;
  }
  return false;
}
