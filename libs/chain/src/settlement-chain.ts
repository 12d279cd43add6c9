import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, Wallet, getAddress, id, type LogDescription } from 'ethers';
import { type ContractName, loadArtifact } from './artifacts';
import type { ChainConnection } from './connection';
import type { PayoutLeaf } from './merkle';
import { TxSender, type TxSenderOptions } from './tx-sender';
import type { TxRecord } from './tx-journal';
import {
  collateralDomain,
  signFailure,
  type FailureAttestation,
  type SignedFailureAttestation,
  type SignedFinalPrice,
} from './typed-data';

/** Where the exchange's contracts live on one chain. */
export interface ChainAddresses {
  readonly stablecoin: string;
  readonly settlementPrice: string;
  readonly vault: string;
  readonly providerCollateral: string;
  /** compute class -> its GPU-hour token */
  readonly gpuHourTokens: Readonly<Record<string, string>>;
  /** The block of the first contract's deployment: the contracts' logs start there (0: not recorded). */
  readonly deployBlock: number;
}

export interface DeployParams {
  /** the oracle's signing addresses the price contract accepts */
  readonly oracleSigners: readonly string[];
  /** signs failure attestations; default: the operator */
  readonly attester?: string;
  /** receives the non-lessee part of a slash; default: the operator */
  readonly insuranceFund?: string;
  readonly priceDisputeWindowS: bigint;
  readonly maxPriceAgeS: bigint;
  readonly maxClockSkewS: bigint;
  readonly slashDisputeWindowS: bigint;
  readonly unbondingDelayS: bigint;
  readonly computeClasses: readonly string[];
  readonly gpuTokenDecimals: number;
  /** an existing stablecoin; unset: a TestStablecoin is deployed (development chains only) */
  readonly stablecoin?: string;
}

export interface PostRoot {
  readonly expiryId: string;
  readonly root: string;
  readonly totalMinor: bigint;
  readonly priceMicros: bigint;
  readonly leafCount: number;
}

/** The chain side of settlement, as the settlement service sees it. Every write is idempotent by its key. */
export interface SettlementChainPort {
  readonly addresses: ChainAddresses;
  readonly operator: string;
  postPrice(price: SignedFinalPrice): Promise<TxRecord>;
  postRoot(post: PostRoot): Promise<TxRecord>;
  primeClaims(root: string, leafCount: number): Promise<TxRecord[]>;
  claim(root: string, leaf: PayoutLeaf, proof: readonly string[]): Promise<TxRecord>;
  withdraw(withdrawalId: string, to: string, amountMinor: bigint): Promise<TxRecord>;
  slash(attestation: SignedFailureAttestation): Promise<TxRecord>;
  mintGpuHours(computeClass: string, withdrawalId: string, to: string, amount: bigint): Promise<TxRecord>;
  priceOf(
    expiryId: string,
  ): Promise<{ priceMicros: bigint; postedAt: bigint; finalAt: bigint; signer: string }>;
  isFinal(expiryId: string): Promise<boolean>;
  poolOf(root: string): Promise<{ remainingMinor: bigint; posted: boolean }>;
  isClaimed(root: string, index: number): Promise<boolean>;
  custodyMinor(): Promise<bigint>;
  stakeOf(provider: string): Promise<{ bondedMinor: bigint; unbondingMinor: bigint; unbondableAt: bigint }>;
}

export interface SettlementChainOptions {
  /** journals and the deployment record live here */
  readonly dataDir: string;
  readonly confirmations: number;
  readonly pollIntervalMs?: number;
  readonly rpcAttempts?: number;
  readonly retryDelayMs?: number;
  readonly hooks?: TxSenderOptions['hooks'];
}

/** keccak256 of an instrument symbol: the expiry's id on chain (e.g. "H100-2612"). */
export function expiryIdOf(instrumentSymbol: string): string {
  return id(instrumentSymbol);
}

const CLAIM_WORDS_PER_TX = 400;
const LEAVES_PER_WORD = 255;

const NAMES: ContractName[] = [
  'SettlementPrice',
  'CollateralVault',
  'ProviderCollateral',
  'GpuHourToken',
  'TestStablecoin',
];

/** Something sent into the exchange on chain: one log of a token burn or a vault deposit. */
export interface ChainDepositLog {
  readonly txHash: string;
  readonly logIndex: number;
  readonly blockNumber: number;
  /** The sender (checksummed). */
  readonly account: string;
  /** In the asset's smallest units. */
  readonly amount: bigint;
}

/** GPU-hour tokens a holder burnt into the exchange (one DepositedToExchange or RedemptionRequested log). */
export interface GpuHourBurn extends ChainDepositLog {
  /** A redemption: GPUs and hours asked for (0 and 0 for a plain deposit). */
  readonly redeemGpus: number;
  readonly redeemHours: number;
}

export class EthersSettlementChain implements SettlementChainPort {
  readonly sender: TxSender;
  private readonly wallet: Wallet;
  private readonly ifaces: Record<ContractName, Interface>;
  private _addresses: ChainAddresses | undefined;

  constructor(
    readonly connection: ChainConnection,
    privateKey: string,
    readonly options: SettlementChainOptions,
    addresses?: ChainAddresses,
  ) {
    const wallet = new Wallet(privateKey);
    this.wallet = wallet;
    this.ifaces = Object.fromEntries(
      NAMES.map((n) => [n, new Interface(loadArtifact(n).abi as never)]),
    ) as Record<ContractName, Interface>;
    const journal = join(
      options.dataDir,
      `tx-${connection.chainId}-${connection.genesisHash.slice(2, 14)}-${wallet.address.toLowerCase()}.jsonl`,
    );
    this.sender = new TxSender(connection.provider, wallet, connection.chainId, journal, {
      confirmations: options.confirmations,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      rpcAttempts: options.rpcAttempts ?? 8,
      retryDelayMs: options.retryDelayMs ?? 100,
      interfaces: Object.values(this.ifaces),
      hooks: options.hooks,
    });
    this._addresses = addresses;
  }

  get operator(): string {
    return this.sender.address;
  }

  get addresses(): ChainAddresses {
    if (!this._addresses) throw new Error('CHAIN_NOT_DEPLOYED: deploy() or open the deployment first');
    return this._addresses;
  }

  /** The same chain and contracts, sending as another key (a provider, a trader). */
  as(privateKey: string): EthersSettlementChain {
    return new EthersSettlementChain(this.connection, privateKey, this.options, this._addresses);
  }

  private get deploymentFile(): string {
    const { chainId, genesisHash } = this.connection;
    return join(this.options.dataDir, `deployment-${chainId}-${genesisHash.slice(2, 14)}.json`);
  }

  /**
   * Deploys the contracts, or finds them: each deployment is a journalled operation, so a deploy
   * cut short resumes where it stopped; a recorded deployment whose code is on chain is reused.
   */
  async deploy(params: DeployParams): Promise<ChainAddresses> {
    await this.sender.resume();
    if (existsSync(this.deploymentFile)) {
      const saved = JSON.parse(readFileSync(this.deploymentFile, 'utf8')) as ChainAddresses;
      const code = await this.sender.raw<string>('eth_getCode', [saved.vault, 'latest']);
      if (code !== '0x') return (this._addresses = { ...saved, deployBlock: saved.deployBlock ?? 0 });
    }
    const operator = this.operator;
    // the price contract first: from a fresh Hardhat account 0 it lands on the oracle's default
    // EIP-712 verifying contract (0x5FbDB2315678afecb367f032d93F642f64180aa3)
    const settlementPrice = await this.deployOne('SettlementPrice', 'deploy:SettlementPrice', [
      operator,
      params.oracleSigners,
      params.priceDisputeWindowS,
      params.maxPriceAgeS,
      params.maxClockSkewS,
    ]);
    const stablecoin =
      params.stablecoin ?? (await this.deployOne('TestStablecoin', 'deploy:TestStablecoin', []));
    const vault = await this.deployOne('CollateralVault', 'deploy:CollateralVault', [
      operator,
      stablecoin,
      settlementPrice,
    ]);
    const providerCollateral = await this.deployOne('ProviderCollateral', 'deploy:ProviderCollateral', [
      operator,
      stablecoin,
      params.attester ?? operator,
      params.insuranceFund ?? operator,
      params.slashDisputeWindowS,
      params.unbondingDelayS,
    ]);
    const gpuHourTokens: Record<string, string> = {};
    for (const computeClass of params.computeClasses) {
      gpuHourTokens[computeClass] = await this.deployOne(
        'GpuHourToken',
        `deploy:GpuHourToken:${computeClass}`,
        [operator, computeClass, params.gpuTokenDecimals],
      );
    }
    const deployBlock = this.sender.journal.get('deploy:SettlementPrice')?.blockNumber ?? 0;
    this._addresses = { stablecoin, settlementPrice, vault, providerCollateral, gpuHourTokens, deployBlock };
    mkdirSync(this.options.dataDir, { recursive: true });
    writeFileSync(this.deploymentFile, `${JSON.stringify(this._addresses, null, 2)}\n`);
    return this._addresses;
  }

  private async deployOne(name: ContractName, key: string, args: readonly unknown[]): Promise<string> {
    const artifact = loadArtifact(name);
    const encodedArgs = this.ifaces[name].encodeDeploy(args as unknown[]);
    const record = await this.sender.send(key, () => ({
      to: null,
      data: artifact.bytecode + encodedArgs.slice(2),
    }));
    if (!record.contractAddress) throw new Error(`${key}: the receipt has no contract address`);
    return record.contractAddress;
  }

  private call(
    name: ContractName,
    key: string,
    to: string,
    fn: string,
    args: readonly unknown[],
  ): Promise<TxRecord> {
    const data = this.ifaces[name].encodeFunctionData(fn, args as unknown[]);
    return this.sender.send(key, () => ({ to, data }));
  }

  /** eth_call of a view function at the latest block, decoded. */
  private async view(
    name: ContractName,
    address: string,
    fn: string,
    args: readonly unknown[] = [],
  ): Promise<unknown[]> {
    const iface = this.ifaces[name];
    const data = iface.encodeFunctionData(fn, args as unknown[]);
    const out = await this.sender.raw<string>('eth_call', [{ to: address, data }, 'latest']);
    return [...iface.decodeFunctionResult(fn, out)];
  }

  postPrice(p: SignedFinalPrice): Promise<TxRecord> {
    return this.call(
      'SettlementPrice',
      `price:${p.expiryId}:${p.signature}`,
      this.addresses.settlementPrice,
      'postPrice',
      [p.expiryId, p.priceMicros, p.windowEnd, p.signedAt, p.signature],
    );
  }

  postRoot(r: PostRoot): Promise<TxRecord> {
    return this.call('CollateralVault', `root:${r.expiryId}`, this.addresses.vault, 'postRoot', [
      r.expiryId,
      r.root,
      r.totalMinor,
      r.priceMicros,
      r.leafCount,
    ]);
  }

  /** Sets the sentinel of every claim word of the root, in transactions of CLAIM_WORDS_PER_TX words. */
  async primeClaims(root: string, leafCount: number): Promise<TxRecord[]> {
    const words = Math.ceil(leafCount / LEAVES_PER_WORD);
    const out: TxRecord[] = [];
    for (let from = 0; from < words; from += CLAIM_WORDS_PER_TX) {
      const count = Math.min(CLAIM_WORDS_PER_TX, words - from);
      out.push(
        await this.call('CollateralVault', `prime:${root}:${from}`, this.addresses.vault, 'primeClaims', [
          root,
          from,
          count,
        ]),
      );
    }
    return out;
  }

  claim(root: string, leaf: PayoutLeaf, proof: readonly string[]): Promise<TxRecord> {
    return this.call('CollateralVault', `claim:${root}:${leaf.index}`, this.addresses.vault, 'claim', [
      root,
      leaf.index,
      leaf.account,
      leaf.amountMinor,
      proof,
    ]);
  }

  withdraw(withdrawalId: string, to: string, amountMinor: bigint): Promise<TxRecord> {
    return this.call('CollateralVault', `withdraw:${withdrawalId}`, this.addresses.vault, 'withdraw', [
      withdrawalId,
      to,
      amountMinor,
    ]);
  }

  /** The exchange releases a provider's stake into unbonding, once per release id. */
  releaseStake(releaseId: string, provider: string, amountMinor: bigint): Promise<TxRecord> {
    return this.call('ProviderCollateral', `release-stake:${releaseId}`, this.addresses.providerCollateral, 'releaseStake', [releaseId, provider, amountMinor]); // prettier-ignore
  }

  /** A failure attestation signed with this chain's key (the exchange's attester by default). */
  attestFailure(a: FailureAttestation): Promise<SignedFailureAttestation> {
    return signFailure(
      this.wallet,
      collateralDomain(this.connection.chainId, this.addresses.providerCollateral),
      a,
    );
  }

  slash(a: SignedFailureAttestation): Promise<TxRecord> {
    const tuple = [a.leaseId, a.provider, a.lessee, a.lesseeMinor, a.insuranceMinor, a.failedAt];
    return this.call('ProviderCollateral', `slash:${a.leaseId}`, this.addresses.providerCollateral, 'slash', [
      tuple,
      a.signature,
    ]);
  }

  mintGpuHours(computeClass: string, withdrawalId: string, to: string, amount: bigint): Promise<TxRecord> {
    const token = this.tokenOf(computeClass);
    return this.call('GpuHourToken', `mint:${computeClass}:${withdrawalId}`, token, 'mint', [
      withdrawalId,
      to,
      amount,
    ]);
  }

  // account-side operations (a trader's or provider's own key, see as()); opKey makes them idempotent

  /** Sends ether (gas money) to an address, once per opKey. */
  sendEther(opKey: string, to: string, wei: bigint): Promise<TxRecord> {
    return this.sender.send(`ether:${opKey}`, () => ({ to, data: '0x', value: wei }));
  }

  approveStablecoin(opKey: string, spender: string, amountMinor: bigint): Promise<TxRecord> {
    return this.call('TestStablecoin', `approve:${opKey}`, this.addresses.stablecoin, 'approve', [
      spender,
      amountMinor,
    ]);
  }

  mintTestStablecoin(opKey: string, to: string, amountMinor: bigint): Promise<TxRecord> {
    return this.call('TestStablecoin', `faucet:${opKey}`, this.addresses.stablecoin, 'mint', [
      to,
      amountMinor,
    ]);
  }

  deposit(opKey: string, amountMinor: bigint): Promise<TxRecord> {
    return this.call('CollateralVault', `deposit:${opKey}`, this.addresses.vault, 'deposit', [amountMinor]);
  }

  /** A holder burns GPU-hour tokens to deposit them back to its exchange account. */
  depositGpuHours(opKey: string, computeClass: string, amount: bigint): Promise<TxRecord> {
    const token = this.tokenOf(computeClass);
    return this.call('GpuHourToken', `token-deposit:${computeClass}:${opKey}`, token, 'depositToExchange', [
      amount,
    ]);
  }

  stake(opKey: string, amountMinor: bigint): Promise<TxRecord> {
    return this.call('ProviderCollateral', `stake:${opKey}`, this.addresses.providerCollateral, 'stake', [
      amountMinor,
    ]);
  }

  /** A provider takes its released stake once the unbonding delay is over. */
  withdrawUnbonded(opKey: string): Promise<TxRecord> {
    return this.call('ProviderCollateral', `unbonded:${opKey}`, this.addresses.providerCollateral, 'withdrawUnbonded', []); // prettier-ignore
  }

  // reads (eth_call at the latest block)

  async priceOf(
    expiryId: string,
  ): Promise<{ priceMicros: bigint; postedAt: bigint; finalAt: bigint; signer: string }> {
    const [priceMicros, postedAt, finalAt, signer] = (await this.view(
      'SettlementPrice',
      this.addresses.settlementPrice,
      'priceOf',
      [expiryId],
    )) as [bigint, bigint, bigint, string];
    return { priceMicros, postedAt, finalAt, signer };
  }

  async isFinal(expiryId: string): Promise<boolean> {
    return (
      await this.view('SettlementPrice', this.addresses.settlementPrice, 'isFinal', [expiryId])
    )[0] as boolean;
  }

  async poolOf(root: string): Promise<{ remainingMinor: bigint; posted: boolean }> {
    const [remainingMinor, posted] = (await this.view('CollateralVault', this.addresses.vault, 'poolOf', [
      root,
    ])) as [bigint, boolean];
    return { remainingMinor, posted };
  }

  /** The leaf indices of `root` claimed so far (its Claimed events from `fromBlock` on). */
  async claimedIndices(root: string, fromBlock = 0): Promise<number[]> {
    const topic = this.ifaces.CollateralVault.getEvent('Claimed')!.topicHash;
    const logs = await this.sender.raw<{ data: string }[]>('eth_getLogs', [
      { address: this.addresses.vault, topics: [topic, root], fromBlock: `0x${fromBlock.toString(16)}`, toBlock: 'latest' },
    ]); // prettier-ignore
    return logs.map((l) => Number(BigInt(l.data)));
  }

  /** The payout root posted for an expiry (zero hash: none). */
  async rootOf(expiryId: string): Promise<string> {
    return (await this.view('CollateralVault', this.addresses.vault, 'rootOf', [expiryId]))[0] as string;
  }

  async isClaimed(root: string, index: number): Promise<boolean> {
    return (
      await this.view('CollateralVault', this.addresses.vault, 'isClaimed', [root, index])
    )[0] as boolean;
  }

  async custodyMinor(): Promise<bigint> {
    return (await this.view('CollateralVault', this.addresses.vault, 'custodyMinor'))[0] as bigint;
  }

  async stakeOf(
    provider: string,
  ): Promise<{ bondedMinor: bigint; unbondingMinor: bigint; unbondableAt: bigint }> {
    const [bondedMinor, unbondingMinor, unbondableAt] = (await this.view(
      'ProviderCollateral',
      this.addresses.providerCollateral,
      'stakeOf',
      [provider],
    )) as [bigint, bigint, bigint];
    return { bondedMinor, unbondingMinor, unbondableAt };
  }

  async stablecoinBalance(account: string): Promise<bigint> {
    return (
      await this.view('TestStablecoin', this.addresses.stablecoin, 'balanceOf', [account])
    )[0] as bigint;
  }

  async gpuHourSupply(computeClass: string): Promise<bigint> {
    const token = this.tokenOf(computeClass);
    return (await this.view('GpuHourToken', token, 'totalSupply'))[0] as bigint;
  }

  async gpuHourBalance(computeClass: string, account: string): Promise<bigint> {
    const token = this.tokenOf(computeClass);
    return (await this.view('GpuHourToken', token, 'balanceOf', [account]))[0] as bigint;
  }

  async blockNumber(): Promise<number> {
    return Number(BigInt(await this.sender.raw<string>('eth_blockNumber', [])));
  }

  /**
   * The burns of a class's token into the exchange in blocks [fromBlock, toBlock], in chain order:
   * DepositedToExchange (a deposit) and RedemptionRequested (a deposit to be redeemed as compute).
   */
  async gpuHourBurns(computeClass: string, fromBlock: number, toBlock: number): Promise<GpuHourBurn[]> {
    const logs = await this.logsOf('GpuHourToken', this.tokenOf(computeClass), ['DepositedToExchange', 'RedemptionRequested'], fromBlock, toBlock); // prettier-ignore
    return logs.map(({ log, event }) => {
      const redeem = event.name === 'RedemptionRequested';
      return {
        ...log,
        account: getAddress(event.args.getValue('account') as string),
        amount: event.args.getValue('amount') as bigint,
        redeemGpus: redeem ? Number(event.args.getValue('gpus')) : 0,
        redeemHours: redeem ? Number(event.args.getValue('durationHours')) : 0,
      };
    });
  }

  /** ProviderCollateral's Staked events in blocks [fromBlock, toBlock], in chain order. */
  async stakes(fromBlock: number, toBlock: number): Promise<ChainDepositLog[]> {
    const logs = await this.logsOf('ProviderCollateral', this.addresses.providerCollateral, ['Staked'], fromBlock, toBlock); // prettier-ignore
    return logs.map(({ log, event }) => ({
      ...log,
      account: getAddress(event.args.getValue('provider') as string),
      amount: event.args.getValue('amountMinor') as bigint,
    }));
  }

  /** What the slash of a lease id (bytes32) paid, from its Slashed event (null: not slashed). */
  async slashedOf(
    leaseId: string,
    fromBlock: number,
    toBlock: number,
  ): Promise<{ lesseeMinor: bigint; insuranceMinor: bigint } | null> {
    const logs = await this.logsOf('ProviderCollateral', this.addresses.providerCollateral, ['Slashed'], fromBlock, toBlock); // prettier-ignore
    const hit = logs.find(({ event }) => (event.args.getValue('leaseId') as string) === leaseId);
    if (hit === undefined) return null;
    return { lesseeMinor: hit.event.args.getValue('lesseePaidMinor') as bigint, insuranceMinor: hit.event.args.getValue('insurancePaidMinor') as bigint }; // prettier-ignore
  }

  /** The vault's Deposited events in blocks [fromBlock, toBlock], in chain order (amounts in stablecoin minor units). */
  async vaultDeposits(fromBlock: number, toBlock: number): Promise<ChainDepositLog[]> {
    const logs = await this.logsOf(
      'CollateralVault',
      this.addresses.vault,
      ['Deposited'],
      fromBlock,
      toBlock,
    );
    return logs.map(({ log, event }) => ({
      ...log,
      account: getAddress(event.args.getValue('account') as string),
      amount: event.args.getValue('amountMinor') as bigint,
    }));
  }

  /** A contract's events of the given names in blocks [fromBlock, toBlock], parsed, in chain order. */
  private async logsOf(
    contract: ContractName,
    address: string,
    names: readonly string[],
    fromBlock: number,
    toBlock: number,
  ): Promise<{ log: { txHash: string; logIndex: number; blockNumber: number }; event: LogDescription }[]> {
    const iface = this.ifaces[contract];
    const topics = [names.map((n) => iface.getEvent(n)!.topicHash)];
    const hex = (n: number) => `0x${n.toString(16)}`;
    const raw = await this.sender.raw<{ transactionHash: string; logIndex: string; blockNumber: string; topics: string[]; data: string }[]>(
      'eth_getLogs', [{ address, topics, fromBlock: hex(fromBlock), toBlock: hex(toBlock) }],
    ); // prettier-ignore
    return raw
      .map((l) => ({
        log: {
          txHash: l.transactionHash,
          logIndex: Number(BigInt(l.logIndex)),
          blockNumber: Number(BigInt(l.blockNumber)),
        },
        event: iface.parseLog({ topics: l.topics, data: l.data })!,
      }))
      .sort((a, b) => a.log.blockNumber - b.log.blockNumber || a.log.logIndex - b.log.logIndex);
  }

  private tokenOf(computeClass: string): string {
    const token = this.addresses.gpuHourTokens[computeClass];
    if (!token) throw new Error(`UNKNOWN_CLASS: no GPU-hour token for ${computeClass}`);
    return token;
  }

  /** A bytes32 id from a text id (withdrawal ids, lease ids): its keccak256. */
  static idOf(text: string): string {
    return id(text);
  }
}
