import { Dec, type BookSpec, type InstrumentDefinition } from '@exchange/domain';
import { black76Price, impliedVolatility } from '@exchange/pricing';
import { futureScenarioVector, optionScenarioVector, type ScenarioGrid } from '../scenario-grid';
import type { FeeSchedule, RiskConfig } from './risk-config';

export const InstrumentKind = { Spot: 0, Future: 1, Option: 2 } as const;
export type InstrumentKind = (typeof InstrumentKind)[keyof typeof InstrumentKind];

const YEAR_MS = 365 * 24 * 3_600_000;
const MINOR_PER_UNIT = 1_000_000;

/**
 * What the risk stage knows of an instrument: its definition turned into numbers, its reference
 * prices, and (futures and options) its cached scenario vector. Prices are integer ticks; a lot's
 * money value is ticks x tickValueMinor. The scenario vector and the model value are functions of the
 * marks and of the time of the latest mark (never of "now"), so a replay computes the same margins.
 */
export class RiskInstrument {
  readonly kind: InstrumentKind;
  /** Spot: the token's asset code (the compute class). */
  readonly asset: string;
  /** Futures: their own symbol; options: their future's symbol; spot: ''. */
  readonly underlyingSymbol: string;
  /** Futures: their own id; options: their future's id once both are listed (0 until then). */
  underlyingId = 0;
  readonly tickSize: number;
  readonly tickValueMinor: bigint;
  readonly tickValue: number;
  /** Minor units per 1.0 of price per lot: lotSize x multiplier x 10^6 (GPU-hours per lot x 10^6). */
  readonly unitsPerLot: number;
  /** Whole tokens per lot (spot). */
  readonly tokensPerLot: bigint;
  readonly tokensPerLotNumber: number;
  readonly strike: number;
  readonly isCall: boolean;
  readonly expiryMs: number;
  /** A physically settled future (its sellers owe compute and post provider collateral). */
  readonly physical: boolean;
  readonly fees: FeeSchedule;
  /** Reference prices in ticks (0: none yet) and when the mark last changed. */
  markTicks = 0;
  lastTicks = 0;
  markTimeMs = 0;
  /** Bumped whenever the mark (or, for a future, the last price used as its reference) changes. */
  version = 0;
  private vector: Float64Array | null = null;
  /** The versions (underlying's, own) the vector was built at. */
  private vectorUnderlyingVersion = -1;
  private vectorOwnVersion = -1;
  /** Options: model value of one lot in minor units at the latest build. */
  private valuePerLot = 0;

  constructor(
    readonly instrumentId: number,
    readonly definition: InstrumentDefinition,
    readonly spec: BookSpec,
    config: RiskConfig,
  ) {
    const d = definition;
    this.kind = d.kind === 'spot' ? InstrumentKind.Spot : d.kind === 'future' ? InstrumentKind.Future : InstrumentKind.Option;
    this.asset = d.kind === 'spot' ? d.computeClass : '';
    this.underlyingSymbol = d.kind === 'future' ? d.symbol : d.kind === 'option' ? (d.option?.underlyingSymbol ?? '') : '';
    if (d.kind === 'future') this.underlyingId = instrumentId;
    const c = d.contract;
    this.tickSize = Number(c.tickSize);
    const tv = new Dec(c.tickSize).mul(c.lotSize).mul(c.multiplier).mul(MINOR_PER_UNIT);
    if (!tv.isInteger() || tv.lte(0)) throw new RangeError(`${d.symbol}: tick value ${tv.toFixed()} is not whole minor units`);
    this.tickValueMinor = BigInt(tv.toFixed(0));
    this.tickValue = Number(this.tickValueMinor);
    this.unitsPerLot = new Dec(c.lotSize).mul(c.multiplier).mul(MINOR_PER_UNIT).toNumber();
    const tokens = new Dec(c.lotSize).mul(c.multiplier);
    this.tokensPerLot = tokens.isInteger() ? BigInt(tokens.toFixed(0)) : 1n;
    this.tokensPerLotNumber = Number(this.tokensPerLot);
    this.strike = d.option ? Number(d.option.strike) : 0;
    this.isCall = d.option?.right === 'call';
    this.expiryMs = d.option?.expiryMs ?? d.future?.expiryMs ?? 0;
    this.physical = d.kind === 'future' && d.future?.settlement === 'physical';
    this.fees = d.kind === 'spot' ? config.fees.spot : d.kind === 'future' ? config.fees.future : config.fees.option;
  } // prettier-ignore

  get isDerivative(): boolean {
    return this.kind !== InstrumentKind.Spot;
  }

  /** The price margin uses for a future: the mark, else the last trade; 0 when neither exists. */
  get referenceTicks(): number {
    return this.markTicks > 0 ? this.markTicks : this.lastTicks;
  }

  /**
   * The scenario vector (weighted value change per lot, minor units) and, for options, the model
   * value per lot. `underlying` is the future (itself for a future). Null without a reference price.
   */
  scenarioVector(underlying: RiskInstrument, grid: ScenarioGrid, config: RiskConfig): Float64Array | null {
    const ref = underlying.referenceTicks;
    if (ref <= 0) return null;
    if (
      this.vector !== null &&
      this.vectorUnderlyingVersion === underlying.version &&
      this.vectorOwnVersion === this.version
    )
      return this.vector;
    const forward = ref * underlying.tickSize;
    const out = this.vector ?? new Float64Array(grid.count);
    if (this.kind === InstrumentKind.Future) {
      futureScenarioVector(grid, forward, this.unitsPerLot, out);
    } else {
      const asOf = Math.max(this.markTimeMs, underlying.markTimeMs);
      const t = Math.max(this.expiryMs - asOf, 0) / YEAR_MS;
      const vol = this.impliedVol(forward, t, config);
      const r = config.margin.rateAnnual;
      this.valuePerLot =
        this.markTicks > 0
          ? this.markTicks * this.tickValue
          : black76Price(forward, this.strike, t, vol, r, this.isCall) * this.unitsPerLot;
      optionScenarioVector(grid, forward, this.strike, t, vol, r, this.isCall, this.unitsPerLot, out);
    }
    this.vector = out;
    this.vectorUnderlyingVersion = underlying.version;
    this.vectorOwnVersion = this.version;
    return out;
  }

  /** Value of one lot in minor units: futures at the reference price, options at mark or model. */
  lotValue(underlying: RiskInstrument, grid: ScenarioGrid, config: RiskConfig): number {
    if (this.kind !== InstrumentKind.Option) return this.referenceTicks * this.tickValue;
    return this.scenarioVector(underlying, grid, config) === null ? 0 : this.valuePerLot;
  }

  private impliedVol(forward: number, t: number, config: RiskConfig): number {
    if (this.markTicks <= 0 || t <= 0) return config.defaultVolAnnual;
    const iv = impliedVolatility({
      price: this.markTicks * this.tickSize,
      forward,
      strike: this.strike,
      timeYears: t,
      rateAnnual: config.margin.rateAnnual,
      isCall: this.isCall,
    });
    return iv.status === 'OK' && iv.volAnnual > 0 ? iv.volAnnual : config.defaultVolAnnual;
  }
}
