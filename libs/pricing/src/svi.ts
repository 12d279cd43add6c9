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

/** The inner solution for fixed (m, sigma) and its sum of squared errors. */
export interface SviInner {
  a: number;
  d: number;
  c: number;
  sse: number;
}

const newInner = (): SviInner => ({ a: 0, d: 0, c: 0, sse: Number.POSITIVE_INFINITY });

/** Sum of squared errors of w ~ a + d y + c z. */
function sseOf(
  y: Float64Array,
  z: Float64Array,
  w: readonly number[],
  n: number,
  a: number,
  d: number,
  c: number,
) {
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const e = a + d * y[i]! + c * z[i]! - w[i]!;
    sse += e * e;
  }
  return sse;
}

/** Clips (a, d, c) into the domain, scores it and keeps it in `best` if its error is lower. */
function offerCandidate(
  best: SviInner,
  y: Float64Array,
  z: Float64Array,
  w: readonly number[],
  n: number,
  s4: number,
  wMax: number,
  a0: number,
  d0: number,
  c0: number,
): void {
  const c = Math.min(Math.max(c0, 0), s4);
  const dMax = Math.min(c, s4 - c);
  const d = Math.min(Math.max(d0, -dMax), dMax);
  const a = Math.min(Math.max(a0, 0), wMax);
  const sse = sseOf(y, z, w, n, a, d, c);
  if (sse < best.sse) {
    best.a = a;
    best.d = d;
    best.c = c;
    best.sse = sse;
  }
}

/** Least squares of w ~ a + c (z + s1 y) + s0 y on the face d = s1 c + s0, offered clipped. */
function offerFace(
  best: SviInner,
  y: Float64Array,
  z: Float64Array,
  w: readonly number[],
  n: number,
  s4: number,
  wMax: number,
  s1: number,
  s0: number,
): void {
  let sz = 0, szz = 0, sw = 0, szw = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    const zi = z[i]! + s1 * y[i]!;
    const wi = w[i]! - s0 * y[i]!;
    sz += zi;
    szz += zi * zi;
    sw += wi;
    szw += zi * wi;
  }
  const det = n * szz - sz * sz;
  const c = det === 0 ? 0 : (n * szw - sz * sw) / det;
  offerCandidate(best, y, z, w, n, s4, wMax, (sw - c * sz) / n, s1 * c + s0, c);
}

/**
 * The constrained inner problem for y = (k - m)/sigma, z = sqrt(y^2 + 1) (filled in by the caller):
 * the unconstrained 3x3 normal equations solved in closed form (Cramer's rule); when that solution
 * lies in the domain it is the constrained optimum, otherwise the best clipped candidate among it and
 * the faces |d| = c, |d| = 4 sigma - c is taken. Writes into `best`; allocates nothing.
 */
export function sviInnerSolve(
  y: Float64Array,
  z: Float64Array,
  w: readonly number[],
  n: number,
  sigma: number,
  wMax: number,
  best: SviInner,
): SviInner {
  const s4 = 4 * sigma;
  let sy = 0, sz = 0, syy = 0, syz = 0, szz = 0, sw = 0, syw = 0, szw = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    const zi = z[i]!;
    const wi = w[i]!;
    sy += yi;
    sz += zi;
    syy += yi * yi;
    syz += yi * zi;
    szz += zi * zi;
    sw += wi;
    syw += yi * wi;
    szw += zi * wi;
  }
  best.sse = Number.POSITIVE_INFINITY;
  // [n sy sz; sy syy syz; sz syz szz] [a d c]' = [sw syw szw]'
  const m11 = syy * szz - syz * syz;
  const m12 = sy * szz - syz * sz;
  const m13 = sy * syz - syy * sz;
  const det = n * m11 - sy * m12 + sz * m13;
  if (Math.abs(det) >= 1e-300) {
    const a = (sw * m11 - sy * (syw * szz - syz * szw) + sz * (syw * syz - syy * szw)) / det;
    const d = (n * (syw * szz - syz * szw) - sw * m12 + sz * (sy * szw - syw * sz)) / det;
    const c = (n * (syy * szw - syw * syz) - sy * (sy * szw - syw * sz) + sw * m13) / det;
    const feasible = c >= 0 && c <= s4 && Math.abs(d) <= Math.min(c, s4 - c) && a >= 0 && a <= wMax;
    offerCandidate(best, y, z, w, n, s4, wMax, a, d, c);
    if (feasible) return best;
  }
  offerFace(best, y, z, w, n, s4, wMax, 1, 0);
  offerFace(best, y, z, w, n, s4, wMax, -1, 0);
  offerFace(best, y, z, w, n, s4, wMax, -1, s4);
  offerFace(best, y, z, w, n, s4, wMax, 1, -s4);
  return best;
}

/** Fills y = (k - m)/sigma and z = sqrt(y^2 + 1) for the first n log-moneyness values. */
export function sviCoordinates(
  ks: readonly number[],
  n: number,
  m: number,
  sigma: number,
  y: Float64Array,
  z: Float64Array,
) {
  const inv = 1 / sigma;
  for (let i = 0; i < n; i++) {
    const yi = (ks[i]! - m) * inv;
    y[i] = yi;
    z[i] = Math.sqrt(yi * yi + 1);
  }
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
  const n = Math.min(ks.length, ws.length);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  let wMax = 0;
  for (let i = 0; i < n; i++) wMax = Math.max(wMax, ws[i]!);
  sviCoordinates(ks, n, m, sigma, y, z);
  const inner = sviInnerSolve(y, z, ws, n, sigma, wMax, newInner());
  const params = paramsFromInner(inner, m, sigma);
  let objective = inner.sse;
  if (penaltyWeight > 0) {
    const g = sviButterflyMin(params);
    if (g < 0) objective += penaltyWeight * (g * g + 1e-6);
  }
  return { params, objective };
}
