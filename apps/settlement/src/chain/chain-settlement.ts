import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Wallet, ZeroHash } from 'ethers';
import {
  ChainRejectedError,
  PayoutTree,
  expiryIdOf,
  settlementDomain,
  signFinalPrice,
  type Difference,
} from '@exchange/chain';
import {
  CommandType,
  EventType,
  TransferReason,
  decodeEvents,
  ticksToPrice,
  toMinor,
} from '@exchange/domain';
import { InstrumentKind, type RiskInstrument } from '@exchange/risk';
import { expiryKey } from '@exchange/settlement';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config/settlement-config';
import { SETTLEMENT_CHAIN, type SettlementChain } from '../ports/chain-port';
import {
  SETTLEMENT_CLOCK,
  SETTLEMENT_ENGINE,
  type SettlementClock,
  type SettlementEngine,
} from '../ports/ports';
import { JsonStore } from './json-store';
import { PayoutAddresses } from './payout-addresses';
import { PassTimer } from '../scheduler/pass-timer';
import {
  findAppliedExpiry,
  findPayableOutcomes,
  outcomesOf,
  type PayableItem,
  type PayableOutcome,
} from './payouts';

/** What the ledger holds of an expiry's cash settlement (independent of any chain). */
export interface LedgerRecord {
  symbol: string;
  instrumentId: number;
  expiryMs: number;
  /** the seq of the engine's SettleExpiry */
  settleSeq: number;
  finalPriceTicks: number;
  priceMicros: bigint;
  nets: { accountId: number; netMinor: bigint }[];
  /** written (fsynced) before the payables' Withdraw commands are sent */
  plan?: {
    afterSeq: number;
    items: PayableItem[];
    kept: { accountId: number; amountMinor: bigint; reason: string }[];
  };
  /** what the engine did with them: moved (payable on chain) or refused (the money stays in the account) */
  outcomes?: PayableOutcome[];
}

/** The expiry's steps on one chain. */
export interface ChainRecord {
  signed?: { priceMicros: bigint; windowEnd: bigint; signedAt: bigint; signature: string };
  root?: string;
  rootPostedAtMs?: number;
  /** the block of the root's transaction (claims are read from there on) */
  rootBlock?: number;
}

export type ChainStep = 'ledger_only' | 'price_posted' | 'payables_moved' | 'no_payouts' | 'root_posted';

export interface ExpiryChainStatus {
  symbol: string;
  expiryId: string;
  step: ChainStep | 'awaiting_settlement_events';
  waiting: { reason: string; detail: string } | null;
  error: { code: string; message: string } | null;
  finalPriceTicks: number | null;
  finalAtS: number | null;
  root: string | null;
}

export interface Reconciliation {
  atMs: number;
  expiries: number;
  differences: { what: string; key: string; ledger: string; chain: string }[];
}

/** One account's claim of one expiry: what to send to CollateralVault.claim from any wallet. */
export interface ClaimView {
  symbol: string;
  expiryId: string;
  vault: string;
  root: string;
  index: number;
  account: string;
  amountMinor: string;
  proof: string[];
  claimed: boolean;
}

const moved = (r: LedgerRecord) => (r.outcomes ?? []).filter((o) => o.refused === null);

/**
 * Cash settlement on chain, after the engine has applied an expiry's SettleExpiry:
 * 1. the final price, signed (EIP-712 FinalPrice) by the configured oracle key, is kept and posted
 *    to SettlementPrice, then waits out its dispute window;
 * 2. once it is final, each account's positive net cash from that SettleExpiry is moved out of the
 *    ledger with a Withdraw command (a `withdrawal` transfer to External: the money now sits in the
 *    vault's pool for the expiry); an account without a payout address, or whose withdrawal is
 *    refused, keeps it in the ledger;
 * 3. the moved payables become the payout tree; the vault is funded with its total and the root
 *    posted; each account's leaf and proof are served for a claim from any wallet;
 * 4. the reconciler compares chain and ledger after each root and every SETTLEMENT_RECONCILE_MS.
 * Every step is recorded (fsynced) before or after it acts, and every chain write is keyed in
 * libs/chain's journal, so a restart at any point sends nothing twice and loses nothing. It runs on
 * its own timer (SETTLEMENT_INTERVAL_MS), so a slow chain never holds up the scheduler's passes.
 */
/** What the chain bridge has put on chain for the ledger (ChainBridge fills it in), and the engine's stake against its record. */
export interface LedgerOnChain {
  readonly custodyMinor: bigint;
  readonly gpuHourSupply: readonly { computeClass: string; supply: bigint }[];
  readonly providerStakes: readonly { provider: string; stakeMinor: bigint }[];
  readonly stakeDifferences: readonly Difference[];
  /** Anything moved at all (else there is nothing to reconcile). */
  readonly moved: boolean;
}

@Injectable()
export class ChainSettlement implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChainSettlement');
  private readonly ledgerRecords: JsonStore<LedgerRecord>;
  private readonly chainRecords: JsonStore<ChainRecord> | undefined;
  readonly payoutAddresses: PayoutAddresses;
  private readonly signer: Wallet;
  private readonly progress = new Map<string, ExpiryChainStatus>();
  private readonly trees = new Map<string, PayoutTree>();
  private readonly hints = new Map<number, number>();
  lastReconciliation: Reconciliation | null = null;
  private readonly timer: PassTimer;
  private pass: Promise<void> | null = null;
  /** The app's chain work, one piece at a time (cash settlement passes and the bridge's). */
  private chainQueue: Promise<unknown> = Promise.resolve();
  /**
   * What else the ledger puts on chain, for the reconciliation (the chain bridge sets it): the
   * vault's custody (deposits credited less withdrawals paid) and the GPU-hour tokens' supply.
   */
  ledgerOnChain: () => LedgerOnChain = () => ({ custodyMinor: 0n, gpuHourSupply: [], providerStakes: [], stakeDifferences: [], moved: false }); // prettier-ignore

  constructor(
    @Inject(SETTLEMENT_CONFIG) private readonly config: SettlementConfig,
    @Inject(SETTLEMENT_CLOCK) private readonly clock: SettlementClock,
    @Inject(SETTLEMENT_ENGINE) private readonly engine: SettlementEngine,
    @Optional() @Inject(SETTLEMENT_CHAIN) readonly chain?: SettlementChain,
  ) {
    if (config.chain && chain === undefined)
      throw new Error('CHAIN is on but the settlement app was given no chain');
    if (!config.chain && chain !== undefined)
      throw new Error('CHAIN=off but the settlement app was given a chain');
    this.ledgerRecords = new JsonStore(join(config.dataDir, 'expiries'));
    this.chainRecords = chain && new JsonStore(join(config.dataDir, 'chains', chain.chainKey));
    this.payoutAddresses = new PayoutAddresses(config.dataDir);
    this.signer = new Wallet(config.signingKey);
    this.timer = new PassTimer(
      config.intervalMs,
      () => this.runOnce(),
      (err) => this.logger.error({ msg: 'cash settlement pass failed', err: String(err) }),
    );
  }

  get signerAddress(): string {
    return this.signer.address;
  }

  /** The scheduler applied an expiry at `seq`: its events are read from there. */
  noteSettled(instrumentId: number, seq: number): void {
    this.hints.set(instrumentId, seq);
  }

  onApplicationBootstrap(): void {
    this.timer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
    await this.pass;
  }

  /** One pass: every settled future's expiry goes as far as it can (a pass under way is joined). */
  runOnce(): Promise<void> {
    this.pass ??= this.exclusive(() => this.runPass()).finally(() => (this.pass = null));
    return this.pass;
  }

  /**
   * Runs `work` after the chain work queued before it: funding a root and posting it never
   * interleave with the bridge's vault withdrawals, so neither takes custody the other added.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chainQueue.then(work, work);
    this.chainQueue = run.catch(() => undefined);
    return run;
  }

  private async runPass(): Promise<void> {
    const now = this.clock.nowMs();
    const stage = this.engine.state;
    for (const id of stage.instrumentIds()) {
      const ins = stage.instrument(id);
      if (ins?.kind !== InstrumentKind.Future || !stage.settlement.settledKeys.has(expiryKey(id))) continue;
      const s = this.statusOf(ins.definition.symbol);
      if (s.step === 'root_posted' || s.step === 'no_payouts' || s.step === 'ledger_only') continue;
      try {
        await this.advance(ins, s, now);
        s.error = null;
      } catch (err) {
        const code = err instanceof ChainRejectedError ? err.code : ((err as { code?: string }).code ?? 'CHAIN_STEP_FAILED'); // prettier-ignore
        if (s.error?.message !== String(err)) this.logger.error({ msg: 'cash settlement step failed', symbol: s.symbol, code, err: String(err) }); // prettier-ignore
        s.error = { code, message: String(err) };
      }
    }
    const due = this.lastReconciliation === null || now - this.lastReconciliation.atMs >= this.config.reconcileEveryMs; // prettier-ignore
    if (this.chain && due && ([...this.progress.values()].some((p) => p.step === 'root_posted') || this.ledgerOnChain().moved)) await this.reconcileNow(); // prettier-ignore
  }

  statusOf(symbol: string): ExpiryChainStatus {
    let s = this.progress.get(symbol);
    if (s === undefined) {
      s = { symbol, expiryId: expiryIdOf(symbol), step: 'awaiting_settlement_events', waiting: null, error: null, finalPriceTicks: null, finalAtS: null, root: null }; // prettier-ignore
      this.progress.set(symbol, s);
    }
    return s;
  }

  ledgerRecord(symbol: string): LedgerRecord | undefined {
    return this.ledgerRecords.get(symbol);
  }

  /** Per expiry: its step, and the ledger's payables (moved, kept, refused). */
  status() {
    return [...this.progress.values()].map((s) => {
      const r = this.ledgerRecords.get(s.symbol);
      const paid = r ? moved(r) : [];
      return {
        ...s,
        payables: {
          accounts: paid.length,
          totalMinor: paid.reduce((a, o) => a + o.amountMinor, 0n).toString(),
          kept: (r?.plan?.kept ?? []).map((k) => ({ ...k, amountMinor: k.amountMinor.toString() })),
          refused: (r?.outcomes ?? []).filter((o) => o.refused !== null).map((o) => ({ accountId: o.accountId, amountMinor: o.amountMinor.toString(), code: o.refused })), // prettier-ignore
        },
      };
    });
  }

  private async advance(ins: RiskInstrument, s: ExpiryChainStatus, now: number): Promise<void> {
    const symbol = ins.definition.symbol;
    const led = this.ledgerRecords.get(symbol) ?? this.recordSettlement(ins);
    if (led === undefined) {
      s.waiting = { reason: 'SETTLEMENT_EVENTS_NOT_FOUND', detail: `no InstrumentSettled ${expiryKey(ins.instrumentId)} in the event log yet` }; // prettier-ignore
      return;
    }
    s.finalPriceTicks = led.finalPriceTicks;
    if (this.chain === undefined || this.chainRecords === undefined) {
      s.step = 'ledger_only'; // CHAIN=off: every net stays in its account
      s.waiting = null;
      return;
    }
    const chain = this.chain;
    if (!(await this.postPrice(chain, this.chainRecords, led, s, now))) return;
    if (!(await chain.isFinal(s.expiryId))) {
      s.waiting = {
        reason: 'PRICE_DISPUTE_WINDOW',
        detail: `the price is final at ${s.finalAtS} (chain time)`,
      };
      return;
    }
    s.waiting = null;
    if (led.outcomes === undefined) await this.movePayables(led);
    s.step = 'payables_moved';
    const paid = moved(led);
    if (paid.length === 0) {
      s.step = 'no_payouts';
      this.logger.log({ msg: 'expiry has no on-chain payouts', symbol });
      return;
    }
    await this.postRoot(chain, this.chainRecords, led, s, now);
  }

  /** The expiry's SettleExpiry from the event log, recorded. */
  private recordSettlement(ins: RiskInstrument): LedgerRecord | undefined {
    const hint = this.hints.get(ins.instrumentId);
    const applied = findAppliedExpiry(
      this.engine.eventLog,
      ins.instrumentId,
      hint === undefined ? 0 : hint - 1,
    );
    if (applied === undefined) return undefined;
    const d = ins.definition;
    const led: LedgerRecord = {
      symbol: d.symbol,
      instrumentId: ins.instrumentId,
      expiryMs: ins.expiryMs,
      settleSeq: applied.seq,
      finalPriceTicks: applied.priceTicks,
      priceMicros: toMinor(ticksToPrice(applied.priceTicks, d.contract.tickSize)),
      nets: applied.nets,
    };
    this.ledgerRecords.put(d.symbol, led);
    return led;
  }

  /** Signs (once, kept) and posts the final price; true once it is on chain. */
  private async postPrice(
    chain: SettlementChain,
    store: JsonStore<ChainRecord>,
    led: LedgerRecord,
    s: ExpiryChainStatus,
    now: number,
  ): Promise<boolean> {
    let posted = await chain.priceOf(s.expiryId);
    if (posted.postedAt === 0n) {
      const rec = store.get(led.symbol) ?? {};
      if (rec.signed === undefined || rec.signed.priceMicros !== led.priceMicros) {
        const domain = settlementDomain(chain.chainId, chain.settlementPrice);
        const signedAt = BigInt(Math.floor(now / 1000));
        const windowEnd = BigInt(Math.floor(led.expiryMs / 1000));
        const { signature } = await signFinalPrice(this.signer, domain, { expiryId: s.expiryId, priceMicros: led.priceMicros, windowEnd, signedAt }); // prettier-ignore
        rec.signed = { priceMicros: led.priceMicros, windowEnd, signedAt, signature };
        store.put(led.symbol, rec);
      }
      try {
        await chain.postPrice({ expiryId: s.expiryId, ...rec.signed });
      } catch (err) {
        // a signature the chain finds too old or ahead of its time is signed again next pass
        if (err instanceof ChainRejectedError && ['STALE_SIGNATURE', 'FUTURE_SIGNATURE'].includes(err.code)) {
          store.put(led.symbol, { ...rec, signed: undefined });
          s.waiting = {
            reason: err.code,
            detail: 'the signed price is outside the chain clock window; signing again',
          };
          return false;
        }
        throw err;
      }
      posted = await chain.priceOf(s.expiryId);
      this.logger.log({ msg: 'final price posted', symbol: led.symbol, priceMicros: led.priceMicros.toString(), finalAtS: Number(posted.finalAt) }); // prettier-ignore
    }
    if (posted.priceMicros !== led.priceMicros)
      throw Object.assign(new Error(`the chain holds ${posted.priceMicros} for ${led.symbol}, the ledger settled at ${led.priceMicros}`), { code: 'PRICE_MISMATCH' }); // prettier-ignore
    s.step = 'price_posted';
    s.finalAtS = Number(posted.finalAt);
    return true;
  }

  /**
   * Moves each positive net out of its account (Withdraw), after writing the plan: a restart finds
   * the batch in the event log (or not, and sends it), so no payable is moved twice or lost.
   */
  private async movePayables(led: LedgerRecord): Promise<void> {
    if (led.plan === undefined) {
      const items: PayableItem[] = [];
      const kept: NonNullable<LedgerRecord['plan']>['kept'] = [];
      for (const n of led.nets) {
        if (n.netMinor <= 0n) continue;
        const address = this.payoutAddresses.get(n.accountId);
        if (address === undefined)
          kept.push({ accountId: n.accountId, amountMinor: n.netMinor, reason: 'NO_PAYOUT_ADDRESS' }); // prettier-ignore
        else items.push({ accountId: n.accountId, address, amountMinor: n.netMinor });
      }
      led.plan = { afterSeq: this.engine.state.lastSeq, items, kept };
      this.ledgerRecords.put(led.symbol, led);
    } else {
      const found = findPayableOutcomes(this.engine.eventLog, led.plan.afterSeq, led.plan.items);
      if (found !== undefined) {
        led.outcomes = found;
        this.ledgerRecords.put(led.symbol, led);
        return;
      }
    }
    const { items } = led.plan;
    if (items.length === 0) led.outcomes = [];
    else {
      const { firstSeq, events } = await this.engine.submit(items.map((i) => ({ type: CommandType.Withdraw, accountId: i.accountId, asset: 'USDC', amountMinor: i.amountMinor }))); // prettier-ignore
      led.outcomes = outcomesOf(items, firstSeq, events);
    }
    this.ledgerRecords.put(led.symbol, led);
    const paid = moved(led);
    this.logger.log({ msg: 'expiry payables moved to chain', symbol: led.symbol, accounts: paid.length, totalMinor: paid.reduce((a, o) => a + o.amountMinor, 0n).toString(), kept: led.plan.kept.length, refused: led.outcomes.length - paid.length }); // prettier-ignore
  }

  treeOf(led: LedgerRecord): PayoutTree {
    let tree = this.trees.get(led.symbol);
    if (tree === undefined) {
      tree = PayoutTree.build(moved(led).map((o) => ({ account: o.address, amountMinor: o.amountMinor })));
      this.trees.set(led.symbol, tree);
    }
    return tree;
  }

  private async postRoot(
    chain: SettlementChain,
    store: JsonStore<ChainRecord>,
    led: LedgerRecord,
    s: ExpiryChainStatus,
    now: number,
  ): Promise<void> {
    const tree = this.treeOf(led);
    const onChain = await chain.rootOf(s.expiryId);
    if (onChain !== ZeroHash && onChain !== tree.root)
      throw Object.assign(new Error(`the vault holds root ${onChain} for ${led.symbol}, the ledger's payouts give ${tree.root}`), { code: 'ROOT_MISMATCH' }); // prettier-ignore
    const rec = store.get(led.symbol) ?? {};
    if (rec.rootPostedAtMs === undefined) {
      await chain.fundVault(`payouts:${led.symbol}`, tree.totalMinor);
      const { blockNumber } = await chain.postRoot({ expiryId: s.expiryId, root: tree.root, totalMinor: tree.totalMinor, priceMicros: led.priceMicros, leafCount: tree.leaves.length }); // prettier-ignore
      store.put(led.symbol, { ...rec, root: tree.root, rootPostedAtMs: now, rootBlock: blockNumber });
      this.logger.log({ msg: 'payout root posted', symbol: led.symbol, root: tree.root, leaves: tree.leaves.length, totalMinor: tree.totalMinor.toString() }); // prettier-ignore
    }
    s.step = 'root_posted';
    s.root = tree.root;
    await this.reconcileNow();
  }

  /** Each payout of `accountId` whose root is on chain: leaf, proof and whether it was claimed. */
  async claimsOf(accountId: number): Promise<ClaimView[]> {
    const out: ClaimView[] = [];
    if (this.chain === undefined || this.chainRecords === undefined) return out;
    for (const symbol of this.ledgerRecords.keys()) {
      const led = this.ledgerRecords.get(symbol)!;
      const rec = this.chainRecords.get(symbol);
      if (rec?.rootPostedAtMs === undefined) continue;
      const index = moved(led).findIndex((o) => o.accountId === accountId);
      if (index < 0) continue;
      const tree = this.treeOf(led);
      const leaf = tree.leaves[index]!;
      out.push({
        symbol, expiryId: expiryIdOf(symbol), vault: this.chain.vault, root: tree.root, index, account: leaf.account,
        amountMinor: leaf.amountMinor.toString(), proof: tree.proof(index), claimed: await this.chain.isClaimed(tree.root, index),
      }); // prettier-ignore
    }
    return out;
  }

  /**
   * Chain against ledger. The ledger's side: each posted expiry's payables (its `withdrawal`
   * transfers in the event log) less the leaves claimed on chain is what its pool may still pay;
   * the vault's custody is zero (each expiry funds exactly its root); the payables equal the tree's
   * total. libs/chain's reconciler adds the vault's balance against custody plus the pools.
   */
  async reconcileNow(): Promise<Reconciliation | null> {
    if (this.chain === undefined || this.chainRecords === undefined) return null;
    const chain = this.chain;
    const pools: { root: string; remainingMinor: bigint }[] = [];
    const differences: Difference[] = [];
    for (const symbol of this.ledgerRecords.keys()) {
      const led = this.ledgerRecords.get(symbol)!;
      const rec = this.chainRecords.get(symbol);
      if (rec?.rootPostedAtMs === undefined) continue;
      const paid = moved(led);
      const tree = this.treeOf(led);
      const payables = this.ledgerPayables(paid);
      if (payables !== tree.totalMinor) differences.push({ what: 'payables', key: symbol, ledger: payables, chain: tree.totalMinor }); // prettier-ignore
      let claimed = 0n;
      for (const index of new Set(await chain.claimedIndices(tree.root, rec.rootBlock ?? 0)))
        claimed += tree.leaves[index]?.amountMinor ?? 0n;
      pools.push({ root: tree.root, remainingMinor: payables - claimed });
    }
    const { custodyMinor, gpuHourSupply, providerStakes, stakeDifferences } = this.ledgerOnChain();
    differences.push(...stakeDifferences);
    differences.push(...(await chain.reconcile({ custodyMinor, pools, providerStakes, gpuHourSupply })));
    const result: Reconciliation = {
      atMs: this.clock.nowMs(),
      expiries: pools.length,
      differences: differences.map((d) => ({ what: d.what, key: d.key, ledger: d.ledger.toString(), chain: d.chain.toString() })), // prettier-ignore
    };
    this.lastReconciliation = result;
    if (result.differences.length > 0) this.logger.warn({ msg: 'chain and ledger differ', ...result });
    else this.logger.log({ msg: 'chain and ledger reconcile', expiries: result.expiries });
    return result;
  }

  /** The `withdrawal` transfers the engine logged at the payables' seqs. */
  private ledgerPayables(paid: readonly PayableOutcome[]): bigint {
    if (paid.length === 0) return 0n;
    const seqs = new Map(paid.map((o) => [o.seq, o.accountId]));
    let [first, last] = [Infinity, -Infinity];
    for (const seq of seqs.keys()) [first, last] = [Math.min(first, seq), Math.max(last, seq)];
    let total = 0n;
    for (const frame of this.engine.eventLog.frames(first - 1)) {
      if (frame.firstSeq > last) break;
      for (const e of decodeEvents(frame.payload))
        if (e.type === EventType.LedgerTransfer && e.reason === TransferReason.Withdrawal && seqs.get(e.seq) === e.debitAccountId) total += e.amountMinor; // prettier-ignore
    }
    return total;
  }
}
