import { Controller, Get, HttpException, Inject, Param } from '@nestjs/common';
import { SystemAccount } from '@exchange/domain';
import { escrowMinor, lockedCollateralMinor, type Lease } from '@exchange/settlement';
import { agentProfile } from '../agents/provider-agents';
import {
  SETTLEMENT_CLOCK,
  SETTLEMENT_ENGINE,
  type SettlementClock,
  type SettlementEngine,
} from '../ports/ports';
import { ChainSettlement } from '../chain/chain-settlement';
import { payoutAddressMessage } from '../chain/payout-addresses';
import { ChainBridge } from '../chain/chain-bridge';
import type { SettlementChain } from '../ports/chain-port';
import { SettlementScheduler } from '../scheduler/settlement-scheduler';

/** The chain settlement uses, as status shows it. */
export function chainInfo(chain: SettlementChain | undefined, signer: string | undefined) {
  if (chain === undefined) return { mode: 'off' as const };
  const { chainId, operator, settlementPrice, vault, stablecoin } = chain;
  return { mode: 'on' as const, chainId: chainId.toString(), operator, priceSigner: signer, contracts: { settlementPrice, vault, stablecoin } }; // prettier-ignore
}

function accountIdOf(raw: string): number {
  const id = Number(raw);
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(id))
    throw new HttpException({ code: 'INVALID_ACCOUNT', message: `not an account id: ${raw}` }, 400);
  return id;
}

/** A lease as the API shows it: money as decimal strings of minor units, states in lower case. */
export function leaseView(l: Lease) {
  return {
    leaseId: l.leaseId, source: l.source.toLowerCase(), instrumentId: l.instrumentId, computeClass: l.computeClass,
    providerAccountId: l.providerAccountId, lesseeAccountId: l.lesseeAccountId, gpuCount: l.gpuCount, gpuHours: l.gpuHours,
    deliveryStartMs: l.deliveryStartMs, deliveryEndMs: l.deliveryEndMs, provisionDeadlineMs: l.provisionDeadlineMs,
    state: l.state.toLowerCase(), failureReason: l.failureReason?.toLowerCase() ?? null, endpoint: l.endpoint || null,
    credentialSha256: l.credentialHash || null, scorePerGpu: l.scorePerGpu, lastSeenMs: l.lastSeenMs,
    releasedHours: l.releasedHours, priceMinorPerGpuHour: l.priceMinorPerGpuHour.toString(), paidMinor: l.paidMinor.toString(),
    releasedMinor: l.releasedMinor.toString(), refundedMinor: l.refundedMinor.toString(), escrowMinor: escrowMinor(l).toString(),
    collateralMinor: l.collateralMinor.toString(), collateralLockedMinor: lockedCollateralMinor(l).toString(),
    slashCompensationMinor: l.slashCompensationMinor.toString(), slashInsuranceMinor: l.slashInsuranceMinor.toString(),
    failedAtMs: l.failedAtMs || null, disputeEndsMs: l.disputeEndsMs || null, simulatedAgent: agentProfile(l.leaseId),
  }; // prettier-ignore
}

@Controller('v1/settlement')
export class SettlementController {
  constructor(
    private readonly scheduler: SettlementScheduler,
    @Inject(SETTLEMENT_ENGINE) private readonly engine: SettlementEngine,
    @Inject(SETTLEMENT_CLOCK) private readonly clock: SettlementClock,
    private readonly chain: ChainSettlement,
    private readonly bridge: ChainBridge,
  ) {}

  /** Money between ledger and chain (USDC and GPU-hour tokens): payouts waiting, unattributed deposits, refused redemptions, the check. */
  @Get('bridge')
  chainBridge() {
    return this.bridge.status();
  }

  @Get('status')
  status() {
    const stage = this.engine.state;
    const leases = [...stage.settlement.leases.values()];
    const byState: Record<string, number> = {};
    for (const l of leases) byState[l.state.toLowerCase()] = (byState[l.state.toLowerCase()] ?? 0) + 1;
    return {
      nowMs: this.clock.nowMs(),
      passes: this.scheduler.passes,
      lastPassMs: this.scheduler.lastPassMs,
      instruments: this.scheduler.allStatus(),
      settledKeys: [...stage.settlement.settledKeys].sort(),
      leases: { total: leases.length, byState },
      escrowMinor: stage.ledger.balance(SystemAccount.Escrow, 'USDC').toString(),
      providerCollateralMinor: stage.ledger.balance(SystemAccount.ProviderCollateral, 'USDC').toString(),
      insuranceFundMinor: stage.ledger.balance(SystemAccount.InsuranceFund, 'USDC').toString(),
      chain: {
        ...chainInfo(this.chain.chain, this.chain.signerAddress),
        expiries: this.chain.status(),
        reconciliation: this.chain.lastReconciliation,
      },
    };
  }

  /** The account's payouts on chain: what to send to CollateralVault.claim, from any wallet. */
  @Get('claims/:accountId')
  async claims(@Param('accountId') raw: string) {
    const accountId = accountIdOf(raw);
    return { accountId, claims: await this.chain.claimsOf(accountId) };
  }

  @Get('payout-addresses/:accountId')
  payoutAddress(@Param('accountId') raw: string) {
    const accountId = accountIdOf(raw);
    const address = this.chain.payoutAddresses.get(accountId) ?? null;
    return {
      accountId,
      address,
      message: address === null ? null : payoutAddressMessage(accountId, address),
    };
  }

  @Get('leases')
  leases() {
    const all = [...this.engine.state.settlement.leases.values()].sort((a, b) =>
      a.leaseId < b.leaseId ? -1 : 1,
    );
    return { leases: all.map(leaseView) };
  }

  @Get('leases/:id')
  lease(@Param('id') id: string) {
    const l = this.engine.state.settlement.leases.get(id);
    if (l === undefined) throw new HttpException({ code: 'UNKNOWN_LEASE', message: `no lease ${id}` }, 404);
    return leaseView(l);
  }
}

@Controller('v1/settlement')
export class ChainInfoController {
  static readonly INFO = Symbol('CHAIN_INFO');
  constructor(
    @Inject(ChainInfoController.INFO)
    private readonly info: { chain: SettlementChain | undefined; signer: string | undefined },
  ) {}

  @Get('chain')
  chainView() {
    return chainInfo(this.info.chain, this.info.signer);
  }
}
