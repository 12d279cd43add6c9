import Decimal from 'decimal.js';

/**
 * Conversions between the decimal world of users (strings such as "2.505") and the integer world of
 * the cores (ticks, lots, bigint minor units). Rounding rules:
 * - Input from users is never rounded. A price that is not a whole number of ticks converts to a
 *   fractional tick count, which the book rejects with PRICE_NOT_ON_TICK; likewise for lots.
 * - Output to users is exact: ticks x tick size and minor units / 10^decimals have finite decimals.
 * - Values computed by pricing (marks, TWAPs, settlement prices) are rounded to the nearest tick,
 *   ties to even (ROUND_HALF_EVEN), by `roundToTicks`; money computed from them rounds half-even to
 *   the minor unit by `roundToMinor`. Whoever calls these states why in a comment.
 */

/** The settlement currency: a USD stablecoin with 6 decimals (USDC). */
export const QUOTE_CURRENCY = 'USDC';
export const QUOTE_DECIMALS = 6;
const MINOR_PER_UNIT = new Decimal(10).pow(QUOTE_DECIMALS);

/** A dedicated Decimal constructor so that no other module's settings change ours. */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Dec = Decimal;

function parseDecimal(value: string | Decimal): Decimal | undefined {
  if (typeof value === 'string' && !/^-?(\d+(\.\d*)?|\.\d+)$/.test(value.trim())) return undefined;
  const d = new Dec(value);
  return d.isFinite() ? d : undefined;
}

/**
 * A decimal quotient as a number that is whole exactly when the quotient is: an off-grid value too
 * close to a whole number for a float64 to tell apart (2.400000000000000001 / 0.001) comes back
 * half a unit off, so it can never pass as on the grid.
 */
function gridUnits(q: Decimal): number {
  const n = q.toNumber();
  return q.isInteger() || !Number.isInteger(n) ? n : n + 0.5;
}

/** Price -> ticks, exact: not a whole number when the price is off tick, NaN when it is not a number. */
export function priceToTicks(price: string | Decimal, tickSize: string): number {
  const d = parseDecimal(price);
  return d === undefined ? Number.NaN : gridUnits(d.div(tickSize));
}

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** A non-negative decimal as mantissa / 10^scale. */
export interface ScaledDecimal {
  readonly mantissa: number;
  readonly scale: number;
}

/**
 * `s` as mantissa / 10^scale, when it is a plain decimal (digits, an optional fraction) of at most
 * 15 significant digits, so that integer arithmetic on doubles is exact; undefined otherwise.
 */
export function plainDecimal(s: string): ScaledDecimal | undefined {
  // read digit by digit (no regex match, no substrings: this runs for every price and quantity);
  // 15 digits at most, so the mantissa stays an exact integer
  const n = s.length;
  let mantissa = 0;
  let i = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
  }
  const whole = i;
  if (whole === 0 || whole > 15) return undefined;
  if (i === n) return { mantissa, scale: 0 };
  if (s.charCodeAt(i) !== 46) return undefined; // '.'
  for (i++; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    mantissa = mantissa * 10 + d;
  }
  const scale = n - whole - 1;
  return scale === 0 || whole + scale > 15 ? undefined : { mantissa, scale };
}

/** 10^n for n in 0..15, exact. */
export function pow10(n: number): number {
  return POW10[n]!;
}

const stepCache = new Map<string, ScaledDecimal | null>();
/** plainDecimal of a grid step (a tick or lot size), remembered: null when it is not plain. */
export function stepOf(step: string): ScaledDecimal | null {
  let st = stepCache.get(step);
  if (st === undefined) {
    st = plainDecimal(step) ?? null;
    if (stepCache.size < 1024) stepCache.set(step, st);
  }
  return st;
}

/** `units` / 10^scale as decimal.js's toFixed() writes it: no exponent, no trailing zeros. */
function formatScaled(units: number, scale: number): string {
  const neg = units < 0;
  let digits = String(neg ? -units : units);
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    const whole = digits.slice(0, digits.length - scale);
    let end = digits.length;
    while (end > whole.length && digits.charCodeAt(end - 1) === 48) end--;
    digits = end > whole.length ? `${whole}.${digits.slice(whole.length, end)}` : whole;
  }
  return neg && digits !== '0' ? `-${digits}` : digits;
}

/** n x step as a decimal string, exact (integer arithmetic when it fits a double exactly). */
function stepsToDecimal(n: number, step: string): string {
  const st = stepOf(step);
  if (st !== null && Number.isSafeInteger(n)) {
    const units = n * st.mantissa;
    if (Number.isSafeInteger(units)) return formatScaled(units, st.scale);
  }
  return new Dec(n).mul(step).toFixed();
}

/** Ticks -> price string, exact. */
export function ticksToPrice(priceTicks: number, tickSize: string): string {
  return stepsToDecimal(priceTicks, tickSize);
}

/** Quantity -> lots, exact: not a whole number when off lot, NaN when not a number. */
export function quantityToLots(quantity: string | Decimal, lotSize: string): number {
  const d = parseDecimal(quantity);
  return d === undefined ? Number.NaN : gridUnits(d.div(lotSize));
}

export function lotsToQuantity(qtyLots: number, lotSize: string): string {
  return stepsToDecimal(qtyLots, lotSize);
}

/** Rounds a computed price to the nearest whole tick, ties to even. */
export function roundToTicks(price: Decimal, tickSize: string): number {
  return price.div(tickSize).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber();
}

/** An amount in the settlement currency -> minor units; throws if it has more decimals than the currency. */
export function toMinor(amount: string | Decimal): bigint {
  const d = parseDecimal(amount);
  if (d === undefined) throw new RangeError(`not a decimal amount: ${String(amount)}`);
  const minor = d.mul(MINOR_PER_UNIT);
  if (!minor.isInteger())
    throw new RangeError(`amount ${d.toFixed()} has more than ${QUOTE_DECIMALS} decimals`);
  return BigInt(minor.toFixed(0));
}

/** Rounds a computed amount to the minor unit, ties to even. */
export function roundToMinor(amount: Decimal): bigint {
  return BigInt(amount.mul(MINOR_PER_UNIT).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
}

export function fromMinor(amountMinor: bigint): string {
  return new Dec(amountMinor.toString()).div(MINOR_PER_UNIT).toFixed();
}

/**
 * The value of one tick on one lot in minor units: tickSize x lotSize x multiplier x 10^decimals.
 * The catalogue only lists contracts for which this is a whole number, so notional is exact:
 * notionalMinor = priceTicks x qtyLots x tickValueMinor.
 */
export function tickValueMinor(tickSize: string, lotSize: string, multiplier: string): bigint {
  const v = new Dec(tickSize).mul(lotSize).mul(multiplier).mul(MINOR_PER_UNIT);
  if (!v.isInteger() || v.lte(0))
    throw new RangeError(`tick value ${v.toFixed()} is not a positive whole number of minor units`);
  return BigInt(v.toFixed(0));
}
