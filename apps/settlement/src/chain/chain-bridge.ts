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
  TransferReason,
  decodeEvents,
  isUserAccountId,
  type EngineEvent,
  type LedgerTransfer,
} from '@exchange/domain';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config/settlement-config';
import { SETTLEMENT_CHAIN, type SettlementChain } from '../ports/chain-port';
import { SETTLEMENT_ENGINE, type SettlementEngine } from '../ports/ports';
import { PassTimer } from '../scheduler/pass-timer';
import { ChainSettlement } from './chain-settlement';
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
  readonly asset: string;
  readonly sender: string;
  readonly amount: bigint;
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
}

const TOKEN_CLASSES: readonly string[] = COMPUTE_CLASSES.map((c) => c.id).sort();
const ASSETS: ReadonlySet<string> = new Set([QUOTE_CURRENCY, ...TOKEN_CLASSES]);

/** The id a chain withdrawal is paid or minted under (hashed on chain, where it is refused a second time). */
export function chainWithdrawalId(seq: number, accountId: number, asset: string): string {
  return `chain-withdrawal:${asset}:${accountId}:${seq}`;
}

const add = (m: Record<string, bigint>, k: string, v: bigint) => void (m[k] = (m[k] ?? 0n) + v);

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
 * Engine events come from the engine's listener, and once per start from the event log after
 * `scannedSeq` (what a stop left unrecorded); chain logs from `scannedBlock`. Each is recorded after its step, so a crash repeats a step and the keys make the repeat a no-op. Passes run
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
  /** Chain withdrawals the engine applied since the start, as its listener saw them. */
  private readonly live: PendingPayout[] = [];
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
      if (bytes.length > 0) for (const e of decoded()) if (isChainWithdrawal(e)) this.live.push(payoutOf(e));
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
    return r ?? { scannedSeq: this.startSeq, pending: [], paidOut: {}, scannedBlock: -1, received: {}, topUps: {}, unattributed: [], refusedRedemptions: [] }; // prettier-ignore
  }

  private save(r: BridgeRecord): void {
    this.store!.put('bridge', r);
  }

  private async runPass(): Promise<void> {
    const chain = this.chain;
    if (chain === undefined || this.store === undefined) return;
    try {
      await this.payWithdrawals(chain);
      await this.creditDeposits(chain);
      this.lastError = null;
    } catch (err) {
      if (this.lastError !== String(err))
        this.logger.error({ msg: 'chain bridge step failed', err: String(err) });
      this.lastError = String(err);
    }
  }

  /**
   * The chain withdrawals to pay: once per start, those in the event log after the recorded seq
   * (the log is read once, not at every pass); then those the listener saw since.
   */
  private collectWithdrawals(r: BridgeRecord): void {
    const last = this.engine.state.lastSeq;
    // what is already collected: up to the recorded seq, or (after reading the log) up to `last`
    let collected = r.scannedSeq;
    if (!this.caughtUp) {
      for (const frame of this.engine.eventLog.frames(r.scannedSeq)) {
        if (frame.firstSeq > last) break;
        for (const e of decodeEvents(frame.payload))
          if (e.seq > r.scannedSeq && e.seq <= last && isChainWithdrawal(e)) r.pending.push(payoutOf(e));
      }
      this.caughtUp = true;
      collected = last;
    }
    // the listener runs as each batch is applied, so every withdrawal up to `last` is in the log or here
    for (const p of this.live.splice(0)) if (p.seq > collected) r.pending.push(p);
    if (last === r.scannedSeq) return;
    r.scannedSeq = last;
    this.save(r);
  }

  private async payWithdrawals(chain: SettlementChain): Promise<void> {
    const r = this.record();
    this.collectWithdrawals(r);
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
    logs.sort((a, b) => a.log.blockNumber - b.log.blockNumber || a.log.logIndex - b.log.logIndex);
    for (const { asset, log: d } of logs) {
      const reference = `${chain.chainId}:${d.txHash}:${d.logIndex}`;
      add(r.received, asset, d.amount);
      const accountId = this.settlement.payoutAddresses.accountOf(d.account);
      if (accountId === undefined) {
        r.unattributed.push({ reference, asset, sender: d.account, amount: d.amount });
        this.logger.warn({ msg: 'deposit from an address no account holds', reference, asset, sender: d.account, amount: d.amount.toString() }); // prettier-ignore
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

  /** What the ledger has put on chain, as the bridge recorded it (for ChainSettlement's reconciliation). */
  private ledgerOnChain() {
    const r = this.record();
    return {
      custodyMinor: (r.received[QUOTE_CURRENCY] ?? 0n) + Object.values(r.topUps).reduce((a, v) => a + v, 0n) - (r.paidOut[QUOTE_CURRENCY] ?? 0n), // prettier-ignore
      gpuHourSupply: TOKEN_CLASSES.map((cls) => ({ computeClass: cls, supply: (r.paidOut[cls] ?? 0n) - (r.received[cls] ?? 0n) })), // prettier-ignore
      moved: r.scannedSeq > 0 && (Object.keys(r.paidOut).length > 0 || Object.keys(r.received).length > 0),
    };
  }

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
      expected: {
        custodyMinor: expected.custodyMinor.toString(),
        gpuHourSupply: expected.gpuHourSupply.map((g) => ({ computeClass: g.computeClass, supply: g.supply.toString() })), // prettier-ignore
      },
      onChain,
      error: this.lastError,
    };
  }
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
