import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Small durable records, one JSON file per key: written to a temporary file, fsynced, renamed over
 * the old one and the folder fsynced, so after a crash a record is either its old or its new self.
 * Bigints are stored as `{"$n": "<decimal>"}`.
 */
export class JsonStore<T> {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  get(key: string): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.file(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return JSON.parse(text, (_k, v: unknown) =>
      v !== null && typeof v === 'object' && '$n' in v ? BigInt((v as { $n: string }).$n) : v,
    ) as T;
  }

  put(key: string, value: T): void {
    const text = JSON.stringify(
      value,
      (_k, v: unknown) => (typeof v === 'bigint' ? { $n: v.toString() } : v),
      2,
    );
    const tmp = `${this.file(key)}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${text}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file(key));
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  keys(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => decodeURIComponent(f.slice(0, -'.json'.length)))
      .sort();
  }

  private file(key: string): string {
    return join(this.dir, `${encodeURIComponent(key)}.json`);
  }
}
