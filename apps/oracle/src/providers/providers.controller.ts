import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { parseRegistration, parseStatus } from './provider-body';
import { providerView, RegistryService } from './registry.service';

interface StatusReply {
  status(code: number): unknown;
}

@Controller('v1/oracle/providers')
export class ProvidersController {
  constructor(private readonly registry: RegistryService) {}

  @Get()
  async list() {
    return { providers: (await this.registry.list()).map(providerView) };
  }

  /** 201 when created, 200 when the same registration was already stored, 409 on other details. */
  @Post()
  async register(@Body() body: unknown, @Res({ passthrough: true }) reply: StatusReply) {
    const { created, provider } = await this.registry.register(parseRegistration(body));
    reply.status(created ? 201 : 200);
    return { created, provider: providerView(provider) };
  }

  @Post(':providerId/status')
  @HttpCode(200)
  async setStatus(@Param('providerId') providerId: string, @Body() body: unknown) {
    const status = parseStatus((body as { status?: unknown } | null)?.status);
    return { provider: providerView(await this.registry.setStatus(providerId, status)) };
  }
}
