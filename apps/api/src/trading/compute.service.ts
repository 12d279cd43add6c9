import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CapacityResult, RedemptionResult, StakeReleaseResult } from '@exchange/client';
import {
  CommandType,
  EventType,
  QUOTE_CURRENCY,
  QUOTE_DECIMALS,
  type EngineEvent,
  type UnsequencedCommand,
} from '@exchange/domain';
import {
  CAPACITY_SCHEMA,
  REDEMPTION_SCHEMA,
  STAKE_RELEASE_SCHEMA,
  assetAmountMinor,
  rejectError,
} from '@exchange/gateway';
import { ApiException, validated } from '../http/api-exception';
import { EXCHANGE_GATEWAY, type ExchangeGateway } from '../ports/exchange-gateway';

/**
 * Compute for tokens: providers commit capacity to redemptions, holders redeem GPU-hour tokens into
 * leases. Both are engine commands; a refusal comes back as the engine's stable code.
 */
@Injectable()
export class ComputeService {
  private readonly logger = new Logger('Compute');

  constructor(@Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway) {}

  async commitCapacity(accountId: number, input: unknown): Promise<CapacityResult> {
    const r = validated<{ computeClass: string; gpus: number }>(CAPACITY_SCHEMA, input);
    const out = await this.run({ type: CommandType.CommitCapacity, accountId, computeClass: r.computeClass, gpuCount: r.gpus }); // prettier-ignore
    return { computeClass: r.computeClass, gpus: r.gpus, seq: out.seq };
  }

  async redeem(accountId: number, input: unknown): Promise<RedemptionResult> {
    const r = validated<{ computeClass: string; gpus: number; hours: number }>(REDEMPTION_SCHEMA, input);
    const out = await this.run({ type: CommandType.RedeemTokens, accountId, computeClass: r.computeClass, gpuCount: r.gpus, hours: r.hours }); // prettier-ignore
    const leases: RedemptionResult['leases'] = [];
    for (const e of out.events)
      if (e.seq === out.seq && e.type === EventType.LeaseStateChanged)
        leases.push({ leaseId: e.leaseId, providerAccountId: e.providerAccountId, gpus: e.gpuCount, deliveryStartMs: e.deliveryStartMs, deliveryEndMs: e.deliveryEndMs }); // prettier-ignore
    return { computeClass: r.computeClass, gpus: r.gpus, hours: r.hours, tokens: String(r.gpus * r.hours), seq: out.seq, leases }; // prettier-ignore
  }

  /** Stake back to the provider (ReleaseStake): only idle stake; the chain bridge starts its unbonding. */
  async releaseStake(accountId: number, input: unknown): Promise<StakeReleaseResult> {
    const r = validated<{ amount: string }>(STAKE_RELEASE_SCHEMA, input);
    const amountMinor = assetAmountMinor(QUOTE_CURRENCY, r.amount);
    if (amountMinor === undefined)
      throw ApiException.of('INVALID_AMOUNT', `amount must be positive with at most ${QUOTE_DECIMALS} decimals`, 'amount'); // prettier-ignore
    const out = await this.run({ type: CommandType.ReleaseStake, accountId, amountMinor });
    return { amount: r.amount, seq: out.seq };
  }

  private async run(command: UnsequencedCommand): Promise<{ seq: number; events: EngineEvent[] }> {
    let r: { firstSeq: number; events: EngineEvent[] };
    try {
      r = await this.gateway.submit([command]);
    } catch (err) {
      this.logger.error({ msg: 'compute command failed', type: command.type, error: (err as Error).message });
      throw ApiException.of('ENGINE_UNAVAILABLE');
    }
    for (const e of r.events)
      if (e.seq === r.firstSeq && e.type === EventType.OrderRejected)
        throw new ApiException(rejectError(e.code));
    return { seq: r.firstSeq, events: r.events };
  }
}
