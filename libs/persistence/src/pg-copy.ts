import type { QueryRunner } from 'typeorm';

/**
 * COPY ... FROM STDIN (text format) on the connection of a TypeORM query runner, inside whatever
 * transaction it has open: the fastest way to load rows into PostgreSQL (no SQL parsing per row, no
 * array literals). The pg client runs it as a "submittable": it sends the statement, and when the
 * server asks for the data it gets the whole buffer, then the end of the copy.
 */
class CopyIn {
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: unknown) => void;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }

  /** The client drops the query on an error (no ReadyForQuery reaches it afterwards): fail now. */
  handleError(err: unknown): void {
    this.reject(err);
  }

  handleReadyForQuery(): void {
    this.resolve();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** The connection under a TypeORM query runner on PostgreSQL (node-postgres' Client), as used here. */
export interface PgClient {
  query(submittable: CopyIn): unknown;
  /** A string of statements by the simple query protocol: one result per statement (one alone: not an array). */
  query(text: string): Promise<unknown>;
  escapeLiteral(s: string): string;
}

/** One field in COPY's text format: \N for null, backslash escapes for the special characters. */
function field(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : s; // prettier-ignore
}

/** Loads rows (given as columns of equal length) into `table` with COPY, in the runner's transaction. */
export async function copyColumns(
  q: QueryRunner,
  table: string,
  columnNames: readonly string[],
  cols: readonly (readonly unknown[])[],
): Promise<number> {
  const n = cols[0]?.length ?? 0;
  if (n === 0) return 0;
  const lines: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    let line = field(cols[0]![i]);
    for (let c = 1; c < cols.length; c++) line += `\t${field(cols[c]![i])}`;
    lines[i] = line;
  }
  const client = (await q.connect()) as PgClient;
  const copy = new CopyIn(
    `COPY ${table} (${columnNames.join(', ')}) FROM STDIN`,
    Buffer.from(`${lines.join('\n')}\n`, 'utf8'),
  );
  client.query(copy);
  await copy.done;
  return n;
}
