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
  TransferReason,
  decodeEvents,
  isUserAccountId,
} from '@exchange/domain';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config/settlement-config';
import { SETTLEMENT_CHAIN, type SettlementChain } from '../ports/chain-port';
import { SETTLEMENT_ENGINE, type SettlementEngine } from '../ports/ports';
import { PassTimer } from '../scheduler/pass-timer';
import { ChainSettlement } from './chain-settlement';
import { JsonStore } from './json-store';

/** A token withdrawal from the ledger that is to be minted on chain. */
export interface PendingMint {
  /** The seq of the Withdraw that moved the tokens out of the ledger. */
  readonly seq: number;
  readonly accountId: number;
  readonly computeClass: string;
  readonly amount: bigint;
}

/** A DepositedToExchange log the bridge could not credit (no account holds the address). */
export interface UnattributedDeposit {
  readonly reference: string;
  readonly computeClass: string;
  readonly holder: string;
  readonly amount: bigint;
}

/** The bridge's durable state (one JsonStore record per chain). */
interface BridgeRecord {
  /** Engine events up to this seq have been scanned for token withdrawals. */
  scannedSeq: number;
  /** Withdrawals waiting for their mint (or for the account's payout address). */
  pending: PendingMint[];
  /** Minted so far, per class (for the reconciliation of the tokens' supply). */
  minted: Record<string, bigint>;
  /** DepositedToExchange logs up to this block have been credited (or recorded as unattributed). */
  scannedBlock: number;
  /** Burnt by deposit so far, per class (credited or not). */
  burnt: Record<string, bigint>;
  unattributed: UnattributedDeposit[];
  /** Redemptions from chain the engine refused (the tokens stay credited to the account). */
  refusedRedemptions: RefusedRedemption[];
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

const TOKEN_CLASSES: ReadonlySet<string> = new Set(COMPUTE_CLASSES.map((c) => c.id));

/** The withdrawal id minted under: keccak256 of this text (the token refuses a second mint of it). */
export function tokenWithdrawalId(seq: number, accountId: number, computeClass: string): string {
  return `token-withdrawal:${computeClass}:${accountId}:${seq}`;
}

/**
 * GPU-hour tokens between the ledger and the chain (one ERC-20 per compute class, 1 token = 1
 * GPU-hour, no decimals):
 * - out: a Withdraw of tokens from an account (a `withdrawal` transfer of the class's asset to
 *   External) is minted to the account's payout address, once per withdrawal (the mint is keyed
 *   by tokenWithdrawalId in libs/chain's journal, and the token refuses the same id twice). A
 *   withdrawal by an account without a payout address waits until one is registered.
 * - in: a holder's depositToExchange burns tokens and emits DepositedToExchange; the bridge credits
 *   the account whose payout address the holder is with a ChainDeposit whose reference is the
 *   chain, transaction and log, so the engine credits each burn once even if the bridge retries.
 *   The token's redeem(gpus, hours) burns gpus x hours tokens and emits RedemptionRequested: the
 *   same ChainDeposit carries the redemption, which the engine applies after the credit in the same
 *   command (allocated over committed capacity as leases; refused, the tokens stay credited, the
 *   pass that credited them reports the refusal, and the engine's event log keeps it as the
 *   ChainDeposit's rejection). A burn from an address no account holds is recorded as unattributed.
 * Engine events are read from the engine's event log (from `scannedSeq`) and chain logs from
 * `scannedBlock`, both recorded durably after each step, so a restart resumes without loss or
 * double effect. The supply on chain should equal minted less burnt; the reconciliation says so.
 */
@Injectable()
export class TokenBridge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenBridge');
  private readonly store: JsonStore<BridgeRecord> | undefined;
  private readonly timer: PassTimer;
  private pass: Promise<void> | null = null;
  lastError: string | null = null;

  constructor(
    @Inject(SETTLEMENT_CONFIG) config: SettlementConfig,
    @Inject(SETTLEMENT_ENGINE) private readonly engine: SettlementEngine,
    private readonly settlement: ChainSettlement,
    @Optional() @Inject(SETTLEMENT_CHAIN) private readonly chain?: SettlementChain,
  ) {
    this.store = chain && new JsonStore(join(config.dataDir, 'token-bridge', chain.chainKey));
    this.timer = new PassTimer(
      config.intervalMs,
      () => this.runOnce(),
      (err) => this.logger.error({ msg: 'token bridge pass failed', err: String(err) }),
    );
  }

  onApplicationBootstrap(): void {
    if (this.chain !== undefined) this.timer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
    await this.pass;
  }

  /** One pass: mint what was withdrawn, credit what was deposited (a pass under way is joined). */
  runOnce(): Promise<void> {
    this.pass ??= this.runPass().finally(() => (this.pass = null));
    return this.pass;
  }

  private record(): BridgeRecord {
    return (
      this.store?.get('bridge') ?? { scannedSeq: 0, pending: [], minted: {}, scannedBlock: -1, burnt: {}, unattributed: [], refusedRedemptions: [] } // prettier-ignore
    );
  }

  private save(r: BridgeRecord): void {
    this.store!.put('bridge', r);
  }

  private async runPass(): Promise<void> {
    const chain = this.chain;
    if (chain === undefined || this.store === undefined) return;
    try {
      await this.mintWithdrawals(chain);
      await this.creditDeposits(chain);
      this.lastError = null;
    } catch (err) {
      if (this.lastError !== String(err))
        this.logger.error({ msg: 'token bridge step failed', err: String(err) });
      this.lastError = String(err);
    }
  }

  private async mintWithdrawals(chain: SettlementChain): Promise<void> {
    const r = this.record();
    const last = this.engine.state.lastSeq;
    if (last > r.scannedSeq) {
      for (const frame of this.engine.eventLog.frames(r.scannedSeq)) {
        if (frame.firstSeq > last) break;
        for (const e of decodeEvents(frame.payload))
          if (
            e.seq > r.scannedSeq &&
            e.seq <= last &&
            e.type === EventType.LedgerTransfer &&
            e.reason === TransferReason.Withdrawal &&
            TOKEN_CLASSES.has(e.asset) &&
            isUserAccountId(e.debitAccountId)
          )
            // prettier-ignore
            r.pending.push({ seq: e.seq, accountId: e.debitAccountId, computeClass: e.asset, amount: e.amountMinor });
      }
      r.scannedSeq = last;
      this.save(r);
    }
    for (const p of [...r.pending]) {
      const to = this.settlement.payoutAddresses.get(p.accountId);
      if (to === undefined) continue; // waits for the account's payout address
      await chain.mintGpuHours(
        p.computeClass,
        tokenWithdrawalId(p.seq, p.accountId, p.computeClass),
        to,
        p.amount,
      );
      r.pending = r.pending.filter((x) => x !== p);
      r.minted[p.computeClass] = (r.minted[p.computeClass] ?? 0n) + p.amount;
      this.save(r);
      this.logger.log({ msg: 'GPU-hour tokens minted', accountId: p.accountId, computeClass: p.computeClass, amount: p.amount.toString(), to }); // prettier-ignore
    }
  }

  private async creditDeposits(chain: SettlementChain): Promise<void> {
    const r = this.record();
    const head = await chain.blockNumber();
    if (head <= r.scannedBlock) return;
    for (const computeClass of [...TOKEN_CLASSES].sort()) {
      for (const d of await chain.gpuHourBurns(computeClass, r.scannedBlock + 1, head)) {
        const reference = `${chain.chainId}:${d.txHash}:${d.logIndex}`;
        r.burnt[computeClass] = (r.burnt[computeClass] ?? 0n) + d.amount;
        const accountId = this.settlement.payoutAddresses.accountOf(d.account);
        if (accountId === undefined) {
          r.unattributed.push({ reference, computeClass, holder: d.account, amount: d.amount });
          this.logger.warn({ msg: 'GPU-hour tokens burnt by an address no account holds', reference, holder: d.account, amount: d.amount.toString() }); // prettier-ignore
          continue;
        }
        const out = await this.engine.submit([{ type: CommandType.ChainDeposit, accountId, asset: computeClass, amountMinor: d.amount, reference, redeemGpus: d.redeemGpus, redeemHours: d.redeemHours }]); // prettier-ignore
        const mine = out.events.filter((e) => e.seq === out.firstSeq);
        const code = (mine.find((e) => e.type === EventType.OrderRejected) as { code: string } | undefined)
          ?.code;
        const credited = mine.some(
          (e) => e.type === EventType.LedgerTransfer && e.reason === TransferReason.Deposit,
        );
        if (code === 'DUPLICATE_DEPOSIT') continue; // credited (and redeemed, if asked) before a restart
        if (!credited) throw new Error(`ChainDeposit ${reference} refused: ${code}`);
        const leases = mine.flatMap((e) => (e.type === EventType.LeaseStateChanged ? [e.leaseId] : []));
        if (code !== undefined) r.refusedRedemptions.push({ reference, accountId, computeClass, gpus: d.redeemGpus, hours: d.redeemHours, code }); // prettier-ignore
        this.logger.log({ msg: d.redeemGpus > 0 ? 'GPU-hour tokens redeemed from chain' : 'GPU-hour tokens deposited from chain', accountId, computeClass, amount: d.amount.toString(), reference, leases, refused: code ?? null }); // prettier-ignore
      }
    }
    r.scannedBlock = head;
    this.save(r);
  }

  /** What is waiting, what was moved, and whether the chain's supply agrees (minted less burnt). */
  async status() {
    const r = this.record();
    const supply: { computeClass: string; expected: string; onChain: string }[] = [];
    if (this.chain !== undefined)
      for (const cls of [...TOKEN_CLASSES].sort()) {
        const expected = (r.minted[cls] ?? 0n) - (r.burnt[cls] ?? 0n);
        supply.push({ computeClass: cls, expected: expected.toString(), onChain: (await this.chain.gpuHourSupply(cls)).toString() }); // prettier-ignore
      }
    return {
      chain: this.chain !== undefined,
      scannedSeq: r.scannedSeq,
      scannedBlock: r.scannedBlock,
      pending: r.pending.map((p) => ({ ...p, amount: p.amount.toString() })),
      unattributed: r.unattributed.map((u) => ({ ...u, amount: u.amount.toString() })),
      refusedRedemptions: r.refusedRedemptions,
      supply,
      error: this.lastError,
    };
  }
}
