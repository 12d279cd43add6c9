import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  COMPUTE_CLASSES,
  CommandType,
  EventType,
  QUOTE_CURRENCY,
  StakeChange,
  TransferReason,
  decodeEvents,
  isUserAccountId,
  type EngineEvent,
  type LedgerTransfer,
  type StakeChanged,
} from '@exchange/domain';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config/settlement-config';
import { SETTLEMENT_CHAIN, type SettlementChain } from '../ports/chain-port';
import { SETTLEMENT_ENGINE, type SettlementEngine } from '../ports/ports';
import { PassTimer } from '../scheduler/pass-timer';
import { ChainSettlement, type LedgerOnChain } from './chain-settlement';
import { JsonStore } from './json-store';

/** A chain withdrawal from the ledger waiting to be paid out (USDC) or minted (GPU-hour tokens). */
export interface PendingPayout {
  /** The seq of the ChainWithdraw that moved the money out of the ledger. */
  readonly seq: number;
  readonly accountId: number;
  readonly asset: string;
  readonly amount: bigint;
}

/** A deposit on chain the bridge could not credit (no account holds the sender's address). */
export interface UnattributedDeposit {
  readonly reference: string;
  /** USDC, a compute class (GPU-hour tokens), or `stake` (USDC staked in ProviderCollateral). */
  readonly asset: string;
  readonly sender: string;
  readonly amount: bigint;
}

/**
 * A change of an account's stake the chain must follow (StakeChanged): a release starts unbonding,
 * a slash moves stake into the vault. Split over the addresses that staked for the account when
 * first taken up (`parts`), each part done once (its id is refused a second time on chain).
 */
export interface PendingStakeChange {
  readonly seq: number;
  readonly accountId: number;
  readonly change: 'release' | 'slash';
  readonly amount: bigint;
  readonly leaseId: string;
  readonly failedAtMs: number;
  parts?: { address: string; amount: bigint; done: boolean }[];
}

/** A redemption asked on chain that the engine refused (e.g. INSUFFICIENT_CAPACITY): the tokens stay credited. */
export interface RefusedRedemption {
  readonly reference: string;
  readonly accountId: number;
  readonly computeClass: string;
  readonly gpus: number;
  readonly hours: number;
  readonly code: string;
}

/** The bridge's durable state (one JsonStore record per chain). */
interface BridgeRecord {
  /** Engine events up to this seq have been scanned for chain withdrawals. */
  scannedSeq: number;
  pending: PendingPayout[];
  /** Per asset: paid out of the vault (USDC) or minted (tokens). */
  paidOut: Record<string, bigint>;
  /** Chain logs up to this block have been credited (or recorded as unattributed). */
  scannedBlock: number;
  /** Per asset: deposited into the vault (USDC) or burnt into the exchange (tokens), credited or not. */
  received: Record<string, bigint>;
  /**
   * USDC the operator minted into the vault to cover a withdrawal of money the chain never held
   * (embedded faucet), by withdrawal id: recorded before it is sent, so a restart sends the same.
   */
  topUps: Record<string, bigint>;
  unattributed: UnattributedDeposit[];
  refusedRedemptions: RefusedRedemption[];
  pendingStake: PendingStakeChange[];
  /** Per account, per address: the stake the engine counts for the account that this address holds on chain. */
  stakes: Record<string, Record<string, bigint>>;
  /** Stake slashed on chain and deposited into the vault (it backs the slash's ledger credits). */
  slashedIntoVault: bigint;
}

const TOKEN_CLASSES: readonly string[] = COMPUTE_CLASSES.map((c) => c.id).sort();
const ASSETS: ReadonlySet<string> = new Set([QUOTE_CURRENCY, ...TOKEN_CLASSES]);

/** The id a chain withdrawal is paid or minted under (hashed on chain, where it is refused a second time). */
export function chainWithdrawalId(seq: number, accountId: number, asset: string): string {
  return `chain-withdrawal:${asset}:${accountId}:${seq}`;
}

const add = (m: Record<string, bigint>, k: string, v: bigint) => void (m[k] = (m[k] ?? 0n) + v);

/** The id a part of a stake change is released or slashed under on chain. */
export function stakeChangeId(p: PendingStakeChange, address: string): string {
  return p.change === 'release' ? `stake-release:${p.accountId}:${p.seq}:${address.toLowerCase()}` : `${p.leaseId}:${address.toLowerCase()}`; // prettier-ignore
}

/**
 * Money between the ledger and the chain, both ways (chain logs taken once they have
 * CHAIN_CONFIRMATIONS blocks), for USDC (the vault's stablecoin) and the
 * GPU-hour tokens (one ERC-20 per compute class, 1 token = 1 GPU-hour, no decimals):
 * - out: a ChainWithdraw (a `chain_withdrawal` transfer to External) is paid to the account's payout
 *   address: USDC by the vault's withdraw, tokens by a mint, each once per withdrawal (keyed by
 *   chainWithdrawalId in libs/chain's journal; the contracts refuse an id twice). Where the vault's
 *   custody lacks the amount and the stablecoin is the embedded TestStablecoin, the operator mints
 *   and deposits the difference first (faucet money has no chain backing). A withdrawal of an account
 *   without a payout address waits for one.
 * - in: a vault deposit (Deposited, from any address but the operator's) and a token burn
 *   (depositToExchange) are credited to the account whose payout address sent them with a
 *   ChainDeposit referenced by chain, transaction and log, which the engine credits once. A token
 *   redeem(gpus, hours) burn carries the redemption in the same ChainDeposit: the engine redeems
 *   after the credit (refused, the tokens stay credited; the pass reports it, and the engine's event
 *   log keeps the rejection). A deposit from an address no account holds is kept as unattributed.
 * - stake: ProviderCollateral's Staked logs are credited with ChainStake (the engine counts the
 *   stake as provider collateral); the bridge records which address holds each account's stake. A
 *   ReleaseStake (StakeChanged release) starts the unbonding of that much stake on chain
 *   (`releaseStake`, from the account's addresses in the order they staked); a slash the engine
 *   took from stake (StakeChanged slash) is executed on chain with the exchange's signed failure
 *   attestation, paid to the operator, who deposits it into the vault: the slash's ledger credits
 *   (lessee, insurance fund) are vault money from then on. Inside the contract's own dispute
 *   window the slash waits and is tried again at the next pass.
 * Engine events come from the engine's listener, and once per start from the event log after
 * `scannedSeq` (what a stop left unrecorded); chain logs from `scannedBlock` (at first, the
 * contracts' deployment block). Each is recorded after its step, so a crash repeats a step and the keys make the repeat a no-op. Passes run
 * in ChainSettlement's queue (never between a root's funding and its posting). The reconciliation
 * compares custody with deposits less withdrawals plus top-ups, and each token's supply with minted
 * less burnt.
 */
@Injectable()
export class ChainBridge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChainBridge');
  private readonly store: JsonStore<BridgeRecord> | undefined;
  private readonly timer: PassTimer;
  private pass: Promise<void> | null = null;
  lastError: string | null = null;
  /** Chain withdrawals and stake changes the engine applied since the start, as its listener saw them. */
  private readonly live: (PendingPayout | PendingStakeChange)[] = [];
  /** The event log has been read once, from the recorded seq, since the start. */
  private caughtUp = false;
  /**
   * Where a bridge without a record (a chain it has not served) starts reading engine events: the
   * engine's seq at its start, not the log's beginning. Chain withdrawals are only sent where a
   * bridge runs, so older ones were paid on another chain (the embedded chain of an earlier start).
   */
  private readonly startSeq: number;

  constructor(
    @Inject(SETTLEMENT_CONFIG) config: SettlementConfig,
    @Inject(SETTLEMENT_ENGINE) private readonly engine: SettlementEngine,
    private readonly settlement: ChainSettlement,
    @Optional() @Inject(SETTLEMENT_CHAIN) private readonly chain?: SettlementChain,
  ) {
    this.store = chain && new JsonStore(join(config.dataDir, 'chain-bridge', chain.chainKey));
    this.startSeq = engine.state.lastSeq;
    this.timer = new PassTimer(
      config.intervalMs,
      () => this.runOnce(),
      (err) => this.logger.error({ msg: 'chain bridge pass failed', err: String(err) }),
    );
    if (chain === undefined) return;
    settlement.ledgerOnChain = () => this.ledgerOnChain();
    engine.onEvents((bytes, _firstSeq, _lastSeq, decoded) => {
      if (bytes.length > 0) for (const e of decoded()) { const a = chainActionOf(e); if (a !== null) this.live.push(a); } // prettier-ignore
    });
  }

  onApplicationBootstrap(): void {
    if (this.chain !== undefined) this.timer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
    await this.pass;
  }

  /** One pass: pay out what was withdrawn, credit what was deposited (a pass under way is joined). */
  runOnce(): Promise<void> {
    this.pass ??= this.settlement.exclusive(() => this.runPass()).finally(() => (this.pass = null));
    return this.pass;
  }

  private record(): BridgeRecord {
    const r = this.store?.get('bridge');
    const fresh: BridgeRecord = { scannedSeq: this.startSeq, pending: [], paidOut: {}, scannedBlock: (this.chain?.deployBlock ?? 0) - 1, received: {}, topUps: {}, unattributed: [], refusedRedemptions: [], pendingStake: [], stakes: {}, slashedIntoVault: 0n }; // prettier-ignore
    // records from before stake was bridged lack its fields
    return r === undefined ? fresh : { ...r, pendingStake: r.pendingStake ?? [], stakes: r.stakes ?? {}, slashedIntoVault: r.slashedIntoVault ?? 0n }; // prettier-ignore
  }

  private save(r: BridgeRecord): void {
    this.store!.put('bridge', r);
  }

  private async runPass(): Promise<void> {
    const chain = this.chain;
    if (chain === undefined || this.store === undefined) return;
    try {
      await this.payWithdrawals(chain);
      await this.followStake(chain);
      await this.creditDeposits(chain);
      this.lastError = null;
    } catch (err) {
      if (this.lastError !== String(err))
        this.logger.error({ msg: 'chain bridge step failed', err: String(err) });
      this.lastError = String(err);
    }
  }

  /**
   * The chain withdrawals to pay and the stake changes to follow: once per start, those in the
   * event log after the recorded seq (the log is read once, not at every pass); then those the
   * listener saw since.
   */
  private collectChainActions(r: BridgeRecord): void {
    const last = this.engine.state.lastSeq;
    // what is already collected: up to the recorded seq, or (after reading the log) up to `last`
    let collected = r.scannedSeq;
    if (!this.caughtUp) {
      for (const frame of this.engine.eventLog.frames(r.scannedSeq)) {
        if (frame.firstSeq > last) break;
        for (const e of decodeEvents(frame.payload)) {
          const a = e.seq > r.scannedSeq && e.seq <= last ? chainActionOf(e) : null;
          if (a !== null) queue(r, a);
        }
      }
      this.caughtUp = true;
      collected = last;
    }
    // the listener runs as each batch is applied, so every withdrawal up to `last` is in the log or here
    for (const a of this.live.splice(0)) if (a.seq > collected) queue(r, a);
    if (last === r.scannedSeq) return;
    r.scannedSeq = last;
    this.save(r);
  }

  private async payWithdrawals(chain: SettlementChain): Promise<void> {
    const r = this.record();
    this.collectChainActions(r);
    for (const p of [...r.pending]) {
      const to = this.settlement.payoutAddresses.get(p.accountId);
      if (to === undefined) continue; // waits for the account's payout address
      const id = chainWithdrawalId(p.seq, p.accountId, p.asset);
      if (p.asset === QUOTE_CURRENCY) {
        if (r.topUps[id] === undefined && chain.stablecoinMintable) {
          const custody = await chain.custodyMinor();
          r.topUps[id] = custody < p.amount ? p.amount - custody : 0n;
          this.save(r);
        }
        const topUp = r.topUps[id] ?? 0n;
        if (topUp > 0n) await chain.fundVault(`top-up:${id}`, topUp);
        await chain.withdrawFromVault(id, to, p.amount);
      } else await chain.mintGpuHours(p.asset, id, to, p.amount);
      r.pending = r.pending.filter((x) => x !== p);
      add(r.paidOut, p.asset, p.amount);
      this.save(r);
      this.logger.log({ msg: 'chain withdrawal paid', accountId: p.accountId, asset: p.asset, amount: p.amount.toString(), to }); // prettier-ignore
    }
  }

  /** Stake releases and slashes the engine applied, followed on chain part by part. */
  private async followStake(chain: SettlementChain): Promise<void> {
    const r = this.record();
    this.collectChainActions(r);
    for (const p of [...r.pendingStake]) {
      const held = (r.stakes[p.accountId] ??= {});
      if (p.parts === undefined) {
        // split over the account's staking addresses, in the order they staked, once
        p.parts = [];
        let left = p.amount;
        for (const [address, amount] of Object.entries(held)) {
          const take = amount < left ? amount : left;
          if (take > 0n) p.parts.push({ address, amount: take, done: false });
          left -= take;
        }
        if (left > 0n) this.logger.error({ msg: 'stake change exceeds the stake recorded on chain for the account', accountId: p.accountId, seq: p.seq, missing: left.toString() }); // prettier-ignore
        this.save(r);
      }
      for (const part of p.parts.filter((x) => !x.done)) {
        const id = stakeChangeId(p, part.address);
        if (p.change === 'release') await chain.releaseStake(id, part.address, part.amount);
        else {
          let paid: bigint;
          try {
            paid = await chain.slashStake({ leaseId: id, provider: part.address, amountMinor: part.amount, failedAtS: BigInt(Math.floor(p.failedAtMs / 1000)) }); // prettier-ignore
          } catch (err) {
            if ((err as { code?: string }).code === 'DISPUTE_WINDOW_OPEN') break; // the chain's window: next pass
            throw err;
          }
          if (paid > 0n) await chain.fundVault(`stake-slash:${id}`, paid);
          r.slashedIntoVault += paid;
        }
        part.done = true;
        held[part.address] = (held[part.address] ?? 0n) - part.amount;
        this.save(r);
        this.logger.log({ msg: p.change === 'release' ? 'stake released on chain' : 'stake slashed on chain', accountId: p.accountId, address: part.address, amount: part.amount.toString(), leaseId: p.leaseId || undefined }); // prettier-ignore
      }
      if (p.parts.every((x) => x.done)) {
        r.pendingStake = r.pendingStake.filter((x) => x !== p);
        this.save(r);
      }
    }
  }

  private async creditDeposits(chain: SettlementChain): Promise<void> {
    const r = this.record();
    // logs are taken once final: in a block with `confirmations` blocks on it (its own counted)
    const head = (await chain.blockNumber()) - Math.max(0, chain.confirmations - 1);
    if (head <= r.scannedBlock) return;
    const operator = chain.operator.toLowerCase();
    const logs: { asset: string; log: Awaited<ReturnType<SettlementChain['gpuHourBurns']>>[number] }[] = [];
    for (const d of await chain.vaultDeposits(r.scannedBlock + 1, head))
      if (d.account.toLowerCase() !== operator) logs.push({ asset: QUOTE_CURRENCY, log: { ...d, redeemGpus: 0, redeemHours: 0 } }); // prettier-ignore
    for (const cls of TOKEN_CLASSES)
      for (const d of await chain.gpuHourBurns(cls, r.scannedBlock + 1, head))
        logs.push({ asset: cls, log: d });
    for (const d of await chain.stakeDeposits(r.scannedBlock + 1, head))
      logs.push({ asset: STAKE, log: { ...d, redeemGpus: 0, redeemHours: 0 } });
    logs.sort((a, b) => a.log.blockNumber - b.log.blockNumber || a.log.logIndex - b.log.logIndex);
    for (const { asset, log: d } of logs) {
      const reference = `${chain.chainId}:${d.txHash}:${d.logIndex}`;
      if (asset !== STAKE) add(r.received, asset, d.amount);
      const accountId = this.settlement.payoutAddresses.accountOf(d.account);
      if (accountId === undefined) {
        r.unattributed.push({ reference, asset, sender: d.account, amount: d.amount });
        this.logger.warn({ msg: 'deposit from an address no account holds', reference, asset, sender: d.account, amount: d.amount.toString() }); // prettier-ignore
        continue;
      }
      if (asset === STAKE) {
        await this.creditStake(r, accountId, d.account, d.amount, reference);
        continue;
      }
      const out = await this.engine.submit([{ type: CommandType.ChainDeposit, accountId, asset, amountMinor: d.amount, reference, redeemGpus: d.redeemGpus, redeemHours: d.redeemHours }]); // prettier-ignore
      const mine = out.events.filter((e) => e.seq === out.firstSeq);
      const code = (mine.find((e) => e.type === EventType.OrderRejected) as { code: string } | undefined)
        ?.code;
      if (code === 'DUPLICATE_DEPOSIT') continue; // credited (and redeemed, if asked) before a restart
      if (!mine.some((e) => e.type === EventType.LedgerTransfer && e.reason === TransferReason.Deposit))
        throw new Error(`ChainDeposit ${reference} refused: ${code}`);
      if (code !== undefined) r.refusedRedemptions.push({ reference, accountId, computeClass: asset, gpus: d.redeemGpus, hours: d.redeemHours, code }); // prettier-ignore
      this.logger.log({ msg: d.redeemGpus > 0 ? 'tokens redeemed from chain' : 'chain deposit credited', accountId, asset, amount: d.amount.toString(), reference, leases: leaseIds(mine), refused: code ?? null }); // prettier-ignore
    }
    r.scannedBlock = head;
    this.save(r);
  }

  private async creditStake(r: BridgeRecord, accountId: number, address: string, amount: bigint, reference: string): Promise<void> {
    const out = await this.engine.submit([{ type: CommandType.ChainStake, accountId, amountMinor: amount, reference }]);
    const mine = out.events.filter((e) => e.seq === out.firstSeq);
    const code = (mine.find((e) => e.type === EventType.OrderRejected) as { code: string } | undefined)?.code;
    // DUPLICATE_DEPOSIT: the engine credited it in a pass that stopped before the record was saved
    // (the record is saved with scannedBlock, after every log of the pass), so it is recorded now
    if (code !== undefined && code !== 'DUPLICATE_DEPOSIT') throw new Error(`ChainStake ${reference} refused: ${code}`);
    add((r.stakes[accountId] ??= {}), address, amount);
    this.logger.log({ msg: 'stake credited', accountId, address, amount: amount.toString(), reference });
  } // prettier-ignore

  /** What the ledger has put on chain, as the bridge recorded it (for ChainSettlement's reconciliation). */
  private ledgerOnChain(): LedgerOnChain {
    const r = this.record();
    return {
      custodyMinor: (r.received[QUOTE_CURRENCY] ?? 0n) + Object.values(r.topUps).reduce((a, v) => a + v, 0n) + r.slashedIntoVault - (r.paidOut[QUOTE_CURRENCY] ?? 0n), // prettier-ignore
      gpuHourSupply: TOKEN_CLASSES.map((cls) => ({ computeClass: cls, supply: (r.paidOut[cls] ?? 0n) - (r.received[cls] ?? 0n) })), // prettier-ignore
      providerStakes: this.stakesByAddress(r),
      stakeDifferences: this.stakeDifferences(),
      moved: r.scannedSeq > 0 && (Object.keys(r.paidOut).length > 0 || Object.keys(r.received).length > 0 || Object.keys(r.stakes).length > 0), // prettier-ignore
    };
  }

  /**
   * The bonded stake each address should hold on chain (what it staked for an account, less its
   * releases and slashes; unattributed stake included), for the addresses with no change pending.
   */
  private stakesByAddress(r: BridgeRecord): { provider: string; stakeMinor: bigint }[] {
    const busy = new Set(r.pendingStake.flatMap((p) => (p.parts ?? []).map((x) => x.address)));
    const byAddress: Record<string, bigint> = {};
    for (const held of Object.values(r.stakes)) for (const [address, v] of Object.entries(held)) add(byAddress, address, v);
    for (const u of r.unattributed) if (u.asset === STAKE) add(byAddress, u.sender, u.amount);
    return Object.entries(byAddress).filter(([a]) => !busy.has(a)).map(([provider, stakeMinor]) => ({ provider, stakeMinor })); // prettier-ignore
  } // prettier-ignore

  /**
   * Each account's stake as the engine counts it against the bridge's record of its addresses
   * (accounts with a change pending are left out): 'provider-stake' differences keyed `account:<id>`.
   */
  stakeDifferences(): { what: 'provider-stake'; key: string; ledger: bigint; chain: bigint }[] {
    const r = this.record();
    const busy = new Set(r.pendingStake.map((p) => p.accountId));
    const out: { what: 'provider-stake'; key: string; ledger: bigint; chain: bigint }[] = [];
    for (const [id, held] of Object.entries(r.stakes)) {
      if (busy.has(Number(id))) continue;
      const recorded = Object.values(held).reduce((a, v) => a + v, 0n);
      const engine = BigInt(this.engine.state.account(Number(id))?.stakeMinor ?? 0);
      if (engine !== recorded) out.push({ what: 'provider-stake', key: `account:${id}`, ledger: engine, chain: recorded });
    }
    return out;
  } // prettier-ignore

  /** Waiting payouts, unattributed deposits, refused redemptions, and the chain against the record. */
  async status() {
    const r = this.record();
    const expected = this.ledgerOnChain();
    const onChain = this.chain === undefined ? null : {
      custodyMinor: (await this.chain.custodyMinor()).toString(),
      gpuHourSupply: await Promise.all(TOKEN_CLASSES.map(async (cls) => ({ computeClass: cls, supply: (await this.chain!.gpuHourSupply(cls)).toString() }))), // prettier-ignore
    }; // prettier-ignore
    return {
      chain: this.chain !== undefined,
      scannedSeq: r.scannedSeq,
      scannedBlock: r.scannedBlock,
      pending: r.pending.map((p) => ({ ...p, amount: p.amount.toString() })),
      unattributed: r.unattributed.map((u) => ({ ...u, amount: u.amount.toString() })),
      refusedRedemptions: r.refusedRedemptions,
      pendingStake: r.pendingStake.map((p) => ({ ...p, amount: p.amount.toString(), parts: p.parts?.map((x) => ({ ...x, amount: x.amount.toString() })) })), // prettier-ignore
      stakes: Object.fromEntries(Object.entries(r.stakes).map(([id, held]) => [id, Object.fromEntries(Object.entries(held).map(([a, v]) => [a, v.toString()]))])), // prettier-ignore
      expected: {
        custodyMinor: expected.custodyMinor.toString(),
        gpuHourSupply: expected.gpuHourSupply.map((g) => ({ computeClass: g.computeClass, supply: g.supply.toString() })), // prettier-ignore
      },
      onChain,
      error: this.lastError,
    };
  }
}

/** The asset name stake logs go under in the bridge (unattributed stake). */
const STAKE = 'stake';

function queue(r: BridgeRecord, a: PendingPayout | PendingStakeChange): void {
  if ('change' in a) r.pendingStake.push(a);
  else r.pending.push(a);
}

/** What the chain must follow of an event: a chain withdrawal to pay, a stake release or slash, or nothing. */
function chainActionOf(e: EngineEvent): PendingPayout | PendingStakeChange | null {
  if (isChainWithdrawal(e)) return payoutOf(e);
  if (e.type === EventType.StakeChanged && e.change !== StakeChange.Credit) return stakeChangeOf(e);
  return null;
}

function stakeChangeOf(e: StakeChanged): PendingStakeChange {
  return { seq: e.seq, accountId: e.accountId, change: e.change === StakeChange.Release ? 'release' : 'slash', amount: e.amountMinor, leaseId: e.leaseId, failedAtMs: e.failedAtMs }; // prettier-ignore
}

function isChainWithdrawal(e: EngineEvent): e is LedgerTransfer {
  return e.type === EventType.LedgerTransfer && e.reason === TransferReason.ChainWithdrawal && ASSETS.has(e.asset) && isUserAccountId(e.debitAccountId); // prettier-ignore
}

function payoutOf(e: LedgerTransfer): PendingPayout {
  return { seq: e.seq, accountId: e.debitAccountId, asset: e.asset, amount: e.amountMinor };
}

function leaseIds(events: readonly EngineEvent[]): string[] {
  return events.flatMap((e) => (e.type === EventType.LeaseStateChanged ? [e.leaseId] : []));
}
