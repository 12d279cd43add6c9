import type { SettlementChainPort } from './settlement-chain';

/**
 * What the exchange's ledger says the chain should hold, in the chain's units (stablecoin minor
 * units, GPU-hour token base units). The settlement service builds it from its ledger accounts.
 */
export interface LedgerView {
  /** the vault's custody: deposits credited less withdrawals paid less expiry payouts funded */
  readonly custodyMinor: bigint;
  /** per posted payout root: what its claims may still pay */
  readonly pools: readonly { readonly root: string; readonly remainingMinor: bigint }[];
  /** per provider address: bonded collateral (the stake the exchange counts; released stake is unbonding, the provider's) */
  readonly providerStakes: readonly { readonly provider: string; readonly stakeMinor: bigint }[];
  /** per compute class: GPU-hour tokens outstanding on chain (minted less burnt) */
  readonly gpuHourSupply: readonly { readonly computeClass: string; readonly supply: bigint }[];
}

export interface Difference {
  /** `payables`: an expiry's payables in the ledger against its payout tree (the settlement app's check) */
  readonly what: 'custody' | 'pool' | 'provider-stake' | 'gpu-hour-supply' | 'vault-balance' | 'payables';
  readonly key: string;
  readonly ledger: bigint;
  readonly chain: bigint;
}

export interface ChainReads {
  stablecoinBalance(account: string): Promise<bigint>;
  gpuHourSupply(computeClass: string): Promise<bigint>;
}

/**
 * Compares the chain with the ledger and lists every difference (empty: they agree). It also
 * checks the vault against itself: its stablecoin balance equals custody plus what all the listed
 * pools may still pay.
 */
export async function reconcile(
  chain: SettlementChainPort & ChainReads,
  ledger: LedgerView,
): Promise<Difference[]> {
  const out: Difference[] = [];
  const note = (what: Difference['what'], key: string, l: bigint, c: bigint): void => {
    if (l !== c) out.push({ what, key, ledger: l, chain: c });
  };
  const custody = await chain.custodyMinor();
  note('custody', 'vault', ledger.custodyMinor, custody);
  let poolsOnChain = 0n;
  for (const pool of ledger.pools) {
    const onChain = await chain.poolOf(pool.root);
    poolsOnChain += onChain.remainingMinor;
    note('pool', pool.root, pool.remainingMinor, onChain.posted ? onChain.remainingMinor : -1n);
  }
  for (const s of ledger.providerStakes) {
    const onChain = await chain.stakeOf(s.provider);
    note('provider-stake', s.provider, s.stakeMinor, onChain.bondedMinor);
  }
  for (const g of ledger.gpuHourSupply) {
    note('gpu-hour-supply', g.computeClass, g.supply, await chain.gpuHourSupply(g.computeClass));
  }
  const vaultBalance = await chain.stablecoinBalance(chain.addresses.vault);
  note('vault-balance', chain.addresses.vault, custody + poolsOnChain, vaultBalance);
  return out;
}
