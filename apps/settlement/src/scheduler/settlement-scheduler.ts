import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  CommandType,
  Dec,
  EventType,
  type EngineEvent,
  roundToTicks,
  type UnsequencedCommand,
} from '@exchange/domain';
import { dailySettlementPrice, type TradeSample } from '@exchange/pricing';
import { InstrumentKind, type RiskInstrument } from '@exchange/risk';
import {
  DEFAULT_FINAL_PRICE_RULES,
  businessDateOf,
  expiryKey,
  finalPrice,
  FINAL_LEASE_STATES,
  markToMarketKey,
} from '@exchange/settlement';
import { ChainSettlement } from '../chain/chain-settlement';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config/settlement-config';
import {
  INDEX_SOURCE,
  SETTLEMENT_CLOCK,
  SETTLEMENT_ENGINE,
  type IndexSource,
  type SettlementClock,
  type SettlementEngine,
} from '../ports/ports';
import { PassTimer } from './pass-timer';

const DAY_MS = 86_400_000;

/** What the scheduler last did or waits for, per future (served by GET /v1/settlement/status). */
export interface InstrumentSettlementStatus {
  instrumentId: number;
  symbol: string;
  expiryMs: number;
  phase: 'trading' | 'halted' | 'settled';
  lastDaily: { businessDate: string; priceTicks: number; source: string } | null;
  /** Why final settlement is waiting (the index is thin or stale, or the window is open). */
  waiting: { reason: string; detail: string; samples: number; sinceMs: number } | null;
  finalPriceTicks: number | null;
}

/**
 * Settlement on the clock. Each pass (every SETTLEMENT_INTERVAL_MS, or `runOnce` in tests):
 * - daily: once the day's settlement time has passed, each trading future gets a DailySettle at its
 *   daily settlement price (VWAP of the window's trades, else the last trade, else the mark;
 *   libs/pricing dailySettlementPrice), unless the engine already holds the day's key;
 * - expiry: a future past its last trading time is halted (ExpireInstrument), then settled
 *   (SettleExpiry) at the TWAP of its class index over the settlement window (libs/settlement
 *   finalPrice); when the index is thin or stale it waits, says why, and asks again next pass;
 * - leases: a LeaseTick per compute class with live leases, carrying the class index.
 * ChainSettlement takes settled expiries on chain on its own timer; the scheduler tells it each
 * SettleExpiry's seq.
 * Every decision reaches the engine as a sequenced command, and the engine refuses a key it already
 * applied, so a restart (or a crash between two commands) never pays anything twice.
 */
@Injectable()
export class SettlementScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Settlement');
  private readonly timer: PassTimer;
  /** Trades seen since start, per instrument (for the daily VWAP), pruned to two days. */
  private readonly trades = new Map<number, TradeSample[]>();
  private readonly status = new Map<number, InstrumentSettlementStatus>();
  private readonly lastTickMs = new Map<string, number>();
  passes = 0;
  lastPassMs = 0;

  constructor(
    @Inject(SETTLEMENT_CONFIG) private readonly config: SettlementConfig,
    @Inject(SETTLEMENT_CLOCK) private readonly clock: SettlementClock,
    @Inject(INDEX_SOURCE) private readonly index: IndexSource,
    @Inject(SETTLEMENT_ENGINE) private readonly engine: SettlementEngine,
    @Optional() private readonly chain?: ChainSettlement,
  ) {
    engine.onEvents((bytes, _firstSeq, _lastSeq, decoded) => {
      if (bytes.length > 0) this.onEvents(decoded());
    });
    this.timer = new PassTimer(
      config.intervalMs,
      () => this.runOnce(),
      (err) => this.logger.error({ msg: 'settlement pass failed', err: String(err) }),
    );
  }

  onApplicationBootstrap(): void {
    this.timer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
  }

  private onEvents(events: readonly EngineEvent[]): void {
    const now = this.clock.nowMs();
    for (const e of events) {
      if (e.type !== EventType.Trade) continue;
      const list = this.trades.get(e.instrumentId) ?? [];
      list.push({ tsMs: now, priceTicks: e.priceTicks, qtyLots: e.qtyLots });
      while (list.length > 0 && list[0]!.tsMs < now - 2 * DAY_MS) list.shift();
      this.trades.set(e.instrumentId, list);
    }
  }

  /** One pass over the clock: daily marks, expiries, lease ticks. */
  async runOnce(): Promise<void> {
    const now = this.clock.nowMs();
    for (const ins of this.futures()) {
      const s = this.statusOf(ins);
      if (s.phase === 'settled') continue;
      if (now >= ins.expiryMs) await this.expire(ins, s, now);
      else await this.daily(ins, s, now);
    }
    await this.tickLeases(now);
    this.passes++;
    this.lastPassMs = now;
  }

  futures(): RiskInstrument[] {
    const stage = this.engine.state;
    return stage
      .instrumentIds()
      .map((id) => stage.instrument(id))
      .filter((i): i is RiskInstrument => i !== undefined && i.kind === InstrumentKind.Future);
  }

  statusOf(ins: RiskInstrument): InstrumentSettlementStatus {
    let s = this.status.get(ins.instrumentId);
    if (s === undefined) {
      s = { instrumentId: ins.instrumentId, symbol: ins.definition.symbol, expiryMs: ins.expiryMs, phase: 'trading', lastDaily: null, waiting: null, finalPriceTicks: null }; // prettier-ignore
      this.status.set(ins.instrumentId, s);
    }
    const settlement = this.engine.state.settlement;
    if (settlement.settledKeys.has(expiryKey(ins.instrumentId))) s.phase = 'settled';
    else if (settlement.expired.has(ins.instrumentId)) s.phase = 'halted';
    return s;
  }

  allStatus(): InstrumentSettlementStatus[] {
    return this.futures().map((ins) => this.statusOf(ins));
  }

  private async daily(ins: RiskInstrument, s: InstrumentSettlementStatus, now: number): Promise<void> {
    const businessDate = businessDateOf(now);
    const settleAtMs = Date.parse(`${businessDate}T00:00:00Z`) + this.config.dailyHourUtc * 3_600_000;
    if (now < settleAtMs) return;
    if (this.engine.state.settlement.settledKeys.has(markToMarketKey(ins.instrumentId, businessDate))) return;
    const price = dailySettlementPrice(this.trades.get(ins.instrumentId) ?? [], settleAtMs - this.config.dailyWindowMs, settleAtMs, ins.referenceTicks); // prettier-ignore
    if (!(price.priceTicks > 0)) return; // no trade and no mark yet: nothing to settle against
    const { events } = await this.engine.submit([{ type: CommandType.DailySettle, instrumentId: ins.instrumentId, businessDate, priceTicks: price.priceTicks }]); // prettier-ignore
    const refused = events.find((e) => e.type === EventType.OrderRejected);
    if (refused !== undefined) {
      this.logger.warn({
        msg: 'daily settlement refused',
        symbol: s.symbol,
        businessDate,
        code: refused.code,
      });
      return;
    }
    s.lastDaily = { businessDate, priceTicks: price.priceTicks, source: price.source };
    this.logger.log({ msg: 'daily settlement', symbol: s.symbol, businessDate, priceTicks: price.priceTicks, source: price.source }); // prettier-ignore
  }

  private async expire(ins: RiskInstrument, s: InstrumentSettlementStatus, now: number): Promise<void> {
    if (s.phase === 'trading') {
      await this.engine.submit([{ type: CommandType.ExpireInstrument, instrumentId: ins.instrumentId }]);
      s.phase = 'halted';
      this.logger.log({ msg: 'trading halted at expiry', symbol: s.symbol });
    }
    const d = ins.definition;
    const windowMs = d.future!.settlementWindowMs;
    const points = await this.index.points(d.computeClass, ins.expiryMs - windowMs, ins.expiryMs);
    const tick = d.contract.tickSize;
    const samples = points.map((p) => ({ tsMs: p.tsMs, priceTicks: roundToTicks(new Dec(p.priceMicros).div(1_000_000), tick) })); // prettier-ignore
    const price = finalPrice({ expiryMs: ins.expiryMs, settlementWindowMs: windowMs, nowMs: now, samples, ...DEFAULT_FINAL_PRICE_RULES }); // prettier-ignore
    if (price.status === 'WAIT') {
      if (s.waiting?.reason !== price.reason || s.waiting.samples !== price.samples)
        this.logger.warn({
          msg: 'final settlement waits',
          symbol: s.symbol,
          reason: price.reason,
          detail: price.detail,
        });
      s.waiting = { reason: price.reason, detail: price.detail, samples: price.samples, sinceMs: s.waiting?.sinceMs ?? now }; // prettier-ignore
      return;
    }
    s.waiting = null;
    const { events, firstSeq } = await this.engine.submit([{ type: CommandType.SettleExpiry, instrumentId: ins.instrumentId, finalPriceTicks: price.priceTicks }]); // prettier-ignore
    const refused = events.find((e) => e.type === EventType.OrderRejected);
    if (refused !== undefined && refused.code !== 'ALREADY_SETTLED') {
      this.logger.error({ msg: 'final settlement refused', symbol: s.symbol, code: refused.code });
      return;
    }
    s.phase = 'settled';
    s.finalPriceTicks = price.priceTicks;
    if (refused === undefined) this.chain?.noteSettled(ins.instrumentId, firstSeq);
    const leases = events.filter((e) => e.type === EventType.LeaseStateChanged).length;
    this.logger.log({ msg: 'expiry settled', symbol: s.symbol, finalPriceTicks: price.priceTicks, samples: price.samples, leases }); // prettier-ignore
  }

  private async tickLeases(now: number): Promise<void> {
    const classes = new Set<string>();
    for (const l of this.engine.state.settlement.leases.values())
      if (!FINAL_LEASE_STATES.has(l.state)) classes.add(l.computeClass);
    const commands: UnsequencedCommand[] = [];
    for (const computeClass of [...classes].sort()) {
      if (now - (this.lastTickMs.get(computeClass) ?? -Infinity) < this.config.leaseTickMs) continue;
      const p = await this.index.latest(computeClass, now);
      if (p === undefined || !(p.priceMicros > 0)) continue;
      commands.push({
        type: CommandType.LeaseTick,
        computeClass,
        indexMinorPerGpuHour: BigInt(p.priceMicros),
      });
      this.lastTickMs.set(computeClass, now);
    }
    if (commands.length > 0) await this.engine.submit(commands);
  }
}
