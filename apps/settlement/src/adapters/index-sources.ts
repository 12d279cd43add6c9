import type { Database } from '@exchange/persistence';
import type { IndexPoint, IndexSource } from '../ports/ports';

interface Row {
  published_at_ms: string;
  price_micros: number;
}

/** The oracle's published rounds in PostgreSQL's index_prices (the round's priceMicros, exact). */
export class PgIndexSource implements IndexSource {
  constructor(private readonly db: Database) {}

  async points(indexId: string, fromMs: number, toMs: number): Promise<IndexPoint[]> {
    const rows = (await this.db.dataSource.query(
      `SELECT published_at_ms, (round->>'priceMicros')::bigint AS price_micros FROM index_prices
       WHERE index_id = $1 AND round IS NOT NULL AND published_at_ms >= $2 AND published_at_ms <= $3
       ORDER BY published_at_ms`,
      [indexId, fromMs, toMs],
    )) as Row[];
    return rows.map(toPoint);
  }

  async latest(indexId: string, atMs: number): Promise<IndexPoint | undefined> {
    const rows = (await this.db.dataSource.query(
      `SELECT published_at_ms, (round->>'priceMicros')::bigint AS price_micros FROM index_prices
       WHERE index_id = $1 AND round IS NOT NULL AND published_at_ms <= $2
       ORDER BY published_at_ms DESC LIMIT 1`,
      [indexId, atMs],
    )) as Row[];
    return rows[0] === undefined ? undefined : toPoint(rows[0]);
  }
}

function toPoint(r: Row): IndexPoint {
  return { tsMs: Number(r.published_at_ms), priceMicros: Number(r.price_micros) };
}

/** Index rounds held in memory (tests, and runs without a database). */
export class MemoryIndexSource implements IndexSource {
  private readonly byIndex = new Map<string, IndexPoint[]>();

  add(indexId: string, tsMs: number, priceMicros: number): void {
    const list = this.byIndex.get(indexId) ?? [];
    list.push({ tsMs, priceMicros });
    list.sort((a, b) => a.tsMs - b.tsMs);
    this.byIndex.set(indexId, list);
  }

  points(indexId: string, fromMs: number, toMs: number): Promise<IndexPoint[]> {
    return Promise.resolve(
      (this.byIndex.get(indexId) ?? []).filter((p) => p.tsMs >= fromMs && p.tsMs <= toMs),
    );
  }

  latest(indexId: string, atMs: number): Promise<IndexPoint | undefined> {
    return Promise.resolve((this.byIndex.get(indexId) ?? []).filter((p) => p.tsMs <= atMs).at(-1));
  }
}
