import {
  CommandType,
  EventType,
  QUOTE_CURRENCY,
  Side,
  StakeChange,
  TransferReason,
  TriggerSource,
  bookSpecOf,
  listCatalogue,
  placeOrder,
  type Command,
  type EngineEvent,
  type InstrumentDefinition,
  type UnsequencedCommand,
} from '@exchange/domain';
import { EventCollector } from '@exchange/order-book';
import { SettlementAccount, lockedCollateralMinor } from '@exchange/settlement';
import { restoreRiskStage, riskStateHash, snapshotRiskStage } from './risk-snapshot';
import { RiskStage } from './risk-stage';

const AS_OF = Date.UTC(2026, 10, 1);
const H100 = listCatalogue(AS_OF).filter((d) => d.computeClass === 'H100');
const future = H100.find((d) => d.kind === 'future')!;
const FUT = 2;
const USDC = (units: number) => BigInt(Math.round(units * 1_000_000));
const MIN = 60_000;
const HOUR = 3_600_000;
const PROVIDER_A = 301;
const PROVIDER_B = 302;
const LESSEE = 7;

function listing(instrumentId: number, d: InstrumentDefinition): UnsequencedCommand {
  return { type: CommandType.ListInstrument, instrumentId, symbol: d.symbol, spec: bookSpecOf(d.contract), definition: d }; // prettier-ignore
}

class Rig {
  readonly out = new EventCollector();
  stage = new RiskStage(this.out);
  seq = 0;
  timeMs = AS_OF;

  constructor() {
    this.run(listing(FUT, future));
  }

  run(...commands: UnsequencedCommand[]): EngineEvent[] {
    for (const c of commands) {
      this.stage.process({ ...c, seq: ++this.seq, timeMs: this.timeMs } as Command);
      expectLockedTotalsMatch(this.stage);
    }
    return this.out.take();
  }

  /** The oracle's H100 index as the mark feed sends it to the future: ticks of 0.001 USDC per GPU-hour. */
  index(priceTicks: number): EngineEvent[] {
    return this.run({ type: CommandType.SetReferencePrice, instrumentId: FUT, source: TriggerSource.IndexPrice, priceTicks }); // prettier-ignore
  }

  deposit(accountId: number, amountMinor: bigint, asset = QUOTE_CURRENCY): EngineEvent[] {
    return this.run({ type: CommandType.Deposit, accountId, asset, amountMinor });
  }

  commit(accountId: number, gpuCount: number, computeClass = 'H100'): EngineEvent[] {
    return this.run({ type: CommandType.CommitCapacity, accountId, computeClass, gpuCount });
  }

  redeem(accountId: number, gpuCount: number, hours: number, computeClass = 'H100'): EngineEvent[] {
    return this.run({ type: CommandType.RedeemTokens, accountId, computeClass, gpuCount, hours });
  }

  balance(accountId: number, asset = QUOTE_CURRENCY): bigint {
    return this.stage.ledger.balance(accountId, asset);
  }

  capacity(): [number, number, bigint][] {
    return this.stage.settlement.redemption
      .capacityOf('H100')
      .map((p) => [p.accountId, p.gpuCount, p.collateralMinor]);
  }
}

/**
 * The stage keeps each provider's locked collateral as a running total; after every command it must
 * equal the sum over the leases and commitments themselves.
 */
function expectLockedTotalsMatch(stage: RiskStage): void {
  const { leases, redemption } = stage.settlement;
  for (const accountId of [PROVIDER_A, PROVIDER_B, LESSEE]) {
    let scanned = 0n;
    for (const l of leases.values())
      if (l.providerAccountId === accountId) scanned += lockedCollateralMinor(l);
    for (const p of redemption.commitments.values())
      if (p.accountId === accountId) scanned += p.collateralMinor;
    expect(stage.settlement.collateralLockedMinor(accountId)).toBe(Number(scanned));
  }
}

const rejected = (events: EngineEvent[]) =>
  events.filter((e) => e.type === EventType.OrderRejected).map((e) => (e as { code: string }).code);
const transfers = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === EventType.LedgerTransfer ? [e] : []));

// index 2.5 USDC per GPU-hour; a committed GPU is collateralised for 72 h at 25%: 72 x 2.5 x 0.25 = 45 USDC
const PER_GPU = USDC(45);

describe('token redemption: capacity commitments', () => {
  it('locks collateral on committed GPUs at the class index, adjusts it on change and frees it on withdrawal', () => {
    const r = new Rig();
    r.deposit(PROVIDER_A, USDC(1_000));
    expect(rejected(r.commit(PROVIDER_A, 10))).toEqual(['NO_INDEX_PRICE']);
    r.index(2_500);
    const events = r.commit(PROVIDER_A, 10);
    expect(rejected(events)).toEqual([]);
    expect(transfers(events)).toMatchObject([
      { debitAccountId: PROVIDER_A, creditAccountId: SettlementAccount.ProviderCollateral, asset: 'USDC', amountMinor: 10n * PER_GPU, reason: TransferReason.CollateralLock }, // prettier-ignore
    ]);
    expect(r.balance(PROVIDER_A)).toBe(USDC(1_000) - 10n * PER_GPU);
    expect(r.capacity()).toEqual([[PROVIDER_A, 10, 10n * PER_GPU]]);
    // down to 4: the difference comes back
    expect(transfers(r.commit(PROVIDER_A, 4))).toMatchObject([
      { debitAccountId: SettlementAccount.ProviderCollateral, creditAccountId: PROVIDER_A, amountMinor: 6n * PER_GPU, reason: TransferReason.CollateralRelease }, // prettier-ignore
    ]);
    // 23 GPUs need 1,035 USDC: more than the account holds
    expect(rejected(r.commit(PROVIDER_A, 23))).toEqual(['INSUFFICIENT_PROVIDER_COLLATERAL']);
    expect(r.capacity()).toEqual([[PROVIDER_A, 4, 4n * PER_GPU]]);
    expect(transfers(r.commit(PROVIDER_A, 0))).toMatchObject([{ amountMinor: 4n * PER_GPU, reason: TransferReason.CollateralRelease }]); // prettier-ignore
    expect(r.capacity()).toEqual([]);
    expect(r.balance(PROVIDER_A)).toBe(USDC(1_000));
    expect(r.stage.ledger.conservationProblems()).toEqual([]);
  });

  it('refuses bad commitments with stable codes and changes nothing', () => {
    const r = new Rig();
    r.index(2_500);
    r.deposit(PROVIDER_A, USDC(1_000));
    const entries = r.stage.ledger.entries();
    expect(rejected(r.commit(0, 1))).toEqual(['INVALID_ACCOUNT']);
    expect(rejected(r.commit(PROVIDER_A, 1, 'TPU'))).toEqual(['UNKNOWN_ASSET']);
    expect(rejected(r.commit(PROVIDER_A, -1))).toEqual(['INVALID_QUANTITY']);
    expect(rejected(r.commit(PROVIDER_A, 1.5))).toEqual(['INVALID_QUANTITY']);
    expect(rejected(r.commit(PROVIDER_A, Number.NaN))).toEqual(['INVALID_QUANTITY']);
    expect(rejected(r.commit(PROVIDER_A, 0))).toEqual(['AMEND_NO_CHANGE']);
    expect(rejected(r.commit(999, 1))).toEqual(['INSUFFICIENT_PROVIDER_COLLATERAL']); // no account at all
    r.timeMs += 5 * MIN + 1; // the index is now too old to value the collateral
    expect(rejected(r.commit(PROVIDER_A, 1))).toEqual(['NO_INDEX_PRICE']);
    expect(r.stage.ledger.entries()).toEqual(entries);
    expect(r.capacity()).toEqual([]);
  });
});

describe('token redemption: allocation into leases', () => {
  function market(): Rig {
    const r = new Rig();
    r.index(2_500);
    r.deposit(PROVIDER_A, USDC(1_000));
    r.deposit(PROVIDER_B, USDC(1_000));
    r.deposit(LESSEE, 100n, 'H100');
    r.commit(PROVIDER_A, 6);
    r.commit(PROVIDER_B, 2);
    return r;
  }

  it('escrows the tokens and opens one lease per provider, pro rata by committed GPUs, releasing the commitment collateral', () => {
    const r = market();
    const seq = r.seq + 1;
    const events = r.redeem(LESSEE, 4, 10);
    expect(rejected(events)).toEqual([]);
    const leases = r.stage.settlement.leases;
    // 4 GPUs over 6 and 2 committed: 3 and 1
    expect(
      [...leases.values()].map((l) => [l.leaseId, l.providerAccountId, l.gpuCount, l.gpuHours, l.source]),
    ).toEqual([
      [`H100-RDM-${seq}-1`, PROVIDER_A, 3, 30, 'REDEMPTION'],
      [`H100-RDM-${seq}-2`, PROVIDER_B, 1, 10, 'REDEMPTION'],
    ]);
    const a = leases.get(`H100-RDM-${seq}-1`)!;
    expect(a.deliveryStartMs).toBe(r.timeMs);
    expect(a.deliveryEndMs).toBe(r.timeMs + 10 * HOUR);
    expect(a.escrowAsset).toBe('H100');
    expect(a.collateralMinor).toBe(USDC(18.75)); // 30 GPU-hours x 2.5 x 25%
    expect(events.filter((e) => e.type === EventType.LeaseStateChanged)).toHaveLength(2);
    // 40 tokens in escrow; each provider got back the commitment's collateral for its GPUs and locked the lease's
    expect(r.balance(LESSEE, 'H100')).toBe(60n);
    expect(r.balance(SettlementAccount.Escrow, 'H100')).toBe(40n);
    expect(r.capacity()).toEqual([
      [PROVIDER_A, 3, 3n * PER_GPU],
      [PROVIDER_B, 1, PER_GPU],
    ]);
    expect(r.balance(PROVIDER_A)).toBe(USDC(1_000) - 3n * PER_GPU - USDC(18.75));
    expect(r.balance(PROVIDER_B)).toBe(USDC(1_000) - PER_GPU - USDC(6.25));
    expect(r.balance(SettlementAccount.ProviderCollateral)).toBe(4n * PER_GPU + USDC(25));
    expect(r.stage.ledger.conservationProblems()).toEqual([]);
  });

  it('refuses what it cannot serve, with stable codes, and changes nothing', () => {
    const r = market();
    const entries = r.stage.ledger.entries();
    expect(rejected(r.redeem(LESSEE, 9, 1))).toEqual(['INSUFFICIENT_CAPACITY']); // 8 committed
    expect(rejected(r.redeem(LESSEE, 2, 51))).toEqual(['INSUFFICIENT_BALANCE']); // 102 tokens, holds 100
    expect(rejected(r.redeem(LESSEE, 1, 0))).toEqual(['INVALID_DURATION']);
    expect(rejected(r.redeem(LESSEE, 1, 73))).toEqual(['INVALID_DURATION']);
    expect(rejected(r.redeem(LESSEE, 1, 1.5))).toEqual(['INVALID_DURATION']);
    expect(rejected(r.redeem(LESSEE, 0, 1))).toEqual(['INVALID_QUANTITY']);
    expect(rejected(r.redeem(LESSEE, 1, 1, 'A100X'))).toEqual(['UNKNOWN_ASSET']);
    expect(rejected(r.redeem(-1, 1, 1))).toEqual(['INVALID_ACCOUNT']);
    expect(r.stage.ledger.entries()).toEqual(entries);
    // a provider is never served by its own capacity: A redeeming sees only B's 2 GPUs
    r.deposit(PROVIDER_A, 10n, 'H100');
    const withTokens = r.stage.ledger.entries();
    expect(rejected(r.redeem(PROVIDER_A, 3, 1))).toEqual(['INSUFFICIENT_CAPACITY']);
    r.timeMs += 5 * MIN + 1;
    expect(rejected(r.redeem(LESSEE, 1, 1))).toEqual(['NO_INDEX_PRICE']);
    expect(r.stage.ledger.entries()).toEqual(withTokens);
    expect(r.stage.settlement.leases.size).toBe(0);
    expect(r.capacity()).toEqual([
      [PROVIDER_A, 6, 6n * PER_GPU],
      [PROVIDER_B, 2, 2n * PER_GPU],
    ]);
  });

  it('burns the escrowed tokens hour by hour as service is verified', () => {
    const r = market();
    const seq = r.seq + 1;
    r.redeem(LESSEE, 1, 2); // all of it to A (6 of 8 committed: largest remainder)
    const id = `H100-RDM-${seq}-1`;
    expect(r.stage.settlement.leases.get(id)!.providerAccountId).toBe(PROVIDER_A);
    r.run({ type: CommandType.ProvisionLease, leaseId: id, endpoint: 'ssh://n1.example:22', credentialHash: 'ab'.repeat(32) }); // prettier-ignore
    const lease = r.stage.settlement.leases.get(id)!;
    r.run({ type: CommandType.AttestLease, leaseId: id, suite: lease.benchmarkSuite, scorePerGpu: lease.referenceScore }); // prettier-ignore
    const burnt: bigint[] = [];
    for (let t = 5; t <= 125; t += 5) {
      r.timeMs = lease.deliveryStartMs + t * MIN;
      const events = r.run({ type: CommandType.LeaseHeartbeat, leaseId: id });
      for (const x of transfers(events)) if (x.reason === TransferReason.TokenBurn) burnt.push(x.amountMinor);
    }
    r.run({ type: CommandType.LeaseTick, computeClass: 'H100', indexMinorPerGpuHour: USDC(2.5) });
    expect(burnt).toEqual([1n, 1n]);
    const done = r.stage.settlement.leases.get(id)!;
    expect(done.state).toBe('COMPLETED');
    expect(r.balance(SettlementAccount.Escrow, 'H100')).toBe(0n);
    expect(r.balance(LESSEE, 'H100')).toBe(98n);
    // the lease's collateral is back with the provider; the rest of its commitment stays locked
    expect(r.balance(PROVIDER_A)).toBe(USDC(1_000) - 5n * PER_GPU);
    expect(r.stage.ledger.conservationProblems()).toEqual([]);
  });

  it('snapshots commitments and class indexes: a restored stage hashes and behaves the same', () => {
    const r = market();
    r.redeem(LESSEE, 4, 10);
    const bytes = snapshotRiskStage(r.stage);
    const restored = restoreRiskStage(bytes, new EventCollector());
    expect(riskStateHash(restored)).toBe(riskStateHash(r.stage));
    expectLockedTotalsMatch(restored);
    expect(restored.settlement.redemption.capacityOf('H100')).toEqual(
      r.stage.settlement.redemption.capacityOf('H100'),
    );
    const next = { type: CommandType.RedeemTokens, seq: r.seq + 1, timeMs: r.timeMs, accountId: LESSEE, computeClass: 'H100', gpuCount: 4, hours: 5 } as const; // prettier-ignore
    r.stage.process(next);
    restored.process(next);
    expect(riskStateHash(restored)).toBe(riskStateHash(r.stage));
    expectLockedTotalsMatch(restored);
    expect(restored.settlement.collateralLockedMinor(PROVIDER_A)).toBe(r.stage.settlement.collateralLockedMinor(PROVIDER_A)); // prettier-ignore
    expect(r.capacity()).toEqual([]); // 8 committed, 8 allocated
  });
});

describe('chain deposits', () => {
  it('credits each chain deposit once by its reference, and keeps the references across a snapshot', () => {
    const r = new Rig();
    const deposit = (reference: string, amountMinor = 5n) =>
      r.run({
        type: CommandType.ChainDeposit,
        accountId: LESSEE,
        asset: 'H100',
        amountMinor,
        reference,
        redeemGpus: 0,
        redeemHours: 0,
      });
    expect(rejected(deposit('31337:0xaa:0'))).toEqual([]);
    expect(rejected(deposit('31337:0xaa:0'))).toEqual(['DUPLICATE_DEPOSIT']);
    expect(rejected(deposit('31337:0xaa:1', 0n))).toEqual(['INVALID_AMOUNT']);
    expect(rejected(deposit(''))).toEqual(['INVALID_COMMAND']);
    expect(r.balance(LESSEE, 'H100')).toBe(5n);
    const restored = restoreRiskStage(snapshotRiskStage(r.stage), new EventCollector());
    expect(riskStateHash(restored)).toBe(riskStateHash(r.stage));
    const again = { type: CommandType.ChainDeposit, seq: r.seq + 1, timeMs: r.timeMs, accountId: LESSEE, asset: 'H100', amountMinor: 5n, reference: '31337:0xaa:0', redeemGpus: 0, redeemHours: 0 } as const; // prettier-ignore
    restored.process(again);
    expect(restored.ledger.balance(LESSEE, 'H100')).toBe(5n);
    // a reference refused for a bad amount is not used up
    expect(rejected(deposit('31337:0xaa:1', 2n))).toEqual([]);
    expect(r.balance(LESSEE, 'H100')).toBe(7n);
  });
});

describe('chain deposits that redeem', () => {
  it('credits the burnt tokens and redeems them in the same command; a refused redemption leaves them credited', () => {
    const r = new Rig();
    r.index(2_500);
    r.deposit(PROVIDER_A, USDC(1_000));
    r.commit(PROVIDER_A, 2);
    const redeem = (reference: string, redeemGpus: number, redeemHours: number) =>
      r.run({ type: CommandType.ChainDeposit, accountId: LESSEE, asset: 'H100', amountMinor: BigInt(redeemGpus * redeemHours), reference, redeemGpus, redeemHours }); // prettier-ignore
    const seq = r.seq + 1;
    const events = redeem('31337:0xbb:0', 2, 3);
    expect(rejected(events)).toEqual([]);
    expect(r.stage.settlement.leases.get(`H100-RDM-${seq}-1`)).toMatchObject({ lesseeAccountId: LESSEE, providerAccountId: PROVIDER_A, gpuCount: 2, gpuHours: 6 }); // prettier-ignore
    expect(r.balance(LESSEE, 'H100')).toBe(0n);
    expect(r.balance(SettlementAccount.Escrow, 'H100')).toBe(6n);
    // no capacity left: credited, not redeemed; the same reference again does nothing at all
    expect(rejected(redeem('31337:0xbb:1', 1, 4))).toEqual(['INSUFFICIENT_CAPACITY']);
    expect(r.balance(LESSEE, 'H100')).toBe(4n);
    expect(rejected(redeem('31337:0xbb:1', 1, 4))).toEqual(['DUPLICATE_DEPOSIT']);
    expect(r.balance(LESSEE, 'H100')).toBe(4n);
    expect(r.stage.settlement.leases.size).toBe(1);
    expect(r.stage.ledger.conservationProblems()).toEqual([]);
  });
});

describe('provider stake', () => {
  const stakeEvents = (events: EngineEvent[]) =>
    events.flatMap((e) =>
      e.type === EventType.StakeChanged ? [[e.change, e.amountMinor, e.stakeMinor]] : [],
    );
  const stake = (r: Rig, accountId: number, amountMinor: bigint, reference: string) =>
    r.run({ type: CommandType.ChainStake, accountId, amountMinor, reference });
  const release = (r: Rig, accountId: number, amountMinor: bigint) =>
    r.run({ type: CommandType.ReleaseStake, accountId, amountMinor });
  const withdraw = (r: Rig, accountId: number, amountMinor: bigint) =>
    r.run({ type: CommandType.Withdraw, accountId, asset: QUOTE_CURRENCY, amountMinor });

  it('credits stake once per reference; stake backs provider collateral only and is released only when idle', () => {
    const r = new Rig();
    r.index(2_500);
    const credited = stake(r, PROVIDER_A, USDC(500), '31337:0xcc:0');
    expect(transfers(credited)).toMatchObject([{ debitAccountId: -1, creditAccountId: PROVIDER_A, amountMinor: USDC(500), reason: TransferReason.ChainStake }]); // prettier-ignore
    expect(stakeEvents(credited)).toEqual([[StakeChange.Credit, USDC(500), USDC(500)]]);
    expect(rejected(stake(r, PROVIDER_A, USDC(500), '31337:0xcc:0'))).toEqual(['DUPLICATE_DEPOSIT']);
    expect(rejected(stake(r, PROVIDER_A, 0n, '31337:0xcc:1'))).toEqual(['INVALID_AMOUNT']);
    expect(rejected(stake(r, -3, 1n, '31337:0xcc:2'))).toEqual(['INVALID_ACCOUNT']);
    // a refusal opens no account
    expect(rejected(stake(r, PROVIDER_B, USDC(1), '31337:0xcc:0'))).toEqual(['DUPLICATE_DEPOSIT']);
    expect(r.stage.account(PROVIDER_B)).toBeUndefined();
    r.deposit(PROVIDER_A, USDC(100));
    // stake is in the balance but neither withdrawable nor margin
    expect(r.balance(PROVIDER_A)).toBe(USDC(600));
    expect(rejected(withdraw(r, PROVIDER_A, USDC(100) + 1n))).toEqual(['INSUFFICIENT_BALANCE']);
    expect(r.stage.marginOf(r.stage.account(PROVIDER_A)!, null).equity).toBe(Number(USDC(100)));
    // a commitment of 12 GPUs needs 540 USDC of collateral: 500 of stake and 40 of free USDC
    expect(rejected(r.commit(PROVIDER_A, 14))).toEqual(['INSUFFICIENT_PROVIDER_COLLATERAL']); // 630 > 600
    expect(rejected(r.commit(PROVIDER_A, 12))).toEqual([]);
    expect(r.stage.idleStake(r.stage.account(PROVIDER_A)!)).toBe(0);
    expect(rejected(withdraw(r, PROVIDER_A, USDC(60) + 1n))).toEqual(['INSUFFICIENT_BALANCE']);
    expect(rejected(release(r, PROVIDER_A, 1n))).toEqual(['INSUFFICIENT_STAKE']);
    // down to 4 GPUs (180 USDC): 320 of the stake is idle again and may leave
    r.commit(PROVIDER_A, 4);
    expect(r.stage.idleStake(r.stage.account(PROVIDER_A)!)).toBe(Number(USDC(320)));
    expect(rejected(release(r, PROVIDER_A, USDC(320) + 1n))).toEqual(['INSUFFICIENT_STAKE']);
    const released = release(r, PROVIDER_A, USDC(300));
    expect(transfers(released)).toMatchObject([{ debitAccountId: PROVIDER_A, creditAccountId: -1, amountMinor: USDC(300), reason: TransferReason.StakeRelease }]); // prettier-ignore
    expect(stakeEvents(released)).toEqual([[StakeChange.Release, USDC(300), USDC(200)]]);
    expect(r.stage.account(PROVIDER_A)!.stakeMinor).toBe(Number(USDC(200)));
    // 300 USDC left: 180 locked, 20 idle stake, 100 free
    expect(rejected(withdraw(r, PROVIDER_A, USDC(100) + 1n))).toEqual(['INSUFFICIENT_BALANCE']);
    expect(rejected(withdraw(r, PROVIDER_A, USDC(100)))).toEqual([]);
    expect(r.stage.ledger.conservationProblems()).toEqual([]);
    const restored = restoreRiskStage(snapshotRiskStage(r.stage), new EventCollector());
    expect(riskStateHash(restored)).toBe(riskStateHash(r.stage));
    expect(restored.account(PROVIDER_A)!.stakeMinor).toBe(Number(USDC(200)));
  });

  it('counts idle stake toward the collateral of physically settled shorts, not toward their margin', () => {
    const r = new Rig();
    r.index(2_500);
    r.run({ type: CommandType.SetReferencePrice, instrumentId: FUT, source: TriggerSource.MarkPrice, priceTicks: 2_500 }); // prettier-ignore
    r.deposit(PROVIDER_A, USDC(5_000));
    const sell = (lots: number) =>
      r.run(placeOrder({ instrumentId: FUT, accountId: PROVIDER_A, side: Side.Sell, qtyLots: lots, priceTicks: 2_600, orderType: 0 })); // prettier-ignore
    const need = (lots: number) =>
      r.stage.settlement.providerCollateralMinor(r.stage.account(PROVIDER_A)!, FUT, lots);
    // find a size whose collateral the USDC alone cannot carry on top of its margin
    let lots = 1;
    while (rejected(sell(lots)).length === 0) {
      r.run({ type: CommandType.MassCancel, instrumentId: 0, accountId: PROVIDER_A });
      lots *= 2;
      if (lots > 1 << 20) throw new Error('no size needs more collateral than 5,000 USDC');
    }
    expect(rejected(sell(lots))).toEqual(['INSUFFICIENT_PROVIDER_COLLATERAL']);
    const staked = BigInt(need(lots));
    stake(r, PROVIDER_A, staked, '31337:0xdd:0');
    expect(r.stage.marginOf(r.stage.account(PROVIDER_A)!, null).equity).toBe(Number(USDC(5_000)));
    expect(rejected(sell(lots))).toEqual([]);
    // the resting short needs the stake (the USDC alone did not cover it): all of it may not leave
    expect(rejected(release(r, PROVIDER_A, staked))).toEqual(['INSUFFICIENT_PROVIDER_COLLATERAL']);
    r.run({ type: CommandType.MassCancel, instrumentId: 0, accountId: PROVIDER_A });
    expect(rejected(release(r, PROVIDER_A, staked))).toEqual([]);
    expect(r.stage.ledger.conservationProblems()).toEqual([]);
  });

  it("takes a failed lease's slash from the stake first and reports it for the chain", () => {
    const r = new Rig();
    r.index(2_500);
    stake(r, PROVIDER_A, USDC(1_000), '31337:0xee:0');
    r.deposit(PROVIDER_A, USDC(50));
    r.commit(PROVIDER_A, 2);
    r.deposit(LESSEE, 100n, 'H100');
    const seq = r.seq + 1;
    r.redeem(LESSEE, 2, 10);
    const id = `H100-RDM-${seq}-1`;
    const lease = r.stage.settlement.leases.get(id)!;
    // never provisioned: fails at the provisioning deadline, slashed after the dispute window
    r.timeMs = lease.provisionDeadlineMs + 1;
    r.run({ type: CommandType.LeaseTick, computeClass: 'H100', indexMinorPerGpuHour: USDC(2.5) });
    expect(r.stage.settlement.leases.get(id)!.state).toBe('FAILED');
    r.timeMs += lease.terms.disputeWindowMs + 1;
    const events = r.run({
      type: CommandType.LeaseTick,
      computeClass: 'H100',
      indexMinorPerGpuHour: USDC(2.5),
    });
    const slashed = r.stage.settlement.leases.get(id)!;
    expect(slashed.state).toBe('SLASHED');
    const total = slashed.slashCompensationMinor + slashed.slashInsuranceMinor;
    expect(total).toBe(lease.collateralMinor);
    expect(events.filter((e) => e.type === EventType.StakeChanged)).toMatchObject([
      { accountId: PROVIDER_A, change: StakeChange.Slash, amountMinor: total, stakeMinor: USDC(1_000) - total, leaseId: id, failedAtMs: slashed.failedAtMs }, // prettier-ignore
    ]);
    // what stays: 1,000 - slash of stake, all of it backing the rest of the commitment or idle
    const a = r.stage.account(PROVIDER_A)!;
    expect(BigInt(a.stakeMinor)).toBe(USDC(1_000) - total);
    expect(r.stage.ledger.conservationProblems()).toEqual([]);
  });
});
