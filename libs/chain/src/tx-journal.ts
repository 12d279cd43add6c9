import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The durable record of one sender's transactions on one chain: a JSON-lines file where each line
 * is the latest state of one operation key. A signed transaction is written (and fsynced) before it
 * is broadcast, so after a crash the same raw transaction, with the same nonce and hash, is sent
 * again rather than a new one: an operation can never land twice.
 */
export type TxState = 'signed' | 'confirmed' | 'reverted' | 'dropped';

export interface TxRecord {
  readonly key: string;
  readonly state: TxState;
  readonly nonce: number;
  readonly hash: string;
  readonly raw: string;
  readonly blockNumber?: number;
  readonly gasUsed?: string;
  readonly contractAddress?: string | null;
}

export class TxJournal {
  private readonly records = new Map<string, TxRecord>();
  private maxNonce = -1;

  constructor(readonly file: string) {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let record: TxRecord;
      try {
        record = JSON.parse(line) as TxRecord;
      } catch {
        continue; // a torn last line from a crash mid-write: that write never happened
      }
      this.records.set(record.key, record);
      if (record.nonce > this.maxNonce) this.maxNonce = record.nonce;
    }
  }

  get(key: string): TxRecord | undefined {
    return this.records.get(key);
  }

  /** Records waiting for their receipt, lowest nonce first. */
  pending(): TxRecord[] {
    return [...this.records.values()].filter((r) => r.state === 'signed').sort((a, b) => a.nonce - b.nonce);
  }

  /**
   * Mined records (confirmed or reverted) at or above `nonce`, lowest first: when `nonce` is the
   * chain's count of the sender's mined transactions, the ones the chain no longer has.
   */
  minedFrom(nonce: number): TxRecord[] {
    return [...this.records.values()]
      .filter((r) => (r.state === 'confirmed' || r.state === 'reverted') && r.nonce >= nonce)
      .sort((a, b) => a.nonce - b.nonce);
  }

  /** The next nonce this journal has not used. */
  get nextNonce(): number {
    return this.maxNonce + 1;
  }

  write(record: TxRecord): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.records.set(record.key, record);
    if (record.nonce > this.maxNonce) this.maxNonce = record.nonce;
  }
}
