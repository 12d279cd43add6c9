import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomically } from './atomic-file';

/**
 * Snapshots as files `<name>-<seq>.snapshot`: u32 magic, u32 CRC-32 of the body, f64 seq, body.
 * A snapshot is written to a temporary file, synced, then renamed into place, so a crash leaves
 * either the old set or the new one. Loading picks the newest snapshot whose checksum holds and
 * reports any it had to pass over.
 */
const MAGIC = 0x31534e53; // "SNS1"
const HEADER = 16;

export interface LoadedSnapshot {
  seq: number;
  body: Uint8Array;
  file: string;
}

export interface SnapshotLoad {
  /** The newest intact snapshot, if any. */
  snapshot?: LoadedSnapshot;
  /** Newer snapshots that failed their checks and were passed over. */
  skipped: { file: string; reason: string }[];
}

export class SnapshotStore {
  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly keep = 2,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private list(): { file: string; seq: number }[] {
    const re = new RegExp(`^${this.name}-(\\d{16})\\.snapshot$`);
    return fs
      .readdirSync(this.dir)
      .map((f) => re.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ file: path.join(this.dir, m[0]), seq: Number(m[1]) }))
      .sort((a, b) => b.seq - a.seq);
  }

  /** Writes a snapshot durably and deletes all but the newest `keep`. Returns the oldest seq kept. */
  async save(seq: number, body: Uint8Array): Promise<number> {
    const file = path.join(this.dir, `${this.name}-${String(seq).padStart(16, '0')}.snapshot`);
    const bytes = new Uint8Array(HEADER + body.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, crc32(body), true);
    view.setFloat64(8, seq, true);
    bytes.set(body, HEADER);
    await writeFileAtomically(file, bytes);
    const all = this.list();
    for (const old of all.slice(this.keep)) await fs.promises.rm(old.file, { force: true });
    return all.slice(0, this.keep).at(-1)!.seq;
  }

  loadLatest(): SnapshotLoad {
    const skipped: { file: string; reason: string }[] = [];
    for (const { file, seq } of this.list()) {
      const bytes = fs.readFileSync(file);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.length < HEADER || view.getUint32(0, true) !== MAGIC) {
        skipped.push({ file, reason: 'bad header' });
        continue;
      }
      const body = bytes.subarray(HEADER);
      if (crc32(body) !== view.getUint32(4, true) || view.getFloat64(8, true) !== seq) {
        skipped.push({ file, reason: 'checksum or seq mismatch' });
        continue;
      }
      return { snapshot: { seq, body, file }, skipped };
    }
    return { skipped };
  }
}
