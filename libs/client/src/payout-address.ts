/**
 * The text a wallet signs (EIP-191 personal_sign) to become an account's payout address: on-chain
 * payouts and minted GPU-hour tokens go there, and burns from it are credited to the account.
 */
export function payoutAddressMessage(accountId: number, address: string): string {
  return `ComputeExchange payout address\naccount: ${accountId}\naddress: ${address.toLowerCase()}`;
}

/** GET/PUT /v1/account/payout-address. */
export interface PayoutAddressView {
  accountId: number;
  /** Checksummed, or null when none is registered. */
  address: string | null;
}
