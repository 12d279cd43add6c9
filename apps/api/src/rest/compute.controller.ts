import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { CapacityResult, RedemptionResult, StakeReleaseResult } from '@exchange/client';
import { Access } from '../auth/auth.guard';
import type { ApiRequest } from '../http/raw-body';
import { ComputeService } from '../trading/compute.service';

/** Compute for tokens: capacity committed by providers, tokens redeemed into leases. */
@Controller('v1')
export class ComputeController {
  constructor(private readonly compute: ComputeService) {}

  /** A provider commits GPUs of a class to token redemptions; collateral is locked on them. */
  @Post('capacity')
  @Access('trade')
  @HttpCode(200)
  commit(@Req() req: ApiRequest, @Body() input: unknown): Promise<CapacityResult> {
    return this.compute.commitCapacity(req.auth!.accountId, input);
  }

  /** Releases a provider's idle stake: it leaves the ledger and unbonds on chain. */
  @Post('stake/releases')
  @Access('withdraw')
  @HttpCode(200)
  releaseStake(@Req() req: ApiRequest, @Body() input: unknown): Promise<StakeReleaseResult> {
    return this.compute.releaseStake(req.auth!.accountId, input);
  }

  /** Redeems GPU-hour tokens for compute now: leases allocated over the providers' committed capacity. */
  @Post('redemptions')
  @Access('trade')
  @HttpCode(200)
  redeem(@Req() req: ApiRequest, @Body() input: unknown): Promise<RedemptionResult> {
    return this.compute.redeem(req.auth!.accountId, input);
  }
}
