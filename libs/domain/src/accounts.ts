/**
 * Ledger accounts the exchange itself holds. Users' account ids are positive integers; system
 * accounts are negative, so they never collide and commands can never name them.
 * - External: the world outside the exchange. Deposits debit it and withdrawals credit it, so its
 *   balance is minus the net deposits, and every asset's balances sum to zero across all accounts.
 * - Fees: trading fees collected.
 * - InsuranceFund: covers liquidated accounts' negative balances.
 * - Clearing: the counterparty of realised futures profit and loss (the clearing house); its balance
 *   is the open positions' profit and loss at entry prices, not yet realised by both sides.
 * - Escrow: lessees' payments for compute leases not yet served (released hour by hour).
 * - ProviderCollateral: providers' collateral locked behind leases (returned or slashed) and behind
 *   capacity committed to token redemptions.
 */
export const SystemAccount = {
  External: -1,
  Fees: -2,
  InsuranceFund: -3,
  Clearing: -4,
  Escrow: -5,
  ProviderCollateral: -6,
} as const;
export type SystemAccount = (typeof SystemAccount)[keyof typeof SystemAccount];

/** Ledger asset codes: the quote currency, and one spot GPU-hour token per compute class. */
export function isUserAccountId(accountId: number): boolean {
  return Number.isSafeInteger(accountId) && accountId > 0;
}

/** The embedded demo's simulated compute providers (they sell the demo future and commit capacity). */
export const DEMO_PROVIDER_ACCOUNTS = [301, 302, 303, 304, 305, 306] as const;
/** The embedded demo's lessee (it buys the demo future and redeems GPU-hour tokens). */
export const DEMO_LESSEE_ACCOUNT = 401;
