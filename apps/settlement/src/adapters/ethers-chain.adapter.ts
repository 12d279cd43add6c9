import {
  EthersSettlementChain as Chain,
  reconcile,
  type ChainDepositLog,
  type Difference,
  type GpuHourBurn,
  type LedgerView,
  type PostRoot,
  type SignedFinalPrice,
} from '@exchange/chain';
import type { SettlementChain } from '../ports/chain-port';

/**
 * The settlement app's chain port over libs/chain's EthersSettlementChain (ethers v6, journalled
 * transactions). `mintable`: the stablecoin is the embedded default's TestStablecoin, so funding
 * the vault mints it first; with a real stablecoin (CHAIN_STABLECOIN) the operator must hold it.
 */
export class EthersChainAdapter implements SettlementChain {
  readonly chainKey: string;

  constructor(
    private readonly chain: Chain,
    readonly stablecoinMintable: boolean,
  ) {
    const { chainId, genesisHash } = chain.connection;
    this.chainKey = `${chainId}-${genesisHash.slice(2, 14)}`;
  }

  get chainId(): bigint {
    return this.chain.connection.chainId;
  }
  get operator(): string {
    return this.chain.operator;
  }
  get settlementPrice(): string {
    return this.chain.addresses.settlementPrice;
  }
  get vault(): string {
    return this.chain.addresses.vault;
  }
  get confirmations(): number {
    return this.chain.options.confirmations;
  }
  get stablecoin(): string {
    return this.chain.addresses.stablecoin;
  }

  async blockTimeS(): Promise<bigint> {
    const block = await this.chain.sender.raw<{ timestamp: string }>('eth_getBlockByNumber', [
      'latest',
      false,
    ]);
    return BigInt(block.timestamp);
  }

  async postPrice(price: SignedFinalPrice): Promise<void> {
    await this.chain.postPrice(price);
  }

  async priceOf(expiryId: string): Promise<{ priceMicros: bigint; postedAt: bigint; finalAt: bigint }> {
    const { priceMicros, postedAt, finalAt } = await this.chain.priceOf(expiryId);
    return { priceMicros, postedAt, finalAt };
  }

  isFinal(expiryId: string): Promise<boolean> {
    return this.chain.isFinal(expiryId);
  }

  async fundVault(key: string, amountMinor: bigint): Promise<void> {
    if (this.stablecoinMintable) await this.chain.mintTestStablecoin(key, this.operator, amountMinor);
    await this.chain.approveStablecoin(key, this.vault, amountMinor);
    await this.chain.deposit(key, amountMinor);
  }

  async postRoot(post: PostRoot): Promise<{ blockNumber: number }> {
    const posted = await this.chain.postRoot(post);
    await this.chain.primeClaims(post.root, post.leafCount);
    return { blockNumber: posted.blockNumber ?? 0 };
  }

  rootOf(expiryId: string): Promise<string> {
    return this.chain.rootOf(expiryId);
  }

  poolOf(root: string): Promise<{ remainingMinor: bigint; posted: boolean }> {
    return this.chain.poolOf(root);
  }

  isClaimed(root: string, index: number): Promise<boolean> {
    return this.chain.isClaimed(root, index);
  }

  claimedIndices(root: string, fromBlock: number): Promise<number[]> {
    return this.chain.claimedIndices(root, fromBlock);
  }

  reconcile(view: LedgerView): Promise<Difference[]> {
    return reconcile(this.chain, view);
  }

  blockNumber(): Promise<number> {
    return this.chain.blockNumber();
  }

  async mintGpuHours(computeClass: string, withdrawalId: string, to: string, amount: bigint): Promise<void> {
    await this.chain.mintGpuHours(computeClass, Chain.idOf(withdrawalId), to, amount);
  }

  gpuHourBurns(computeClass: string, fromBlock: number, toBlock: number): Promise<GpuHourBurn[]> {
    return this.chain.gpuHourBurns(computeClass, fromBlock, toBlock);
  }

  gpuHourSupply(computeClass: string): Promise<bigint> {
    return this.chain.gpuHourSupply(computeClass);
  }

  custodyMinor(): Promise<bigint> {
    return this.chain.custodyMinor();
  }

  vaultDeposits(fromBlock: number, toBlock: number): Promise<ChainDepositLog[]> {
    return this.chain.vaultDeposits(fromBlock, toBlock);
  }

  async withdrawFromVault(withdrawalId: string, to: string, amountMinor: bigint): Promise<void> {
    await this.chain.withdraw(Chain.idOf(withdrawalId), to, amountMinor);
  }

  get deployBlock(): number {
    return this.chain.addresses.deployBlock;
  }

  stakeDeposits(fromBlock: number, toBlock: number): Promise<ChainDepositLog[]> {
    return this.chain.stakes(fromBlock, toBlock);
  }

  async releaseStake(releaseId: string, provider: string, amountMinor: bigint): Promise<void> {
    await this.chain.releaseStake(Chain.idOf(releaseId), provider, amountMinor);
  }

  async slashStake(s: {
    leaseId: string;
    provider: string;
    amountMinor: bigint;
    failedAtS: bigint;
  }): Promise<bigint> {
    const leaseId = Chain.idOf(s.leaseId);
    const signed = await this.chain.attestFailure({
      leaseId, provider: s.provider, lessee: this.operator, lesseeMinor: s.amountMinor, insuranceMinor: 0n, failedAt: s.failedAtS,
    }); // prettier-ignore
    const tx = await this.chain.slash(signed);
    const block = tx.blockNumber ?? (await this.chain.blockNumber());
    const paid = await this.chain.slashedOf(leaseId, block, block);
    if (paid === null) throw new Error(`no Slashed log for ${s.leaseId} in block ${block}`);
    return paid.lesseeMinor + paid.insuranceMinor;
  }
}
