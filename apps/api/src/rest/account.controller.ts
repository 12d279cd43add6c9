import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type {
  AccountSettlementView,
  BalanceView,
  FillView,
  KeyView,
  LeaseView,
  LedgerEntryView,
  PositionView,
  Scope,
  SignupResult,
} from '@exchange/client';
import { TransferReasonName } from '@exchange/domain';
import { CREATE_KEY_SCHEMA, SIGNUP_SCHEMA } from '@exchange/gateway';
import { ApiKeyStore } from '../auth/api-key-store';
import { Access } from '../auth/auth.guard';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { ApiException, validated } from '../http/api-exception';
import type { ApiRequest } from '../http/raw-body';
import { ReadService } from '../trading/read.service';
import { InstrumentsService } from '../trading/instruments.service';
import { TradingService } from '../trading/trading.service';
import { MarketHub } from '../ws/market-hub';
import { checkQuery, intParam, optionalString, pageLimit } from './query';

export const API_KEY_STORE = Symbol('API_KEY_STORE');

/** The account: fills, positions, balances, margin, transfers, sign-up and API keys. */
@Controller('v1')
export class AccountController {
  constructor(
    private readonly reads: ReadService,
    private readonly trading: TradingService,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly hub: MarketHub,
    private readonly instruments: InstrumentsService,
  ) {}

  @Get('fills')
  @Access('read')
  fills(@Req() req: ApiRequest, @Query() q: Record<string, unknown>): Promise<FillView[]> {
    checkQuery(q, ['instrument', 'limit']);
    return this.reads.fills(req.auth!.accountId, {
      instrument: optionalString(q.instrument),
      limit: pageLimit(q.limit),
    });
  }

  @Get('positions')
  @Access('read')
  positions(@Req() req: ApiRequest): Promise<PositionView[]> {
    return this.reads.positions(req.auth!.accountId);
  }

  @Get('balances')
  @Access('read')
  balances(@Req() req: ApiRequest): Promise<BalanceView[]> {
    return this.reads.balances(req.auth!.accountId);
  }

  /** Balances, positions and margin from the risk stage (501 NOT_AVAILABLE until it exists). */
  @Get('account')
  @Access('read')
  account(@Req() req: ApiRequest): Promise<unknown> {
    return this.reads.account(req.auth!.accountId);
  }

  /** The account's settlement cash flows (variation margin, final settlement, exercise, lease money), newest first. */
  @Get('account/settlements')
  @Access('read')
  settlements(@Req() req: ApiRequest, @Query() q: Record<string, unknown>): Promise<AccountSettlementView[]> {
    checkQuery(q, ['instrument', 'limit']);
    const entry = this.instruments.optional(q.instrument);
    return this.hub.data.accountSettlements(req.auth!.accountId, {
      instrumentId: entry?.instrumentId,
      limit: pageLimit(q.limit),
    });
  }

  /**
   * The account's ledger, newest first: every transfer in or out of it (deposits, withdrawals, spot
   * settlement, fees, premiums, realised P&L, variation margin, expiry, lease money), one entry per
   * side. `beforeEntryId` pages back.
   */
  @Get('account/ledger')
  @Access('read')
  ledger(@Req() req: ApiRequest, @Query() q: Record<string, unknown>): Promise<LedgerEntryView[]> {
    checkQuery(q, ['asset', 'kind', 'limit', 'beforeEntryId']);
    const kind = optionalString(q.kind);
    if (kind !== undefined && !(TransferReasonName as readonly string[]).includes(kind))
      throw ApiException.of(
        'VALIDATION_FAILED',
        `kind must be one of ${TransferReasonName.join(', ')}`,
        'kind',
      );
    return this.reads.ledger(req.auth!.accountId, {
      asset: optionalString(q.asset),
      kind,
      limit: pageLimit(q.limit),
      beforeEntryId:
        q.beforeEntryId === undefined
          ? undefined
          : intParam(q.beforeEntryId, 'beforeEntryId', 1, Number.MAX_SAFE_INTEGER),
    });
  }

  /** The compute leases the account takes (lessee) or delivers (provider). */
  @Get('account/leases')
  @Access('read')
  leases(@Req() req: ApiRequest): Promise<LeaseView[]> {
    return this.hub.data.leases(req.auth!.accountId);
  }

  /** Development faucet: credits the account without a chain (embedded mode only). */
  @Post('faucet')
  @Access('trade')
  @HttpCode(200)
  faucet(@Req() req: ApiRequest, @Body() input: unknown) {
    if (!this.config.faucet) throw ApiException.of('NOT_AVAILABLE', 'the faucet is off (API_FAUCET=off)');
    return this.trading.transfer('deposit', req.auth!.accountId, input);
  }

  @Post('withdrawals')
  @Access('withdraw')
  @HttpCode(200)
  withdraw(@Req() req: ApiRequest, @Body() input: unknown) {
    return this.trading.transfer('withdraw', req.auth!.accountId, input);
  }

  /** Development sign-up: a new account and a key with every scope. The secret is shown once. */
  @Post('signup')
  @HttpCode(201)
  signup(@Body() input: unknown): Promise<SignupResult> {
    const { name } = validated<{ name: string }>(SIGNUP_SCHEMA, input);
    return this.keys.signup(name);
  }

  @Get('keys')
  @Access('read')
  listKeys(@Req() req: ApiRequest): Promise<KeyView[]> {
    return this.keys.list(req.auth!.accountId);
  }

  /** A new key with some of the calling key's scopes. */
  @Post('keys')
  @Access('read')
  @HttpCode(201)
  createKey(@Req() req: ApiRequest, @Body() input: unknown) {
    const { scopes } = validated<{ scopes: Scope[] }>(CREATE_KEY_SCHEMA, input);
    const missing = scopes.find((s) => !req.auth!.scopes.includes(s));
    if (missing !== undefined)
      throw ApiException.of('SCOPE_MISSING', `the calling key lacks the "${missing}" scope`, 'scopes');
    return this.keys.createKey(req.auth!.accountId, scopes);
  }

  @Delete('keys/:keyId')
  @Access('read')
  async revokeKey(@Req() req: ApiRequest, @Param('keyId') keyId: string) {
    const revokedAt = await this.keys.revoke(req.auth!.accountId, keyId);
    if (revokedAt === undefined)
      throw ApiException.of('NOT_FOUND', `no key ${keyId} on this account`, 'keyId');
    return { keyId, revokedAt: revokedAt.toISOString() };
  }
}
