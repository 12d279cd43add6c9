import { Wallet, id } from 'ethers';
import type { EthersSettlementChain } from '@exchange/chain';
import { payoutAddressMessage } from '../chain/payout-addresses';

/**
 * The demo providers' own wallets on the embedded chain: each stakes test USDC in ProviderCollateral
 * from its payout address, as a real provider would, so that `npm start` shows stake credited from
 * chain (the chain bridge's ChainStake) backing the redemption demo's commitments. The keys derive
 * from the account id: for a local development chain only.
 */
export interface DemoProviderWallets {
  /** The account's wallet and its signed payout-address registration. */
  registration(accountId: number): Promise<{ address: string; signature: string }>;
  /** Gas, test USDC, the approval and the stake, each sent once (keyed by account). */
  stake(accountId: number, amountMinor: bigint): Promise<void>;
}

export const DEMO_PROVIDER_WALLETS = Symbol('DEMO_PROVIDER_WALLETS');

/** One ether of gas for a demo wallet, in wei. */
const GAS_WEI = 10n ** 18n;

export function embeddedProviderWallets(chain: EthersSettlementChain): DemoProviderWallets {
  const wallet = (accountId: number) => new Wallet(id(`compute-exchange demo provider ${accountId}`));
  return {
    async registration(accountId) {
      const w = wallet(accountId);
      return {
        address: w.address,
        signature: await w.signMessage(payoutAddressMessage(accountId, w.address)),
      };
    },
    async stake(accountId, amountMinor) {
      const w = wallet(accountId);
      const key = `demo-stake:${accountId}`;
      const provider = chain.as(w.privateKey);
      await provider.sender.resume();
      // gas from the operator as a transaction (an archived development chain keeps only transactions)
      await chain.sendEther(key, w.address, GAS_WEI);
      await chain.mintTestStablecoin(key, w.address, amountMinor);
      await provider.approveStablecoin(key, chain.addresses.providerCollateral, amountMinor);
      await provider.stake(key, amountMinor);
    },
  };
}
