import 'reflect-metadata';
import { ConsoleLogger, Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface AppOptions {
  /** Name in logs and in the health answer. */
  name: string;
  port: number;
  host?: string;
}

/**
 * Starts one NestJS app of the exchange with structured (JSON) logs and graceful shutdown on
 * SIGTERM/SIGINT, and logs readiness with its URL. A failure to start is logged and exits the process.
 */
export async function startApp(module: Type<unknown>, options: AppOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: new ConsoleLogger({ json: true, colors: false }) });
  app.enableShutdownHooks();
  await app.listen(options.port, options.host ?? '127.0.0.1');
  new Logger('Bootstrap').log({ msg: `${options.name} ready`, url: await app.getUrl() });
  return app;
}

/** Runs `start`, turning a failure into one fatal log line and exit code 1. */
export function runMain(name: string, start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    const error = err instanceof Error ? err.stack : String(err);
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: `${name} failed to start`, error })}\n`);
    process.exit(1);
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
