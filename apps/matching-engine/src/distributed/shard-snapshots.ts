import type { Database } from '@exchange/persistence';

export interface ShardSnapshot {
  shard: number;
  /** Offset of the last command (in the orders partition) the snapshot includes. */
  logOffset: number;
  seq: number;
  stateHash: string;
  body: Uint8Array;
}

/** Shard snapshots in PostgreSQL (table engine_snapshots); the newest `keep` per shard are kept. */
export class ShardSnapshots {
  constructor(
    private readonly database: Database,
    private readonly keep = 3,
  ) {}

  async latest(shard: number): Promise<ShardSnapshot | undefined> {
    const rows = (await this.database.dataSource.query(
      `SELECT log_offset, seq, state_hash, body FROM engine_snapshots WHERE shard = $1 ORDER BY log_offset DESC LIMIT 1`,
      [shard],
    )) as { log_offset: string; seq: string; state_hash: string; body: Buffer }[];
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      shard,
      logOffset: Number(r.log_offset),
      seq: Number(r.seq),
      stateHash: r.state_hash,
      body: new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.byteLength),
    };
  }

  async save(s: ShardSnapshot): Promise<void> {
    await this.database.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO engine_snapshots (shard, log_offset, seq, state_hash, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (shard, log_offset) DO NOTHING`,
        [s.shard, s.logOffset, s.seq, s.stateHash, Buffer.from(s.body)],
      );
      await m.query(
        `DELETE FROM engine_snapshots WHERE shard = $1 AND log_offset NOT IN
           (SELECT log_offset FROM engine_snapshots WHERE shard = $1 ORDER BY log_offset DESC LIMIT $2)`,
        [s.shard, this.keep],
      );
    });
  }
}
