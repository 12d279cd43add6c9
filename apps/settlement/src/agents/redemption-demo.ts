import {
  CommandType,
  DEMO_LESSEE_ACCOUNT,
  DEMO_PROVIDER_ACCOUNTS,
  QUOTE_CURRENCY,
  type UnsequencedCommand,
} from '@exchange/domain';
import type { RiskStage } from '@exchange/risk';

/** The class the demo redeems, and how much: 2 GPUs for 2 hours out of 2 GPUs committed per provider. */
export const REDEMPTION_DEMO = {
  computeClass: 'H100',
  gpusPerProvider: 2,
  redeemGpus: 2,
  redeemHours: 2,
} as const;
/**
 * What a demo provider puts up to back its commitment (72 h x index x 25% per GPU is about 45 USDC
 * at 2.5): deposited, or staked on chain from its wallet where the demo has wallets (embedded chain).
 */
export const PROVIDER_COLLATERAL_MINOR = 200_000_000n; // 200 USDC
/** Tokens the demo lessee deposits for its redemption. */
const LESSEE_TOKENS = BigInt(REDEMPTION_DEMO.redeemGpus * REDEMPTION_DEMO.redeemHours);

/**
 * The demo's token redemption, played by the simulated providers and the demo lessee once the
 * class index has reached the engine: each provider that never committed capacity deposits (or,
 * `staked`, waits for its on-chain stake to be credited) and commits two H100 GPUs, then the lessee
 * (once) deposits four H100 tokens and redeems them as two GPUs for two hours. Decided from the
 * engine's state only, so a restart does not repeat it.
 */
export function redemptionDemoCommands(state: RiskStage, staked = false): UnsequencedCommand[] {
  const { computeClass } = REDEMPTION_DEMO;
  const r = state.settlement.redemption;
  if (r.indexOf(computeClass) === null) return [];
  const leases = [...state.settlement.leases.values()].filter((l) => l.source === 'REDEMPTION');
  const out: UnsequencedCommand[] = [];
  for (const accountId of DEMO_PROVIDER_ACCOUNTS) {
    if (r.commitments.has(`${computeClass}:${accountId}`) || leases.some((l) => l.providerAccountId === accountId)) continue; // prettier-ignore
    if (staked && (state.account(accountId)?.stakeMinor ?? 0) === 0) continue; // its stake is not credited yet
    if (!staked) out.push({ type: CommandType.Deposit, accountId, asset: QUOTE_CURRENCY, amountMinor: PROVIDER_COLLATERAL_MINOR }); // prettier-ignore
    out.push({
      type: CommandType.CommitCapacity,
      accountId,
      computeClass,
      gpuCount: REDEMPTION_DEMO.gpusPerProvider,
    });
  }
  const newCommitments = out.filter((c) => c.type === CommandType.CommitCapacity).length;
  const committed = r.capacityOf(computeClass).reduce((a, p) => a + p.gpuCount, 0) + newCommitments * REDEMPTION_DEMO.gpusPerProvider; // prettier-ignore
  if (
    !leases.some((l) => l.lesseeAccountId === DEMO_LESSEE_ACCOUNT) &&
    committed >= REDEMPTION_DEMO.redeemGpus
  ) {
    out.push({
      type: CommandType.Deposit,
      accountId: DEMO_LESSEE_ACCOUNT,
      asset: computeClass,
      amountMinor: LESSEE_TOKENS,
    });
    out.push({ type: CommandType.RedeemTokens, accountId: DEMO_LESSEE_ACCOUNT, computeClass, gpuCount: REDEMPTION_DEMO.redeemGpus, hours: REDEMPTION_DEMO.redeemHours }); // prettier-ignore
  }
  return out;
}
