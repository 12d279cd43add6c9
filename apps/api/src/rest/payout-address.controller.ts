import { Body, Controller, Get, Inject, Optional, Put, Req } from '@nestjs/common';
import type { PayoutAddressView } from '@exchange/client';
import { PAYOUT_ADDRESS_SCHEMA } from '@exchange/gateway';
import { Access } from '../auth/auth.guard';
import { ApiException, validated } from '../http/api-exception';
import type { ApiRequest } from '../http/raw-body';
import { PAYOUT_ADDRESSES, type PayoutAddressRegistry } from '../ports/payout-addresses';

const REFUSAL = {
  INVALID_ACCOUNT: 'VALIDATION_FAILED',
  INVALID_ADDRESS: 'INVALID_PAYOUT_ADDRESS',
  BAD_SIGNATURE: 'PAYOUT_SIGNATURE_INVALID',
  ADDRESS_IN_USE: 'ADDRESS_IN_USE',
} as const;

/**
 * The account's payout address: where its on-chain payouts go and its GPU-hour token withdrawals are
 * minted, and whose token burns are credited to it. Setting it needs the `withdraw` scope and the
 * wallet's signature (the key proves the account, the signature the wallet).
 */
@Controller('v1/account')
export class PayoutAddressController {
  constructor(@Optional() @Inject(PAYOUT_ADDRESSES) private readonly registry?: PayoutAddressRegistry) {}

  private get addresses(): PayoutAddressRegistry {
    if (this.registry === undefined)
      throw ApiException.of('NOT_AVAILABLE', 'no chain settlement in this deployment (payout addresses)');
    return this.registry;
  }

  @Get('payout-address')
  @Access('read')
  get(@Req() req: ApiRequest): PayoutAddressView {
    const accountId = req.auth!.accountId;
    return { accountId, address: this.addresses.get(accountId) ?? null };
  }

  @Put('payout-address')
  @Access('withdraw')
  set(@Req() req: ApiRequest, @Body() input: unknown): PayoutAddressView {
    const r = validated<{ address: string; signature: string }>(PAYOUT_ADDRESS_SCHEMA, input);
    const accountId = req.auth!.accountId;
    const refused = this.addresses.register(accountId, r.address, r.signature);
    if (refused !== null) throw ApiException.of(REFUSAL[refused], undefined, refused === 'BAD_SIGNATURE' ? 'signature' : 'address'); // prettier-ignore
    return { accountId, address: this.addresses.get(accountId) ?? null };
  }
}
