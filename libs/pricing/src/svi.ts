/**
 * Raw SVI smile per expiry (Gatheral): total implied variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)),
 * k = ln(K / F). Calibrated by the quasi-explicit method (Zeliade 2009): with y = (k - m) / sigma,
 * w = a + d y + c sqrt(y^2 + 1) is linear in (a, d, c) for fixed (m, sigma); the inner problem is a
 * constrained linear least squares on the domain 0 <= c <= 4 sigma, |d| <= c, |d| <= 4 sigma - c,
 * 0 <= a <= max(w), the outer one a Nelder-Mead search over (m, ln sigma).
 */
export interface SviParams {
  readonly a: number;
  readonly b: number;
  readonly rho: number;
  readonly m: number;
  readonly sigma: number;
}

export function sviTotalVariance(p: SviParams, k: number): number {
  const u = k - p.m;
  return p.a + p.b * (p.rho * u + Math.sqrt(u * u + p.sigma * p.sigma));
}

/** Durrleman's g(k); the smile is free of butterfly arbitrage where g >= 0 (and w > 0). */
export function sviG(p: SviParams, k: number): number {
  const u = k - p.m;
  const r = Math.sqrt(u * u + p.sigma * p.sigma);
  const w = p.a + p.b * (p.rho * u + r);
  const w1 = p.b * (p.rho + u / r);
  const w2 = (p.b * p.sigma * p.sigma) / (r * r * r);
  const t = 1 - (k * w1) / (2 * w);
  return t * t - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

/** Log-moneyness grid on which arbitrage is checked. */
export const SVI_CHECK_GRID: readonly number[] = Array.from({ length: 121 }, (_, i) => -3 + i * 0.05);

/** The most negative g on the grid (>= 0 means no butterfly arbitrage there), or -1 if w <= 0 somewhere. */
export function sviButterflyMin(p: SviParams, grid: readonly number[] = SVI_CHECK_GRID): number {
  let min = Number.POSITIVE_INFINITY;
  for (const k of grid) {
    if (!(sviTotalVariance(p, k) > 0)) return -1;
    min = Math.min(min, sviG(p, k));
  }
  return min;
}

interface Inner {
  a: number;
  d: number;
  c: number;
  sse: number;
}

function solve3(m: number[], v: number[]): number[] | undefined {
  const [a, b, c, d, e, f, g, h, i] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (Math.abs(det) < 1e-300) return undefined;
  const [p, q, r] = v as [number, number, number];
  return [
    (p * (e * i - f * h) - b * (q * i - f * r) + c * (q * h - e * r)) / det,
    (a * (q * i - f * r) - p * (d * i - f * g) + c * (d * r - q * g)) / det,
    (a * (e * r - q * h) - b * (d * r - q * g) + p * (d * h - e * g)) / det,
  ];
}

/** Least squares of w ~ a + d y + c z restricted by d = s1 c + s0 (s1, s0 fixed), or unrestricted when s1 is NaN. */
function innerCandidate(y: Float64Array, z: Float64Array, w: readonly number[], s1: number, s0: number) {
  let n = 0, sy = 0, sz = 0, syy = 0, syz = 0, szz = 0, sw = 0, syw = 0, szw = 0; // prettier-ignore
  for (let i = 0; i < w.length; i++) {
    const yi = Number.isNaN(s1) ? y[i]! : 0;
    const zi = Number.isNaN(s1) ? z[i]! : z[i]! + s1 * y[i]!;
    const wi = Number.isNaN(s1) ? w[i]! : w[i]! - s0 * y[i]!;
    n++;
    sy += yi;
    sz += zi;
    syy += yi * yi;
    syz += yi * zi;
    szz += zi * zi;
    sw += wi;
    syw += yi * wi;
    szw += zi * wi; // prettier-ignore
  }
  if (!Number.isNaN(s1)) {
    const det = n * szz - sz * sz;
    const c = det === 0 ? 0 : (n * szw - sz * sw) / det;
    return [(sw - c * sz) / n, s1 * c + s0, c];
  }
  return solve3([n, sy, sz, sy, syy, syz, sz, syz, szz], [sw, syw, szw]);
}

/** The constrained inner problem: best feasible candidate among the interior and the faces |d| = c, |d| = 4 sigma - c. */
function innerSolve(
  y: Float64Array,
  z: Float64Array,
  w: readonly number[],
  sigma: number,
  wMax: number,
): Inner {
  const s4 = 4 * sigma;
  const faces: Array<[number, number]> = [[Number.NaN, 0], [1, 0], [-1, 0], [-1, s4], [1, -s4]]; // prettier-ignore
  let best: Inner = { a: 0, d: 0, c: 0, sse: Number.POSITIVE_INFINITY };
  for (const [s1, s0] of faces) {
    const cand = innerCandidate(y, z, w, s1, s0);
    if (cand === undefined) continue;
    const c = Math.min(Math.max(cand[2]!, 0), s4);
    const dMax = Math.min(c, s4 - c);
    const d = Math.min(Math.max(cand[1]!, -dMax), dMax);
    const a = Math.min(Math.max(cand[0]!, 0), wMax);
    let sse = 0;
    for (let i = 0; i < w.length; i++) {
      const e = a + d * y[i]! + c * z[i]! - w[i]!;
      sse += e * e;
    }
    if (sse < best.sse) best = { a, d, c, sse };
  }
  return best;
}

export function paramsFromInner(
  inner: { a: number; d: number; c: number },
  m: number,
  sigma: number,
): SviParams {
  const b = inner.c / sigma;
  return { a: inner.a, b, rho: inner.c > 0 ? inner.d / inner.c : 0, m, sigma };
}

/** Inner fit for fixed (m, sigma) plus a penalty on butterfly arbitrage (weight 0 disables it). */
export function sviInnerFit(
  ks: readonly number[],
  ws: readonly number[],
  m: number,
  sigma: number,
  penaltyWeight: number,
): { params: SviParams; objective: number } {
  const y = new Float64Array(ks.length);
  const z = new Float64Array(ks.length);
  let wMax = 0;
  for (let i = 0; i < ks.length; i++) {
    y[i] = (ks[i]! - m) / sigma;
    z[i] = Math.sqrt(y[i]! * y[i]! + 1);
    wMax = Math.max(wMax, ws[i]!);
  }
  const inner = innerSolve(y, z, ws, sigma, wMax);
  const params = paramsFromInner(inner, m, sigma);
  let objective = inner.sse;
  if (penaltyWeight > 0) {
    const g = sviButterflyMin(params);
    if (g < 0) objective += penaltyWeight * (g * g + 1e-6);
  }
  return { params, objective };
}
