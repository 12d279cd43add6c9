import { Controller, Get, type Type } from '@nestjs/common';

/** Extra fields an app adds to its health answer (e.g. the engine's last seq). */
export type HealthDetails = () => Record<string, unknown>;

/** A `GET /health` controller answering `{ status: 'ok', app, ...details }`. */
export function healthController(app: string, details: HealthDetails = () => ({})): Type<unknown> {
  @Controller()
  class HealthController {
    @Get('health')
    health() {
      return { status: 'ok', app, ...details() };
    }
  }
  return HealthController;
}
