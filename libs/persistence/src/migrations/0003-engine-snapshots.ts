import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots of the matching-engine shards of the distributed deployment. A shard is one partition of
 * the orders topic; whichever engine process is given the partition restores the newest snapshot and
 * replays the partition from the offset after it, so the snapshots live where every process can
 * reach them. `seq` is the last command sequence number in the snapshot, `log_offset` its offset.
 */
export class EngineSnapshots1795651200000 implements MigrationInterface {
  name = 'EngineSnapshots1795651200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE engine_snapshots (
        shard integer NOT NULL,
        log_offset bigint NOT NULL,
        seq bigint NOT NULL,
        state_hash text NOT NULL,
        body bytea NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (shard, log_offset)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE engine_snapshots');
  }
}
