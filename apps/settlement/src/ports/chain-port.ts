import type {
  ChainDepositLog,
  Difference,
  GpuHourBurn,
  LedgerView,
  PostRoot,
  SignedFinalPrice,
} from '@exchange/chain';

/**
 * The chain as cash settlement uses it: the SettlementPrice contract (signed final prices and their
 * dispute window) and the CollateralVault (funding, payout roots, claims). Every write is
 * idempotent by its key and restart-safe (libs/chain's transaction journal); reads are at the
 * latest block. EthersChainAdapter implements it over libs/chain; a test may implement it in memory.
 */
export interface SettlementChain {
  /** `<chainId>-<genesis hash prefix>`: records of on-chain steps are kept per chain. */
  readonly chainKey: string;
  readonly chainId: bigint;
  readonly operator: string;
  readonly settlementPrice: string;
  readonly vault: string;
  readonly stablecoin: string;
  /** The latest block's timestamp, seconds. */
  blockTimeS(): Promise<bigint>;
  postPrice(price: SignedFinalPrice): Promise<void>;
  /** The posted price of an expiry (postedAt 0: none) and when it is final. */
  priceOf(expiryId: string): Promise<{ priceMicros: bigint; postedAt: bigint; finalAt: bigint }>;
  isFinal(expiryId: string): Promise<boolean>;
  /** Moves `amountMinor` of the operator's stablecoin into the vault's custody, once per key. */
  fundVault(key: string, amountMinor: bigint): Promise<void>;
  /** Posts a payout root (funded from custody) and primes its claim words; the root's block. */
  postRoot(post: PostRoot): Promise<{ blockNumber: number }>;
  rootOf(expiryId: string): Promise<string>;
  poolOf(root: string): Promise<{ remainingMinor: bigint; posted: boolean }>;
  isClaimed(root: string, index: number): Promise<boolean>;
  /** The leaf indices of `root` claimed so far (from the root's block on). */
  claimedIndices(root: string, fromBlock: number): Promise<number[]>;
  /** libs/chain's reconciler: every difference between the chain and the ledger's view. */
  reconcile(view: LedgerView): Promise<Difference[]>;
  blockNumber(): Promise<number>;
  /** Blocks (its own counted) after which a transaction or a log is taken as final. */
  readonly confirmations: number;
  /** Mints GPU-hour tokens for a ledger withdrawal, once per withdrawal id (a text id, hashed on chain). */
  mintGpuHours(computeClass: string, withdrawalId: string, to: string, amount: bigint): Promise<void>;
  gpuHourBurns(computeClass: string, fromBlock: number, toBlock: number): Promise<GpuHourBurn[]>;
  gpuHourSupply(computeClass: string): Promise<bigint>;
  /** The embedded TestStablecoin: the operator may mint what it deposits. */
  readonly stablecoinMintable: boolean;
  custodyMinor(): Promise<bigint>;
  vaultDeposits(fromBlock: number, toBlock: number): Promise<ChainDepositLog[]>;
  /** Pays stablecoin out of the vault's custody, once per withdrawal id (a text id, hashed on chain). */
  withdrawFromVault(withdrawalId: string, to: string, amountMinor: bigint): Promise<void>;
  /** The block the exchange's contracts were deployed in: their logs start there. */
  readonly deployBlock: number;
  /** ProviderCollateral's Staked logs in blocks [fromBlock, toBlock], in chain order. */
  stakeDeposits(fromBlock: number, toBlock: number): Promise<ChainDepositLog[]>;
  /** Moves a provider's bonded stake into unbonding, once per release id (a text id, hashed on chain). */
  releaseStake(releaseId: string, provider: string, amountMinor: bigint): Promise<void>;
  /**
   * Slashes a provider's stake with the exchange's signed failure attestation (lease id: a text id,
   * hashed on chain), paid to the operator, once per lease id; what the contract paid (it never
   * takes more than the stake). Inside the contract's dispute window it is refused
   * (ChainRejectedError DISPUTE_WINDOW_OPEN).
   */
  slashStake(s: {
    leaseId: string;
    provider: string;
    amountMinor: bigint;
    failedAtS: bigint;
  }): Promise<bigint>;
}

export const SETTLEMENT_CHAIN = Symbol('SETTLEMENT_CHAIN');
