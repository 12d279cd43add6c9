import { Controller, Get, Inject, Res } from '@nestjs/common';
import { Access } from '../auth/auth.guard';
import { EXCHANGE_GATEWAY, type ExchangeGateway } from '../ports/exchange-gateway';

/**
 * The api's health: 200 while orders reach the engine, 503 `failed` with the reason once they
 * cannot (so a load balancer stops sending traffic here). Not rate limited.
 */
@Controller()
export class HealthController {
  constructor(@Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway) {}

  @Get('health')
  @Access('open')
  health(@Res({ passthrough: true }) reply: { code(status: number): unknown }) {
    const h = this.gateway.health();
    if (h.status !== 'ok') reply.code(503);
    return { ...h, app: 'api', lastSeq: this.gateway.lastSeq() };
  }
}
