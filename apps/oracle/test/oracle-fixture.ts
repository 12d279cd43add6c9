import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { InProcessLog } from '@exchange/messaging';
import {
  ProviderReportCodec,
  addressOfPrivateKey,
  type ProviderReport,
  type SignedReport,
} from '@exchange/oracle';
import { freePorts } from '@exchange/runtime';
import { openDatabase, type Database } from '@exchange/persistence';
import { loadOracleConfig, type OracleConfig } from '../src/config/oracle-config';
import { OracleModule } from '../src/oracle.module';
import { PublicationService } from '../src/publication/publication.service';

/** Test harness: a real embedded PostgreSQL, the in-process log on a temporary folder, real HTTP on loopback. */
export const T0 = 1_790_000_000_000;

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
  return dir;
}

export async function startDatabase(dir: string): Promise<Database> {
  return openDatabase({ embeddedDir: path.join(dir, 'pg'), embeddedPort: (await freePorts(1))[0]! });
}

export class ManualClock {
  constructor(public t: number) {}
  nowMs(): number {
    return this.t;
  }
}

export interface RunningOracle {
  app: INestApplication;
  url: string;
  log: InProcessLog;
  config: OracleConfig;
  publication: PublicationService;
  close(): Promise<void>;
}

/** Starts the oracle module on port 0 (the timer long enough that only explicit ticks publish unless overridden). */
export async function startOracle(options: {
  database: Database;
  dataDir: string;
  clock?: { nowMs(): number };
  env?: NodeJS.ProcessEnv;
}): Promise<RunningOracle> {
  const config = loadOracleConfig(
    { ORACLE_DATA_DIR: options.dataDir, ORACLE_PUBLISH_INTERVAL_MS: '3600000', ...options.env },
    { simulator: false },
  );
  const log = new InProcessLog({ dir: config.dataDir, fsync: 'none' });
  const app = await NestFactory.create(
    OracleModule.register({ database: options.database, log, config, clock: options.clock }),
    new FastifyAdapter(),
    { logger: ['error'] },
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());
  started.add(close);
  return { app, url, log, config, publication: app.get(PublicationService), close };
}

const started = new Set<() => Promise<void>>();

/** Closes every oracle a test started (also when it failed half-way), so no timer outlives it. */
export async function closeAll(): Promise<void> {
  for (const close of [...started]) await close();
  started.clear();
}

/** A JSON answer, read field by field in the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export async function http(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export const DOMAIN = loadOracleConfig({}).domain;
export const codec = new ProviderReportCodec(DOMAIN);

/** A test provider with a fixed key. */
export function provider(n: number): { providerId: string; key: string; address: string } {
  const key = `0x${(n + 1).toString(16).padStart(64, '0')}`;
  return { providerId: `tp-${n}`, key, address: addressOfPrivateKey(key) };
}

export function report(
  p: { providerId: string },
  overrides: Partial<ProviderReport> & { observedAtMs: number; nonce: number },
): ProviderReport {
  return {
    providerId: p.providerId,
    clusterId: `${p.providerId}-c0`,
    computeClass: 'H100',
    gpusTotal: 64,
    gpusAvailable: 16,
    utilisationBps: 7_500,
    priceMicros: 2_500_000,
    priceKind: 'realised',
    benchmarkSuite: 'mlperf-inference-llama2-70b-offline-tokens-per-s-per-gpu',
    benchmarkScoreMilli: 3_000_000,
    benchmarkMeasuredAtMs: overrides.observedAtMs - 60_000,
    ...overrides,
  };
}

export function sign(p: { key: string }, r: ProviderReport): SignedReport {
  return codec.sign(r, p.key);
}

export async function registerProvider(
  url: string,
  p: { providerId: string; address: string },
  status: 'active' | 'suspended' = 'active',
): Promise<void> {
  const res = await http('POST', `${url}/v1/oracle/providers`, {
    providerId: p.providerId,
    address: p.address,
    stakeMinor: '5000000000',
    status,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`register ${p.providerId}: ${JSON.stringify(res.body)}`);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
