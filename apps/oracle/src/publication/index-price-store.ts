import type { DataSource } from 'typeorm';
import { fromMinor } from '@exchange/domain';
import type { IndexId, PublishedRound, SignedRound } from '@exchange/oracle';

interface Raw {
  round: PublishedRound;
  signature: string;
}

/**
 * Published rounds in PostgreSQL's `index_prices`: one row per index and publication time, `price`
 * the decimal USDC value (exact: micro-USDC / 10^6), `status` 'ok' (only live values are
 * published), `signature` the oracle's EIP-712 signature, `round` the full round. Rows other
 * writers may add without a round are not the oracle's and are ignored here.
 */
export class IndexPriceStore {
  constructor(private readonly db: DataSource) {}

  async insert(rounds: readonly SignedRound[]): Promise<void> {
    if (rounds.length === 0) return;
    const params: unknown[] = [];
    const values = rounds.map((s, i) => {
      params.push(
        s.round.indexId,
        s.round.publishedAtMs,
        fromMinor(BigInt(s.round.priceMicros)),
        s.signature,
        s.round.roundId,
        JSON.stringify(s.round),
      );
      const b = i * 6;
      return `($${b + 1}, $${b + 2}, $${b + 3}, 'ok', $${b + 4}, $${b + 5}, $${b + 6}::jsonb)`;
    });
    await this.db.query(
      `INSERT INTO index_prices (index_id, published_at_ms, price, status, signature, round_id, round)
       VALUES ${values.join(', ')} ON CONFLICT (index_id, published_at_ms) DO NOTHING`,
      params,
    );
  }

  async latest(indexId: IndexId): Promise<SignedRound | undefined> {
    const rows = (await this.db.query(
      `SELECT round, signature FROM index_prices WHERE index_id = $1 AND round IS NOT NULL
       ORDER BY published_at_ms DESC LIMIT 1`,
      [indexId],
    )) as Raw[];
    return rows[0] === undefined ? undefined : { round: rows[0].round, signature: rows[0].signature };
  }

  /** Rounds published in [fromMs, toMs), oldest first, at most `limit`. */
  async history(indexId: IndexId, fromMs: number, toMs: number, limit: number): Promise<SignedRound[]> {
    const rows = (await this.db.query(
      `SELECT round, signature FROM index_prices
       WHERE index_id = $1 AND round IS NOT NULL AND published_at_ms >= $2 AND published_at_ms < $3
       ORDER BY published_at_ms LIMIT $4`,
      [indexId, fromMs, toMs, limit],
    )) as Raw[];
    return rows.map((r) => ({ round: r.round, signature: r.signature }));
  }

  /**
   * The rounds a TWAP over [fromMs, toMs) reads: the last at or before fromMs, those inside, and the
   * first at or after toMs (which ends the last one's hold), oldest first.
   */
  async twapRounds(indexId: IndexId, fromMs: number, toMs: number): Promise<PublishedRound[]> {
    const rows = (await this.db.query(
      `(SELECT round, published_at_ms FROM index_prices WHERE index_id = $1 AND round IS NOT NULL
         AND published_at_ms <= $2 ORDER BY published_at_ms DESC LIMIT 1)
       UNION ALL
       (SELECT round, published_at_ms FROM index_prices WHERE index_id = $1 AND round IS NOT NULL
         AND published_at_ms > $2 AND published_at_ms < $3)
       UNION ALL
       (SELECT round, published_at_ms FROM index_prices WHERE index_id = $1 AND round IS NOT NULL
         AND published_at_ms >= $3 ORDER BY published_at_ms LIMIT 1)
       ORDER BY published_at_ms`,
      [indexId, fromMs, toMs],
    )) as Raw[];
    return rows.map((r) => r.round);
  }
}
