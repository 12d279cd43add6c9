import Decimal from 'decimal.js';

/**
 * A slow, obviously correct high-precision Black-76 reference (decimal.js at 60 significant digits) for
 * tests and benchmarks; never for production paths. erfc uses the Taylor series of erf for x < 3 and
 * the classical continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
 * beyond, evaluated backwards from a fixed depth that is ample for 40 correct digits.
 */
const HP = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
const SQRT_PI = HP.acos(-1).sqrt();
const CF_DEPTH = 400;

function erfcHp(x: Decimal): Decimal {
  if (x.isNegative()) return new HP(2).minus(erfcHp(x.neg()));
  if (x.lt(3)) {
    const x2 = x.mul(x);
    let term = new HP(x);
    let sum = new HP(x);
    for (let n = 1; n < 400; n++) {
      term = term.mul(x2).neg().div(n);
      const add = term.div(2 * n + 1);
      sum = sum.plus(add);
      if (add.abs().lt('1e-58')) break;
    }
    return new HP(1).minus(sum.mul(2).div(SQRT_PI));
  }
  let t = new HP(x);
  for (let n = CF_DEPTH; n >= 1; n--) t = x.plus(new HP(n).div(2).div(t));
  return x.mul(x).neg().exp().div(SQRT_PI).div(t);
}

export function normCdfHp(z: Decimal): Decimal {
  return erfcHp(z.neg().div(HP.sqrt(2))).div(2);
}

/** Black-76 price at high precision; inputs are taken as exact binary doubles. */
export function black76PriceReference(
  forward: number,
  strike: number,
  timeYears: number,
  volAnnual: number,
  rateAnnual: number,
  isCall: boolean,
): Decimal {
  const f = new HP(forward);
  const k = new HP(strike);
  const s = new HP(volAnnual).mul(new HP(timeYears).sqrt());
  const df = new HP(rateAnnual).mul(timeYears).neg().exp();
  const lnFk = f.div(k).ln();
  const d1 = lnFk.div(s).plus(s.div(2));
  const d2 = d1.minus(s);
  const undiscounted = isCall
    ? f.mul(normCdfHp(d1)).minus(k.mul(normCdfHp(d2)))
    : k.mul(normCdfHp(d2.neg())).minus(f.mul(normCdfHp(d1.neg())));
  return df.mul(undiscounted);
}
