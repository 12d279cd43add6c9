import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Wallet } from 'ethers';
import { ApiError, RestClient, payoutAddressMessage } from '@exchange/client';
import { EventType, TransferReason, decodeEvents } from '@exchange/domain';
import { PayoutAddresses } from '../../settlement/src/chain/payout-addresses';
import { startApi } from '../src/start-api';
import { Exchange, TEST_CONFIG } from './api-fixture';

/**
 * The payout address over real HTTP, against the settlement app's registry: only the account's own
 * key with the withdraw scope sets it, and only with the wallet's signature for that account.
 */
let ex: Exchange;
let api: INestApplication;
let url: string;
let dir: string;
let registry: PayoutAddresses;

beforeAll(async () => {
  ex = await Exchange.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payout-addresses-'));
  registry = new PayoutAddresses(dir);
  api = await startApi({ engine: ex.engine, projection: ex.projection, database: ex.database, port: 0, config: TEST_CONFIG, logger: false, payoutAddresses: registry }); // prettier-ignore
  url = (await api.getUrl()).replace('[::1]', '127.0.0.1');
}, 120_000);

afterAll(async () => {
  await api?.close();
  await ex?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The chain_withdrawal transfers of a command, from the engine's event log. */
function chainWithdrawals(seq: number) {
  const out: { accountId: number; asset: string; amountMinor: bigint }[] = [];
  for (const f of ex.engine.eventLog.frames(seq - 1))
    for (const e of decodeEvents(f.payload))
      if (e.seq === seq && e.type === EventType.LedgerTransfer && e.reason === TransferReason.ChainWithdrawal)
        out.push({ accountId: e.debitAccountId, asset: e.asset, amountMinor: e.amountMinor });
  return out;
}

async function code(p: Promise<unknown>): Promise<[number, string, string | undefined]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return [err.status, err.code, err.body.field];
}

it('sets the payout address for the signed-in account only, with the wallet signature and the withdraw scope', async () => {
  const alice = new RestClient({ baseUrl: url });
  const { accountId } = await alice.signup('payout-alice');
  const wallet = Wallet.createRandom();
  const sign = (id: number, w = wallet) => w.signMessage(payoutAddressMessage(id, w.address));

  expect(await alice.payoutAddress()).toEqual({ accountId, address: null });
  // a signature for another account, or by another wallet, or a malformed address: refused, nothing set
  expect(await code(alice.setPayoutAddress(wallet.address, await sign(accountId + 1)))).toEqual([400, 'PAYOUT_SIGNATURE_INVALID', 'signature']); // prettier-ignore
  expect(await code(alice.setPayoutAddress(wallet.address, await Wallet.createRandom().signMessage(payoutAddressMessage(accountId, wallet.address))))).toEqual([400, 'PAYOUT_SIGNATURE_INVALID', 'signature']); // prettier-ignore
  expect(await code(alice.setPayoutAddress('0x1234', await sign(accountId)))).toEqual([400, 'INVALID_PAYOUT_ADDRESS', 'address']); // prettier-ignore
  expect(await code(alice.call('PUT', '/v1/account/payout-address', { address: wallet.address }))).toEqual([400, 'VALIDATION_FAILED', 'signature']); // prettier-ignore
  // a key without the withdraw scope cannot set it
  const reader = await alice.createKey(['read', 'trade']);
  const limited = new RestClient({
    baseUrl: url,
    credentials: { keyId: reader.keyId, secret: reader.secret },
  });
  expect(await code(limited.setPayoutAddress(wallet.address, await sign(accountId)))).toEqual([403, 'SCOPE_MISSING', undefined]); // prettier-ignore
  expect(registry.get(accountId)).toBeUndefined();

  // with chain settlement a withdrawal goes to the payout address: none yet, refused, nothing moves
  await alice.faucet('USDC', '100');
  expect(await code(alice.withdraw('USDC', '30'))).toEqual([400, 'PAYOUT_ADDRESS_REQUIRED', 'asset']);
  expect(ex.engine.state.ledger.balance(accountId, 'USDC')).toBe(100_000_000n);

  expect(await alice.setPayoutAddress(wallet.address, await sign(accountId))).toEqual({ accountId, address: wallet.address }); // prettier-ignore
  const w = await alice.withdraw('USDC', '30');
  expect(ex.engine.state.ledger.balance(accountId, 'USDC')).toBe(70_000_000n);
  expect(chainWithdrawals(w.seq)).toEqual([{ accountId, asset: 'USDC', amountMinor: 30_000_000n }]);
  expect(registry.get(accountId)).toBe(wallet.address);
  expect(await limited.payoutAddress()).toEqual({ accountId, address: wallet.address });

  // another account cannot take the same address
  const bob = new RestClient({ baseUrl: url });
  const b = await bob.signup('payout-bob');
  expect(await code(bob.setPayoutAddress(wallet.address, await sign(b.accountId)))).toEqual([409, 'ADDRESS_IN_USE', 'address']); // prettier-ignore
});

it('answers NOT_AVAILABLE where the exchange runs without chain settlement', async () => {
  const carol = ex.rest();
  await carol.signup('payout-carol');
  expect(await code(carol.payoutAddress())).toEqual([501, 'NOT_AVAILABLE', undefined]);
});
