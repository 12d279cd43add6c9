import { COMPUTE_CLASSES, fromMinor } from '@exchange/domain';
import type { IndexPriceView } from '@exchange/client';
import type { IndexRoundRow, ReadModels } from '../ports/exchange-gateway';

/** The oracle's indices: one per compute class and the composite CU index. */
export const INDEX_IDS: readonly string[] = [...COMPUTE_CLASSES.map((c) => c.id), 'CU'];

/** How often the newest rounds are read while someone follows an index channel. */
export const INDEX_POLL_MS = 1000;

const usdc = (micros: number) => fromMinor(BigInt(micros));

/** A stored round as the API shows it (micro-USDC to exact decimal strings). */
export function indexView(row: IndexRoundRow): IndexPriceView {
  const r = row.round;
  return {
    index: r.indexId,
    price: usdc(r.priceMicros),
    low: usdc(r.lowMicros),
    high: usdc(r.highMicros),
    utilisationBps: r.utilisationBps,
    providers: r.providers,
    roundId: r.roundId,
    publishedAtMs: r.publishedAtMs,
    signature: row.signature,
  };
}

/**
 * The newest published round of each index, read from the oracle's `index_prices` (in both
 * deployments the oracle stores every round there when it publishes it).
 */
export class IndexFeed {
  private readonly latest = new Map<string, IndexPriceView>();

  constructor(private readonly reads: ReadModels) {}

  cached(indexId: string): IndexPriceView | undefined {
    return this.latest.get(indexId);
  }

  /** Reads the newest rounds of these indices; answers the ones newer than those seen before. */
  async refresh(indexIds: readonly string[]): Promise<IndexPriceView[]> {
    if (indexIds.length === 0) return [];
    const fresh: IndexPriceView[] = [];
    for (const row of await this.reads.latestIndexRounds(indexIds)) {
      const v = indexView(row);
      const known = this.latest.get(v.index);
      if (known !== undefined && known.publishedAtMs >= v.publishedAtMs) continue;
      this.latest.set(v.index, v);
      fresh.push(v);
    }
    return fresh;
  }
}
