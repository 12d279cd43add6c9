import { CommandType, TriggerSource } from '@exchange/domain';
import { SettlementAccount } from '@exchange/settlement';
import { Exchange, expectApiError, waitFor } from './api-fixture';

/**
 * Token redemption over real HTTP on the running engine: a provider commits capacity, a holder
 * redeems GPU-hour tokens, the leases appear in both accounts' lease views, and every refusal is a
 * stable code that changes nothing.
 */
let ex: Exchange;

beforeAll(async () => {
  ex = await Exchange.start();
}, 120_000);

afterAll(async () => {
  await ex?.stop();
});

/** The H100 index as the mark feed sends it: an index price on each H100 future (2.5 USDC per GPU-hour). */
async function publishIndex(): Promise<void> {
  const futures = ex.engine.state
    .instrumentIds()
    .filter((id) => ex.engine.state.instrument(id)?.definition.kind === 'future' && ex.engine.state.instrument(id)?.definition.computeClass === 'H100'); // prettier-ignore
  expect(futures.length).toBeGreaterThan(0);
  await ex.engine.submit(futures.map((instrumentId) => ({ type: CommandType.SetReferencePrice, instrumentId, source: TriggerSource.IndexPrice, priceTicks: 2_500 }))); // prettier-ignore
}

it('commits capacity, redeems tokens into leases, and refuses what it cannot serve', async () => {
  const provider = await ex.trader('capacity-provider', '10000', '0');
  const lessee = await ex.trader('token-holder', '0', '50');
  provider.rest.setCredentials(provider.credentials);
  lessee.rest.setCredentials(lessee.credentials);

  await expectApiError(provider.rest.commitCapacity('H100', 8), 400, 'NO_INDEX_PRICE');
  await publishIndex();
  const committed = await provider.rest.commitCapacity('H100', 8);
  expect(committed).toMatchObject({ computeClass: 'H100', gpus: 8 });
  // 8 GPUs x 72 h x 2.5 USDC x 25% = 360 USDC of provider collateral
  expect(ex.engine.accountView(provider.accountId)!.capacity).toEqual([{ computeClass: 'H100', gpus: 8, collateralMinor: '360000000' }]); // prettier-ignore
  expect(ex.engine.accountView(provider.accountId)!.balances.USDC).toBe('9640000000');

  // refusals: validation before the engine, engine codes after; nothing changes
  const ledger = ex.engine.state.ledger.entries();
  await expectApiError(lessee.rest.redeem('H100', 9, 1), 400, 'INSUFFICIENT_CAPACITY');
  await expectApiError(lessee.rest.redeem('H100', 2, 26), 400, 'INSUFFICIENT_BALANCE');
  await expectApiError(lessee.rest.redeem('H100', 1, 73), 400, 'INVALID_DURATION');
  await expectApiError(lessee.rest.redeem('H100', 1, 0), 400, 'VALIDATION_FAILED', 'hours');
  await expectApiError(lessee.rest.redeem('TPU' as never, 1, 1), 400, 'VALIDATION_FAILED', 'computeClass');
  await expectApiError(lessee.rest.commitCapacity('H100', 10_000), 400, 'INSUFFICIENT_PROVIDER_COLLATERAL');
  const reader = await lessee.rest.createKey(['read']);
  lessee.rest.setCredentials({ keyId: reader.keyId, secret: reader.secret });
  await expectApiError(lessee.rest.redeem('H100', 1, 1), 403, 'SCOPE_MISSING');
  lessee.rest.setCredentials(lessee.credentials);
  expect(ex.engine.state.ledger.entries()).toEqual(ledger);

  const redemption = await lessee.rest.redeem('H100', 2, 5);
  expect(redemption).toMatchObject({ computeClass: 'H100', gpus: 2, hours: 5, tokens: '10' });
  expect(redemption.leases).toEqual([
    expect.objectContaining({ leaseId: `H100-RDM-${redemption.seq}-1`, providerAccountId: provider.accountId, gpus: 2 }), // prettier-ignore
  ]);
  const [lease] = redemption.leases;
  expect(lease!.deliveryEndMs - lease!.deliveryStartMs).toBe(5 * 3_600_000);
  expect(ex.engine.state.ledger.balance(lessee.accountId, 'H100')).toBe(40n);
  expect(ex.engine.state.ledger.balance(SettlementAccount.Escrow, 'H100')).toBe(10n);
  expect(ex.engine.accountView(provider.accountId)!.capacity).toEqual([{ computeClass: 'H100', gpus: 6, collateralMinor: '270000000' }]); // prettier-ignore

  // both sides see the lease, as the lessee and as the provider
  const mine = await waitFor('lease in the lessee view', async () => {
    const ls = await lessee.rest.leases();
    return ls.length > 0 ? ls : undefined;
  });
  expect(mine).toEqual([
    expect.objectContaining({ leaseId: lease!.leaseId, instrument: null, role: 'lessee', state: 'allocated', gpuCount: 2 }), // prettier-ignore
  ]);
  expect(await provider.rest.leases()).toEqual([
    expect.objectContaining({
      leaseId: lease!.leaseId,
      role: 'provider',
      providerAccountId: provider.accountId,
    }),
  ]);

  // the provider withdraws what is left of its commitment: the collateral for it comes back
  await provider.rest.commitCapacity('H100', 0);
  expect(ex.engine.accountView(provider.accountId)!.capacity).toEqual([]);
  await expectApiError(lessee.rest.redeem('H100', 1, 1), 400, 'INSUFFICIENT_CAPACITY');
});

it('shows a provider its stake and releases only the idle part of it', async () => {
  const provider = await ex.trader('staked-provider', '100', '0');
  provider.rest.setCredentials(provider.credentials);
  // 500 USDC staked on chain, as the settlement app's chain bridge credits it
  await ex.engine.submit([{ type: CommandType.ChainStake, accountId: provider.accountId, amountMinor: 500_000_000n, reference: `31337:0x5e:${provider.accountId}` }]); // prettier-ignore
  await publishIndex();
  // 10 GPUs need 450 USDC of collateral: all of it from the stake
  await provider.rest.commitCapacity('H100', 10);
  const account = (await provider.rest.account()) as {
    stake: unknown;
    balances: { asset: string; available: string }[];
  };
  expect(account.stake).toEqual({ staked: '500', idle: '50' });
  // the balance holds 100 USDC of its own and 50 of idle stake; only its own is available
  expect(account.balances.find((b) => b.asset === 'USDC')).toMatchObject({
    balance: '150',
    available: '100',
  });
  await expectApiError(provider.rest.releaseStake('50.000001'), 400, 'INSUFFICIENT_STAKE');
  await expectApiError(provider.rest.releaseStake('0'), 400, 'INVALID_AMOUNT', 'amount');
  await expectApiError(provider.rest.releaseStake('-1'), 400, 'VALIDATION_FAILED', 'amount');
  const trader = await provider.rest.createKey(['read', 'trade']);
  provider.rest.setCredentials({ keyId: trader.keyId, secret: trader.secret });
  await expectApiError(provider.rest.releaseStake('1'), 403, 'SCOPE_MISSING');
  provider.rest.setCredentials(provider.credentials);
  const released = await provider.rest.releaseStake('50');
  expect(released).toMatchObject({ amount: '50' });
  expect(ex.engine.accountView(provider.accountId)!.stake).toEqual({
    stakeMinor: '450000000',
    idleMinor: '0',
  });
  await provider.rest.commitCapacity('H100', 0);
});
