/** Why a payout address was refused (the settlement app's registry's codes). */
export type PayoutAddressRefusal = 'INVALID_ACCOUNT' | 'INVALID_ADDRESS' | 'BAD_SIGNATURE' | 'ADDRESS_IN_USE';

/**
 * Where each account's on-chain payouts and minted GPU-hour tokens go: the settlement app's registry
 * (apps/settlement PayoutAddresses). The API sets it for the authenticated account only.
 */
export interface PayoutAddressRegistry {
  get(accountId: number): string | undefined;
  register(accountId: number, address: unknown, signature: unknown): PayoutAddressRefusal | null;
}

export const PAYOUT_ADDRESSES = Symbol('PAYOUT_ADDRESSES');
