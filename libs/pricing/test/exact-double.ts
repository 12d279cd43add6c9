import Decimal from 'decimal.js';

/** 60-digit decimals: the reference arithmetic of the pricing specs. */
export const HP = Decimal.clone({ precision: 60 });

/** The exact value of a double (Decimal's number constructor takes the shortest decimal string instead). */
export function exactHp(v: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const value = new HP(mantissa.toString()).mul(new HP(2).pow(biased === 0 ? -1074 : biased - 1075));
  return bits >> 63n ? value.neg() : value;
}
