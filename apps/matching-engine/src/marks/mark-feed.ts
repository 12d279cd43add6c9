import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandType, Dec, TriggerSource, roundToTicks, type UnsequencedCommand } from '@exchange/domain';
import { TOPICS, type LogRecord, type MessageLog, type Subscription } from '@exchange/messaging';
import { black76Price, updateMark, type MarkState, fitVolSurface, type OptionMid } from '@exchange/pricing';
import { DEFAULT_RISK_CONFIG, type RiskInstrument } from '@exchange/risk';
import { EngineService } from '../engine/engine.service';
import { impactPrice } from './impact-price';

export const PRICES_LOG = Symbol('PRICES_LOG');

/** Mark parameters: the basis EMA's half-life, the band around the index, the impact size. */
export const MARK_HALF_LIFE_MS = 60_000;
export const MARK_BAND_BPS = 500;
export const IMPACT_LOTS = 10;
const YEAR_MS = 365 * 24 * 3_600_000;

interface PublishedRound {
  indexId: string;
  priceMicros: number;
  publishedAtMs: number;
}

/**
 * Turns the oracle's published index rounds into the engine's reference prices. For each round of a
 * compute class, every listed future of that class gets its index price and its mark price
 * (libs/pricing updateMark: index plus an EMA of the basis between the book's impact mid and the
 * index, clamped to +-5% of the index), sent as SetReferencePrice commands through the command log.
 * Options are marked from the class's volatility surface: the implied vols of the option books' mids
 * (Let's Be Rational), one SVI slice per expiry with at least five quotes (quasi-explicit fit,
 * butterfly repair), calendar-repaired across expiries; without any slice, the risk stage's default
 * vol. The decision is made here, outside the engine; the engine receives it as sequenced commands,
 * so marks, stop triggers, margin calls and liquidations replay identically.
 */
@Injectable()
export class MarkFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MarkFeed');
  private readonly marks = new Map<number, MarkState>();
  private subscription?: Subscription;
  private rounds = 0;

  constructor(
    @Inject(PRICES_LOG) private readonly log: MessageLog,
    private readonly engine: EngineService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.log.ensureTopics([{ name: TOPICS.prices, partitions: 1 }]);
    this.subscription = await this.log.consume({
      topic: TOPICS.prices,
      groupId: 'matching-engine-marks',
      from: 'latest',
      handle: (records) => this.onRounds(records),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // the log may be closed already by its owner, which ends the subscription with it
    await this.subscription?.stop().catch(() => undefined);
  }

  private async onRounds(records: LogRecord[]): Promise<void> {
    const commands: UnsequencedCommand[] = [];
    for (const r of records) {
      const round = parseRound(r.value);
      if (round !== undefined) commands.push(...this.referencePrices(round));
    }
    if (commands.length === 0) return;
    await this.engine.submit(commands);
    if (++this.rounds % 100 === 1) this.logger.log({ msg: 'marks sent', commands: commands.length, rounds: this.rounds });
  } // prettier-ignore

  /** Index and mark commands for every future of the round's class. */
  referencePrices(round: PublishedRound): UnsequencedCommand[] {
    const out: UnsequencedCommand[] = [];
    const forwards = new Map<string, number>();
    const stage = this.engine.state;
    for (const id of stage.instrumentIds()) {
      const ins = stage.instrument(id);
      if (ins === undefined || ins.definition.kind !== 'future' || ins.definition.computeClass !== round.indexId) continue;
      const tickSize = ins.definition.contract.tickSize;
      const indexTicks = roundToTicks(new Dec(round.priceMicros).div(1_000_000), tickSize);
      if (indexTicks <= 0) continue;
      const depth = stage.book(id)!.depth(50);
      const bid = impactPrice(depth.bids, IMPACT_LOTS) ?? indexTicks;
      const ask = impactPrice(depth.asks, IMPACT_LOTS) ?? indexTicks;
      const update = updateMark(
        this.marks.get(id),
        { tsMs: round.publishedAtMs, indexTicks, impactBidTicks: Math.min(bid, ask), impactAskTicks: Math.max(bid, ask) },
        { halfLifeMs: MARK_HALF_LIFE_MS, bandBps: MARK_BAND_BPS, tickSize },
      );
      if (update.status !== 'OK') continue;
      this.marks.set(id, update.state);
      out.push({ type: CommandType.SetReferencePrice, instrumentId: id, source: TriggerSource.IndexPrice, priceTicks: indexTicks });
      out.push({ type: CommandType.SetReferencePrice, instrumentId: id, source: TriggerSource.MarkPrice, priceTicks: update.state.markTicks });
      forwards.set(ins.definition.symbol, update.state.markTicks * Number(tickSize));
    }
    out.push(...this.optionMarks(round, forwards));
    return out;
  } // prettier-ignore

  /** Marks of the class's options from its surface, given the futures' new marks (price per GPU-hour). */
  optionMarks(round: PublishedRound, forwards: ReadonlyMap<string, number>): UnsequencedCommand[] {
    const stage = this.engine.state;
    const options: RiskInstrument[] = [];
    for (const id of stage.instrumentIds()) {
      const ins = stage.instrument(id);
      if (ins?.definition.kind === 'option' && forwards.has(ins.underlyingSymbol)) options.push(ins);
    }
    const mids: OptionMid[] = [];
    for (const ins of options) {
      const top = stage.book(ins.instrumentId)!.depth(1);
      if (top.bids.length === 0 || top.asks.length === 0) continue;
      mids.push({
        expiryKey: ins.underlyingSymbol,
        midPrice: ((top.bids[0]![0] + top.asks[0]![0]) / 2) * ins.tickSize,
        forward: forwards.get(ins.underlyingSymbol)!,
        strike: ins.strike,
        timeYears: (ins.expiryMs - round.publishedAtMs) / YEAR_MS,
        isCall: ins.isCall,
      });
    }
    const { surface } = fitVolSurface(mids);
    const out: UnsequencedCommand[] = [];
    for (const ins of options) {
      const f = forwards.get(ins.underlyingSymbol)!;
      const t = Math.max((ins.expiryMs - round.publishedAtMs) / YEAR_MS, 0);
      const surfaceVol = surface?.volAnnual(Math.log(ins.strike / f), t);
      const vol = surfaceVol !== undefined && Number.isFinite(surfaceVol) ? surfaceVol : DEFAULT_RISK_CONFIG.defaultVolAnnual;
      // at expiry (t = 0) Black-76 gives the intrinsic value
      const price = black76Price(f, ins.strike, t, vol, 0, ins.isCall);
      const ticks = Math.max(1, roundToTicks(new Dec(price), ins.definition.contract.tickSize));
      out.push({ type: CommandType.SetReferencePrice, instrumentId: ins.instrumentId, source: TriggerSource.MarkPrice, priceTicks: ticks });
    }
    return out;
  } // prettier-ignore
}

function parseRound(bytes: Uint8Array): PublishedRound | undefined {
  try {
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as { kind?: string; round?: Partial<PublishedRound> };
    const r = raw.round;
    if (raw.kind !== 'index-round' || r === undefined) return undefined;
    if (typeof r.indexId !== 'string' || !Number.isSafeInteger(r.priceMicros) || !Number.isSafeInteger(r.publishedAtMs))
      return undefined;
    return { indexId: r.indexId, priceMicros: r.priceMicros!, publishedAtMs: r.publishedAtMs! };
  } catch {
    return undefined;
  }
} // prettier-ignore
