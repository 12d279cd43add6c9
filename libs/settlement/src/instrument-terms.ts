import {
  computeClass,
  Dec,
  QUOTE_DECIMALS,
  tickValueMinor,
  type InstrumentDefinition,
  type OptionRight,
  type SettlementType,
} from '@exchange/domain';
import { HOUR_MS } from './lease';

/**
 * The settlement core works on integers only; these turn catalogue definitions (decimal strings)
 * into them, exactly, and throw on a definition that does not fit (a catalogue defect, not input).
 */
export interface FutureSettlementTerms {
  readonly settlement: SettlementType;
  readonly computeClass: string;
  readonly benchmarkSuite: string;
  readonly referenceScore: number;
  /** One tick on one lot, quote minor units. */
  readonly tickValueMinor: bigint;
  /** One tick of price per GPU-hour, quote minor units (tick size x 10^6). */
  readonly tickMinorPerGpuHour: bigint;
  readonly expiryMs: number;
  readonly settlementWindowMs: number;
  readonly deliveryStartMs: number;
  readonly deliveryEndMs: number;
  /** GPUs one lot delivers: GPU-hours per lot / hours of the delivery window. */
  readonly gpusPerLot: number;
}

const MINOR_PER_UNIT = new Dec(10).pow(QUOTE_DECIMALS);

function whole(d: InstanceType<typeof Dec>, what: string): bigint {
  if (!d.isInteger() || d.lte(0))
    throw new RangeError(`${what} ${d.toFixed()} is not a positive whole number`);
  return BigInt(d.toFixed(0));
}

export function futureSettlementTerms(d: InstrumentDefinition): FutureSettlementTerms {
  const f = d.future;
  if (d.kind !== 'future' || f === undefined) throw new RangeError(`${d.symbol} is not a future`);
  const cls = computeClass(d.computeClass);
  if (cls === undefined) throw new RangeError(`${d.symbol}: unknown compute class ${d.computeClass}`);
  const c = d.contract;
  const windowHours = (f.deliveryEndMs - f.deliveryStartMs) / HOUR_MS;
  const gpusPerLot = whole(
    new Dec(c.lotSize).mul(c.multiplier).div(windowHours),
    `${d.symbol}: GPUs per lot`,
  );
  return {
    settlement: f.settlement,
    computeClass: d.computeClass,
    benchmarkSuite: cls.benchmarkSuite,
    referenceScore: cls.referenceScore,
    tickValueMinor: tickValueMinor(c.tickSize, c.lotSize, c.multiplier),
    tickMinorPerGpuHour: whole(new Dec(c.tickSize).mul(MINOR_PER_UNIT), `${d.symbol}: tick per GPU-hour`),
    expiryMs: f.expiryMs,
    settlementWindowMs: f.settlementWindowMs,
    deliveryStartMs: f.deliveryStartMs,
    deliveryEndMs: f.deliveryEndMs,
    gpusPerLot: Number(gpusPerLot),
  };
}

export interface OptionSettlementTerms {
  readonly right: OptionRight;
  /** The strike in ticks of the underlying future's price. */
  readonly strikeTicks: number;
  /** One tick of the future's price on one option lot, quote minor units. */
  readonly tickValueMinor: bigint;
}

export function optionSettlementTerms(
  option: InstrumentDefinition,
  future: InstrumentDefinition,
): OptionSettlementTerms {
  const o = option.option;
  if (option.kind !== 'option' || o === undefined) throw new RangeError(`${option.symbol} is not an option`);
  if (o.underlyingSymbol !== future.symbol)
    throw new RangeError(`${option.symbol} is not on ${future.symbol}`);
  const tick = future.contract.tickSize;
  const strikeTicks = whole(new Dec(o.strike).div(tick), `${option.symbol}: strike in ticks`);
  return {
    right: o.right,
    strikeTicks: Number(strikeTicks),
    tickValueMinor: tickValueMinor(tick, option.contract.lotSize, option.contract.multiplier),
  };
}
